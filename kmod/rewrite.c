// SPDX-License-Identifier: GPL-2.0
/*
 * In-place rewrite of a parsed IPv4 packet with incremental checksum
 * updates, the way nf_nat does. Only touches skb->data and skb->ip_summed
 * and the kernel's checksum helpers, so tests/unit builds it in userspace
 * against a shim of those and checks it against full recomputation.
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
