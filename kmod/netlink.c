// SPDX-License-Identifier: GPL-2.0
/*
 * The "conenat" generic netlink family; the protocol is documented in
 * include/uapi/linux/conenat.h. Every operation needs CAP_NET_ADMIN in the
 * user namespace owning the network namespace, and validates strictly,
 * with a policy per kind of request: unknown and reply-only attributes,
 * and those of another command, are refused with an extack message.
 *
 * The family is parallel_ops: genetlink takes no lock of its own around
 * a request, so that one namespace's slow command (a flush of a million
 * mappings, the grace periods of a reconfiguration) never holds up
 * another namespace, nor another family. Each command takes its
 * namespace's cn->lock for the configuration it reads or changes; the
 * mapping dump reads the table under RCU alone, and finds the instance
 * again in each of its parts.
 */
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/route.h>
#include <net/sock.h>
#include "conenat.h"

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
static const struct nla_policy conenat_config_policy[CONENAT_A_MAX + 1] = {
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

static const struct nla_policy conenat_dump_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_A_INT_ADDR] = { .type = NLA_BE32 },
};

static const struct nla_policy conenat_flush_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_PROTO] = { .type = NLA_U8 },
	[CONENAT_A_STATIC] = { .type = NLA_FLAG },
};

static const struct nla_policy conenat_forward_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_MAPPING] = NLA_POLICY_NESTED(conenat_map_policy),
};

/* GET, DOWN, GET_STATS: no attribute at all. */
static const struct nla_policy conenat_none_policy[CONENAT_A_MAX + 1] = {};

/* Configuration attribute of each timeout. */
static const u8 conenat_timeout_attr[CONENAT_NTIMEOUTS] = {
	[CONENAT_TO_UDP] = CONENAT_A_TIMEOUT_UDP,
	[CONENAT_TO_TCP_EST] = CONENAT_A_TIMEOUT_TCP_EST,
	[CONENAT_TO_TCP_TRANS] = CONENAT_A_TIMEOUT_TCP_TRANS,
	[CONENAT_TO_ICMP] = CONENAT_A_TIMEOUT_ICMP,
	[CONENAT_TO_HOLDDOWN] = CONENAT_A_HOLDDOWN,
};

static struct genl_family conenat_family;

/* Like NL_SET_ERR_MSG_ATTR, for messages chosen at run time. */
static void conenat_extack(struct netlink_ext_ack *extack,
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
static int conenat_unique(const struct nlattr *head, int len,
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

/* The request's own attributes; the family has no header of its own. */
static int conenat_unique_top(struct genl_info *info)
{
	return conenat_unique(nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
			      nlmsg_attrlen(info->nlhdr, GENL_HDRLEN),
			      info->extack);
}

static int conenat_parse_proto(const struct nlattr *attr,
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
static int conenat_parse_forward(const struct nlattr *nest,
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
 * A port forward goes to a host of the LAN: not to the router itself nor
 * to a subnet's broadcast address, which only the namespace's addresses
 * tell (conenat_forward_add() refuses the rest first).
 */
static int conenat_forward_local(struct net *net, __be32 addr,
				 const char **why)
{
	switch (inet_addr_type(net, addr)) {
	case RTN_LOCAL:
		*why = "port forward to an address of the router";
		return -EINVAL;
	case RTN_BROADCAST:
		*why = "port forward to a broadcast address";
		return -EINVAL;
	default:
		return 0;
	}
}

/* Add the forward in @nest to @cfg, when it is one that can be made. */
static int conenat_add_forward(struct net *net, struct conenat_config *cfg,
			       const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct conenat_forward f;
	const char *why;
	int err;

	err = conenat_parse_forward(nest, &f, false, extack);
	if (err)
		return err;
	err = conenat_forward_add(cfg, &f, &why) ?:
	      conenat_forward_local(net, f.int_addr, &why);
	if (err)
		conenat_extack(extack, nest, why);
	return err;
}

/* A CONENAT_A_FORWARDS list replaces the forwards of @cfg, in its order. */
static int conenat_parse_forwards(struct net *net, const struct nlattr *list,
				  struct conenat_config *cfg,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *nest;
	int rem, err;

	cfg->nr_fwd = 0;
	nla_for_each_nested(nest, list, rem) {
		err = conenat_add_forward(net, cfg, nest, extack);
		if (err)
			return err;
	}
	return 0;
}

/* The @i-th forward of a CONENAT_A_FORWARDS list, or NULL. */
static const struct nlattr *conenat_nth_forward(const struct nlattr *list,
						unsigned int i)
{
	const struct nlattr *nest;
	int rem;

	if (!list)
		return NULL;
	nla_for_each_nested(nest, list, rem)
		if (!i--)
			return nest;
	return NULL;
}

static void conenat_forward_taken(struct netlink_ext_ack *extack,
				  const struct nlattr *forward)
{
	NL_SET_ERR_MSG_ATTR(extack, forward,
			    "the external port is in use, by a mapping or a router socket");
}

/* Apply the request's attributes on top of @cfg and validate the result. */
static int conenat_parse_config(struct genl_info *info,
				struct conenat_config *cfg)
{
	struct nlattr **tb = info->attrs;
	const char *why;
	int i, err;

	if (tb[CONENAT_A_IFNAME])
		nla_strscpy(cfg->ifname, tb[CONENAT_A_IFNAME], IFNAMSIZ);
	if (tb[CONENAT_A_RANGES]) {
		err = conenat_parse_ranges(tb[CONENAT_A_RANGES], cfg,
					   info->extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_INTERNAL]) {
		err = conenat_parse_prefixes(tb[CONENAT_A_INTERNAL],
					     &cfg->internal, info->extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_EXCLUDE]) {
		err = conenat_parse_prefixes(tb[CONENAT_A_EXCLUDE],
					     &cfg->exclude, info->extack);
		if (err)
			return err;
	}
	if (tb[CONENAT_A_ADDRS]) {
		err = conenat_parse_pool(tb[CONENAT_A_ADDRS], &cfg->pool,
					 info->extack);
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
		conenat_extack(info->extack, NULL, why);
	return err;
}

/* The namespace's instance, or NULL with an extack message. cn->lock held. */
static struct conenat_instance *conenat_running(struct conenat_net *cn,
						struct netlink_ext_ack *extack)
{
	struct conenat_instance *inst;

	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (!inst)
		NL_SET_ERR_MSG(extack, "conenat is not up in this namespace");
	return inst;
}

/*
 * Any user may own a namespace, and with it CAP_NET_ADMIN there, and the
 * table's buckets are sized by the limit. So raising the limit above the
 * default (from RAM) takes CAP_NET_ADMIN in the initial user namespace,
 * as changing nf_conntrack_max does. Only raising it: an unprivileged
 * owner may still keep, or lower, what the host's administrator set.
 */
static int conenat_check_max_mappings(struct sk_buff *skb,
				      struct genl_info *info, u32 old, u32 new)
{
	if (new <= old || new <= conenat_default_max_mappings() ||
	    netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack,
		       "max-mappings above the default needs CAP_NET_ADMIN in the initial user namespace");
	return -EPERM;
}

static int conenat_cmd_up_set(struct sk_buff *skb, struct genl_info *info,
			      bool create)
{
	struct net *net = genl_info_net(info);
	struct conenat_net *cn = conenat_pernet(net);
	struct nlattr *fwds = info->attrs[CONENAT_A_FORWARDS];
	struct conenat_instance *inst;
	struct conenat_config *cfg;
	unsigned int bad;
	u32 old_max;
	int err;

	if (create && !info->attrs[CONENAT_A_IFNAME]) {
		NL_SET_ERR_MSG(info->extack, "external interface name missing");
		return -EINVAL;
	}
	err = conenat_unique_top(info);
	if (err)
		return err;
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;

	mutex_lock(&cn->lock);
	inst = create ? rcu_dereference_protected(cn->inst,
						  lockdep_is_held(&cn->lock)) :
			conenat_running(cn, info->extack);
	if (inst) {
		memcpy(cfg, rcu_dereference_protected(inst->cfg, 1),
		       sizeof(*cfg));
	} else if (create) {
		conenat_config_init(cfg);
	} else {
		err = -ENOENT;
		goto out;
	}
	old_max = inst ? cfg->max_mappings : 0;
	err = conenat_parse_config(info, cfg);
	if (!err && fwds)
		err = conenat_parse_forwards(net, fwds, cfg, info->extack);
	if (!err)
		err = conenat_check_max_mappings(skb, info, old_max,
						 cfg->max_mappings);
	if (!err) {
		err = conenat_instance_apply(cn, net, cfg, &bad);
		if (err == -EADDRINUSE)
			conenat_forward_taken(info->extack,
					      conenat_nth_forward(fwds, bad));
	}
out:
	mutex_unlock(&cn->lock);
	if (err)
		kfree(cfg);
	return err;
}

static int conenat_cmd_up(struct sk_buff *skb, struct genl_info *info)
{
	return conenat_cmd_up_set(skb, info, true);
}

static int conenat_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	return conenat_cmd_up_set(skb, info, false);
}

static int conenat_cmd_down(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	int err = 0;

	mutex_lock(&cn->lock);
	if (conenat_running(cn, info->extack))
		conenat_instance_destroy(cn);
	else
		err = -ENOENT;
	mutex_unlock(&cn->lock);
	return err;
}

/*
 * Remove the port forwards of @proto (-1: all) from the configuration,
 * then their mappings along with the dynamic ones. cn->lock held.
 */
static int conenat_flush_static(struct conenat_net *cn,
				struct conenat_instance *inst, int proto)
{
	struct conenat_config *cfg;
	unsigned int i, bad;
	int err;

	cfg = kmemdup(rcu_dereference_protected(inst->cfg,
						lockdep_is_held(&cn->lock)),
		      sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	for (i = cfg->nr_fwd; i--; )
		if (proto < 0 || cfg->fwd[i].proto == proto)
			cfg->fwd[i] = cfg->fwd[--cfg->nr_fwd];
	/* Cannot fail for want of a port: no forward is new. */
	err = conenat_instance_apply(cn, inst->net, cfg, &bad);
	if (err) {
		kfree(cfg);
		return err;
	}
	conenat_flush(inst, CONENAT_SCAN_ALL, proto);
	return 0;
}

static int conenat_cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct nlattr *pattr = info->attrs[CONENAT_A_PROTO];
	struct conenat_instance *inst;
	int proto = -1, err;

	err = conenat_unique_top(info);
	if (err)
		return err;
	if (pattr) {
		proto = conenat_parse_proto(pattr, info->extack);
		if (proto < 0)
			return proto;
	}
	mutex_lock(&cn->lock);
	inst = conenat_running(cn, info->extack);
	if (!inst)
		err = -ENOENT;
	else if (info->attrs[CONENAT_A_STATIC])
		err = conenat_flush_static(cn, inst, proto);
	else
		conenat_flush(inst, CONENAT_SCAN_DYNAMIC, proto);
	mutex_unlock(&cn->lock);
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

static int conenat_put_config(struct sk_buff *msg,
			      const struct conenat_instance *inst,
			      const struct conenat_config *cfg)
{
	int i;

	if (nla_put_string(msg, CONENAT_A_IFNAME, cfg->ifname) ||
	    nla_put_u32(msg, CONENAT_A_IFINDEX, READ_ONCE(inst->ifindex)) ||
	    nla_put_in_addr(msg, CONENAT_A_EXT_ADDR,
			    READ_ONCE(inst->ext_addr)) ||
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
	    nla_put_u8(msg, CONENAT_A_INBOUND_REFRESH, cfg->inbound_refresh) ||
	    nla_put_u32(msg, CONENAT_A_MAPPINGS,
			atomic_read(&inst->table.count)))
		return -EMSGSIZE;
	for (i = 0; i < CONENAT_NTIMEOUTS; i++)
		if (nla_put_u32(msg, conenat_timeout_attr[i], cfg->timeout[i]))
			return -EMSGSIZE;
	return 0;
}

static int conenat_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;
	struct sk_buff *msg;
	void *hdr;
	int err = -EMSGSIZE;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &conenat_family, 0,
				CONENAT_CMD_GET);
	if (!hdr)
		goto err;

	mutex_lock(&cn->lock);
	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (nla_put_string(msg, CONENAT_A_VERSION, CONENAT_VERSION) ||
	    nla_put_u8(msg, CONENAT_A_UP, !!inst) ||
	    (inst && conenat_put_config(msg, inst,
					rcu_dereference_protected(inst->cfg,
								  1)))) {
		mutex_unlock(&cn->lock);
		goto err;
	}
	mutex_unlock(&cn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return err;
}

static int conenat_cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	u64 sum[__CONENAT_STAT_MAX];
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &conenat_family, 0,
				CONENAT_CMD_GET_STATS);
	nest = hdr ? nla_nest_start(msg, CONENAT_A_STATS) : NULL;
	if (!nest)
		goto err;
	conenat_stats_sum(cn, sum);
	for (i = CONENAT_STAT_UNSPEC + 1; i < __CONENAT_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, i, sum[i], CONENAT_STAT_UNSPEC))
			goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* @m as a CONENAT_A_MAPPING nest. RCU read side. */
static int conenat_put_mapping_attrs(struct sk_buff *skb,
				     const struct conenat_mapping *m)
{
	unsigned long expires = READ_ONCE(m->expires);
	struct nlattr *nest;
	u32 nconns = 0;
	u8 state = 0;
	long left;

	if (m->proto == CONENAT_TCP)
		expires = conenat_conns_summary(m, &nconns, &state);
	left = (long)(expires - jiffies);

	nest = nla_nest_start(skb, CONENAT_A_MAPPING);
	if (!nest ||
	    nla_put_u8(skb, CONENAT_MAP_A_PROTO, conenat_proto_ipproto(m->proto)) ||
	    nla_put_in_addr(skb, CONENAT_MAP_A_INT_ADDR, m->int_addr) ||
	    nla_put_u16(skb, CONENAT_MAP_A_INT_PORT, ntohs(m->int_port)) ||
	    nla_put_in_addr(skb, CONENAT_MAP_A_EXT_ADDR, m->ext_addr) ||
	    nla_put_u16(skb, CONENAT_MAP_A_EXT_PORT, ntohs(m->ext_port)) ||
	    (conenat_map_fixed(m) ? nla_put_flag(skb, CONENAT_MAP_A_STATIC) :
			nla_put_u32(skb, CONENAT_MAP_A_EXPIRES,
				    jiffies_to_msecs(max(left, 0L)))) ||
	    (m->proto == CONENAT_TCP &&
	     (nla_put_u8(skb, CONENAT_MAP_A_STATE, state) ||
	      nla_put_u32(skb, CONENAT_MAP_A_CONNS, nconns))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int conenat_put_mapping(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       const struct conenat_mapping *m)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			  cb->nlh->nlmsg_seq, &conenat_family, NLM_F_MULTI,
			  CONENAT_CMD_GET_MAPPINGS);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (conenat_put_mapping_attrs(skb, m)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

enum conenat_mcgrp {
	CONENAT_MCGRP_EVENTS,
};

static const struct genl_multicast_group conenat_mcgrps[] = {
	[CONENAT_MCGRP_EVENTS] = {
		.name = CONENAT_GENL_MCGRP_EVENTS,
		/* CAP_NET_ADMIN in the namespace's user namespace */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/**
 * conenat_notify - tell the event listeners of @net about @m
 * @net: the namespace
 * @m: the mapping, created or expired
 * @cmd: CONENAT_CMD_MAPPING_NEW or CONENAT_CMD_MAPPING_EXPIRED
 *
 * Costs one check while nobody listens. Context: any; RCU read side.
 */
void conenat_notify(struct net *net, const struct conenat_mapping *m, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&conenat_family, net, CONENAT_MCGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &conenat_family, 0, cmd);
	if (!hdr || conenat_put_mapping_attrs(msg, m)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&conenat_family, net, msg, 0,
				CONENAT_MCGRP_EVENTS, GFP_ATOMIC);
}

static bool conenat_dump_match(const struct conenat_mapping *m,
			       struct nlattr **tb)
{
	if (!conenat_mapping_alive(m))
		return false;
	if (tb[CONENAT_A_PROTO] &&
	    conenat_proto_ipproto(m->proto) != nla_get_u8(tb[CONENAT_A_PROTO]))
		return false;
	return !tb[CONENAT_A_INT_ADDR] ||
	       m->int_addr == nla_get_in_addr(tb[CONENAT_A_INT_ADDR]);
}

/*
 * The mappings of one outside bucket, from its @seen-th on, into @skb.
 * Returns the position of the first that did not fit, or -1 when all
 * did. RCU read side.
 */
static long conenat_dump_bucket(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct hlist_nulls_head *head,
				unsigned long seen, struct nlattr **tb)
{
	const struct conenat_mapping *m;
	struct hlist_nulls_node *n;
	unsigned long i = 0;

	hlist_nulls_for_each_entry_rcu(m, n, head, ext_node) {
		if (i++ < seen || !conenat_dump_match(m, tb))
			continue;
		if (conenat_put_mapping(skb, cb, m))
			return i - 1;
	}
	return -1;
}

/*
 * One message per mapping, whole outside buckets per part of the dump:
 * a bucket is walked under one RCU read section, and a mapping never
 * changes bucket but in a resize of the index, so every mapping that
 * lives through the dump is in it once, however busy the table. A part
 * that cannot take the next bucket whole ends before it. The dump is
 * flagged NLM_F_DUMP_INTR if the instance changed between parts, if the
 * index was resized since the dump began (resizes are rare: the index
 * doubles or quarters), and, when a bucket too big for a part of its own
 * is resumed by position, if the table changed meanwhile. cb->args:
 * bucket, position in it, the table's gen at a stop inside a bucket, the
 * table's id, its resize count at the start.
 */
static int conenat_dump_mappings(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct conenat_net *cn = conenat_pernet(sock_net(skb->sk));
	struct nlattr **tb = conenat_dump_attrs(cb);
	unsigned long bucket = cb->args[0], seen = cb->args[1];
	struct conenat_instance *inst;
	struct conenat_buckets *array;
	struct conenat_table *t;
	unsigned int start;
	long stop = -1;

	rcu_read_lock();
	inst = rcu_dereference(cn->inst);
	t = inst ? &inst->table : NULL;
	if (!cb->seq) {
		cb->seq = 1;
		cb->args[3] = t ? t->id : 0;
		cb->args[4] = t ? READ_ONCE(t->resizes) : 0;
	} else if (!t || t->id != cb->args[3] ||
		   (seen && atomic_read(&t->gen) != cb->args[2])) {
		cb->seq++;	/* NLM_F_DUMP_INTR from here on */
	}
	if (t && t->id != cb->args[3])
		t = NULL;	/* another instance's table: the dump ends */
	array = t ? conenat_index_first(&t->ext_ix) : NULL;
	for (; t && bucket < (1UL << array->bits); bucket++, seen = 0) {
		start = skb->len;
		stop = conenat_dump_bucket(skb, cb, &array->b[bucket], seen, tb);
		if (stop < 0)
			continue;
		if (start) {
			nlmsg_trim(skb, skb->data + start);
			stop = 0;
		} else if (stop == seen) {
			/* Not one mapping fits in a part of its own. */
			rcu_read_unlock();
			return -EMSGSIZE;
		}
		cb->args[2] = atomic_read(&t->gen);
		break;
	}
	/* Flags the next part's first message, or the DONE. */
	if (t && !conenat_table_settled(t, array, cb->args[4]))
		cb->seq++;
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = stop < 0 ? 0 : stop;
	return skb->len;
}

/* Add the forward of the request to @cfg, or remove it from @cfg. */
static int conenat_forward_change(struct net *net, struct conenat_config *cfg,
				  struct genl_info *info, bool del)
{
	const struct nlattr *nest = info->attrs[CONENAT_A_MAPPING];
	struct conenat_forward f;
	int err;

	if (!del)
		return conenat_add_forward(net, cfg, nest, info->extack);
	err = conenat_parse_forward(nest, &f, true, info->extack);
	if (!err && conenat_forward_del(cfg, f.proto, f.ext_port)) {
		NL_SET_ERR_MSG(info->extack, "no such port forward");
		err = -ENOENT;
	}
	return err;
}

static int conenat_cmd_forward(struct sk_buff *skb, struct genl_info *info)
{
	bool del = info->genlhdr->cmd == CONENAT_CMD_FORWARD_DEL;
	struct net *net = genl_info_net(info);
	struct conenat_net *cn = conenat_pernet(net);
	struct conenat_instance *inst;
	struct conenat_config *cfg;
	unsigned int bad;
	int err;

	if (!info->attrs[CONENAT_A_MAPPING]) {
		NL_SET_ERR_MSG(info->extack, "port forward missing");
		return -EINVAL;
	}
	err = conenat_unique_top(info);
	if (err)
		return err;
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	mutex_lock(&cn->lock);
	inst = conenat_running(cn, info->extack);
	if (!inst) {
		err = -ENOENT;
		goto out;
	}
	memcpy(cfg, rcu_dereference_protected(inst->cfg,
					      lockdep_is_held(&cn->lock)),
	       sizeof(*cfg));
	err = conenat_forward_change(net, cfg, info, del);
	if (!err) {
		err = conenat_instance_apply(cn, net, cfg, &bad);
		if (err == -EADDRINUSE)
			conenat_forward_taken(info->extack,
					      info->attrs[CONENAT_A_MAPPING]);
	}
out:
	mutex_unlock(&cn->lock);
	if (err)
		kfree(cfg);
	return err;
}

#define CONENAT_DOIT(_cmd, _doit, _policy)	{	\
	.cmd = _cmd,					\
	.doit = _doit,					\
	.policy = _policy,				\
	.maxattr = CONENAT_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,			\
}

static const struct genl_ops conenat_ops[] = {
	CONENAT_DOIT(CONENAT_CMD_GET, conenat_cmd_get, conenat_none_policy),
	CONENAT_DOIT(CONENAT_CMD_UP, conenat_cmd_up, conenat_config_policy),
	CONENAT_DOIT(CONENAT_CMD_SET, conenat_cmd_set, conenat_config_policy),
	CONENAT_DOIT(CONENAT_CMD_DOWN, conenat_cmd_down, conenat_none_policy),
	{
		.cmd = CONENAT_CMD_GET_MAPPINGS,
		.dumpit = conenat_dump_mappings,
		.policy = conenat_dump_policy,
		.maxattr = CONENAT_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	CONENAT_DOIT(CONENAT_CMD_FLUSH, conenat_cmd_flush,
		     conenat_flush_policy),
	CONENAT_DOIT(CONENAT_CMD_GET_STATS, conenat_cmd_get_stats,
		     conenat_none_policy),
	CONENAT_DOIT(CONENAT_CMD_FORWARD_ADD, conenat_cmd_forward,
		     conenat_forward_policy),
	CONENAT_DOIT(CONENAT_CMD_FORWARD_DEL, conenat_cmd_forward,
		     conenat_forward_policy),
};

static struct genl_family conenat_family __ro_after_init = {
	.name = CONENAT_GENL_NAME,
	.version = CONENAT_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = conenat_ops,
	.n_ops = ARRAY_SIZE(conenat_ops),
	.mcgrps = conenat_mcgrps,
	.n_mcgrps = ARRAY_SIZE(conenat_mcgrps),
};

int conenat_genl_init(void)
{
	return genl_register_family(&conenat_family);
}

void conenat_genl_exit(void)
{
	genl_unregister_family(&conenat_family);
}
