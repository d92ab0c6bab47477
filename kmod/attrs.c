// SPDX-License-Identifier: GPL-2.0
/*
 * A configuration and its netlink attributes, both ways: the policy of
 * each kind of request, the parsing of a request's attributes onto a
 * configuration, and a configuration as a reply. Knows nothing of
 * instances or namespaces; see attrs.h. Pure: tests/unit builds it in
 * userspace, with tests/unit/nlshim.h for the netlink attribute API.
 */
#ifdef __KERNEL__
#include <net/netlink.h>
#endif
#include "attrs.h"
#include "portalloc.h"

static const struct nla_policy conenat_range_policy[CONENAT_RANGE_A_MAX + 1] = {
	[CONENAT_RANGE_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_RANGE_A_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[CONENAT_RANGE_A_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy conenat_ranges_policy[CONENAT_A_RANGE + 1] = {
	[CONENAT_A_RANGE] = NLA_POLICY_NESTED(conenat_range_policy),
};

static const struct nla_policy conenat_prefix_policy[CONENAT_PFX_A_MAX + 1] = {
	[CONENAT_PFX_A_ADDR] = { .type = NLA_BE32 },
	[CONENAT_PFX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 32),
};

static const struct nla_policy conenat_prefixes_policy[CONENAT_A_PREFIX + 1] = {
	[CONENAT_A_PREFIX] = NLA_POLICY_NESTED(conenat_prefix_policy),
};

static const struct nla_policy conenat_addrs_policy[CONENAT_A_EXT_ADDR + 1] = {
	[CONENAT_A_EXT_ADDR] = { .type = NLA_BE32 },
};

static const struct nla_policy conenat_map_policy[CONENAT_MAP_A_MAX + 1] = {
	[CONENAT_MAP_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_MAP_A_INT_ADDR] = { .type = NLA_BE32 },
	[CONENAT_MAP_A_INT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[CONENAT_MAP_A_EXT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy conenat_forwards_policy[CONENAT_A_MAPPING + 1] = {
	[CONENAT_A_MAPPING] = NLA_POLICY_NESTED(conenat_map_policy),
};

static struct netlink_range_validation conenat_timeout_range = {
	.min = 1,
	.max = CONENAT_MAX_TIMEOUT,
};

static struct netlink_range_validation conenat_holddown_range = {
	.max = CONENAT_MAX_TIMEOUT,
};

/* Beyond what the policy's 16-bit bounds can say. */
static struct netlink_range_validation conenat_conns_range = {
	.min = 1,
	.max = CONENAT_MAX_CONNS_PER_MAPPING,
};

/*
 * One policy per kind of request, each the size of the whole attribute
 * space: an attribute another kind of request takes is NLA_UNSPEC here,
 * which strict validation refuses ("Unsupported attribute").
 */
const struct nla_policy conenat_config_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[CONENAT_A_RANGES] = NLA_POLICY_NESTED(conenat_ranges_policy),
	[CONENAT_A_TIMEOUT_UDP] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_TIMEOUT_TCP_EST] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_TIMEOUT_TCP_TRANS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_TIMEOUT_ICMP] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_HOLDDOWN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_holddown_range),
	[CONENAT_A_MAX_MAPPINGS] = NLA_POLICY_MIN(NLA_U32, 1),
	[CONENAT_A_MAX_PER_HOST] = NLA_POLICY_MIN(NLA_U32, 1),
	[CONENAT_A_MAX_CONNS_PER_HOST] = NLA_POLICY_MIN(NLA_U32, 1),
	[CONENAT_A_MAX_CONNS_PER_MAPPING] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_conns_range),
	[CONENAT_A_FWMARK] = { .type = NLA_U32 },
	[CONENAT_A_INBOUND_REFRESH] = NLA_POLICY_MAX(NLA_U8, 1),
	[CONENAT_A_UNSAFE_TIMEOUTS] = { .type = NLA_FLAG },
	[CONENAT_A_INTERNAL] = NLA_POLICY_NESTED(conenat_prefixes_policy),
	[CONENAT_A_EXCLUDE] = NLA_POLICY_NESTED(conenat_prefixes_policy),
	[CONENAT_A_ADDRS] = NLA_POLICY_NESTED(conenat_addrs_policy),
	[CONENAT_A_FORWARDS] = NLA_POLICY_NESTED(conenat_forwards_policy),
};

const struct nla_policy conenat_dump_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_A_INT_ADDR] = { .type = NLA_BE32 },
};

const struct nla_policy conenat_flush_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_A_STATIC] = { .type = NLA_FLAG },
};

const struct nla_policy conenat_forward_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_MAPPING] = NLA_POLICY_NESTED(conenat_map_policy),
};

/* GET, DOWN, GET_STATS: no attribute at all. */
const struct nla_policy conenat_none_policy[CONENAT_A_MAX + 1] = {};

/* Configuration attribute of each timeout. */
static const u8 conenat_timeout_attr[CONENAT_NTIMEOUTS] = {
	[CONENAT_TO_UDP] = CONENAT_A_TIMEOUT_UDP,
	[CONENAT_TO_TCP_EST] = CONENAT_A_TIMEOUT_TCP_EST,
	[CONENAT_TO_TCP_TRANS] = CONENAT_A_TIMEOUT_TCP_TRANS,
	[CONENAT_TO_ICMP] = CONENAT_A_TIMEOUT_ICMP,
	[CONENAT_TO_HOLDDOWN] = CONENAT_A_HOLDDOWN,
};

/* Like NL_SET_ERR_MSG_ATTR, for messages chosen at run time. */
void conenat_extack(struct netlink_ext_ack *extack,
		    const struct nlattr *attr, const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
	}
}

/*
 * Refuse an attribute given twice at one level, other than in the lists
 * (CONENAT_A_RANGES, _INTERNAL, _EXCLUDE, _ADDRS): netlink would quietly
 * take the last one, and a request must mean one thing.
 */
int conenat_unique(const struct nlattr *head, int len,
		   struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	u64 seen = 0;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		/* Types past 63 are refused by the policies anyway. */
		if (nla_type(a) >= 64)
			continue;
		if (seen & BIT_ULL(nla_type(a))) {
			NL_SET_ERR_MSG_ATTR(extack, a, "attribute given twice");
			return -EINVAL;
		}
		seen |= BIT_ULL(nla_type(a));
	}
	return 0;
}

/* Parse @nest into @tb, each attribute at most once. */
static int conenat_parse_nest(struct nlattr **tb, int maxtype,
			      const struct nlattr *nest,
			      const struct nla_policy *policy,
			      struct netlink_ext_ack *extack)
{
	return nla_parse_nested(tb, maxtype, nest, policy, extack) ?:
	       conenat_unique(nla_data(nest), nla_len(nest), extack);
}

int conenat_parse_proto(const struct nlattr *attr,
			struct netlink_ext_ack *extack)
{
	int p = conenat_proto_index(nla_get_u8(attr));

	if (p < 0)
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "protocol must be UDP, TCP or ICMP");
	return p < 0 ? -EINVAL : p;
}

static int conenat_parse_range(const struct nlattr *nest,
			       struct conenat_port_ranges *ports,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CONENAT_RANGE_A_MAX + 1];
	const char *why;
	int err, p;

	err = conenat_parse_nest(tb, CONENAT_RANGE_A_MAX, nest,
				 conenat_range_policy, extack);
	if (err)
		return err;
	if (!tb[CONENAT_RANGE_A_PROTO] || !tb[CONENAT_RANGE_A_MIN] ||
	    !tb[CONENAT_RANGE_A_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port range needs protocol, min and max");
		return -EINVAL;
	}
	p = conenat_parse_proto(tb[CONENAT_RANGE_A_PROTO], extack);
	if (p < 0)
		return p;
	err = conenat_ranges_add(&ports[p], nla_get_u16(tb[CONENAT_RANGE_A_MIN]),
				 nla_get_u16(tb[CONENAT_RANGE_A_MAX]), &why);
	if (err)
		conenat_extack(extack, nest, why);
	return err;
}

/* CONENAT_A_RANGES replaces every range; unnamed protocols get defaults. */
static int conenat_parse_ranges(const struct nlattr *ranges,
				struct conenat_config *cfg,
				struct netlink_ext_ack *extack)
{
	struct conenat_port_ranges ports[CONENAT_NPROTO] = {};
	const struct nlattr *nest;
	int rem, err, p;

	nla_for_each_nested(nest, ranges, rem) {
		err = conenat_parse_range(nest, ports, extack);
		if (err)
			return err;
	}
	for (p = 0; p < CONENAT_NPROTO; p++)
		if (!ports[p].nr)
			conenat_ranges_add(&ports[p], CONENAT_DEFAULT_PORT_MIN,
					   CONENAT_DEFAULT_PORT_MAX, NULL);
	memcpy(cfg->ports, ports, sizeof(ports));
	return 0;
}

/* A CONENAT_A_INTERNAL or CONENAT_A_EXCLUDE list replaces @out. */
static int conenat_parse_prefixes(const struct nlattr *list,
				  struct conenat_prefixes *out,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CONENAT_PFX_A_MAX + 1];
	struct conenat_prefixes ps = {};
	const struct nlattr *nest;
	const char *why;
	int rem, err;

	nla_for_each_nested(nest, list, rem) {
		err = conenat_parse_nest(tb, CONENAT_PFX_A_MAX, nest,
					 conenat_prefix_policy, extack);
		if (err)
			return err;
		if (!tb[CONENAT_PFX_A_ADDR] || !tb[CONENAT_PFX_A_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "prefix needs address and length");
			return -EINVAL;
		}
		err = conenat_prefixes_add(&ps,
					   nla_get_in_addr(tb[CONENAT_PFX_A_ADDR]),
					   nla_get_u8(tb[CONENAT_PFX_A_LEN]),
					   &why);
		if (err) {
			conenat_extack(extack, nest, why);
			return err;
		}
	}
	*out = ps;
	return 0;
}

/* A CONENAT_A_ADDRS list replaces the pool. */
static int conenat_parse_pool(const struct nlattr *list,
			      struct conenat_pool *out,
			      struct netlink_ext_ack *extack)
{
	struct conenat_pool pool = {};
	const struct nlattr *attr;
	const char *why;
	int rem, err;

	nla_for_each_nested(attr, list, rem) {
		if (nla_type(attr) != CONENAT_A_EXT_ADDR) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "address pool holds only addresses");
			return -EINVAL;
		}
		err = conenat_pool_add(&pool, nla_get_in_addr(attr), &why);
		if (err) {
			conenat_extack(extack, attr, why);
			return err;
		}
	}
	*out = pool;
	return 0;
}

/* The forward in @nest, a CONENAT_A_MAPPING; only protocol and port for @del. */
int conenat_parse_forward(const struct nlattr *nest,
			  struct conenat_forward *f, bool del,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CONENAT_MAP_A_MAX + 1];
	int err, p;

	err = conenat_parse_nest(tb, CONENAT_MAP_A_MAX, nest,
				 conenat_map_policy, extack);
	if (err)
		return err;
	if (!tb[CONENAT_MAP_A_PROTO] || !tb[CONENAT_MAP_A_EXT_PORT] ||
	    (!del && (!tb[CONENAT_MAP_A_INT_ADDR] ||
		      !tb[CONENAT_MAP_A_INT_PORT]))) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port forward needs protocol, external port, internal address and port");
		return -EINVAL;
	}
	p = conenat_parse_proto(tb[CONENAT_MAP_A_PROTO], extack);
	if (p < 0)
		return p;
	*f = (struct conenat_forward){
		.proto = p,
		.ext_port = htons(nla_get_u16(tb[CONENAT_MAP_A_EXT_PORT])),
	};
	if (!del) {
		f->int_addr = nla_get_in_addr(tb[CONENAT_MAP_A_INT_ADDR]);
		f->int_port = htons(nla_get_u16(tb[CONENAT_MAP_A_INT_PORT]));
	}
	return 0;
}

/*
 * Apply the configuration attributes @tb of a request on top of @cfg and
 * validate the result.
 */
int conenat_parse_config(struct nlattr **tb, struct conenat_config *cfg,
			 struct netlink_ext_ack *extack)
{
	const char *why;
	int i, err;

	if (tb[CONENAT_A_IFNAME])
		nla_strscpy(cfg->ifname, tb[CONENAT_A_IFNAME], IFNAMSIZ);
	if (tb[CONENAT_A_RANGES]) {
		err = conenat_parse_ranges(tb[CONENAT_A_RANGES], cfg,
					   extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_INTERNAL]) {
		err = conenat_parse_prefixes(tb[CONENAT_A_INTERNAL],
					     &cfg->internal, extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_EXCLUDE]) {
		err = conenat_parse_prefixes(tb[CONENAT_A_EXCLUDE],
					     &cfg->exclude, extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_ADDRS]) {
		err = conenat_parse_pool(tb[CONENAT_A_ADDRS], &cfg->pool,
					 extack);
		if (err)
			return err;
	}
	for (i = 0; i < CONENAT_NTIMEOUTS; i++)
		if (tb[conenat_timeout_attr[i]])
			cfg->timeout[i] = nla_get_u32(tb[conenat_timeout_attr[i]]);
	if (tb[CONENAT_A_MAX_MAPPINGS])
		cfg->max_mappings = nla_get_u32(tb[CONENAT_A_MAX_MAPPINGS]);
	if (tb[CONENAT_A_MAX_PER_HOST])
		cfg->max_per_host = nla_get_u32(tb[CONENAT_A_MAX_PER_HOST]);
	else if (cfg->max_per_host > cfg->max_mappings)
		/* A lower limit lowers the per-host one not given with it. */
		cfg->max_per_host = cfg->max_mappings;
	if (tb[CONENAT_A_MAX_CONNS_PER_HOST])
		cfg->max_conns_per_host =
			nla_get_u32(tb[CONENAT_A_MAX_CONNS_PER_HOST]);
	if (tb[CONENAT_A_MAX_CONNS_PER_MAPPING])
		cfg->max_conns_per_mapping =
			nla_get_u32(tb[CONENAT_A_MAX_CONNS_PER_MAPPING]);
	if (tb[CONENAT_A_FWMARK])
		cfg->fwmark = nla_get_u32(tb[CONENAT_A_FWMARK]);
	if (tb[CONENAT_A_INBOUND_REFRESH])
		cfg->inbound_refresh = nla_get_u8(tb[CONENAT_A_INBOUND_REFRESH]);
	/* Sticky, so later changes need not repeat it. */
	if (tb[CONENAT_A_UNSAFE_TIMEOUTS])
		cfg->unsafe_timeouts = true;

	err = conenat_config_check(cfg, &why);
	if (err)
		conenat_extack(extack, NULL, why);
	return err;
}

static int conenat_put_ranges(struct sk_buff *msg,
			      const struct conenat_config *cfg)
{
	struct nlattr *ranges, *range;
	unsigned int p, i;

	ranges = nla_nest_start(msg, CONENAT_A_RANGES);
	if (!ranges)
		return -EMSGSIZE;
	for (p = 0; p < CONENAT_NPROTO; p++) {
		for (i = 0; i < cfg->ports[p].nr; i++) {
			range = nla_nest_start(msg, CONENAT_A_RANGE);
			if (!range ||
			    nla_put_u8(msg, CONENAT_RANGE_A_PROTO,
				       conenat_proto_ipproto(p)) ||
			    nla_put_u16(msg, CONENAT_RANGE_A_MIN,
					cfg->ports[p].r[i].min) ||
			    nla_put_u16(msg, CONENAT_RANGE_A_MAX,
					cfg->ports[p].r[i].max))
				return -EMSGSIZE;
			nla_nest_end(msg, range);
		}
	}
	nla_nest_end(msg, ranges);
	return 0;
}

/* A prefix list, when not empty. */
static int conenat_put_prefixes(struct sk_buff *msg, int type,
				const struct conenat_prefixes *ps)
{
	struct nlattr *list, *nest;
	unsigned int i;

	if (!ps->nr)
		return 0;
	list = nla_nest_start(msg, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < ps->nr; i++) {
		nest = nla_nest_start(msg, CONENAT_A_PREFIX);
		if (!nest ||
		    nla_put_in_addr(msg, CONENAT_PFX_A_ADDR, ps->p[i].addr) ||
		    nla_put_u8(msg, CONENAT_PFX_A_LEN, ps->p[i].len))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, list);
	return 0;
}

/* The port forwards, when there are any. */
static int conenat_put_forwards(struct sk_buff *msg,
				const struct conenat_config *cfg)
{
	const struct conenat_forward *f;
	struct nlattr *list, *nest;
	unsigned int i;

	if (!cfg->nr_fwd)
		return 0;
	list = nla_nest_start(msg, CONENAT_A_FORWARDS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < cfg->nr_fwd; i++) {
		f = &cfg->fwd[i];
		nest = nla_nest_start(msg, CONENAT_A_MAPPING);
		if (!nest ||
		    nla_put_u8(msg, CONENAT_MAP_A_PROTO,
			       conenat_proto_ipproto(f->proto)) ||
		    nla_put_u16(msg, CONENAT_MAP_A_EXT_PORT,
				ntohs(f->ext_port)) ||
		    nla_put_in_addr(msg, CONENAT_MAP_A_INT_ADDR, f->int_addr) ||
		    nla_put_u16(msg, CONENAT_MAP_A_INT_PORT, ntohs(f->int_port)))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, list);
	return 0;
}

/* The address pool, when not empty. */
static int conenat_put_pool(struct sk_buff *msg,
			    const struct conenat_pool *pool)
{
	struct nlattr *list;
	unsigned int i;

	if (!pool->nr)
		return 0;
	list = nla_nest_start(msg, CONENAT_A_ADDRS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < pool->nr; i++)
		if (nla_put_in_addr(msg, CONENAT_A_EXT_ADDR, pool->a[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, list);
	return 0;
}

/* What @cfg says, as a reply to CONENAT_CMD_GET. */
int conenat_put_config(struct sk_buff *msg, const struct conenat_config *cfg)
{
	int i;

	if (nla_put_string(msg, CONENAT_A_IFNAME, cfg->ifname) ||
	    conenat_put_ranges(msg, cfg) ||
	    conenat_put_prefixes(msg, CONENAT_A_INTERNAL, &cfg->internal) ||
	    conenat_put_prefixes(msg, CONENAT_A_EXCLUDE, &cfg->exclude) ||
	    conenat_put_forwards(msg, cfg) ||
	    conenat_put_pool(msg, &cfg->pool) ||
	    nla_put_u32(msg, CONENAT_A_MAX_MAPPINGS, cfg->max_mappings) ||
	    nla_put_u32(msg, CONENAT_A_MAX_PER_HOST, cfg->max_per_host) ||
	    nla_put_u32(msg, CONENAT_A_MAX_CONNS_PER_HOST,
			cfg->max_conns_per_host) ||
	    nla_put_u32(msg, CONENAT_A_MAX_CONNS_PER_MAPPING,
			cfg->max_conns_per_mapping) ||
	    nla_put_u32(msg, CONENAT_A_FWMARK, cfg->fwmark) ||
	    nla_put_u8(msg, CONENAT_A_INBOUND_REFRESH, cfg->inbound_refresh))
		return -EMSGSIZE;
	for (i = 0; i < CONENAT_NTIMEOUTS; i++)
		if (nla_put_u32(msg, conenat_timeout_attr[i], cfg->timeout[i]))
			return -EMSGSIZE;
	return 0;
}
