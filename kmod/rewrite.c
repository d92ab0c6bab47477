// SPDX-License-Identifier: GPL-2.0
/*
 * In-place rewrite of a parsed IPv4 packet with incremental checksum
 * updates, the way nf_nat does. Only touches skb->data, skb->len and
 * skb->ip_summed and the kernel's checksum helpers, so tests/unit builds
 * it in userspace against a shim of those and checks it against full
 * recomputation.
 */
#include "pkt.h"

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
 * The quoted packet's transport checksum, when the quote holds it
 * (@quoted bytes of transport header) and it is in use; else NULL.
 */
static __sum16 *conenat_quoted_check(u8 *l4, unsigned int quoted, u8 proto)
{
	switch (proto) {
	case CONENAT_ICMP:
		return &((struct icmphdr *)l4)->checksum;
	case CONENAT_UDP:
		return ((struct udphdr *)l4)->check ?
		       &((struct udphdr *)l4)->check : NULL;
	default:
		return quoted >= offsetofend(struct tcphdr, check) ?
		       &((struct tcphdr *)l4)->check : NULL;
	}
}

/*
 * Update the quoted transport checksum @check for a new address (none
 * for ICMP: no pseudo-header) and port or echo identifier.
 */
static void conenat_quoted_csum(__sum16 *check, u8 proto, __be32 oaddr,
				__be32 naddr, __be16 oport, __be16 nport)
{
	if (proto != CONENAT_ICMP)
		csum_replace4(check, oaddr, naddr);
	csum_replace2(check, oport, nport);
	if (proto == CONENAT_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/**
 * conenat_rewrite_error - translate an ICMP error and the packet it quotes
 * @skb: the error, skb->data at the IPv4 header, writable up to the end of
 *       the quoted transport checksum when quoted, else of the quote's
 *       first 8 transport bytes
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
 * address. Every checksum is updated incrementally, the ICMP one too
 * (unless the stack will compute it, CHECKSUM_PARTIAL): a wrong one
 * stays wrong, so the caller checks it first.
 */
void conenat_rewrite_error(struct sk_buff *skb, const struct conenat_pkt *p,
			   bool out, __be32 naddr, __be16 nport)
{
	struct icmphdr *icmph = (struct icmphdr *)(skb->data + p->thoff);
	struct iphdr *inner = (struct iphdr *)(skb->data + p->ioff);
	u8 *l4 = skb->data + p->ithoff;
	struct iphdr *iph = ip_hdr(skb);
	__be32 *outer = out ? &iph->saddr : &iph->daddr;
	__be32 *addr = out ? &inner->daddr : &inner->saddr;
	__sum16 *check = conenat_quoted_check(l4, skb->len - p->ithoff,
					      p->proto);
	__sum16 old_check = check ? *check : 0, old_icheck = inner->check;
	__be32 oaddr = *addr;
	__be16 *port, oport;

	if (p->proto == CONENAT_ICMP)
		port = &((struct icmphdr *)l4)->un.echo.id;
	else	/* TCP's ports sit where UDP's do */
		port = out ? &((struct udphdr *)l4)->dest :
			     &((struct udphdr *)l4)->source;
	oport = *port;
	if (check)
		conenat_quoted_csum(check, p->proto, oaddr, naddr, oport,
				    nport);
	*port = nport;
	if (*outer == oaddr) {
		csum_replace4(&iph->check, *outer, naddr);
		*outer = naddr;
	}
	csum_replace4(&inner->check, oaddr, naddr);
	*addr = naddr;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return;
	/* Every word changed lies at an even offset of the ICMP message. */
	csum_replace4(&icmph->checksum, oaddr, naddr);
	csum_replace2(&icmph->checksum, oport, nport);
	csum_replace2(&icmph->checksum, (__force __be16)old_icheck,
		      (__force __be16)inner->check);
	if (check)
		csum_replace2(&icmph->checksum, (__force __be16)old_check,
			      (__force __be16)*check);
}

/**
 * conenat_rewrite_saddr - rewrite the source address of an ICMP message
 * @skb: the packet, skb->data at its writable IPv4 header
 * @naddr: the new source
 *
 * ICMP has no pseudo-header: only the IPv4 checksum changes.
 */
void conenat_rewrite_saddr(struct sk_buff *skb, __be32 naddr)
{
	struct iphdr *iph = ip_hdr(skb);

	csum_replace4(&iph->check, iph->saddr, naddr);
	iph->saddr = naddr;
}
