/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thin shim that lets the module's pure files (kmod/config.c,
 * kmod/rewrite.c) build in userspace: kernel integer types, a minimal
 * sk_buff, and the kernel's checksum helpers with the kernel's semantics
 * for CHECKSUM_NONE and CHECKSUM_PARTIAL (net/core/utils.c).
 */
#ifndef CONENAT_UNIT_SHIM_H
#define CONENAT_UNIT_SHIM_H

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
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

#define CHECKSUM_NONE		0
#define CHECKSUM_PARTIAL	3
#define CSUM_MANGLED_0		((__sum16)0xffff)

struct sk_buff {
	unsigned char *data;
	u8 ip_summed;
};

static inline struct iphdr *ip_hdr(const struct sk_buff *skb)
{
	return (struct iphdr *)skb->data;
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
