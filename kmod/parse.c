// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing: the transport "port" of an IPv4 packet (UDP or TCP port, ICMP
 * echo identifier), or of the packet an ICMP error quotes (RFC 5508).
 * Only reads skb->data through pskb_may_pull(), so tests/unit and the
 * fuzzer (tests/fuzz) build it in userspace. The IPv4 header itself was
 * validated by ip_rcv() (version, IHL >= 5, total length) before any
 * hook runs; everything past it is the sender's and is checked here.
 */
#include "config.h"
#include "pkt.h"

#ifdef __KERNEL__
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#endif

/* Bytes of the transport header that translation reads and writes. */
unsigned int conenat_l4_len(u8 proto)
{
	static const u8 len[CONENAT_NPROTO] = {
		[CONENAT_UDP] = sizeof(struct udphdr),
		[CONENAT_TCP] = sizeof(struct tcphdr),
		[CONENAT_ICMP] = sizeof(struct icmphdr),
	};

	return len[proto];
}

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
static int conenat_parse_error(struct sk_buff *skb, struct conenat_pkt *p,
			       bool out)
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

/**
 * conenat_parse - find what translation needs in a packet
 * @skb: the packet, skb->data at its validated IPv4 header
 * @p: filled in; for an ICMP error, p->ioff is set and the rest describes
 *     the quoted packet
 * @out: the packet leaves through the external interface (an echo
 *       request is a query then, an echo reply when it arrives)
 *
 * Returns 0 for a packet to translate (an ICMP error if p->ioff is set),
 * -EPROTONOSUPPORT for one to leave alone, -EMSGSIZE for a fragment,
 * -EINVAL for a truncated header, -ENOENT for an ICMP error about no
 * endpoint. May reallocate the header (pskb_may_pull()).
 */
int conenat_parse(struct sk_buff *skb, struct conenat_pkt *p, bool out)
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
	p->tcp_flags = 0;
	if (!pskb_may_pull(skb, p->thoff + conenat_l4_len(proto)))
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
