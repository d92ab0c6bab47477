// SPDX-License-Identifier: GPL-2.0
/* Generic netlink plumbing of the conenat tool; see nl.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/conenat.h>

#include "nl.h"

struct talk {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;
	size_t len;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		nl->extack_offs = mnl_attr_get_u32(attr);
	if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	snprintf(nl->extack, sizeof(nl->extack), "%s",
		 mnl_attr_get_str(attr));
	len = strlen(nl->extack);
	while (len && nl->extack[len - 1] == '\n')
		nl->extack[--len] = '\0';
	return MNL_CB_OK;
}

/* The extack TLVs of an error or done message start at offset. */
static void parse_extack(struct nl *nl, const struct nlmsghdr *nlh,
			 size_t offset)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)offset, extack_cb, nl);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&e->msg);
	parse_extack(t->nl, nlh, offset);
	if (!e->error)
		return MNL_CB_STOP;
	errno = e->error < 0 ? -e->error : e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	parse_extack(t->nl, nlh, sizeof(err));
	errno = -err;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* Whether rbuf[0..n) holds the end of the reply to the current request. */
static bool reply_end(const struct nl *nl, ssize_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->rbuf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == nl->seq &&
		    (nlh->nlmsg_type == NLMSG_DONE ||
		     nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

/* Drops the rest of an interrupted dump; rbuf[0..n) was read last. */
static void drain(struct nl *nl, ssize_t n)
{
	while (!reply_end(nl, n)) {
		do
			n = mnl_socket_recvfrom(nl->sock, nl->rbuf,
						sizeof(nl->rbuf));
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return;
	}
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct talk t = { .nl = nl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	nl->extack_offs = 0;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->rbuf, (size_t)n, nl->seq, nl->portid,
				  data_cb, &t, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR) {
			ret = errno ? -errno : -EPROTO;
			/* libmnl reports NLM_F_DUMP_INTR as EINTR */
			if (ret == -EINTR)
				drain(nl, n);
			return ret;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	if (nl->extack[0])
		fprintf(stderr, "conenat: warning: %s\n", nl->extack);
	return 0;
}

/* Whether the kernel's error points into @attr of the last request. */
static bool points_into(const struct nl *nl, const struct nlattr *attr)
{
	size_t start = (size_t)((const char *)attr - nl->sbuf);

	return nl->extack_offs >= start &&
	       nl->extack_offs < start + attr->nla_len;
}

int nl_bad_attr(const struct nl *nl)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->sbuf;
	const struct nlattr *attr;

	if (!nl->extack_offs)
		return -1;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (points_into(nl, attr))
			return mnl_attr_get_type(attr);
	return -1;
}

int nl_bad_nested(const struct nl *nl, uint16_t type)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->sbuf;
	const struct nlattr *attr, *nest;
	int i = 0;

	if (!nl->extack_offs)
		return -1;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != type)
			continue;
		mnl_attr_for_each_nested(nest, attr) {
			if (points_into(nl, nest))
				return i;
			i++;
		}
	}
	return -1;
}

void nl_perror(const struct nl *nl, int err, const char *what)
{
	const char *msg = nl->extack;

	/* The module's own words say why; without them, the usual reason. */
	if (!msg[0])
		msg = err == -EPERM ? "permission denied (need CAP_NET_ADMIN)" :
				      strerror(-err);
	fprintf(stderr, "conenat: %s", msg);
	if (what)
		fprintf(stderr, " (%s)", what);
	fputc('\n', stderr);
}

static struct nlmsghdr *put_request(struct nl *nl, uint16_t type,
				    uint8_t cmd, uint8_t version,
				    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->sbuf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	return put_request(nl, nl->family, cmd, CONENAT_GENL_VERSION, flags);
}

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
	const enum mnl_attr_data_type *types;
};

static int parse_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > p->max)
		return MNL_CB_OK;
	if (p->types && p->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, p->types[type]) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	p->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
	     const struct nlattr **tb, unsigned int max,
	     const enum mnl_attr_data_type *types)
{
	struct parse_ctx p = { .tb = tb, .max = max, .types = types };
	int ret;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nest)
		ret = mnl_attr_parse_nested(nest, parse_cb, &p);
	else
		ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
				     parse_cb, &p);
	if (ret == MNL_CB_ERROR) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* The id of the events group in CTRL_ATTR_MCAST_GROUPS, or 0. */
static uint32_t events_group(const struct nlattr *groups)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_MCAST_GRP_ID + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_ID + 1], *grp;

	mnl_attr_for_each_nested(grp, groups) {
		if (nl_parse(NULL, grp, tb, CTRL_ATTR_MCAST_GRP_ID, types) < 0)
			return 0;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    CONENAT_GENL_MCGRP_EVENTS))
			return mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_MCAST_GROUPS + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	struct nl *nl = data;

	if (nl_parse(nlh, NULL, tb, CTRL_ATTR_MCAST_GROUPS, types) < 0)
		return MNL_CB_ERROR;
	if (tb[CTRL_ATTR_FAMILY_ID])
		nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		nl->events_group = events_group(tb[CTRL_ATTR_MCAST_GROUPS]);
	return MNL_CB_OK;
}

int nl_open(struct nl *nl)
{
	struct nlmsghdr *nlh;
	int one = 1, err;

	nl->extack[0] = '\0';
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	/* Both are best effort: old kernels lack them and still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);

	nlh = put_request(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CONENAT_GENL_NAME);
	nl->family = 0;
	nl->events_group = 0;
	err = nl_talk(nl, nlh, family_cb, nl);
	if (!err && !nl->family)
		err = -EPROTO;
	if (err) {
		errno = -err;
		goto fail;
	}
	return 0;
fail:
	err = -errno;
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return err;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}
