/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an entry lives in the mapping table: the bucket of each index and
 * the lock stripe that guards it, and the lock stripe of an internal host.
 * Pure functions of a secret key (hsiphash: keyed like siphash, made for
 * hash tables, cheaper per packet), built in userspace too by tests/unit.
 *
 * Every index spreads its entries over all its buckets by a keyed hash of
 * the full key, so that one host with many mappings gets no longer chains
 * than many hosts with few; a bucket's lock stripe is its number's low
 * CONENAT_LOCK_BITS.
 */
#ifndef _CONENAT_HASH_H
#define _CONENAT_HASH_H

#define CONENAT_LOCK_BITS	8
#define CONENAT_NLOCKS		BIT(CONENAT_LOCK_BITS)
#define CONENAT_MAX_HASH_BITS	24

struct conenat_hashing {
	hsiphash_key_t key;	/* random per table */
	unsigned int bits;	/* each index has 1 << bits buckets */
};

/* A hash bucket and the lock stripe that guards it. */
struct conenat_slot {
	u32 bucket;
	unsigned int lock;
};

/*
 * Buckets per index for a table of up to @max_mappings: about two entries
 * per bucket when full, never fewer buckets than lock stripes, at most
 * 1 << CONENAT_MAX_HASH_BITS.
 */
static inline unsigned int conenat_hash_bits(u32 max_mappings)
{
	u32 want = max_t(u32, max_mappings / 2, CONENAT_NLOCKS);

	return min_t(unsigned int, ilog2(roundup_pow_of_two(want)),
		     CONENAT_MAX_HASH_BITS);
}

/* The lock stripe of an internal host (struct conenat_table, host_lock). */
static inline unsigned int conenat_host_lock(const struct conenat_hashing *h,
					     __be32 int_addr)
{
	return jhash_1word((__force u32)int_addr, (u32)h->key.key[0]) &
	       (CONENAT_NLOCKS - 1);
}

static inline struct conenat_slot conenat_slot(const struct conenat_hashing *h,
					       u32 hash)
{
	u32 b = hash >> (32 - h->bits);

	return (struct conenat_slot){
		.bucket = b,
		.lock = b & (CONENAT_NLOCKS - 1),
	};
}

/* Inside index: (protocol, internal address, internal port). */
static inline struct conenat_slot
conenat_int_slot(const struct conenat_hashing *h, u8 proto, __be32 addr,
		 __be16 port)
{
	return conenat_slot(h, hsiphash_3u32((__force u32)addr,
					     (__force u32)port, proto,
					     &h->key));
}

/*
 * Outside index: (protocol, external address, external port). The
 * protocol is offset so that the two indexes never share a layout.
 */
static inline struct conenat_slot
conenat_ext_slot(const struct conenat_hashing *h, u8 proto, __be32 addr,
		 __be16 port)
{
	return conenat_slot(h, hsiphash_3u32((__force u32)addr,
					     (__force u32)port, proto + 0x100,
					     &h->key));
}

/* Connection index: (internal endpoint, remote endpoint), TCP only. */
static inline struct conenat_slot
conenat_conn_slot(const struct conenat_hashing *h, __be32 int_addr,
		  __be16 int_port, __be32 raddr, __be16 rport)
{
	u32 ports = (u32)ntohs(int_port) << 16 | ntohs(rport);

	return conenat_slot(h, hsiphash_3u32((__force u32)int_addr,
					     (__force u32)raddr, ports,
					     &h->key));
}

/*
 * Which of a pool of @nr external addresses an internal host uses (paired
 * pooling): the same one for as long as the table and the pool last.
 */
static inline unsigned int conenat_pool_index(const struct conenat_hashing *h,
					      __be32 int_addr, unsigned int nr)
{
	return reciprocal_scale(hsiphash_3u32((__force u32)int_addr, 0,
					      0x200, &h->key), nr);
}

#endif /* _CONENAT_HASH_H */
