// SPDX-License-Identifier: GPL-2.0
/*
 * show and version: what CONENAT_CMD_GET says, in words and as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static int parse_forwards(const struct nlattr *list, struct status *st)
{
	const struct nlattr *tb[CONENAT_MAP_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, list) {
		if (mnl_attr_get_type(pos) != CONENAT_A_MAPPING)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_MAP_A_MAX, map_types) < 0)
			return -1;
		if (!tb[CONENAT_MAP_A_PROTO] || !tb[CONENAT_MAP_A_EXT_PORT] ||
		    !tb[CONENAT_MAP_A_INT_ADDR] || !tb[CONENAT_MAP_A_INT_PORT] ||
		    st->nfwd == CONENAT_MAX_FORWARDS)
			continue;
		st->fwd[st->nfwd++] = (struct forward){
			mnl_attr_get_u8(tb[CONENAT_MAP_A_PROTO]),
			mnl_attr_get_u16(tb[CONENAT_MAP_A_EXT_PORT]),
			mnl_attr_get_u32(tb[CONENAT_MAP_A_INT_ADDR]),
			mnl_attr_get_u16(tb[CONENAT_MAP_A_INT_PORT]),
		};
	}
	return 0;
}

static int parse_prefix_list(const struct nlattr *list, struct prefixes *ps)
{
	const struct nlattr *tb[CONENAT_PFX_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, list) {
		if (mnl_attr_get_type(pos) != CONENAT_A_PREFIX)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_PFX_A_MAX,
			     prefix_types) < 0)
			return -1;
		if (!tb[CONENAT_PFX_A_ADDR] || !tb[CONENAT_PFX_A_LEN] ||
		    ps->n == CONENAT_MAX_PREFIXES)
			continue;
		ps->p[ps->n++] = (struct prefix){
			mnl_attr_get_u32(tb[CONENAT_PFX_A_ADDR]),
			mnl_attr_get_u8(tb[CONENAT_PFX_A_LEN]),
		};
	}
	return 0;
}

static void parse_addr_list(const struct nlattr *list, struct addrs *as)
{
	const struct nlattr *pos;

	mnl_attr_for_each_nested(pos, list)
		if (mnl_attr_get_type(pos) == CONENAT_A_EXT_ADDR &&
		    mnl_attr_get_payload_len(pos) == 4 &&
		    as->n < CONENAT_MAX_ADDRS)
			as->a[as->n++] = mnl_attr_get_u32(pos);
}

static int parse_ranges(const struct nlattr *nest, struct status *st)
{
	const struct nlattr *tb[CONENAT_RANGE_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, nest) {
		if (mnl_attr_get_type(pos) != CONENAT_A_RANGE)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_RANGE_A_MAX,
			     range_types) < 0)
			return -1;
		if (!tb[CONENAT_RANGE_A_PROTO] || !tb[CONENAT_RANGE_A_MIN] ||
		    !tb[CONENAT_RANGE_A_MAX] || st->nranges == MAX_RANGES)
			continue;
		st->ranges[st->nranges++] = (struct port_range){
			mnl_attr_get_u8(tb[CONENAT_RANGE_A_PROTO]),
			mnl_attr_get_u16(tb[CONENAT_RANGE_A_MIN]),
			mnl_attr_get_u16(tb[CONENAT_RANGE_A_MAX]),
		};
	}
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	struct status *st = data;
	int i;

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return MNL_CB_ERROR;
	memset(st, 0, sizeof(*st));
	st->reply = true;
	if (tb[CONENAT_A_VERSION])
		attr_strcpy(st->version, sizeof(st->version),
			    tb[CONENAT_A_VERSION]);
	else
		strcpy(st->version, "unknown");
	st->up = tb[CONENAT_A_UP] && mnl_attr_get_u8(tb[CONENAT_A_UP]);
	if (tb[CONENAT_A_IFNAME])
		attr_strcpy(st->ifname, sizeof(st->ifname),
			    tb[CONENAT_A_IFNAME]);
	for (i = 0; i <= CONENAT_A_MAX; i++) {
		if (!tb[i])
			continue;
		if (attr_types[i] == MNL_TYPE_U32)
			st->val[i] = mnl_attr_get_u32(tb[i]);
		else if (attr_types[i] == MNL_TYPE_U8)
			st->val[i] = mnl_attr_get_u8(tb[i]);
	}
	if (tb[CONENAT_A_RANGES] && parse_ranges(tb[CONENAT_A_RANGES], st) < 0)
		return MNL_CB_ERROR;
	if (tb[CONENAT_A_ADDRS])
		parse_addr_list(tb[CONENAT_A_ADDRS], &st->pool);
	if ((tb[CONENAT_A_INTERNAL] &&
	     parse_prefix_list(tb[CONENAT_A_INTERNAL], &st->internal) < 0) ||
	    (tb[CONENAT_A_EXCLUDE] &&
	     parse_prefix_list(tb[CONENAT_A_EXCLUDE], &st->exclude) < 0) ||
	    (tb[CONENAT_A_FORWARDS] &&
	     parse_forwards(tb[CONENAT_A_FORWARDS], st) < 0))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* 0 or -errno, like nl_talk(). */
int get_status(struct status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = nl_talk(&nl, nl_request(&nl, CONENAT_CMD_GET, NLM_F_ACK),
		      status_cb, st);
	if (!err && !st->reply)
		err = -EPROTO;
	return err;
}

/* get_status(), the error printed: 0, or 1 as the exit status. */
int status_or_fail(struct status *st)
{
	int err = get_status(st);

	if (err)
		fail(err);
	return err ? 1 : 0;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

static void print_prefixes(const char *what, const struct prefixes *ps)
{
	char buf[INET_ADDRSTRLEN];
	unsigned int i;

	if (!ps->n)
		return;
	printf("  %s", what);
	for (i = 0; i < ps->n; i++)
		printf("%s%s/%u", i ? ", " : " ", addr_str(ps->p[i].addr, buf),
		       ps->p[i].len);
	putchar('\n');
}

static void json_prefixes(struct json *j, const char *key,
			  const struct prefixes *ps)
{
	char a[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN + 8];
	unsigned int i;

	json_begin_array(j, key);
	for (i = 0; i < ps->n; i++) {
		snprintf(buf, sizeof(buf), "%s/%u", addr_str(ps->p[i].addr, a),
			 (unsigned int)ps->p[i].len);
		json_string(j, NULL, buf);
	}
	json_end_array(j);
}

static void print_status(const struct status *st)
{
	const uint32_t *v = st->val;
	char buf[INET_ADDRSTRLEN];
	const char *sep = " ";
	unsigned int i;
	bool named;
	int p;

	printf("conenat %s: %s\n", st->version, st->up ? "up" : "down");
	if (!st->up)
		return;
	if (v[CONENAT_A_IFINDEX])
		printf("  interface %s (index %" PRIu32 "), external address %s\n",
		       st->ifname, v[CONENAT_A_IFINDEX],
		       v[CONENAT_A_EXT_ADDR] ?
		       addr_str(v[CONENAT_A_EXT_ADDR], buf) : "none");
	else
		printf("  interface %s: waiting for it to appear\n", st->ifname);
	printf("  ports");
	for (p = 0; p < NPROTOS; p++) {
		named = false;
		for (i = 0; i < st->nranges; i++) {
			const struct port_range *r = &st->ranges[i];

			if (r->proto != protos[p])
				continue;
			if (!named)
				printf("%s%s", sep, proto_name(r->proto));
			named = true;
			sep = ", ";
			if (r->min == r->max)
				printf(" %u", r->min);
			else
				printf(" %u-%u", r->min, r->max);
		}
	}
	printf("\n  timeouts udp %" PRIu32 "s, tcp established %" PRIu32
	       "s, tcp transitory %" PRIu32 "s, icmp %" PRIu32
	       "s, hold-down %" PRIu32 "s\n",
	       v[CONENAT_A_TIMEOUT_UDP], v[CONENAT_A_TIMEOUT_TCP_EST],
	       v[CONENAT_A_TIMEOUT_TCP_TRANS], v[CONENAT_A_TIMEOUT_ICMP],
	       v[CONENAT_A_HOLDDOWN]);
	printf("  limits %" PRIu32 " mapping%s, %" PRIu32 " per host; %" PRIu32
	       " mapping%s now\n",
	       v[CONENAT_A_MAX_MAPPINGS], plural(v[CONENAT_A_MAX_MAPPINGS]),
	       v[CONENAT_A_MAX_PER_HOST], v[CONENAT_A_MAPPINGS],
	       plural(v[CONENAT_A_MAPPINGS]));
	printf("  tcp connections %" PRIu32 " per host, %" PRIu32
	       " per mapping\n", v[CONENAT_A_MAX_CONNS_PER_HOST],
	       v[CONENAT_A_MAX_CONNS_PER_MAPPING]);
	if (v[CONENAT_A_FWMARK])
		printf("  fwmark 0x%" PRIx32, v[CONENAT_A_FWMARK]);
	else
		printf("  fwmark none");
	printf(", inbound refresh %s\n",
	       v[CONENAT_A_INBOUND_REFRESH] ? "on" : "off");
	print_prefixes("translate only from", &st->internal);
	print_prefixes("never translate to", &st->exclude);
	for (i = 0; i < st->pool.n; i++)
		printf("%s%s", i ? ", " : "  address pool (one per host) ",
		       addr_str(st->pool.a[i], buf));
	if (st->pool.n)
		putchar('\n');
}

static void json_status(const struct status *st, const struct stats *stats)
{
	const uint32_t *v = st->val;
	char buf[INET_ADDRSTRLEN];
	struct json j;
	unsigned int i;

	json_init(&j, stdout, pretty);
	json_begin_object(&j, NULL);
	json_string(&j, "version", st->version);
	json_bool(&j, "up", st->up);
	if (st->up) {
		json_string(&j, "interface", st->ifname);
		json_uint(&j, "ifindex", v[CONENAT_A_IFINDEX]);
		json_string(&j, "external_address",
			    addr_str(v[CONENAT_A_EXT_ADDR], buf));
		json_begin_array(&j, "ranges");
		for (i = 0; i < st->nranges; i++) {
			json_begin_object(&j, NULL);
			json_string(&j, "protocol",
				    proto_str(st->ranges[i].proto, buf,
					      sizeof(buf)));
			json_uint(&j, "min", st->ranges[i].min);
			json_uint(&j, "max", st->ranges[i].max);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_begin_object(&j, "timeouts");
		json_uint(&j, "udp", v[CONENAT_A_TIMEOUT_UDP]);
		json_uint(&j, "tcp_established", v[CONENAT_A_TIMEOUT_TCP_EST]);
		json_uint(&j, "tcp_transitory", v[CONENAT_A_TIMEOUT_TCP_TRANS]);
		json_uint(&j, "icmp", v[CONENAT_A_TIMEOUT_ICMP]);
		json_end_object(&j);
		json_uint(&j, "holddown", v[CONENAT_A_HOLDDOWN]);
		json_uint(&j, "max_mappings", v[CONENAT_A_MAX_MAPPINGS]);
		json_uint(&j, "max_per_host", v[CONENAT_A_MAX_PER_HOST]);
		json_uint(&j, "max_conns_per_host",
			  v[CONENAT_A_MAX_CONNS_PER_HOST]);
		json_uint(&j, "max_conns_per_mapping",
			  v[CONENAT_A_MAX_CONNS_PER_MAPPING]);
		json_uint(&j, "fwmark", v[CONENAT_A_FWMARK]);
		json_bool(&j, "inbound_refresh", v[CONENAT_A_INBOUND_REFRESH]);
		json_prefixes(&j, "internal", &st->internal);
		json_prefixes(&j, "exclude", &st->exclude);
		json_begin_array(&j, "address_pool");
		for (i = 0; i < st->pool.n; i++)
			json_string(&j, NULL, addr_str(st->pool.a[i], buf));
		json_end_array(&j);
		json_uint(&j, "mapping_count", v[CONENAT_A_MAPPINGS]);
	}
	if (stats)
		json_stats(&j, "stats", stats);
	json_end_object(&j);
}

/* show; with -s, the counters too. */
int cmd_show(int argc, char **argv)
{
	struct stats stats;
	struct status st;
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()))
		return ret;
	ret = status_or_fail(&st);
	if (ret)
		return ret;
	if (with_stats && (ret = get_stats(&stats)))
		return ret;
	if (json_out) {
		json_status(&st, with_stats ? &stats : NULL);
	} else {
		print_status(&st);
		if (with_stats) {
			printf("  counters\n");
			print_stats(&stats, "    ");
		}
	}
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct status st = { .reply = false };
	struct json j;
	bool opened;
	int ret = no_args(argc, argv);

	if (ret)
		return ret;
	ret = nl_open(&nl);
	opened = !ret;
	if (opened)
		ret = get_status(&st);
	if (json_out) {
		json_init(&j, stdout, pretty);
		json_begin_object(&j, NULL);
		json_string(&j, "tool", CONENAT_VERSION);
		if (st.reply)
			json_string(&j, "module", st.version);
		else
			json_null(&j, "module");
		json_end_object(&j);
	} else {
		printf("conenat tool %s\n", CONENAT_VERSION);
		if (st.reply)
			printf("conenat module %s\n", st.version);
	}
	/* A module that is not loaded is an answer here, not an error. */
	if (!ret || (!opened && ret == -ENOENT))
		return 0;
	if (opened)
		fail(ret);
	else
		nl_perror(&nl, ret, NULL);
	return 1;
}
