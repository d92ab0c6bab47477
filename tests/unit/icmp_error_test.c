// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of conenat_rewrite_error() (kmod/rewrite.c): random ICMP
 * errors quoting UDP, TCP and ICMP echo packets, with IP options and
 * quotes from the bare 8 transport bytes to the whole packet, are
 * translated in both directions; then every checksum is checked against a
 * full recomputation: the outer IPv4 header, the ICMP message, the quoted
 * IPv4 header, and the quoted transport checksum over the whole original
 * packet (the quote's rewritten bytes plus the bytes the quote cut off).
 */
#include <stdio.h>
#include <stdlib.h>
#include "config.h"
#include "pkt.h"
#include "tap.h"
#include "csum.h"

#define ROUNDS 20000

static bool sums_to_zero(const void *buf, size_t len, u32 start)
{
	return fold(sum16(buf, len, start)) == 0xffff;
}

static void set_check(void *field, const void *buf, size_t len, u32 start)
{
	u16 c = ~fold(sum16(buf, len, start));
	u8 *f = field;

	f[0] = c >> 8;
	f[1] = c;
}

static u32 pseudo(const struct iphdr *iph, size_t l4len)
{
	return sum16(&iph->saddr, 8, 0) + iph->protocol + l4len;
}

/* A random IPv4 header of @ihl words, for @len bytes, checksum set. */
static void make_ip(struct iphdr *iph, unsigned int ihl, size_t len, u8 proto)
{
	unsigned int i;

	for (i = 0; i < ihl * 4; i++)
		((u8 *)iph)[i] = rand();
	iph->version = 4;
	iph->ihl = ihl;
	iph->tot_len = htons(len);
	iph->frag_off = 0;
	iph->protocol = proto;
	iph->check = 0;
	set_check(&iph->check, iph, ihl * 4, 0);
}

struct error {
	u8 buf[60 + 8 + 60 + 20 + 64];
	u8 orig[60 + 20 + 64];	/* the whole quoted packet before */
	size_t len, orig_len;
	struct conenat_pkt p;
	unsigned int l4len;	/* quoted packet's transport length */
	bool no_udp_csum;
};

static const u8 ipproto[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };

/* The quoted packet: a whole valid UDP, TCP or ICMP echo packet. */
static void make_quoted(struct error *e, int proto, bool out)
{
	static const u8 hdr[] = { 8, 20, 8 };
	unsigned int ihl = 5 + rand() % 11, i;
	struct iphdr *iph = (struct iphdr *)e->orig;
	u8 *l4;

	e->l4len = hdr[proto] + rand() % 64;
	e->orig_len = ihl * 4 + e->l4len;
	make_ip(iph, ihl, e->orig_len, ipproto[proto]);
	l4 = e->orig + ihl * 4;
	for (i = 0; i < e->l4len; i++)
		l4[i] = rand();
	e->no_udp_csum = false;
	if (proto == CONENAT_ICMP) {
		l4[0] = out ? ICMP_ECHOREPLY : ICMP_ECHO;
		l4[1] = 0;
		l4[2] = l4[3] = 0;
		set_check(l4 + 2, l4, e->l4len, 0);
	} else if (proto == CONENAT_UDP) {
		l4[4] = e->l4len >> 8;
		l4[5] = e->l4len;
		l4[6] = l4[7] = 0;
		e->no_udp_csum = rand() % 4 == 0;
		if (!e->no_udp_csum)
			set_check(l4 + 6, l4, e->l4len, pseudo(iph, e->l4len));
		/* A computed 0 is sent as 0xffff; 0 means none. */
		if (!e->no_udp_csum && !l4[6] && !l4[7])
			l4[6] = l4[7] = 0xff;
	} else {
		l4[12] = 5 << 4;
		l4[16] = l4[17] = 0;
		set_check(l4 + 16, l4, e->l4len, pseudo(iph, e->l4len));
	}
	e->p.proto = proto;
	e->p.ithoff = ihl * 4;	/* relative to the quote for now */
}

/* An ICMP error quoting a prefix of e->orig, as conenat_parse_error(). */
static void make_error(struct error *e, int proto, bool out)
{
	static const u8 types[] = { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED,
				    ICMP_PARAMETERPROB };
	static const unsigned int cut[] = { 8, 12, 18, 20 };
	unsigned int ihl = 5 + rand() % 11, quote, r = rand() % 5;
	struct iphdr *iph = (struct iphdr *)e->buf;
	struct icmphdr *ih;

	make_quoted(e, proto, out);
	quote = e->p.ithoff + (r < 4 ? cut[r] : e->l4len);
	if (quote > e->orig_len)
		quote = e->orig_len;
	e->p.thoff = ihl * 4;
	e->p.ioff = e->p.thoff + 8;
	e->p.ithoff += e->p.ioff;
	e->len = e->p.ioff + quote;
	make_ip(iph, ihl, e->len, IPPROTO_ICMP);
	ih = (struct icmphdr *)(e->buf + e->p.thoff);
	memset(ih, 0, 8);
	ih->type = types[rand() % 3];
	memcpy(e->buf + e->p.ioff, e->orig, quote);
	/* The outer address on the quoted endpoint's side: usually its own. */
	if (rand() % 4) {
		const struct iphdr *in = (const struct iphdr *)e->orig;

		if (out)
			iph->saddr = in->daddr;
		else
			iph->daddr = in->saddr;
		iph->check = 0;
		set_check(&iph->check, iph, ihl * 4, 0);
	}
	set_check(&ih->checksum, ih, e->len - e->p.thoff, 0);
}

struct verdict {
	unsigned int outer, icmp, inner_ip, inner_l4, fields;
};

static void check(struct error *e, bool out, __be32 a, __be16 port,
		  __be32 old_outer_match, struct verdict *v)
{
	const struct iphdr *iph = (const struct iphdr *)e->buf;
	const struct iphdr *in = (const struct iphdr *)(e->buf + e->p.ioff);
	const u8 *l4 = e->buf + e->p.ithoff;
	unsigned int ihl = in->ihl * 4, quoted = e->len - e->p.ithoff;
	u8 whole[sizeof(e->orig)];
	__be16 got;

	v->outer += !sums_to_zero(iph, iph->ihl * 4, 0);
	v->icmp += !sums_to_zero(e->buf + e->p.thoff, e->len - e->p.thoff, 0);
	v->inner_ip += !sums_to_zero(in, ihl, 0);

	/* The quote as rewritten, completed by the bytes it left out. */
	memcpy(whole, e->orig, e->orig_len);
	memcpy(whole, in, e->len - e->p.ioff);
	if (e->p.proto == CONENAT_ICMP) {
		v->inner_l4 += !sums_to_zero(whole + ihl, e->l4len, 0);
		memcpy(&got, l4 + 4, 2);
	} else {
		unsigned int at = e->p.proto == CONENAT_UDP ? 6 : 16;
		const struct iphdr *w = (const struct iphdr *)whole;

		if (e->no_udp_csum)
			v->inner_l4 += l4[6] || l4[7];
		else if (quoted >= at + 2)
			v->inner_l4 += !sums_to_zero(whole + ihl, e->l4len,
						     pseudo(w, e->l4len));
		memcpy(&got, l4 + (out ? 2 : 0), 2);
	}
	v->fields += got != port || (out ? in->daddr : in->saddr) != a ||
		     (old_outer_match &&
		      (out ? iph->saddr : iph->daddr) != a);
}

static void test_random(int proto, bool out, const char *name)
{
	struct verdict v = { 0 };
	struct error e;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		struct sk_buff skb;
		const struct iphdr *iph = (const struct iphdr *)e.buf;
		const struct iphdr *in;
		__be32 a = rand(), match;
		__be16 port = rand();

		make_error(&e, proto, out);
		in = (const struct iphdr *)(e.buf + e.p.ioff);
		match = out ? iph->saddr == in->daddr :
			      iph->daddr == in->saddr;
		skb.data = e.buf;
		skb.len = e.len;
		skb.ip_summed = CHECKSUM_NONE;
		conenat_rewrite_error(&skb, &e.p, out, a, port);
		check(&e, out, a, port, match, &v);
	}
	ok(!v.outer, "%s: outer IPv4 checksum (%u wrong)", name, v.outer);
	ok(!v.icmp, "%s: ICMP checksum (%u wrong)", name, v.icmp);
	ok(!v.inner_ip, "%s: quoted IPv4 checksum (%u wrong)", name,
	   v.inner_ip);
	ok(!v.inner_l4, "%s: quoted transport checksum when quoted (%u wrong)",
	   name, v.inner_l4);
	ok(!v.fields, "%s: quoted endpoint and matching outer address rewritten (%u wrong)",
	   name, v.fields);
}

/* An error the router made keeps the router's outer address. */
static void test_router_address_kept(void)
{
	struct iphdr *iph;
	struct error e;
	struct sk_buff skb;
	__be32 router;

	make_error(&e, CONENAT_UDP, true);
	iph = (struct iphdr *)e.buf;
	router = iph->saddr ^ htonl(1);
	iph->saddr = router;
	skb.data = e.buf;
	skb.len = e.len;
	skb.ip_summed = CHECKSUM_NONE;
	conenat_rewrite_error(&skb, &e.p, true, htonl(0xcb007101), htons(20000));
	ok(iph->saddr == router, "a router's error keeps its source address");
}

/*
 * The ICMP checksum is updated, not computed anew: an error that arrived
 * corrupted stays detectably corrupted (the module drops it first).
 */
static void test_bad_checksum_stays_bad(void)
{
	unsigned int i, fixed = 0;
	struct error e;
	struct sk_buff skb;
	u8 *c;

	for (i = 0; i < ROUNDS; i++) {
		bool out = rand() % 2;

		make_error(&e, rand() % 3, out);
		c = e.buf + e.p.thoff + 2;
		c[rand() % 2] ^= 1 << (rand() % 8);
		skb.data = e.buf;
		skb.len = e.len;
		skb.ip_summed = CHECKSUM_NONE;
		conenat_rewrite_error(&skb, &e.p, out, rand(), rand());
		fixed += sums_to_zero(e.buf + e.p.thoff, e.len - e.p.thoff, 0);
	}
	ok(!fixed, "a corrupted ICMP checksum stays wrong (%u made valid)",
	   fixed);
}

int main(void)
{
	srand(5508);
	test_random(CONENAT_UDP, false, "udp, arriving");
	test_random(CONENAT_TCP, false, "tcp, arriving");
	test_random(CONENAT_ICMP, false, "icmp echo, arriving");
	test_random(CONENAT_UDP, true, "udp, leaving");
	test_random(CONENAT_TCP, true, "tcp, leaving");
	test_random(CONENAT_ICMP, true, "icmp echo, leaving");
	test_router_address_kept();
	test_bad_checksum_stays_bad();
	return tap_done();
}
