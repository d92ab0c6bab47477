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

static bool conenat_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/**
 * conenat_parse_error - parse the ICMP error at p->thoff
 * @skb: the packet
 * @p: filled in: the quoted packet's protocol, ports and offsets
 * @out: the error leaves through the external interface
 *
 * Returns 0 for an error quoting UDP, TCP or, for ICMP, an echo request
 * that went out (an echo reply that came in, if @out);
 * -EPROTONOSUPPORT for any other ICMP message, which passes untouched;
 * -EINVAL for a malformed one; -ENOENT for an error that names no
 * endpoint because it quotes a later fragment.
 */
int conenat_parse_error(struct sk_buff *skb, struct conenat_pkt *p, bool out)
{
	const struct icmphdr *icmph = (const void *)skb->data + p->thoff;
	const struct iphdr *inner;
	const struct udphdr *uh;
	int proto;

	if (!conenat_icmp_is_error(icmph->type))
		return -EPROTONOSUPPORT;
	p->ioff = p->thoff + sizeof(struct icmphdr);
	if (!pskb_may_pull(skb, p->ioff + sizeof(struct iphdr)))
		return -EINVAL;
	inner = (const void *)skb->data + p->ioff;
	proto = conenat_proto_index(inner->protocol);
	if (proto < 0)
		return -EPROTONOSUPPORT;
	if (inner->version != 4 || inner->ihl < 5)
		return -EINVAL;
	if (inner->frag_off & htons(IP_OFFSET))
		return -ENOENT;
	p->ithoff = p->ioff + inner->ihl * 4;
	/* RFC 792 quotes at least 8 bytes: ports, or echo type and id. */
	if (!pskb_may_pull(skb, p->ithoff + 8))
		return -EINVAL;
	p->proto = proto;
	uh = (const void *)skb->data + p->ithoff;
	if (proto == CONENAT_ICMP) {
		icmph = (const void *)uh;
		if (icmph->type != (out ? ICMP_ECHOREPLY : ICMP_ECHO))
			return -EPROTONOSUPPORT;
		p->sport = icmph->un.echo.id;
		p->dport = icmph->un.echo.id;
		return 0;
	}
	p->sport = uh->source;
	p->dport = uh->dest;
	return 0;
}

static bool conenat_error_writable(struct conenat_instance *inst,
				   struct sk_buff *skb)
{
	/* All of it: the ICMP checksum is computed anew. */
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
