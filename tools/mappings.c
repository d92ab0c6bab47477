// SPDX-License-Identifier: GPL-2.0
/*
 * mappings, flush and monitor: the mapping table, dumped, flushed, and
 * followed as mappings are created and expire.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "tool.h"

struct mapping {
	uint8_t proto;
	bool has_expires;
	int state;		/* enum conenat_tcp_state, or -1 */
	int64_t conns;		/* TCP connections, or -1 */
	bool fixed;		/* a port forward */
	uint32_t int_addr;	/* network order */
	uint32_t ext_addr;	/* network order */
	uint16_t int_port;
	uint16_t ext_port;
	uint32_t expires_ms;
};

struct mapping_list {
	struct mapping *m;
	size_t n, size;
};

/*
 * The CONENAT_A_MAPPING of a dump message or an event: 1 when there is
 * one, 0 when not, -1 (errno EPROTO) when it is malformed.
 */
static int parse_mapping(const struct nlmsghdr *nlh, struct mapping *m)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	const struct nlattr *mt[CONENAT_MAP_A_MAX + 1];

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return -1;
	if (!tb[CONENAT_A_MAPPING])
		return 0;
	if (nl_parse(NULL, tb[CONENAT_A_MAPPING], mt, CONENAT_MAP_A_MAX,
		     map_types) < 0)
		return -1;
	if (!mt[CONENAT_MAP_A_PROTO] || !mt[CONENAT_MAP_A_INT_ADDR] ||
	    !mt[CONENAT_MAP_A_INT_PORT] || !mt[CONENAT_MAP_A_EXT_ADDR] ||
	    !mt[CONENAT_MAP_A_EXT_PORT]) {
		errno = EPROTO;
		return -1;
	}
	m->proto = mnl_attr_get_u8(mt[CONENAT_MAP_A_PROTO]);
	m->int_addr = mnl_attr_get_u32(mt[CONENAT_MAP_A_INT_ADDR]);
	m->int_port = mnl_attr_get_u16(mt[CONENAT_MAP_A_INT_PORT]);
	m->ext_addr = mnl_attr_get_u32(mt[CONENAT_MAP_A_EXT_ADDR]);
	m->ext_port = mnl_attr_get_u16(mt[CONENAT_MAP_A_EXT_PORT]);
	m->has_expires = mt[CONENAT_MAP_A_EXPIRES];
	m->expires_ms = m->has_expires ?
			mnl_attr_get_u32(mt[CONENAT_MAP_A_EXPIRES]) : 0;
	m->state = mt[CONENAT_MAP_A_STATE] ?
		   mnl_attr_get_u8(mt[CONENAT_MAP_A_STATE]) : -1;
	m->fixed = mt[CONENAT_MAP_A_STATIC];
	m->conns = mt[CONENAT_MAP_A_CONNS] ?
		   (int64_t)mnl_attr_get_u32(mt[CONENAT_MAP_A_CONNS]) : -1;
	return 1;
}

static int mapping_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mapping_list *list = data;
	struct mapping *grown;
	int ret;

	if (list->n == list->size) {
		list->size = list->size ? 2 * list->size : 64;
		grown = realloc(list->m, list->size * sizeof(*list->m));
		if (!grown) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		list->m = grown;
	}
	ret = parse_mapping(nlh, &list->m[list->n]);
	if (ret < 0)
		return MNL_CB_ERROR;
	list->n += ret;
	return MNL_CB_OK;
}

static int mapping_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	uint32_t xa = ntohl(x->int_addr), ya = ntohl(y->int_addr);

	if (x->proto != y->proto)
		return proto_rank(x->proto) - proto_rank(y->proto);
	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->int_port - (int)y->int_port;
}

static const char *tcp_state_name(int state)
{
	switch (state) {
	case CONENAT_TCP_ESTABLISHED:
		return "established";
	case CONENAT_TCP_TRANSITORY:
		return "transitory";
	}
	return "unknown";
}

/* Seconds left, rounded up: a live mapping never shows 0. */
static uint64_t expires_s(const struct mapping *m)
{
	return ((uint64_t)m->expires_ms + 999) / 1000;
}

/* One line of conenat mappings, and of conenat monitor. */
static void print_mapping(const struct mapping *m, bool expires)
{
	char ia[INET_ADDRSTRLEN], ea[INET_ADDRSTRLEN], pb[8];

	printf("%s %s:%u -> %s:%u", proto_str(m->proto, pb, sizeof(pb)),
	       addr_str(m->int_addr, ia), m->int_port,
	       addr_str(m->ext_addr, ea), m->ext_port);
	if (expires && m->has_expires)
		printf(" expires %" PRIu64 "s", expires_s(m));
	if (m->state >= 0)
		printf(" %s", tcp_state_name(m->state));
	if (m->conns >= 0)
		printf(" conns %" PRId64, m->conns);
	if (m->fixed)
		printf(" static");
	putchar('\n');
}

static void print_mappings(const struct mapping_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		print_mapping(&list->m[i], true);
}

/* The members of a mapping's JSON object, in an open object. */
static void json_mapping(struct json *j, const struct mapping *m,
			 bool expires)
{
	char buf[INET_ADDRSTRLEN];

	json_string(j, "protocol", proto_str(m->proto, buf, sizeof(buf)));
	json_string(j, "internal", addr_str(m->int_addr, buf));
	json_uint(j, "internal_port", m->int_port);
	json_string(j, "external", addr_str(m->ext_addr, buf));
	json_uint(j, "external_port", m->ext_port);
	/* Seconds, as every time the tool shows. */
	if (expires && m->has_expires)
		json_uint(j, "expires", expires_s(m));
	if (m->state >= 0)
		json_string(j, "state", tcp_state_name(m->state));
	if (m->conns >= 0)
		json_uint(j, "connections", (uint64_t)m->conns);
	if (m->fixed)
		json_bool(j, "static", true);
}

static void json_mappings(const struct mapping_list *list)
{
	struct json j;
	size_t i;

	json_init(&j, stdout, pretty);
	json_begin_array(&j, NULL);
	for (i = 0; i < list->n; i++) {
		json_begin_object(&j, NULL);
		json_mapping(&j, &list->m[i], true);
		json_end_object(&j);
	}
	json_end_array(&j);
}

/* The dump, retried while the kernel flags it NLM_F_DUMP_INTR. */
static int dump_mappings(struct mapping_list *list, bool has_proto,
			 uint8_t proto, bool has_addr, uint32_t addr)
{
	struct nlmsghdr *nlh;
	int err, tries;

	for (tries = 1;; tries++) {
		list->n = 0;
		nlh = nl_request(&nl, CONENAT_CMD_GET_MAPPINGS, NLM_F_DUMP);
		if (has_proto)
			mnl_attr_put_u8(nlh, CONENAT_A_PROTO, proto);
		if (has_addr)
			mnl_attr_put(nlh, CONENAT_A_INT_ADDR, sizeof(addr), &addr);
		err = nl_talk(&nl, nlh, mapping_cb, list);
		if (err != -EINTR || tries == DUMP_TRIES)
			return err;
	}
}

int cmd_mappings(int argc, char **argv)
{
	struct mapping_list list = { 0 };
	bool has_proto = false, has_addr = false;
	char err[PARSE_ERRLEN];
	uint32_t addr = 0;
	uint8_t proto = 0;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "from")) {
			if (has_addr)
				return usage_error("'from' given twice");
			if (++i == argc)
				return usage_error("'from' needs an address");
			if (parse_ipv4(argv[i], &addr, err, sizeof(err)))
				return value_error(err);
			has_addr = true;
		} else if (!parse_proto(argv[i], &proto, err, sizeof(err))) {
			if (has_proto)
				return usage_error("more than one protocol given");
			has_proto = true;
		} else {
			return unexpected(argv[i]);
		}
	}
	ret = open_nl();
	if (ret)
		return ret;
	ret = dump_mappings(&list, has_proto, proto, has_addr, addr);
	if (ret == -EINTR) {
		fputs("conenat: the mapping table kept changing during the dump; try again\n",
		      stderr);
	} else if (ret) {
		fail(ret);
	} else {
		qsort(list.m, list.n, sizeof(*list.m), mapping_cmp);
		if (json_out)
			json_mappings(&list);
		else
			print_mappings(&list);
	}
	free(list.m);
	return ret ? 1 : 0;
}

/* flush [PROTO] [static] */
int cmd_flush(int argc, char **argv)
{
	char err[PARSE_ERRLEN];
	bool with_static = false, with_proto = false;
	struct nlmsghdr *nlh;
	uint8_t proto = 0;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "static") && !with_static) {
			with_static = true;
		} else if (!with_proto && !with_static) {
			if (!parse_proto(argv[i], &proto, err, sizeof(err))) {
				with_proto = true;
				continue;
			}
			if (argv[i][0] == '-')
				return unexpected(argv[i]);
			return value_error(err);
		} else {
			return unexpected(argv[i]);
		}
	}
	ret = open_nl();
	if (ret)
		return ret;
	nlh = nl_request(&nl, CONENAT_CMD_FLUSH, NLM_F_ACK);
	if (with_proto)
		mnl_attr_put_u8(nlh, CONENAT_A_PROTO, proto);
	if (with_static)
		mnl_attr_put(nlh, CONENAT_A_STATIC, 0, NULL);
	return talk(nlh, NULL, NULL);
}

/* monitor */

/*
 * Whether @nlh is nlctrl's news that our family is gone: the module was
 * unloaded, and with it every instance, mapping and event to come.
 */
static bool family_deleted(const struct nlmsghdr *nlh)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_FAMILY_ID + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
	};
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CTRL_ATTR_FAMILY_ID + 1];

	return nlh->nlmsg_type == GENL_ID_CTRL &&
	       g->cmd == CTRL_CMD_DELFAMILY &&
	       !nl_parse(nlh, NULL, tb, CTRL_ATTR_FAMILY_ID, types) &&
	       tb[CTRL_ATTR_FAMILY_ID] &&
	       mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == nl.family;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	bool *gone = data;
	const char *what;
	struct mapping m;
	struct json j;

	if (family_deleted(nlh)) {
		*gone = true;
		return MNL_CB_STOP;
	}
	if (nlh->nlmsg_type != nl.family)
		return MNL_CB_OK;
	if (g->cmd == CONENAT_CMD_MAPPING_NEW)
		what = "new";
	else if (g->cmd == CONENAT_CMD_MAPPING_EXPIRED)
		what = "expired";
	else
		return MNL_CB_OK;
	if (parse_mapping(nlh, &m) <= 0)
		return MNL_CB_OK;	/* skipped, as a newer kernel may send */
	if (!json_out) {
		printf("%s ", what);
		print_mapping(&m, false);
	} else {
		json_init(&j, stdout, pretty);
		json_begin_object(&j, NULL);
		json_string(&j, "event", what);
		json_mapping(&j, &m, false);
		json_end_object(&j);
	}
	fflush(stdout);
	return MNL_CB_OK;
}

/*
 * monitor: print mapping events until killed, or until the module goes,
 * which nlctrl's "notify" group (its id is GENL_ID_CTRL) tells every
 * namespace of a netnsok family.
 */
int cmd_monitor(int argc, char **argv)
{
	unsigned int grp, ctrl = GENL_ID_CTRL;
	bool gone = false;
	ssize_t n;
	int ret;

	ret = no_args(argc, argv);
	if (ret || (ret = open_nl()))
		return ret;
	grp = nl.events_group;
	if (!grp) {
		fputs("conenat: the module sends no events (too old)\n", stderr);
		return 1;
	}
	if (mnl_socket_setsockopt(nl.sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0 ||
	    mnl_socket_setsockopt(nl.sock, NETLINK_ADD_MEMBERSHIP, &ctrl,
				  sizeof(ctrl)) < 0) {
		nl_perror(&nl, -errno, NULL);
		return 1;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl.sock, nl.rbuf, sizeof(nl.rbuf));
		if (n < 0 && errno == ENOBUFS) {
			fputs("conenat: events lost: reading too slowly\n",
			      stderr);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			nl_perror(&nl, n < 0 ? -errno : -EPIPE, NULL);
			return 1;
		}
		if (mnl_cb_run(nl.rbuf, (size_t)n, 0, 0, event_cb, &gone) < 0 ||
		    ferror(stdout))
			return 1;
		if (gone) {
			fputs("conenat: the module was unloaded: its instances, mappings and forwards are gone\n",
			      stderr);
			return 1;
		}
	}
}
