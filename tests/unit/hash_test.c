// SPDX-License-Identifier: GPL-2.0
/*
 * Bucket and lock arithmetic of the mapping table (kmod/hash.h): every
 * bucket is inside its index, an entry keeps its lock stripe in an index
 * of any size, indexes are resized to fit and stay so, and one host with
 * many mappings spreads over the whole index instead of a slice of it. The hash functions are
 * the shim's stand-ins; what is tested holds for any good hash.
 */
#include <stdlib.h>
#include "config.h"
#include "hash.h"
#include "tap.h"

static u32 rnd(void)
{
	return (u32)random() << 1 ^ (u32)random();
}

static hsiphash_key_t hashkey(void)
{
	hsiphash_key_t k;

	k.key[0] = (u64)rnd() << 32 | rnd();
	k.key[1] = (u64)rnd() << 32 | rnd();
	return k;
}

static void test_sizing(void)
{
	unsigned int i, bad = 0, unstable = 0;

	ok(conenat_index_bits(CONENAT_MIN_HASH_BITS, 0) ==
	   CONENAT_MIN_HASH_BITS,
	   "an empty index keeps the smallest size");
	ok(conenat_index_bits(5, 64) == 5, "32 buckets hold 64 entries");
	ok(conenat_index_bits(5, 65) == 7, "65 entries: 128 buckets");
	ok(conenat_index_bits(16, 16384) == 16,
	   "65536 buckets keep 16384 entries");
	ok(conenat_index_bits(16, 16383) == 14, "16383 entries: 16384 buckets");
	ok(conenat_index_bits(16, 0) == CONENAT_MIN_HASH_BITS,
	   "an emptied index shrinks to the smallest size");
	ok(conenat_index_bits(CONENAT_MAX_HASH_BITS, CONENAT_MAX_MAPPINGS * 4) ==
	   CONENAT_MAX_HASH_BITS,
	   "the largest index stays within %d bits", CONENAT_MAX_HASH_BITS);
	/* A resize lands where the next entry does not resize it back. */
	for (i = 0; i < 100000; i++) {
		unsigned int bits = CONENAT_MIN_HASH_BITS +
			rnd() % (CONENAT_MAX_HASH_BITS - CONENAT_MIN_HASH_BITS + 1);
		u32 n = rnd() % (CONENAT_MAX_MAPPINGS * 2);
		unsigned int to = conenat_index_bits(bits, n);

		bad += to < CONENAT_MIN_HASH_BITS || to > CONENAT_MAX_HASH_BITS;
		unstable += to != bits && (conenat_index_bits(to, n + 1) != to ||
					   (n && conenat_index_bits(to, n - 1) != to));
	}
	ok(!bad && !unstable,
	   "resized to fit, within bounds, and stable at its new size (%u, %u bad)",
	   bad, unstable);
}

/*
 * An entry's lock stripe is the stripe of its bucket in an index of any
 * size, so a resize moves it under the lock its writers take.
 */
static void test_stripes(void)
{
	unsigned int bits, i, bad = 0;

	for (i = 0; i < 100000; i++) {
		u32 h = rnd();

		for (bits = CONENAT_MIN_HASH_BITS;
		     bits <= CONENAT_MAX_HASH_BITS; bits++) {
			u32 b = conenat_bucket_of(h, bits);

			bad += b >= (1U << bits) ||
			       conenat_stripe(b) != conenat_stripe(h);
		}
		bad += conenat_stripe(h) >= CONENAT_NLOCKS;
	}
	ok(!bad, "buckets inside the index, one stripe per entry at any size (%u bad)",
	   bad);
}

/* The longest chain when one host has @n mappings in a 2^@bits index. */
static unsigned int longest_chain(unsigned int bits, unsigned int n,
				  bool ext)
{
	hsiphash_key_t k = hashkey();
	unsigned int *len = calloc(1U << bits, sizeof(*len)), max = 0, i;
	__be32 host = htonl(0x0a000102);

	for (i = 0; i < n; i++) {
		__be16 port = htons(1024 + i);
		u32 b = conenat_bucket_of(ext ?
			conenat_ext_hash(&k, CONENAT_UDP, host, port) :
			conenat_int_hash(&k, CONENAT_UDP, host, port), bits);

		if (++len[b] > max)
			max = len[b];
	}
	free(len);
	return max;
}

static void test_one_host_spreads(void)
{
	/* 2 mappings per bucket on average; a uniform hash stays near 10. */
	unsigned int in = longest_chain(15, 64000, false);
	unsigned int out = longest_chain(15, 64000, true);

	ok(in <= 16, "one host, 64000 mappings, 32768 buckets: inside chains <= 16 (%u)",
	   in);
	ok(out <= 16, "one host, 64000 mappings, 32768 buckets: outside chains <= 16 (%u)",
	   out);
}

static void test_indexes_independent(void)
{
	hsiphash_key_t k = hashkey();
	int i, same = 0;

	for (i = 0; i < 10000; i++) {
		__be32 a = rnd();
		__be16 p = rnd();

		same += conenat_bucket_of(conenat_int_hash(&k, CONENAT_UDP, a, p),
					  16) ==
			conenat_bucket_of(conenat_ext_hash(&k, CONENAT_UDP, a, p),
					  16);
	}
	ok(same < 10, "inside and outside index lay the same key apart (%d same)",
	   same);
}

static void test_keyed(void)
{
	hsiphash_key_t a = hashkey(), b = hashkey();
	int i, moved = 0, stable = 1;

	for (i = 0; i < 10000; i++) {
		__be32 addr = rnd();
		__be16 p = rnd();
		u32 h = conenat_int_hash(&a, CONENAT_TCP, addr, p);

		stable &= h == conenat_int_hash(&a, CONENAT_TCP, addr, p);
		moved += conenat_bucket_of(h, 16) !=
			 conenat_bucket_of(conenat_int_hash(&b, CONENAT_TCP,
							    addr, p), 16);
	}
	ok(stable, "same key, same bucket");
	ok(moved > 9900, "another key lays the table out anew (%d of 10000 moved)",
	   moved);
}

/* Paired pooling: one address per host, and the hosts spread evenly. */
static void test_pool_index(void)
{
	hsiphash_key_t h = hashkey();
	unsigned int n[5] = {}, i, lo = ~0U, hi = 0;
	int stable = 1, inside = 1;

	for (i = 0; i < 50000; i++) {
		__be32 addr = rnd();
		unsigned int k = conenat_pool_index(&h, addr, 5);

		inside &= k < 5;
		stable &= k == conenat_pool_index(&h, addr, 5);
		if (k < 5)
			n[k]++;
	}
	for (i = 0; i < 5; i++) {
		lo = n[i] < lo ? n[i] : lo;
		hi = n[i] > hi ? n[i] : hi;
	}
	ok(inside && stable, "a host always gets the same address of the pool");
	ok(lo > 9000 && hi < 11000, "hosts spread over a pool of 5 (%u..%u of 50000)",
	   lo, hi);
	ok(conenat_pool_index(&h, rnd(), 1) == 0, "a pool of one: its address");
}

int main(void)
{
	srandom(2);
	test_sizing();
	test_pool_index();
	test_stripes();
	test_one_host_spreads();
	test_indexes_independent();
	test_keyed();
	return tap_done();
}
