// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD stand-in for the conenat module, to test the tool's netlink
 * code where the module cannot load: it replaces libmnl's send and receive
 * calls, answers the requests with canned replies and logs each request.
 *
 *   FAKE_STATE  up (default), down, intr (first dump interrupted),
 *               intr-always, einval, eperm, eperm-why (with a message),
 *               waiting (up on ppp0, which does not exist yet),
 *               exists (every forward added collides with one there),
 *               nomodule, busy (up, but every forward added is refused:
 *               port in use)
 *   FAKE_LOG    file the requests are appended to, one line each
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/conenat.h>

#define FAMILY 0x42

static char queue[8][16384] __attribute__((aligned(8)));
static size_t queue_len[8];
static int head, tail, dumps;

static const char *state(void)
{
	const char *s = getenv("FAKE_STATE");

	return s ? s : "up";
}

/* A new datagram in the queue; replies are appended to it. */
static char *datagram(void)
{
	queue_len[tail] = 0;
	return queue[tail++];
}

/* A reply to req at the end of dgram, the last datagram. */
static struct nlmsghdr *reply(char *dgram, const struct nlmsghdr *req,
			      uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dgram + queue_len[tail - 1]);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	if (type >= NLMSG_MIN_TYPE) {
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = cmd;
		g->version = CONENAT_GENL_VERSION;
	}
	return nlh;
}

/* Appends nlh, built by reply(), to the last datagram. */
static void done_msg(struct nlmsghdr *nlh)
{
	queue_len[tail - 1] += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* An ack (err 0) or an error, capped, with optional extack TLVs. */
static void ack(const struct nlmsghdr *req, int err, const char *msg,
	       uint32_t offs)
{
	char *d = datagram();
	struct nlmsghdr *nlh = reply(d, req, NLMSG_ERROR, NLM_F_CAPPED, 0);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = err;
	e->msg = *req;
	if (msg || offs)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	done_msg(nlh);
}

/* Whether attribute @type in a nest of type @parent (0: none) is __be32. */
static int is_addr(uint16_t parent, uint16_t type)
{
	switch (parent) {
	case 0:
		return type == CONENAT_A_EXT_ADDR || type == CONENAT_A_INT_ADDR;
	case CONENAT_A_ADDRS:
		return type == CONENAT_A_EXT_ADDR;
	case CONENAT_A_PREFIX:
		return type == CONENAT_PFX_A_ADDR;
	case CONENAT_A_MAPPING:
		return type == CONENAT_MAP_A_INT_ADDR ||
		       type == CONENAT_MAP_A_EXT_ADDR;
	}
	return 0;
}

/* Addresses as dotted quads, so that the log reads the same on any CPU. */
static void log_attrs(FILE *f, const struct nlattr *start, int len,
		      uint16_t parent)
{
	char addr[INET_ADDRSTRLEN];
	const struct nlattr *a;
	uint16_t plen;

	for (a = start; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		len -= (int)MNL_ALIGN(a->nla_len);
		plen = mnl_attr_get_payload_len(a);
		fprintf(f, " %u", mnl_attr_get_type(a));
		if (a->nla_type & NLA_F_NESTED || mnl_attr_get_type(a) == CONENAT_A_RANGES ||
		    mnl_attr_get_type(a) == CONENAT_A_RANGE ||
		    mnl_attr_get_type(a) == CONENAT_A_INTERNAL ||
		    mnl_attr_get_type(a) == CONENAT_A_EXCLUDE ||
		    mnl_attr_get_type(a) == CONENAT_A_ADDRS ||
		    mnl_attr_get_type(a) == CONENAT_A_PREFIX) {
			fputs("{", f);
			log_attrs(f, mnl_attr_get_payload(a), plen,
				  mnl_attr_get_type(a));
			fputs(" }", f);
		} else if (plen == 0) {
			fputs("=flag", f);
		} else if (plen == 1) {
			fprintf(f, "=%u", mnl_attr_get_u8(a));
		} else if (plen == 2) {
			fprintf(f, "=%u", mnl_attr_get_u16(a));
		} else if (plen == 4 && is_addr(parent, mnl_attr_get_type(a))) {
			fprintf(f, "=%s", inet_ntop(AF_INET, mnl_attr_get_payload(a),
						    addr, sizeof(addr)));
		} else if (plen == 4) {
			fprintf(f, "=%u", mnl_attr_get_u32(a));
		} else {
			fprintf(f, "='%s'", mnl_attr_get_str(a));
		}
	}
}

static void log_request(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const char *path = getenv("FAKE_LOG");
	FILE *f;

	if (!path || req->nlmsg_type != FAMILY)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "cmd %u flags 0x%x:", g->cmd, req->nlmsg_flags);
	log_attrs(f, mnl_nlmsg_get_payload_offset(req, sizeof(*g)),
		  (int)(req->nlmsg_len - MNL_NLMSG_HDRLEN - sizeof(*g)), 0);
	fputc('\n', f);
	fclose(f);
}

static void put_range(struct nlmsghdr *nlh, uint8_t proto, uint16_t min,
		      uint16_t max)
{
	struct nlattr *r = mnl_attr_nest_start(nlh, CONENAT_A_RANGE);

	mnl_attr_put_u8(nlh, CONENAT_RANGE_A_PROTO, proto);
	mnl_attr_put_u16(nlh, CONENAT_RANGE_A_MIN, min);
	mnl_attr_put_u16(nlh, CONENAT_RANGE_A_MAX, max);
	mnl_attr_nest_end(nlh, r);
}

static void put_prefix(struct nlmsghdr *nlh, const char *addr, uint8_t len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, CONENAT_A_PREFIX);

	mnl_attr_put_u32(nlh, CONENAT_PFX_A_ADDR, inet_addr(addr));
	mnl_attr_put_u8(nlh, CONENAT_PFX_A_LEN, len);
	mnl_attr_nest_end(nlh, n);
}

static void put_forward(struct nlmsghdr *nlh, uint8_t proto, uint16_t ext,
			const char *addr, uint16_t port)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, CONENAT_A_MAPPING);

	mnl_attr_put_u8(nlh, CONENAT_MAP_A_PROTO, proto);
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_EXT_PORT, ext);
	mnl_attr_put_u32(nlh, CONENAT_MAP_A_INT_ADDR, inet_addr(addr));
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_INT_PORT, port);
	mnl_attr_nest_end(nlh, n);
}

static void get(const struct nlmsghdr *req)
{
	char *d = datagram();
	struct nlmsghdr *nlh = reply(d, req, FAMILY, 0, CONENAT_CMD_GET);
	struct nlattr *n;
	bool up = strcmp(state(), "down");
	bool waiting = !strcmp(state(), "waiting");

	mnl_attr_put_strz(nlh, CONENAT_A_VERSION, "0.1.0");
	mnl_attr_put_u8(nlh, CONENAT_A_UP, up);
	if (up) {
		mnl_attr_put_strz(nlh, CONENAT_A_IFNAME,
				  waiting ? "ppp0" : "wan0");
		mnl_attr_put_u32(nlh, CONENAT_A_IFINDEX, waiting ? 0 : 3);
		mnl_attr_put_u32(nlh, CONENAT_A_EXT_ADDR,
				 waiting ? 0 : inet_addr("192.0.2.1"));
		n = mnl_attr_nest_start(nlh, CONENAT_A_RANGES);
		put_range(nlh, IPPROTO_UDP, 20000, 29999);
		put_range(nlh, IPPROTO_TCP, 20000, 29999);
		put_range(nlh, IPPROTO_ICMP, 20000, 29999);
		put_range(nlh, IPPROTO_UDP, 40000, 40000);
		mnl_attr_nest_end(nlh, n);
		mnl_attr_put_u32(nlh, CONENAT_A_TIMEOUT_UDP, 300);
		mnl_attr_put_u32(nlh, CONENAT_A_TIMEOUT_TCP_EST, 7440);
		mnl_attr_put_u32(nlh, CONENAT_A_TIMEOUT_TCP_TRANS, 240);
		mnl_attr_put_u32(nlh, CONENAT_A_TIMEOUT_ICMP, 60);
		mnl_attr_put_u32(nlh, CONENAT_A_HOLDDOWN, 120);
		mnl_attr_put_u32(nlh, CONENAT_A_MAX_MAPPINGS, 524288);
		mnl_attr_put_u32(nlh, CONENAT_A_MAX_PER_HOST, 4096);
		mnl_attr_put_u32(nlh, CONENAT_A_MAX_CONNS_PER_HOST, 16384);
		mnl_attr_put_u32(nlh, CONENAT_A_MAX_CONNS_PER_MAPPING, 1024);
		mnl_attr_put_u32(nlh, CONENAT_A_FWMARK, 0);
		mnl_attr_put_u8(nlh, CONENAT_A_INBOUND_REFRESH, 0);
		n = mnl_attr_nest_start(nlh, CONENAT_A_INTERNAL);
		put_prefix(nlh, "10.0.1.0", 24);
		put_prefix(nlh, "10.0.9.7", 32);
		mnl_attr_nest_end(nlh, n);
		n = mnl_attr_nest_start(nlh, CONENAT_A_ADDRS);
		mnl_attr_put_u32(nlh, CONENAT_A_EXT_ADDR,
				 inet_addr("198.51.100.7"));
		mnl_attr_put_u32(nlh, CONENAT_A_EXT_ADDR,
				 inet_addr("203.0.113.1"));
		mnl_attr_nest_end(nlh, n);
		n = mnl_attr_nest_start(nlh, CONENAT_A_FORWARDS);
		put_forward(nlh, IPPROTO_UDP, 40000, "10.0.1.2", 5000);
		put_forward(nlh, IPPROTO_TCP, 8443, "10.0.1.3", 443);
		mnl_attr_nest_end(nlh, n);
		mnl_attr_put_u32(nlh, CONENAT_A_MAPPINGS, 12);
		mnl_attr_put_u32(nlh, 200, 1);	/* from a newer module */
	}
	done_msg(nlh);
	ack(req, 0, NULL, 0);
}

static void put_mapping(char *d, const struct nlmsghdr *req, uint16_t flags,
			uint8_t proto, const char *in, uint16_t inport,
			uint16_t extport, uint32_t ms, int tcp_state)
{
	struct nlmsghdr *nlh = reply(d, req, FAMILY, NLM_F_MULTI | flags,
				     CONENAT_CMD_GET_MAPPINGS);
	struct nlattr *m = mnl_attr_nest_start(nlh, CONENAT_A_MAPPING);

	mnl_attr_put_u8(nlh, CONENAT_MAP_A_PROTO, proto);
	mnl_attr_put_u32(nlh, CONENAT_MAP_A_INT_ADDR, inet_addr(in));
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_INT_PORT, inport);
	mnl_attr_put_u32(nlh, CONENAT_MAP_A_EXT_ADDR, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_EXT_PORT, extport);
	mnl_attr_put_u32(nlh, CONENAT_MAP_A_EXPIRES, ms);
	if (tcp_state >= 0) {
		mnl_attr_put_u8(nlh, CONENAT_MAP_A_STATE, (uint8_t)tcp_state);
		mnl_attr_put_u32(nlh, CONENAT_MAP_A_CONNS, 3);
	}
	mnl_attr_nest_end(nlh, m);
	done_msg(nlh);
}

static void mappings(const struct nlmsghdr *req)
{
	bool intr = !strcmp(state(), "intr-always") ||
		    (!strcmp(state(), "intr") && dumps == 0);
	uint16_t f = intr ? NLM_F_DUMP_INTR : 0;
	struct nlmsghdr *nlh;
	char *d;
	int err = 0;

	dumps++;
	d = datagram();
	put_mapping(d, req, 0, IPPROTO_TCP, "10.0.1.2", 41000, 20417, 7430001,
		    CONENAT_TCP_ESTABLISHED);
	put_mapping(d, req, f, IPPROTO_UDP, "10.0.1.10", 5000, 20001, 299000, -1);
	d = datagram();
	put_mapping(d, req, f, IPPROTO_ICMP, "10.0.1.2", 7, 20002, 500, -1);
	put_mapping(d, req, f, IPPROTO_UDP, "10.0.1.2", 5001, 20003, 0, -1);
	nlh = reply(d, req, NLMSG_DONE, NLM_F_MULTI | f, 0);
	mnl_nlmsg_put_extra_header(nlh, sizeof(err));
	done_msg(nlh);
}

static void stats(const struct nlmsghdr *req)
{
	char *d = datagram();
	struct nlmsghdr *nlh = reply(d, req, FAMILY, 0, CONENAT_CMD_GET_STATS);
	struct nlattr *n = mnl_attr_nest_start(nlh, CONENAT_A_STATS);
	uint16_t t;

	/* out of order, with padding, and one the tool does not know */
	mnl_attr_put(nlh, CONENAT_STAT_UNSPEC, 0, NULL);
	mnl_attr_put_u64(nlh, CONENAT_STAT_MAX + 2, 77);
	for (t = CONENAT_STAT_MAX; t >= 1; t--)
		mnl_attr_put_u64(nlh, t, (uint64_t)t * 1000 +
				 (t == 1 ? 5000000000ULL : 0));
	mnl_attr_nest_end(nlh, n);
	done_msg(nlh);
	ack(req, 0, NULL, 0);
}

/* Offset of the first attribute of type in req, for NLMSGERR_ATTR_OFFS. */
static uint32_t attr_offset(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return (uint32_t)((const char *)a - (const char *)req);
	return 0;
}

/* The offset of the last attribute nested in the request's @type, or 0. */
static uint32_t last_nested_offset(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *a, *n;
	uint32_t offs = 0;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			mnl_attr_for_each_nested(n, a)
				offs = (uint32_t)((const char *)n -
						  (const char *)req);
	return offs;
}

static void family(const struct nlmsghdr *req)
{
	char *d;
	struct nlmsghdr *nlh;

	if (!strcmp(state(), "nomodule")) {
		ack(req, -ENOENT, NULL, 0);
		return;
	}
	d = datagram();
	nlh = reply(d, req, GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CONENAT_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
	done_msg(nlh);
	ack(req, 0, NULL, 0);
}

/*
 * qemu-user emulates netlink sockets of a few families only, not the
 * generic one: there (make check-cross runs the tool of each router
 * architecture so) a route socket stands in for it, as nothing is sent
 * or received through it.
 */
struct mnl_socket *mnl_socket_open(int bus)
{
	struct mnl_socket *(*real)(int) = dlsym(RTLD_NEXT, "mnl_socket_open");
	struct mnl_socket *nl = real(bus);

	if (!nl && errno == EPROTONOSUPPORT)
		nl = real(NETLINK_ROUTE);
	return nl;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf,
			  size_t len)
{
	const struct nlmsghdr *req = buf;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);

	(void)nl;
	head = tail = 0;
	log_request(req);
	if (req->nlmsg_type == GENL_ID_CTRL)
		family(req);
	else if (!strcmp(state(), "eperm"))
		ack(req, -EPERM, NULL, 0);
	else if (!strcmp(state(), "eperm-why"))
		ack(req, -EPERM,
		    "max-mappings above the default needs CAP_NET_ADMIN in the initial user namespace",
		    0);
	else if (!strcmp(state(), "einval"))
		ack(req, -EINVAL, "UDP timeout is below the RFC 4787 minimum of 120 s",
		    attr_offset(req, CONENAT_A_TIMEOUT_UDP));
	else if (!strcmp(state(), "exists") &&
		 g->cmd == CONENAT_CMD_FORWARD_ADD)
		ack(req, -EEXIST, "the external port has a forward already", 0);
	else if (!strcmp(state(), "busy") && g->cmd == CONENAT_CMD_FORWARD_ADD)
		ack(req, -EADDRINUSE,
		    "the external port is in use, by a mapping or a router socket",
		    0);
	else if (!strcmp(state(), "busy") && g->cmd == CONENAT_CMD_UP &&
		 last_nested_offset(req, CONENAT_A_FORWARDS))
		ack(req, -EADDRINUSE,
		    "the external port is in use, by a mapping or a router socket",
		    last_nested_offset(req, CONENAT_A_FORWARDS));
	else if (g->cmd == CONENAT_CMD_GET)
		get(req);
	else if (g->cmd == CONENAT_CMD_GET_MAPPINGS)
		mappings(req);
	else if (g->cmd == CONENAT_CMD_GET_STATS)
		stats(req);
	else
		ack(req, 0, NULL, 0);
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
			    size_t bufsiz)
{
	(void)nl;
	if (head == tail) {
		errno = EAGAIN;
		return -1;
	}
	if (queue_len[head] > bufsiz) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(buf, queue[head], queue_len[head]);
	return (ssize_t)queue_len[head++];
}
