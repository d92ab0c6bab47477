/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an entry lives in the mapping table: the hash of its key in each
 * index, the lock stripe that guards it, its bucket in an index of a given
 * size, and the size an index is to have for its number of entries. Pure
 * functions of a secret key (hsiphash: keyed like siphash, made for hash
 * tables, cheaper per packet), built in userspace too by tests/unit.
 *
 * Every index spreads its entries over all its buckets by a keyed hash of
 * the full key, so that one host with many mappings gets no longer chains
 * than many hosts with few. An entry's bucket is its hash's low bits, and
 * its lock stripe the lowest CONENAT_LOCK_BITS of them: since no index has
 * fewer buckets than stripes, a bucket is guarded by one stripe, and an
 * entry by the same stripe whatever the size of its index (see index.h).
 */
#ifndef _CONENAT_HASH_H
#define _CONENAT_HASH_H

#define CONENAT_LOCK_BITS	5
#define CONENAT_NLOCKS		BIT(CONENAT_LOCK_BITS)
#define CONENAT_MIN_HASH_BITS	CONENAT_LOCK_BITS
#define CONENAT_MAX_HASH_BITS	24

/* The lock stripe of the entry whose hash is @hash, in any index size. */
static inline unsigned int conenat_stripe(u32 hash)
{
	return hash & (CONENAT_NLOCKS - 1);
}

/* The bucket of @hash in an index of 1 << @bits buckets. */
static inline u32 conenat_bucket_of(u32 hash, unsigned int bits)
{
	return hash & ((1U << bits) - 1);
}

/*
 * The size (in bits) that an index of 1 << @bits buckets holding @n
 * entries is to have: @bits while it holds from one entry per four
 * buckets to two per bucket; outside that, about one entry per bucket,
 * within CONENAT_MIN_HASH_BITS and CONENAT_MAX_HASH_BITS. The gap between
 * growing and shrinking keeps an index that stays near one size from
 * being resized back and forth.
 */
static inline unsigned int conenat_index_bits(unsigned int bits, u32 n)
{
	unsigned int want;

	if (n <= (2U << bits) && n >= (1U << bits) / 4)
		return bits;
	want = ilog2(roundup_pow_of_two(n ? n : 1));
	if (want < CONENAT_MIN_HASH_BITS)
		return CONENAT_MIN_HASH_BITS;
	return want > CONENAT_MAX_HASH_BITS ? CONENAT_MAX_HASH_BITS : want;
}

/* Inside index: (protocol, internal address, internal port). */
static inline u32 conenat_int_hash(const hsiphash_key_t *key, u8 proto,
				   __be32 addr, __be16 port)
{
	return hsiphash_3u32((__force u32)addr, (__force u32)port, proto, key);
}

/*
 * Outside index: (protocol, external address, external port). The
 * protocol is offset so that the two indexes never share a layout.
 */
static inline u32 conenat_ext_hash(const hsiphash_key_t *key, u8 proto,
				   __be32 addr, __be16 port)
{
	return hsiphash_3u32((__force u32)addr, (__force u32)port,
			     proto + 0x100, key);
}

/* Connection index: (internal endpoint, remote endpoint), TCP only. */
static inline u32 conenat_conn_hash(const hsiphash_key_t *key,
				    __be32 int_addr, __be16 int_port,
				    __be32 raddr, __be16 rport)
{
	u32 ports = (u32)ntohs(int_port) << 16 | ntohs(rport);

	return hsiphash_3u32((__force u32)int_addr, (__force u32)raddr, ports,
			     key);
}

/*
 * Host index: internal address. Its stripe is the host's host_lock (see
 * struct conenat_table).
 */
static inline u32 conenat_host_hash(const hsiphash_key_t *key,
				    __be32 int_addr)
{
	return jhash_1word((__force u32)int_addr, (u32)key->key[0]);
}

/*
 * Which of a pool of @nr external addresses an internal host uses (paired
 * pooling): the same one for as long as the table and the pool last.
 */
static inline unsigned int conenat_pool_index(const hsiphash_key_t *key,
					      __be32 int_addr, unsigned int nr)
{
	return reciprocal_scale(hsiphash_3u32((__force u32)int_addr, 0,
					      0x200, key), nr);
}

#endif /* _CONENAT_HASH_H */
