// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks. They exist only in namespaces with an instance, so a
 * namespace without conenat pays nothing. Each instance registers its own
 * copy of the ops, with priv pointing at the instance.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include "instance.h"
#include "hooks.h"
#include "icmp.h"
#include "pkt.h"
#include "xlate.h"
#include "ct.h"

/*
 * After defrag (-400), so whole datagrams are translated, and before raw
 * (-300) and conntrack (-200), so that both see the inside view only.
 */
#define CONENAT_PRI_IN	(NF_IP_PRI_CONNTRACK_DEFRAG + 50)
/* After nf_nat's source NAT (100). */
#define CONENAT_PRI_OUT	(NF_IP_PRI_NAT_SRC + 1)

static unsigned int conenat_hook_in(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct conenat_instance *inst = priv;

	if (state->in->ifindex == READ_ONCE(inst->ifindex))
		return conenat_xlate_in(inst, skb);
	/* From the inside (not the router itself) to an outside address. */
	if (unlikely(conenat_is_ext_addr(inst, rcu_dereference(inst->cfg),
					 ip_hdr(skb)->daddr)) &&
	    !(state->in->flags & IFF_LOOPBACK))
		return conenat_xlate_hairpin(inst, skb);
	return NF_ACCEPT;
}

static unsigned int conenat_hook_out(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct conenat_instance *inst = priv;

	if (state->out->ifindex != READ_ONCE(inst->ifindex))
		return NF_ACCEPT;
	if (likely(IPCB(skb)->flags & IPSKB_FORWARDED))
		return conenat_xlate_out(inst, skb);
	/* The router's own traffic keeps its source; see xlate_local_out. */
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return conenat_xlate_local_out(inst, skb);
	return NF_ACCEPT;
}

/*
 * FORWARD, first of all: keep out of flowtables the flows that conenat
 * translated on their way in (to an internal endpoint, or hairpinned
 * from an external one) or will translate on their way out. Without
 * conntrack, or once a flow is kept out, there is nothing to do.
 */
static unsigned int conenat_hook_forward(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct conenat_instance *inst = priv;
	const struct conenat_config *cfg;
	const struct iphdr *iph;
	struct nf_conn *ct;
	int ifindex;
	bool ours;

	ct = conenat_ct_offloadable(skb);
	if (likely(!ct))
		return NF_ACCEPT;
	cfg = rcu_dereference(inst->cfg);
	ifindex = READ_ONCE(inst->ifindex);
	iph = ip_hdr(skb);
	if (state->in->ifindex == ifindex)	/* transit: not ours */
		ours = state->out->ifindex != ifindex &&
		       conenat_selected(cfg, iph->daddr, iph->saddr);
	else if (state->out->ifindex == ifindex)
		ours = conenat_selected(cfg, iph->saddr, iph->daddr);
	else
		ours = conenat_is_ext_addr(inst, cfg, iph->saddr);
	if (ours)
		conenat_ct_no_offload(ct);
	return NF_ACCEPT;
}

/* Copied into each instance, with priv set (see the top of the file). */
static const struct nf_hook_ops conenat_hook_ops[] = {
	{
		.hook = conenat_hook_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = CONENAT_PRI_IN,
	}, {
		.hook = conenat_hook_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = CONENAT_PRI_OUT,
	}, {
		.hook = conenat_hook_forward,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FIRST,
	},
};

int conenat_hooks_register(struct conenat_instance *inst)
{
	struct nf_hook_ops *ops = inst->hook_ops;
	unsigned int i;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(conenat_hook_ops) !=
		     ARRAY_SIZE(inst->hook_ops));
	for (i = 0; i < ARRAY_SIZE(conenat_hook_ops); i++) {
		ops[i] = conenat_hook_ops[i];
		ops[i].priv = inst;
	}
	err = nf_defrag_ipv4_enable(inst->net);
	if (err)
		return err;
	err = nf_register_net_hooks(inst->net, ops, ARRAY_SIZE(inst->hook_ops));
	if (err)
		nf_defrag_ipv4_disable(inst->net);
	return err;
}

/* Returns once no CPU runs the hooks any more (synchronize_net). */
void conenat_hooks_unregister(struct conenat_instance *inst)
{
	nf_unregister_net_hooks(inst->net, inst->hook_ops,
				ARRAY_SIZE(inst->hook_ops));
	nf_defrag_ipv4_disable(inst->net);
}
