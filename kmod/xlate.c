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
#include "conenat.h"

/* Bytes of the transport header that translation reads and writes. */
static const u8 conenat_l4_len[CONENAT_NPROTO] = {
	[CONENAT_UDP] = sizeof(struct udphdr),
	[CONENAT_TCP] = sizeof(struct tcphdr),
	[CONENAT_ICMP] = sizeof(struct icmphdr),
};

/*
 * Returns 0 for a packet to translate (an ICMP error if p->ioff is set),
 * -EPROTONOSUPPORT for one to leave alone, -EMSGSIZE for a fragment,
 * -EINVAL for a truncated header, -ENOENT for an ICMP error about no
 * endpoint.
 */
static int conenat_parse(struct sk_buff *skb, struct conenat_pkt *p,
			 bool out)
{
	const struct iphdr *iph = ip_hdr(skb);
	int proto = conenat_proto_index(iph->protocol);
	const struct icmphdr *icmph;
	const struct udphdr *uh;

	if (proto < 0)
		return -EPROTONOSUPPORT;
	if (ip_is_fragment(iph))
		return -EMSGSIZE;
	p->proto = proto;
	p->thoff = iph->ihl * 4;
	p->ioff = 0;
	if (!pskb_may_pull(skb, p->thoff + conenat_l4_len[proto]))
		return -EINVAL;

	if (proto == CONENAT_ICMP) {
		icmph = (const void *)skb->data + p->thoff;
		if (icmph->type != (out ? ICMP_ECHO : ICMP_ECHOREPLY))
			return conenat_parse_error(skb, p, out);
		p->sport = icmph->un.echo.id;
		p->dport = icmph->un.echo.id;
		return 0;
	}
	/* TCP's ports sit where UDP's do. */
	uh = (const void *)skb->data + p->thoff;
	p->sport = uh->source;
	p->dport = uh->dest;
	if (proto == CONENAT_TCP)
		p->tcp_flags = ((const u8 *)uh)[13];	/* flag byte */
	return 0;
}

static unsigned int conenat_parse_verdict(struct conenat_instance *inst,
					  int err, bool out)
{
	switch (err) {
	case -EPROTONOSUPPORT:
		return NF_ACCEPT;
	case -EMSGSIZE:
		/* Outbound, it would leak the internal address. */
		if (!out)
			return NF_ACCEPT;
		conenat_count(inst, CONENAT_STAT_DROP_FRAGMENT);
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
	if (out || cfg->inbound_refresh)
		conenat_stamp(&m->expires, jiffies +
			      conenat_timeout_of(cfg, p->proto,
						 CONENAT_CONN_OPENING) * HZ,
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
					     conenat_l4_len[p->proto])))
		return true;
	conenat_count(inst, CONENAT_STAT_DROP_UNWRITABLE);
	return false;
}

/* The mapping of a packet's inside source, made if need be; or NULL. */
static struct conenat_mapping *
conenat_mapping_of(struct conenat_instance *inst,
		   const struct conenat_config *cfg, const struct conenat_pkt *p,
		   __be32 saddr)
{
	enum conenat_stat event = CONENAT_STAT_UNSPEC;
	struct conenat_mapping *m;

	m = conenat_lookup_int(&inst->table, p->proto, saddr, p->sport);
	if (likely(m && conenat_mapping_alive(m)))
		return m;
	m = conenat_mapping_create(inst, cfg, p->proto, saddr, p->sport,
				   jiffies, &event);
	if (event)
		conenat_count(inst, event);
	return m;
}

/* POST_ROUTING, a forwarded packet leaving through the external interface. */
unsigned int conenat_xlate_out(struct conenat_instance *inst,
			       struct sk_buff *skb)
{
	const struct conenat_config *cfg = rcu_dereference(inst->cfg);
	struct conenat_mapping *m;
	struct conenat_pkt p;
	__be32 saddr;
	int err;

	err = conenat_parse(skb, &p, true);
	if (err)
		return conenat_parse_verdict(inst, err, true);
	if (p.ioff)
		return conenat_xlate_error_out(inst, skb, &p);
	saddr = ip_hdr(skb)->saddr;
	if (unlikely(saddr == READ_ONCE(inst->ext_addr)))
		return NF_ACCEPT;	/* already ours, e.g. SNATed */

	m = conenat_mapping_of(inst, cfg, &p, saddr);
	if (!m)
		return NF_DROP;
	conenat_refresh(inst, cfg, m, &p, ip_hdr(skb)->daddr, p.dport, true);
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, true, m->ext_addr, m->ext_port);
	conenat_count(inst, CONENAT_STAT_XLAT_OUT);
	return NF_ACCEPT;
}

/* PRE_ROUTING, a packet that arrived on the external interface. */
unsigned int conenat_xlate_in(struct conenat_instance *inst,
			      struct sk_buff *skb)
{
	const struct conenat_config *cfg;
	struct conenat_mapping *m;
	struct conenat_pkt p;
	int err;

	if (ip_hdr(skb)->daddr != READ_ONCE(inst->ext_addr))
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
		return NF_ACCEPT;	/* the router's own, or nobody's */

	cfg = rcu_dereference(inst->cfg);
	conenat_refresh(inst, cfg, m, &p, ip_hdr(skb)->saddr, p.sport, false);
	if (!conenat_make_writable(inst, skb, &p))
		return NF_DROP;
	conenat_rewrite(skb, &p, false, m->int_addr, m->int_port);
	skb_dst_drop(skb);
	if (cfg->fwmark)
		skb->mark = cfg->fwmark;
	conenat_count(inst, CONENAT_STAT_XLAT_IN);
	return NF_ACCEPT;
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
