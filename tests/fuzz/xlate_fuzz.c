// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target over the module's pure packet core: kmod/parse.c and
 * kmod/rewrite.c, built in userspace against tests/unit/shim.h. Input:
 * one byte of choices, then an IPv4 packet. The packet gets what ip_rcv()
 * guarantees before any hook (version 4, IHL >= 5, total length within
 * the data, trimmed to it), sits in a buffer of exactly its length so
 * that ASan sees any overread, and is parsed both ways; what parses is
 * rewritten, and the rewrite must keep every checksum that held:
 *
 *   - the IPv4 header checksum, always;
 *   - a UDP or TCP checksum over the pseudo-header, an ICMP checksum;
 *   - for an ICMP error: its checksum (computed anew), the quoted IPv4
 *     header's, and the quoted transport checksum when it is all there.
 *
 * Built with libFuzzer by tests/fuzz/run.sh (make fuzz); built with a
 * replay main by tests/unit/run.sh, which runs every file of
 * tests/fuzz/corpus through it, so a crash once found stays a test.
 */
#include <stdlib.h>
#include "config.h"
#include "pkt.h"
#include "csum.h"

#define CHOICE_OUT	0x01	/* parse as leaving (else arriving) */
#define CHOICE_DST	0x02	/* rewrite the destination */
#define CHOICE_PARTIAL	0x04	/* CHECKSUM_PARTIAL: leave L4 sums alone */

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool ip_sum_ok(const u8 *iph)
{
	return fold(sum16(iph, (iph[0] & 15) * 4, 0)) == 0xffff;
}

/* Whether the transport checksum at @l4 (@len bytes) holds. */
static bool l4_sum_ok(const u8 *iph, const u8 *l4, unsigned int len,
		      u8 proto)
{
	u32 sum = 0;

	if (proto != IPPROTO_ICMP) {
		sum = sum16(iph + 12, 8, 0);
		sum += proto + len;
	}
	return fold(sum16(l4, len, sum)) == 0xffff;
}

/* A plain packet: rewrite one side, then every checksum that held holds. */
static void rewrite_plain(struct sk_buff *skb, const struct conenat_pkt *p,
			  bool src, __be32 naddr, __be16 nport)
{
	const u8 *iph = skb->data, *l4 = skb->data + p->thoff;
	unsigned int l4len = skb->len - p->thoff;
	u8 proto = iph[9];
	bool udp_none = proto == IPPROTO_UDP && !l4[6] && !l4[7];
	bool l4_ok = l4_sum_ok(iph, l4, l4len, proto);
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL;

	conenat_rewrite(skb, p, src, naddr, nport);
	check(ip_sum_ok(iph));
	if (udp_none && !partial)
		check(!l4[6] && !l4[7]);	/* none stays none */
	else if (l4_ok && !partial)
		check(l4_sum_ok(iph, l4, l4len, proto));
	/* A rewritten UDP checksum is never 0, which would mean none. */
	if (proto == IPPROTO_UDP && !udp_none && !partial)
		check(l4[6] || l4[7]);
}

/* An ICMP error: its checksums stay right where they were right. */
static void rewrite_error(struct sk_buff *skb, const struct conenat_pkt *p,
			  bool out, __be32 naddr, __be16 nport)
{
	const u8 *inner = skb->data + p->ioff, *q = skb->data + p->ithoff;
	unsigned int qlen = skb->len - p->ithoff;
	u8 proto = inner[9];
	bool inner_ok = ip_sum_ok(inner);
	unsigned int want = proto == IPPROTO_TCP ? 20 : 8;
	/* The quote's own transport length is in the quoted IPv4 header. */
	unsigned int full = ((inner[2] << 8 | inner[3]) - (inner[0] & 15) * 4);
	bool whole = qlen == full && full >= want;
	bool q_ok = whole && l4_sum_ok(inner, q, qlen, proto) &&
		    !(proto == IPPROTO_UDP && !q[6] && !q[7]);
	bool icmp_ok = l4_sum_ok(skb->data, skb->data + p->thoff,
				 skb->len - p->thoff, IPPROTO_ICMP);

	conenat_rewrite_error(skb, p, out, naddr, nport);
	check(ip_sum_ok(skb->data));
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		check(l4_sum_ok(skb->data, skb->data + p->thoff,
				skb->len - p->thoff, IPPROTO_ICMP) == icmp_ok);
	if (inner_ok)
		check(ip_sum_ok(inner));
	if (q_ok)
		check(l4_sum_ok(inner, q, qlen, proto));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sk_buff skb = { 0 };
	struct conenat_pkt p;
	unsigned int ihl, tot;
	__be32 naddr = htonl(0xc0000201);	/* 192.0.2.1 */
	__be16 nport;
	u8 choice;

	if (size < 1 + 20)
		return 0;
	choice = data[0];
	data++;
	size--;
	ihl = (data[0] & 15) * 4;
	tot = data[2] << 8 | data[3];
	if (data[0] >> 4 != 4 || ihl < 20 || tot < ihl || tot > size ||
	    tot > 65535)
		return 0;
	skb.len = tot;
	skb.data = malloc(tot);
	if (!skb.data)
		return 0;
	memcpy(skb.data, data, tot);
	/* As ip_rcv() would have it: a valid header checksum. */
	skb.data[10] = skb.data[11] = 0;
	*(__sum16 *)(skb.data + 10) = ip_compute_csum(skb.data, ihl);
	skb.ip_summed = choice & CHOICE_PARTIAL ? CHECKSUM_PARTIAL :
						  CHECKSUM_NONE;
	nport = htons(20000 + (choice >> 3));

	if (!conenat_parse(&skb, &p, choice & CHOICE_OUT)) {
		check(p.thoff == ihl && p.proto < CONENAT_NPROTO);
		if (p.ioff) {
			check(p.ithoff + 8 <= skb.len);
			rewrite_error(&skb, &p, choice & CHOICE_OUT, naddr,
				      nport);
		} else {
			check(p.thoff + conenat_l4_len(p.proto) <= skb.len);
			rewrite_plain(&skb, &p, !(choice & CHOICE_DST), naddr,
				      nport);
		}
	}
	free(skb.data);
	return 0;
}
