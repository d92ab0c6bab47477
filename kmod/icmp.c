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
#include <linux/tcp.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/dst.h>
#include "instance.h"
#include "icmp.h"
#include "pkt.h"
#include "portalloc.h"
#include "xlate.h"

/**
 * conenat_error_prepare - check an ICMP error and make it writable
 * @inst: the instance, for the counters
 * @skb: the error
 * @p: what conenat_parse() found
 *
 * Translation updates the ICMP checksum rather than computing it anew,
 * so a corrupted error is dropped here, not passed on with a freshly
 * valid checksum; the check reads paged data in place. Only what
 * translation rewrites is made writable: the headers up to the quoted
 * transport checksum, or the quote's first 8 transport bytes.
 */
bool conenat_error_prepare(struct conenat_instance *inst,
			   struct sk_buff *skb, const struct conenat_pkt *p)
{
	unsigned int end = p->ithoff + 8;

	if (!skb_csum_unnecessary(skb) &&
	    csum_fold(skb_checksum(skb, p->thoff, skb->len - p->thoff, 0))) {
		conenat_count(inst, CONENAT_STAT_DROP_ICMP_CHECKSUM);
		return false;
	}
	if (p->proto == CONENAT_TCP)
		end = p->ithoff + offsetofend(struct tcphdr, check);
	if (likely(!skb_ensure_writable(skb, min(end, skb->len))))
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
	if (!conenat_error_prepare(inst, skb, p))
		return NF_DROP;
	conenat_rewrite_error(skb, p, false, m->int_addr, m->int_port);
	return conenat_deliver_in(inst, cfg, skb);
}

/*
 * POST_ROUTING: an error leaving through the external interface, quoting
 * a packet that was sent to an inside endpoint. One made inside the LAN,
 * by the host or by a router on the way (RFC 5508 REQ-4), leaves from the
 * mapping's external address; one about an endpoint without a mapping is
 * dropped, as it would show the internal address. The router's own
 * errors keep its address, and pass when they name no mapping.
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
	if (!conenat_error_prepare(inst, skb, p))
		return NF_DROP;
	conenat_rewrite_error(skb, p, true, m->ext_addr, m->ext_port);
	/* From a router inside the LAN: it leaves from the mapping's address. */
	if (forwarded && ip_hdr(skb)->saddr != m->ext_addr)
		conenat_rewrite_saddr(skb, m->ext_addr);
	conenat_count(inst, CONENAT_STAT_XLAT_OUT);
	return NF_ACCEPT;
}
