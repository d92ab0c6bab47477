// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors (RFC 5508 REQ-3 to 5, RFC 5382 REQ-9): destination
 * unreachable (with fragmentation needed, for path MTU discovery), time
 * exceeded and parameter problem quote the packet they are about. An
 * error arriving about a mapping's outside endpoint goes on to the inside
 * endpoint; an error leaving about an inside endpoint, made by the LAN
 * host or by the router itself, names the outside endpoint instead. The
 * quoted header is translated with the outer one. Errors never create,
 * refresh or end a mapping.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/dst.h>
#include "conenat.h"

/* All of an ICMP error writable: its checksum is computed anew. */
bool conenat_error_writable(struct conenat_instance *inst,
			    struct sk_buff *skb)
{
	if (likely(!skb_ensure_writable(skb, skb->len)))
		return true;
	conenat_count(inst, CONENAT_STAT_DROP_UNWRITABLE);
	return false;
}

static unsigned int conenat_unmatched(struct conenat_instance *inst)
{
	conenat_count(inst, CONENAT_STAT_DROP_ICMP_UNMATCHED);
	return NF_DROP;
}

/*
 * PRE_ROUTING: an error to the external address, quoting a packet that
 * left from it. An error about a port of the ranges without a mapping is
 * dropped; one about another port, or an echo without a mapping, is the
 * router's own business and passes.
 */
unsigned int conenat_xlate_error_in(struct conenat_instance *inst,
				    struct sk_buff *skb, struct conenat_pkt *p)
{
	const struct iphdr *inner = (const void *)skb->data + p->ioff;
	const struct conenat_config *cfg = rcu_dereference(inst->cfg);
	struct conenat_mapping *m;

	if (inner->saddr != ip_hdr(skb)->daddr)
		return NF_ACCEPT;
	m = conenat_lookup_ext(&inst->table, p->proto, inner->saddr,
			       p->sport);
	if (!m || !conenat_mapping_alive(m)) {
		if (p->proto == CONENAT_ICMP ||
		    !conenat_ranges_contain(&cfg->ports[p->proto],
					    ntohs(p->sport)))
			return NF_ACCEPT;
		return conenat_unmatched(inst);
	}
	if (!conenat_error_writable(inst, skb))
		return NF_DROP;
	conenat_rewrite_error(skb, p, false, m->int_addr, m->int_port);
	return conenat_deliver_in(inst, cfg, skb);
}

/*
 * POST_ROUTING: an error leaving through the external interface, quoting
 * a packet that was sent to an inside endpoint. A LAN host's error about
 * an endpoint without a mapping is dropped, as it would show the internal
 * address; the router's own errors about anything else pass.
 */
unsigned int conenat_xlate_error_out(struct conenat_instance *inst,
				     struct sk_buff *skb,
				     struct conenat_pkt *p)
{
	const struct iphdr *inner = (const void *)skb->data + p->ioff;
	bool forwarded = IPCB(skb)->flags & IPSKB_FORWARDED;
	struct conenat_mapping *m;

	m = conenat_lookup_int(&inst->table, p->proto, inner->daddr,
			       p->dport);
	if (!m || !conenat_mapping_alive(m))
		return forwarded ? conenat_unmatched(inst) : NF_ACCEPT;
	if (!conenat_error_writable(inst, skb))
		return NF_DROP;
	conenat_rewrite_error(skb, p, true, m->ext_addr, m->ext_port);
	conenat_count(inst, CONENAT_STAT_XLAT_OUT);
	return NF_ACCEPT;
}
