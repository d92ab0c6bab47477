// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/rewrite.c: random UDP, TCP and ICMP echo packets are
 * rewritten in place, and every checksum is then checked against a full
 * recomputation over the new bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include "config.h"
#include "pkt.h"
#include "tap.h"
#include "csum.h"

#define ROUNDS 20000

static u32 pseudo_sum(const struct iphdr *iph, size_t l4len)
{
	u32 sum = sum16(&iph->saddr, 8, 0);

	return sum + iph->protocol + l4len;
}

static void put16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = v >> 8;
	b[1] = v;
}

struct packet {
	u8 buf[20 + 40 + 20 + 256];
	size_t len, l4len;
	struct conenat_pkt p;
	__sum16 *check;		/* transport checksum field */
	bool partial;
};

/* A random valid packet: header options, payload and checksums. */
static void make_packet(struct packet *k, int proto)
{
	static const u8 ipproto[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };
	static const u8 hdrlen[] = { 8, 20, 8 };
	struct iphdr *iph = (struct iphdr *)k->buf;
	unsigned int ihl = 5 + rand() % 11, i;
	u8 *l4;

	memset(k, 0, sizeof(*k));
	k->l4len = hdrlen[proto] + rand() % 256;
	k->len = ihl * 4 + k->l4len;
	for (i = 0; i < k->len; i++)
		k->buf[i] = rand();
	iph->version = 4;
	iph->ihl = ihl;
	iph->tot_len = htons(k->len);
	iph->protocol = ipproto[proto];
	iph->check = 0;
	iph->check = htons(~fold(sum16(iph, ihl * 4, 0)));

	l4 = k->buf + ihl * 4;
	k->p.thoff = ihl * 4;
	k->p.proto = proto;
	if (proto == CONENAT_ICMP) {
		struct icmphdr *ih = (struct icmphdr *)l4;

		ih->type = ICMP_ECHO;
		ih->code = 0;
		k->check = &ih->checksum;
		*k->check = 0;
		*k->check = htons(~fold(sum16(l4, k->l4len, 0)));
		return;
	}
	k->check = (__sum16 *)(l4 + (proto == CONENAT_UDP ? 6 : 16));
	if (proto == CONENAT_UDP)
		put16(l4 + 4, k->l4len);
	if (proto == CONENAT_TCP)
		l4[12] = 5 << 4;
	*k->check = 0;
	k->partial = rand() % 4 == 0;
	if (k->partial) {
		/* As a local stack leaves it for offload: ~pseudo-header. */
		*k->check = htons(fold(pseudo_sum(iph, k->l4len)));
	} else if (proto == CONENAT_UDP && rand() % 4 == 0) {
		/* no UDP checksum */
	} else {
		u16 c = ~fold(sum16(l4, k->l4len, pseudo_sum(iph, k->l4len)));

		*k->check = htons(proto == CONENAT_UDP && !c ? 0xffff : c);
	}
}

static bool l4_ok(const struct packet *k, bool was_zero)
{
	const struct iphdr *iph = (const struct iphdr *)k->buf;
	const u8 *l4 = k->buf + k->p.thoff;

	if (k->p.proto == CONENAT_ICMP)
		return fold(sum16(l4, k->l4len, 0)) == 0xffff;
	/* 0x0000 and 0xffff are both zero in one's complement. */
	if (k->partial)
		return ntohs(*k->check) % 0xffff ==
		       fold(pseudo_sum(iph, k->l4len)) % 0xffff;
	/* Only UDP gives 0 a meaning: no checksum. */
	if (was_zero && k->p.proto == CONENAT_UDP)
		return *k->check == 0;
	if (k->p.proto == CONENAT_UDP && !*k->check)
		return false;
	return fold(sum16(l4, k->l4len, pseudo_sum(iph, k->l4len))) == 0xffff;
}

static bool fields_ok(const struct packet *k, bool src, __be32 a, __be16 port)
{
	const struct iphdr *iph = (const struct iphdr *)k->buf;
	const u8 *l4 = k->buf + k->p.thoff;
	__be16 got;

	if (k->p.proto == CONENAT_ICMP)
		memcpy(&got, l4 + 4, 2);
	else
		memcpy(&got, l4 + (src ? 0 : 2), 2);
	return (src ? iph->saddr : iph->daddr) == a && got == port;
}

static void test_random(int proto, const char *name)
{
	unsigned int i, bad_ip = 0, bad_l4 = 0, bad_fields = 0;
	struct packet k;

	for (i = 0; i < ROUNDS; i++) {
		struct sk_buff skb;
		bool src = rand() & 1, was_zero;
		__be32 a = rand();
		__be16 port = rand();

		make_packet(&k, proto);
		skb.data = k.buf;
		skb.ip_summed = k.partial ? CHECKSUM_PARTIAL : CHECKSUM_NONE;
		was_zero = !*k.check;
		conenat_rewrite(&skb, &k.p, src, a, port);
		bad_ip += fold(sum16(k.buf, k.p.thoff, 0)) != 0xffff;
		bad_l4 += !l4_ok(&k, was_zero);
		bad_fields += !fields_ok(&k, src, a, port);
	}
	ok(!bad_ip, "%s: IPv4 checksum right after %d rewrites (%u wrong)",
	   name, ROUNDS, bad_ip);
	ok(!bad_l4, "%s: transport checksum right after %d rewrites (%u wrong)",
	   name, ROUNDS, bad_l4);
	ok(!bad_fields, "%s: address and port rewritten (%u wrong)", name,
	   bad_fields);
}

/* A rewrite whose correct UDP checksum is 0 must send 0xffff instead. */
static void test_udp_mangled_zero(void)
{
	unsigned int i, found = 0;
	struct packet k;

	/* About one in 65536 rewrites: enough tries whatever the byte order. */
	for (i = 0; i < 2000000 && !found; i++) {
		struct sk_buff skb;
		__be16 port = rand();
		__be32 a = rand();

		make_packet(&k, CONENAT_UDP);
		if (k.partial || !*k.check)
			continue;
		skb.data = k.buf;
		skb.ip_summed = CHECKSUM_NONE;
		conenat_rewrite(&skb, &k.p, true, a, port);
		if (ntohs(*k.check) == 0xffff)
			found = l4_ok(&k, false);
	}
	ok(found, "UDP checksum that computes to 0 is sent as 0xffff");
}

int main(void)
{
	srand(4787);
	test_random(CONENAT_UDP, "udp");
	test_random(CONENAT_TCP, "tcp");
	test_random(CONENAT_ICMP, "icmp echo");
	test_udp_mangled_zero();
	return tap_done();
}
