// SPDX-License-Identifier: GPL-2.0
/*
 * The family's commands (netlink.c registers them): bring an instance
 * up, change it, take it down, flush it, and report it. Each takes its
 * namespace's cn->lock around the configuration it reads or changes.
 */
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/route.h>
#include <net/sock.h>
#include "attrs.h"
#include "commands.h"
#include "forward.h"
#include "gc.h"
#include "instance.h"
#include "netlink.h"
#include "version.h"

/*
 * A port forward goes to a host of the LAN: not to the router itself nor
 * to a subnet's broadcast address, which only the namespace's addresses
 * tell (conenat_forward_add() refuses the rest first).
 */
/* The request's own attributes; the family has no header of its own. */
static int conenat_unique_top(struct genl_info *info)
{
	return conenat_unique(nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
			      nlmsg_attrlen(info->nlhdr, GENL_HDRLEN),
			      info->extack);
}

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
	err = conenat_parse_config(info->attrs, cfg, info->extack);
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

int conenat_cmd_up(struct sk_buff *skb, struct genl_info *info)
{
	return conenat_cmd_up_set(skb, info, true);
}

int conenat_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	return conenat_cmd_up_set(skb, info, false);
}

int conenat_cmd_down(struct sk_buff *skb, struct genl_info *info)
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

int conenat_cmd_flush(struct sk_buff *skb, struct genl_info *info)
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

/* The instance's configuration and what it has made of it. */
static int conenat_put_instance(struct sk_buff *msg,
				const struct conenat_instance *inst)
{
	if (nla_put_u32(msg, CONENAT_A_IFINDEX, READ_ONCE(inst->ifindex)) ||
	    nla_put_in_addr(msg, CONENAT_A_EXT_ADDR,
			    READ_ONCE(inst->ext_addr)) ||
	    nla_put_u32(msg, CONENAT_A_MAPPINGS,
			atomic_read(&inst->table.count)))
		return -EMSGSIZE;
	return conenat_put_config(msg, rcu_dereference_protected(inst->cfg, 1));
}

int conenat_cmd_get(struct sk_buff *skb, struct genl_info *info)
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
	    (inst && conenat_put_instance(msg, inst))) {
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

int conenat_cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
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

int conenat_cmd_forward(struct sk_buff *skb, struct genl_info *info)
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
