/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing of the conenat tool: one socket, the resolved
 * family id, and request/response handling with extack messages.
 */
#ifndef CONENAT_TOOL_NL_H
#define CONENAT_TOOL_NL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t events_group;	/* multicast group id, 0 if none */
	char extack[256];	/* message of the last error, or "" */
	uint32_t extack_offs;	/* offset of the bad attribute, or 0 */
	/* aligned: messages are read in place as struct nlmsghdr */
	char sbuf[8192] __attribute__((aligned(8)));
	char rbuf[32768] __attribute__((aligned(8)));	/* fits a dump skb */
};

/* 0, or -errno; -ENOENT means the conenat family is not registered. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* A new request for cmd in nl->sbuf; flags besides NLM_F_REQUEST. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Sends nlh and passes every reply message to cb (which may be NULL) until
 * the ack or, for a dump, NLMSG_DONE. Returns 0 or -errno, with the kernel's
 * message in nl->extack. -EINTR: the dump was interrupted (NLM_F_DUMP_INTR);
 * the socket is drained and the caller may retry.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * The type of the top-level attribute of the last request that the
 * kernel's error points at (NLMSGERR_ATTR_OFFS), or -1.
 */
int nl_bad_attr(const struct nl *nl);
/*
 * The index of the attribute nested in the request's attribute @type that
 * the kernel's error points at, or -1.
 */
int nl_bad_nested(const struct nl *nl, uint16_t type);

/*
 * Prints "conenat: ..." for err (negative errno) from nl_talk, with the
 * kernel's message if any, followed by " (what)" when what is not NULL.
 */
void nl_perror(const struct nl *nl, int err, const char *what);

/*
 * Stores the attributes of a reply (after the genl header when nest is
 * NULL, else inside nest) in tb[0..max], checking them against types[]
 * (MNL_TYPE_UNSPEC: unchecked). Unknown types above max are skipped, so a
 * newer kernel works. Returns 0, or -1 with errno EPROTO.
 */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
	     const struct nlattr **tb, unsigned int max,
	     const enum mnl_attr_data_type *types);

#endif
