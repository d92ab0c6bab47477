/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What conenat reads and marks in a packet's conntrack entry, when
 * conntrack tracks it. Inline, on the skb's own reference: no symbol of
 * nf_conntrack is used, so conenat never needs the module loaded.
 * Context: the netfilter hooks, after conntrack's (FORWARD, POST_ROUTING).
 */
#ifndef _CONENAT_CT_H
#define _CONENAT_CT_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
static inline struct nf_conn *conenat_ct(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct && !nf_ct_is_template(ct) ? ct : NULL;
}
#else
static inline struct nf_conn *conenat_ct(const struct sk_buff *skb)
{
	return NULL;
}
#endif

/* Whether nf_nat rewrote this packet's connection (a user's DNAT rule). */
static inline bool conenat_ct_natted(const struct sk_buff *skb)
{
	struct nf_conn *ct = conenat_ct(skb);

	return ct && (READ_ONCE(ct->status) & IPS_NAT_MASK);
}

/*
 * Keep a flow conenat translates out of every flowtable. A flowtable
 * ("flow add" in a forward chain, OpenWrt's software and hardware flow
 * offloading) sends a flow's packets from its ingress hook, past
 * POST_ROUTING, by conntrack's view of the flow: the inside view, as
 * conenat translates outside conntrack. So such a flow's entry gets
 * IPS_NAT_CLASH, one of the states nft_flow_offload_eval() refuses.
 * Done on the first packet of the flow, whose entry is not yet confirmed
 * and so cannot be offloaded, whatever the order of the forward chains;
 * the flag is never cleared. It has one other effect, in the UDP and
 * GRE trackers: the entry never becomes ASSURED.
 *
 * conenat_ct_offloadable() gives the packet's entry while a flowtable
 * could still take it, and conenat_ct_no_offload() keeps it out.
 */
static inline struct nf_conn *conenat_ct_offloadable(const struct sk_buff *skb)
{
	struct nf_conn *ct = conenat_ct(skb);

	return ct && !test_bit(IPS_NAT_CLASH_BIT, &ct->status) ? ct : NULL;
}

static inline void conenat_ct_no_offload(struct nf_conn *ct)
{
	set_bit(IPS_NAT_CLASH_BIT, &ct->status);
}

#endif /* _CONENAT_CT_H */
