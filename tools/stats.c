// SPDX-License-Identifier: GPL-2.0
/*
 * stats: the module's counters, and their names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static const char *const stat_names[CONENAT_STAT_MAX + 1] = {
	[CONENAT_STAT_XLAT_OUT] = "translated_out",
	[CONENAT_STAT_XLAT_IN] = "translated_in",
	[CONENAT_STAT_CREATED] = "created",
	[CONENAT_STAT_EXPIRED] = "expired",
	[CONENAT_STAT_REFUSED_PORTS] = "refused_ports",
	[CONENAT_STAT_REFUSED_LIMIT] = "refused_limit",
	[CONENAT_STAT_REFUSED_HOST] = "refused_host",
	[CONENAT_STAT_REFUSED_NOMEM] = "refused_nomem",
	[CONENAT_STAT_DROP_NOADDR] = "drop_noaddr",
	[CONENAT_STAT_DROP_MALFORMED] = "drop_malformed",
	[CONENAT_STAT_DROP_UNWRITABLE] = "drop_unwritable",
	[CONENAT_STAT_DROP_FRAGMENT] = "drop_fragment",
	[CONENAT_STAT_UNTRACKED] = "tcp_untracked",
	[CONENAT_STAT_DROP_ICMP_UNMATCHED] = "drop_icmp_unmatched",
	[CONENAT_STAT_HAIRPIN] = "hairpinned",
	[CONENAT_STAT_DROP_NOROUTE] = "drop_noroute",
	[CONENAT_STAT_DROP_UNSOLICITED] = "drop_unsolicited",
	[CONENAT_STAT_DROP_ICMP_CHECKSUM] = "drop_icmp_checksum",
	[CONENAT_STAT_DROP_PROTO] = "drop_protocol",
	[CONENAT_STAT_DROP_SPOOFED] = "drop_spoofed",
	[CONENAT_STAT_REFUSED_CONNS] = "refused_conns",
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1], *pos;
	struct stats *st = data;
	uint16_t type, len;

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return MNL_CB_ERROR;
	if (!tb[CONENAT_A_STATS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(pos, tb[CONENAT_A_STATS]) {
		type = mnl_attr_get_type(pos);
		len = mnl_attr_get_payload_len(pos);
		/* type 0 is the padding that aligns the u64s */
		if (!type || st->n == ARRAY_SIZE(st->s))
			continue;
		if (len == sizeof(uint64_t))
			st->s[st->n++] = (struct stat_val){
				type, mnl_attr_get_u64(pos) };
		else if (len == sizeof(uint32_t))
			st->s[st->n++] = (struct stat_val){
				type, mnl_attr_get_u32(pos) };
	}
	return MNL_CB_OK;
}

static int stat_cmp(const void *a, const void *b)
{
	const struct stat_val *x = a, *y = b;

	return (int)x->type - (int)y->type;
}

static const char *stat_name(uint16_t type, char *buf, size_t len)
{
	if (type <= CONENAT_STAT_MAX && stat_names[type])
		return stat_names[type];
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/* The counters, sorted; 0 or 1 with the error printed. */
int get_stats(struct stats *st)
{
	int ret;

	st->n = 0;
	ret = talk(nl_request(&nl, CONENAT_CMD_GET_STATS, NLM_F_ACK),
		   stats_cb, st);
	if (!ret)
		qsort(st->s, st->n, sizeof(st->s[0]), stat_cmp);
	return ret;
}

void print_stats(const struct stats *st, const char *indent)
{
	char buf[16];
	unsigned int i;

	for (i = 0; i < st->n; i++)
		printf("%s%-20s %" PRIu64 "\n", indent,
		       stat_name(st->s[i].type, buf, sizeof(buf)), st->s[i].val);
}

/* The counters as an object, named @key inside another, else top level. */
void json_stats(struct json *j, const char *key,
		       const struct stats *st)
{
	char buf[16];
	unsigned int i;

	json_begin_object(j, key);
	for (i = 0; i < st->n; i++)
		json_uint(j, stat_name(st->s[i].type, buf, sizeof(buf)),
			  st->s[i].val);
	json_end_object(j);
}

int cmd_stats(int argc, char **argv)
{
	struct stats st;
	struct json j;
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()) || (ret = get_stats(&st)))
		return ret;
	if (json_out) {
		json_init(&j, stdout, pretty);
		json_stats(&j, NULL, &st);
	} else {
		print_stats(&st, "");
	}
	return 0;
}
