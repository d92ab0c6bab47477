// SPDX-License-Identifier: GPL-2.0
/*
 * Packet translation: find the transport "port" of an IPv4 packet (UDP or
 * TCP port, ICMP echo identifier), find or create its mapping, and rewrite
 * the packet in place with incremental checksum updates, the way nf_nat
 * does. Runs in the netfilter hooks, under rcu_read_lock(), usually in
 * softirq; skb->data points at the IPv4 header.
 */
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/route.h>
#include <net/icmp.h>
#include "instance.h"
#include "icmp.h"
#include "pkt.h"
#include "portalloc.h"
#include "xlate.h"
#include "ct.h"
#include "sockets.h"

static unsigned int conenat_parse_verdict(struct conenat_instance *inst,
					  int err, bool out)
{
	switch (err) {
	case -EPROTONOSUPPORT:
	case -EMSGSIZE:
		/* Outbound, it would leak the internal address. */
		if (!out)
			return NF_ACCEPT;
		conenat_count(inst, err == -EMSGSIZE ?
				    CONENAT_STAT_DROP_FRAGMENT :
				    CONENAT_STAT_DROP_PROTO);
		return NF_DROP;
	case -ENOENT:
		conenat_count(inst, CONENAT_STAT_DROP_ICMP_UNMATCHED);
		return NF_DROP;
	default:
		conenat_count(inst, CONENAT_STAT_DROP_MALFORMED);
		return NF_DROP;
	}
}

/*
 * Apply a packet to its mapping: the idle time (outbound, or inbound with
 * inbound_refresh; for TCP the transitory timeout) and, for TCP, its
 * connection. @raddr and @rport are the remote endpoint.
 */
static void conenat_refresh(struct conenat_instance *inst,
			    const struct conenat_config *cfg,
			    struct conenat_mapping *m,
			    const struct conenat_pkt *p, __be32 raddr,
			    __be16 rport, bool out)
{
	if (out || cfg->hot.inbound_refresh)
		conenat_stamp(&m->expires,
			      conenat_expiry(cfg, p->proto,
					     CONENAT_CONN_OPENING),
			      false);
	if (p->proto == CONENAT_TCP)
		conenat_conn_track(inst, cfg, m, p->tcp_flags, raddr, rport,
				   out);
}

static bool conenat_make_writable(struct conenat_instance *inst,
				  struct sk_buff *skb,
				  const struct conenat_pkt *p)
{
	if (likely(!skb_ensure_writable(skb, p->thoff +
					     conenat_l4_len(p->proto))))
		return true;
	conenat_count(inst, CONENAT_STAT_DROP_UNWRITABLE);
	return false;
}

/*
 * The mapping of a packet's inside source, made if need be; or NULL, with
 * the reason counted and left in *@event.
 */
static struct conenat_mapping *
conenat_mapping_of(struct conenat_instance *inst,
		   const struct conenat_config *cfg, const struct conenat_pkt *p,
		   __be32 saddr, enum conenat_stat *event)
{
	struct conenat_mapping *m;

	*event = CONENAT_STAT_UNSPEC;
	m = conenat_lookup_int(&inst->table, p->proto, saddr, p->sport);
	if (likely(m && conenat_mapping_alive(m)))
		return m;
	/* Its full idle time from the start: the GC may look before the
	 * caller refreshes it.
	 */
	m = conenat_mapping_create(inst, cfg, p->proto, saddr, p->sport,
				   conenat_expiry(cfg, p->proto,
						  CONENAT_CONN_OPENING),
				   event, 0);
	if (*event)
		conenat_count(inst, *event);
	return m;
}

/* A packet from the inside that claims an external address as its own. */
static unsigned int conenat_spoofed(struct conenat_instance *inst)
{
	conenat_count(inst, CONENAT_STAT_DROP_SPOOFED);
	return NF_DROP;
}

/*
 * POST_ROUTING, a forwarded packet leaving through the external interface.
 * Only what came from the inside is translated: transit between outside
 * hosts is left alone and creates nothing. What cannot be translated is
 * dropped, as it would leave with its internal source, and so is what
 * claims an external address without nf_nat having given it one.
 */
unsigned int conenat_xlate_out(struct conenat_instance *inst,
			       struct sk_buff *skb)
{
	const struct conenat_config *cfg = rcu_dereference(inst->cfg);
	__be32 saddr = ip_hdr(skb)->saddr;
	enum conenat_stat event;
	struct conenat_mapping *m;
	struct conenat_pkt p;
	int err;

	if (unlikely(skb->skb_iif == READ_ONCE(inst->ifindex)))
		return NF_ACCEPT;
	/* nf_nat may have put it there, undoing a user's DNAT rule. */
	if (unlikely(conenat_is_ext_addr(inst, cfg, saddr)))
		return conenat_ct_natted(skb) ? NF_ACCEPT :
						conenat_spoofed(inst);
	err = conenat_parse(skb, &p, true);
	if (!err && p.ioff)
		return conenat_xlate_error_out(inst, skb, &p);
	if (unlikely(!conenat_selected(cfg, saddr, ip_hdr(skb)->daddr)))
		return NF_ACCEPT;	/* left untranslated by choice */
	if (err)
		return conenat_parse_verdict(inst, err, true);

	m = conenat_mapping_of(inst, cfg, &p, saddr, &event);
	if (!m) {
		/*
		 * Refused: tell the LAN host at once, rate-limited by the
		 * ICMP sysctls (RFC 5508 REQ-8, RFC 6888 REQ-4).
		 */
		if (event != CONENAT_STAT_DROP_NOADDR)
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
		return NF_DROP;
	}
	conenat_refresh(inst, cfg, m, &p, ip_hdr(skb)->daddr, p.dport, true);
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, true, m->ext_addr, m->ext_port);
	conenat_count(inst, CONENAT_STAT_XLAT_OUT);
	return NF_ACCEPT;
}

/*
 * An inbound packet without a mapping. A port of the ranges without a
 * router socket is nobody's: drop it without a word, so the router sends
 * no reset or port unreachable and a scan learns nothing (RFC 7857
 * section 2). Echo replies and other ports are the router's own.
 */
static unsigned int conenat_unsolicited(struct conenat_instance *inst,
					const struct conenat_config *cfg,
					struct sk_buff *skb,
					const struct conenat_pkt *p)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (p->proto == CONENAT_ICMP ||
	    !conenat_ranges_contain(&cfg->ports[p->proto], ntohs(p->dport)) ||
	    conenat_router_owns(inst->net, p->proto, iph->daddr, p->dport,
				iph->saddr, p->sport, skb->dev->ifindex))
		return NF_ACCEPT;
	conenat_count(inst, CONENAT_STAT_DROP_UNSOLICITED);
	return NF_DROP;
}

/*
 * The end of inbound translation: the route looked up for the external
 * address is dropped so that the packet is routed to the LAN host, and
 * it gets the firewall mark.
 */
unsigned int conenat_deliver_in(struct conenat_instance *inst,
				const struct conenat_config *cfg,
				struct sk_buff *skb)
{
	skb_dst_drop(skb);
	if (cfg->hot.fwmark)
		skb->mark = cfg->hot.fwmark;
	conenat_count(inst, CONENAT_STAT_XLAT_IN);
	return NF_ACCEPT;
}

/* PRE_ROUTING, a packet that arrived on the external interface. */
unsigned int conenat_xlate_in(struct conenat_instance *inst,
			      struct sk_buff *skb)
{
	const struct conenat_config *cfg = rcu_dereference(inst->cfg);
	struct conenat_mapping *m;
	struct conenat_pkt p;
	int err;

	if (!conenat_is_ext_addr(inst, cfg, ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	err = conenat_parse(skb, &p, false);
	if (err)
		return conenat_parse_verdict(inst, err, false);
	if (p.ioff)
		return conenat_xlate_error_in(inst, skb, &p);

	/* Endpoint-independent filtering: any remote may use the mapping. */
	m = conenat_lookup_ext(&inst->table, p.proto, ip_hdr(skb)->daddr,
			       p.dport);
	if (!m || !conenat_mapping_alive(m))
		return conenat_unsolicited(inst, cfg, skb, &p);

	conenat_refresh(inst, cfg, m, &p, ip_hdr(skb)->saddr, p.sport, false);
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, false, m->int_addr, m->int_port);
	return conenat_deliver_in(inst, cfg, skb);
}

/*
 * The end of hairpinning: route the packet now, by the sender's own
 * address @saddr, as input routing would refuse its new source, an
 * external address, as martian.
 */
static unsigned int conenat_hairpin_route(struct conenat_instance *inst,
					  const struct conenat_config *cfg,
					  struct sk_buff *skb, __be32 saddr)
{
	skb_dst_drop(skb);
	if (ip_route_input_noref(skb, ip_hdr(skb)->daddr, saddr,
				 ip_hdr(skb)->tos, skb->dev)) {
		conenat_count(inst, CONENAT_STAT_DROP_NOROUTE);
		return NF_DROP;
	}
	if (cfg->hot.fwmark)
		skb->mark = cfg->hot.fwmark;
	conenat_count(inst, CONENAT_STAT_HAIRPIN);
	return NF_ACCEPT;
}

/*
 * An ICMP error from an inside host about a hairpinned packet, which it
 * got from another inside endpoint's external one: it goes to that
 * endpoint, from and about the sender's external endpoint (RFC 5508
 * REQ-7), translated as if it had left and come back.
 */
static unsigned int conenat_hairpin_error(struct conenat_instance *inst,
					  const struct conenat_config *cfg,
					  struct sk_buff *skb,
					  struct conenat_pkt *p)
{
	const struct iphdr *inner = (const void *)skb->data + p->ioff;
	struct conenat_mapping *from, *to;
	__be32 saddr = ip_hdr(skb)->saddr;

	if (inner->saddr != ip_hdr(skb)->daddr)
		return NF_ACCEPT;
	to = conenat_lookup_ext(&inst->table, p->proto, inner->saddr,
				p->sport);
	from = conenat_lookup_int(&inst->table, p->proto, inner->daddr,
				  p->dport);
	if (!to || !conenat_mapping_alive(to) || !from ||
	    !conenat_mapping_alive(from))
		return NF_ACCEPT;
	if (!conenat_error_prepare(inst, skb, p))
		return NF_DROP;
	conenat_rewrite_error(skb, p, true, from->ext_addr, from->ext_port);
	conenat_rewrite_error(skb, p, false, to->int_addr, to->int_port);
	return conenat_hairpin_route(inst, cfg, skb, saddr);
}

/*
 * An echo reply from an inside host to an external endpoint: it answers
 * a hairpinned echo request, which carried the requester's external
 * identifier, so it goes back to the requester (see below).
 */
static unsigned int conenat_hairpin_echo_reply(struct conenat_instance *inst,
					       const struct conenat_config *cfg,
					       struct sk_buff *skb)
{
	__be32 saddr = ip_hdr(skb)->saddr;
	struct conenat_mapping *to;
	struct conenat_pkt p;

	if (conenat_parse(skb, &p, false) || p.ioff)
		return NF_ACCEPT;
	to = conenat_lookup_ext(&inst->table, p.proto, ip_hdr(skb)->daddr,
				p.dport);
	if (!to || !conenat_mapping_alive(to) ||
	    !conenat_selected(cfg, saddr, ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, true, conenat_ext_addr_of(inst, cfg, saddr),
			p.sport);
	conenat_rewrite(skb, &p, false, to->int_addr, to->int_port);
	return conenat_hairpin_route(inst, cfg, skb, saddr);
}

/*
 * PRE_ROUTING, a packet from the inside to an external address. When it
 * is for another inside endpoint's mapping, it goes there with the
 * sender's own external endpoint as its source, as if it had left and
 * come back (hairpinning: RFC 4787 REQ-9 and 9a, RFC 5382 REQ-8,
 * RFC 5508 REQ-7), with no routing help from the user. For ICMP echo the
 * identifier is both ports: a request whose identifier is another
 * host's external one goes to that host carrying the sender's external
 * identifier, and the host's reply comes back by it. Anything else is
 * the router's own.
 */
unsigned int conenat_xlate_hairpin(struct conenat_instance *inst,
				   struct sk_buff *skb)
{
	const struct conenat_config *cfg = rcu_dereference(inst->cfg);
	struct conenat_mapping *from, *to;
	enum conenat_stat event;
	struct conenat_pkt p;
	__be32 saddr;
	int err;

	if (unlikely(conenat_is_ext_addr(inst, cfg, ip_hdr(skb)->saddr)))
		return conenat_spoofed(inst);
	err = conenat_parse(skb, &p, true);
	if (err == -EPROTONOSUPPORT && ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return conenat_hairpin_echo_reply(inst, cfg, skb);
	if (err)
		return NF_ACCEPT;
	if (p.ioff)
		return conenat_hairpin_error(inst, cfg, skb, &p);
	to = conenat_lookup_ext(&inst->table, p.proto, ip_hdr(skb)->daddr,
				p.dport);
	if (!to || !conenat_mapping_alive(to))
		return NF_ACCEPT;
	saddr = ip_hdr(skb)->saddr;
	if (!conenat_selected(cfg, saddr, ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	from = conenat_mapping_of(inst, cfg, &p, saddr, &event);
	if (!from)
		return NF_DROP;
	/* Each mapping sees the other's outside endpoint as the remote. */
	conenat_refresh(inst, cfg, from, &p, to->ext_addr, to->ext_port, true);
	conenat_refresh(inst, cfg, to, &p, from->ext_addr, from->ext_port,
			false);
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, true, from->ext_addr, from->ext_port);
	conenat_rewrite(skb, &p, false, to->int_addr,
			p.proto == CONENAT_ICMP ? from->ext_port :
						  to->int_port);
	return conenat_hairpin_route(inst, cfg, skb, saddr);
}

/*
 * POST_ROUTING, the router's own packet leaving through the external
 * interface: only an ICMP error about a packet forwarded to the inside
 * needs its quote translated; everything else keeps the router's view.
 */
unsigned int conenat_xlate_local_out(struct conenat_instance *inst,
				     struct sk_buff *skb)
{
	struct conenat_pkt p;

	if (conenat_parse(skb, &p, true) || !p.ioff)
		return NF_ACCEPT;
	return conenat_xlate_error_out(inst, skb, &p);
}
