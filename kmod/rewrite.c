// SPDX-License-Identifier: GPL-2.0
/*
 * In-place rewrite of a parsed IPv4 packet with incremental checksum
 * updates, the way nf_nat does. Only touches skb->data, skb->len and
 * skb->ip_summed and the kernel's checksum helpers, so tests/unit builds
 * it in userspace against a shim of those and checks it against full
 * recomputation.
 */
#include "conenat.h"

#ifdef __KERNEL__
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#endif

static void conenat_csum_l4(struct sk_buff *skb, const struct conenat_pkt *p,
			    __be32 oaddr, __be32 naddr,
			    __be16 oport, __be16 nport)
{
	void *l4 = skb->data + p->thoff;
	__sum16 *check;

	switch (p->proto) {
	case CONENAT_ICMP:
		check = &((struct icmphdr *)l4)->checksum;
		inet_proto_csum_replace2(check, skb, oport, nport, false);
		return;
	case CONENAT_UDP:
		check = &((struct udphdr *)l4)->check;
		/* A zero UDP checksum means none, and stays none. */
		if (!*check && skb->ip_summed != CHECKSUM_PARTIAL)
			return;
		break;
	default:
		check = &((struct tcphdr *)l4)->check;
		break;
	}
	inet_proto_csum_replace4(check, skb, oaddr, naddr, true);
	inet_proto_csum_replace2(check, skb, oport, nport, false);
	if (p->proto == CONENAT_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/**
 * conenat_rewrite - rewrite a packet's source or destination endpoint
 * @skb: the packet, skb->data at the IPv4 header, headers up to the end of
 *       the transport header's checksum writable
 * @p: what conenat_parse() found
 * @src: rewrite the source (else the destination)
 * @naddr: new address
 * @nport: new port, or ICMP echo identifier
 *
 * Updates the IPv4 and transport checksums incrementally, honouring
 * CHECKSUM_PARTIAL (only the pseudo-header part is in the field then).
 */
void conenat_rewrite(struct sk_buff *skb, const struct conenat_pkt *p,
		     bool src, __be32 naddr, __be16 nport)
{
	struct iphdr *iph = ip_hdr(skb);
	void *l4 = skb->data + p->thoff;
	__be32 *addr = src ? &iph->saddr : &iph->daddr;
	__be16 *port;

	if (p->proto == CONENAT_ICMP)
		port = &((struct icmphdr *)l4)->un.echo.id;
	else
		port = src ? &((struct udphdr *)l4)->source :
			     &((struct udphdr *)l4)->dest;

	conenat_csum_l4(skb, p, *addr, naddr, *port, nport);
	*port = nport;
	csum_replace4(&iph->check, *addr, naddr);
	*addr = naddr;
}

/*
 * The quoted packet's port (or echo identifier) on the side being
 * rewritten; updates the quoted transport checksum for the new address
 * and port when the quote holds it (@quoted bytes of transport header).
 */
static __be16 *conenat_quoted_port(u8 *l4, unsigned int quoted, u8 proto,
				   bool dst, __be32 oaddr, __be32 naddr,
				   __be16 nport)
{
	struct icmphdr *icmph = (struct icmphdr *)l4;
	struct udphdr *uh = (struct udphdr *)l4;
	struct tcphdr *th = (struct tcphdr *)l4;
	__be16 *port = dst ? &uh->dest : &uh->source;
	__sum16 *check = NULL;

	switch (proto) {
	case CONENAT_ICMP:
		/* No pseudo-header: only the identifier counts. */
		csum_replace2(&icmph->checksum, icmph->un.echo.id, nport);
		return &icmph->un.echo.id;
	case CONENAT_UDP:
		if (uh->check)
			check = &uh->check;
		break;
	default:
		/* TCP's ports sit where UDP's do; its checksum further in. */
		port = dst ? &th->dest : &th->source;
		if (quoted >= offsetofend(struct tcphdr, check))
			check = &th->check;
		break;
	}
	if (check) {
		csum_replace4(check, oaddr, naddr);
		csum_replace2(check, *port, nport);
		if (proto == CONENAT_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	return port;
}

/**
 * conenat_rewrite_error - translate an ICMP error and the packet it quotes
 * @skb: the error, linear and writable in full, skb->data at the IPv4
 *       header
 * @p: what conenat_parse_error() found
 * @out: the error leaves, quoting a packet that was sent to the inside
 *       endpoint (its destination is rewritten), rather than arrives,
 *       quoting a packet from the outside endpoint (its source is)
 * @naddr: the quoted endpoint's new address
 * @nport: its new port or echo identifier
 *
 * The outer address on the same side is rewritten too when it is the
 * quoted endpoint's, i.e. the error is to or from that host itself; an
 * error the router made about a packet it forwarded keeps the router's
 * address. The quoted IPv4 checksum and, when quoted, the transport
 * checksum are updated incrementally; the ICMP checksum, which covers
 * them all, is computed anew unless the stack will (CHECKSUM_PARTIAL).
 */
void conenat_rewrite_error(struct sk_buff *skb, const struct conenat_pkt *p,
			   bool out, __be32 naddr, __be16 nport)
{
	struct icmphdr *icmph = (struct icmphdr *)(skb->data + p->thoff);
	struct iphdr *inner = (struct iphdr *)(skb->data + p->ioff);
	struct iphdr *iph = ip_hdr(skb);
	__be32 *outer = out ? &iph->saddr : &iph->daddr;
	__be32 *addr = out ? &inner->daddr : &inner->saddr;
	__be16 *port;

	port = conenat_quoted_port(skb->data + p->ithoff, skb->len - p->ithoff,
				   p->proto, out, *addr, naddr, nport);
	*port = nport;
	if (*outer == *addr) {
		csum_replace4(&iph->check, *outer, naddr);
		*outer = naddr;
	}
	csum_replace4(&inner->check, *addr, naddr);
	*addr = naddr;
	if (skb->ip_summed != CHECKSUM_PARTIAL) {
		icmph->checksum = 0;
		icmph->checksum = ip_compute_csum(icmph, skb->len - p->thoff);
	}
}
