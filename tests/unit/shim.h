/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thin shim that lets the module's pure files (kmod/config.c,
 * kmod/portalloc.c, kmod/parse.c, kmod/rewrite.c, kmod/hash.h) build in
 * userspace:
 * kernel integer types and helpers, a minimal sk_buff, the kernel's
 * checksum helpers with the kernel's semantics for CHECKSUM_NONE and
 * CHECKSUM_PARTIAL (net/core/utils.c), and stand-ins for hsiphash and
 * jhash: the unit tests check the bucket and lock arithmetic around the
 * hash functions, which must hold for any hash, not the functions.
 */
#ifndef CONENAT_UNIT_SHIM_H
#define CONENAT_UNIT_SHIM_H

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define BIT(n) (1UL << (n))
#define __force

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define HZ 1000

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))

static inline u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

static inline unsigned int ilog2(u32 n)
{
	return 31 - __builtin_clz(n);
}

static inline u32 roundup_pow_of_two(u32 n)
{
	return n <= 1 ? 1 : 1U << (32 - __builtin_clz(n - 1));
}

typedef struct {
	unsigned long key[2];
} hsiphash_key_t;

/* Stand-in mixer (splitmix64's finaliser), not the kernel's algorithm. */
static inline u64 shim_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline u32 hsiphash_3u32(u32 a, u32 b, u32 c,
				const hsiphash_key_t *key)
{
	return (u32)shim_mix(shim_mix(key->key[0] ^ ((u64)a << 32 | b)) ^
			     key->key[1] ^ c);
}

static inline u32 jhash_1word(u32 a, u32 initval)
{
	return (u32)shim_mix((u64)initval << 32 | a);
}

#define CHECKSUM_NONE		0
#define CHECKSUM_PARTIAL	3
#define CSUM_MANGLED_0		((__sum16)0xffff)

struct sk_buff {
	unsigned char *data;
	unsigned int len;
	u8 ip_summed;
	unsigned int end;	/* room in data, for nlshim.h's nla_put() */
};

#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

static inline struct iphdr *ip_hdr(const struct sk_buff *skb)
{
	return (struct iphdr *)skb->data;
}

/* The data is linear: it may be "pulled" as far as it goes. */
static inline bool pskb_may_pull(struct sk_buff *skb, unsigned int len)
{
	return len <= skb->len;
}

#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF

static inline bool ip_is_fragment(const struct iphdr *iph)
{
	return (iph->frag_off & htons(IP_MF | IP_OFFSET)) != 0;
}

/* One's complement sum of 32-bit words, as the kernel's csum_add. */
static inline u32 shim_csum_add(u32 sum, u32 x)
{
	sum += x;
	return sum + (sum < x);
}

static inline __sum16 shim_csum_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}

/* *sum = fold(~*sum - from + to), i.e. csum_replace4 / replace by diff. */
static inline __sum16 shim_replace(__sum16 sum, u32 from, u32 to)
{
	u32 s = shim_csum_add((u16)~sum, ~from);

	return shim_csum_fold(shim_csum_add(s, to));
}

static inline void csum_replace4(__sum16 *sum, __be32 from, __be32 to)
{
	*sum = shim_replace(*sum, from, to);
}

static inline void csum_replace2(__sum16 *sum, __be16 from, __be16 to)
{
	*sum = shim_replace(*sum, from, to);
}

/* The folded, inverted checksum of @len bytes, in memory order. */
static inline __sum16 ip_compute_csum(const void *buf, int len)
{
	const unsigned char *b = buf;
	u32 sum = 0;
	u16 w;
	int i;

	for (i = 0; i + 1 < len; i += 2) {
		memcpy(&w, b + i, 2);
		sum = shim_csum_add(sum, w);
	}
	if (len & 1) {
		w = 0;
		memcpy(&w, b + len - 1, 1);
		sum = shim_csum_add(sum, w);
	}
	return shim_csum_fold(sum);
}

static inline void inet_proto_csum_replace4(__sum16 *sum, struct sk_buff *skb,
					    __be32 from, __be32 to,
					    bool pseudohdr)
{
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		*sum = shim_replace(*sum, from, to);
	else if (pseudohdr)	/* the field holds ~pseudo-header sum */
		*sum = (__sum16)~shim_replace((__sum16)~*sum, from, to);
}

static inline void inet_proto_csum_replace2(__sum16 *sum, struct sk_buff *skb,
					    __be16 from, __be16 to,
					    bool pseudohdr)
{
	inet_proto_csum_replace4(sum, skb, (u32)from, (u32)to, pseudohdr);
}

#endif
