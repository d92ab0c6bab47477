// SPDX-License-Identifier: GPL-2.0
/*
 * Bucket and lock arithmetic of the mapping table (kmod/hash.h): every
 * slot is inside its index and guarded by its bucket's stripe, tables are
 * sized from the mapping limit, and one host with many mappings spreads
 * over the whole index instead of a slice of it. The hash functions are
 * the shim's stand-ins; what is tested holds for any good hash.
 */
#include <stdlib.h>
#include "conenat.h"
#include "hash.h"
#include "tap.h"

static u32 rnd(void)
{
	return (u32)random() << 1 ^ (u32)random();
}

static struct conenat_hashing hashing(unsigned int bits)
{
	struct conenat_hashing h = { .bits = bits };

	h.key.key[0] = (u64)rnd() << 32 | rnd();
	h.key.key[1] = (u64)rnd() << 32 | rnd();
	return h;
}

static void test_sizing(void)
{
	ok(conenat_hash_bits(1) == CONENAT_LOCK_BITS,
	   "a tiny table still has one bucket per lock stripe");
	ok(conenat_hash_bits(4096) == 11, "4096 mappings: 2048 buckets");
	ok(conenat_hash_bits(3000) == 11, "3000 mappings: 2048 buckets");
	ok(conenat_hash_bits(1 << 20) == 19, "1M mappings: 512K buckets");
	ok(conenat_hash_bits(CONENAT_MAX_MAPPINGS) <= CONENAT_MAX_HASH_BITS,
	   "the largest table stays within %d bits", CONENAT_MAX_HASH_BITS);
}

static int slot_bad(const struct conenat_hashing *h, struct conenat_slot s)
{
	return s.bucket >= (1U << h->bits) ||
	       s.lock != (s.bucket & (CONENAT_NLOCKS - 1));
}

static void test_slots_in_range(unsigned int bits)
{
	struct conenat_hashing h = hashing(bits);
	int i, bad = 0, hl_bad = 0;

	for (i = 0; i < 100000; i++) {
		__be32 a = rnd(), r = rnd();
		__be16 p = rnd(), rp = rnd();

		bad += slot_bad(&h, conenat_int_slot(&h, i % 3, a, p));
		bad += slot_bad(&h, conenat_ext_slot(&h, i % 3, a, p));
		bad += slot_bad(&h, conenat_conn_slot(&h, a, p, r, rp));
		hl_bad += conenat_host_lock(&h, a) >= CONENAT_NLOCKS;
	}
	ok(!bad && !hl_bad,
	   "%u bits: slots inside the index, lock = bucket stripe (%d, %d bad)",
	   bits, bad, hl_bad);
}

/* The longest chain when one host has @n mappings in a 2^@bits index. */
static unsigned int longest_chain(unsigned int bits, unsigned int n,
				  bool ext)
{
	struct conenat_hashing h = hashing(bits);
	unsigned int *len = calloc(1U << bits, sizeof(*len)), max = 0, i;
	__be32 host = htonl(0x0a000102);

	for (i = 0; i < n; i++) {
		__be16 port = htons(1024 + i);
		struct conenat_slot s = ext ?
			conenat_ext_slot(&h, CONENAT_UDP, host, port) :
			conenat_int_slot(&h, CONENAT_UDP, host, port);

		if (++len[s.bucket] > max)
			max = len[s.bucket];
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
	struct conenat_hashing h = hashing(16);
	int i, same = 0;

	for (i = 0; i < 10000; i++) {
		__be32 a = rnd();
		__be16 p = rnd();

		same += conenat_int_slot(&h, CONENAT_UDP, a, p).bucket ==
			conenat_ext_slot(&h, CONENAT_UDP, a, p).bucket;
	}
	ok(same < 10, "inside and outside index lay the same key apart (%d same)",
	   same);
}

static void test_keyed(void)
{
	struct conenat_hashing a = hashing(16), b = hashing(16);
	int i, moved = 0, stable = 1;

	for (i = 0; i < 10000; i++) {
		__be32 addr = rnd();
		__be16 p = rnd();
		struct conenat_slot s = conenat_int_slot(&a, CONENAT_TCP, addr, p);

		stable &= s.bucket ==
			  conenat_int_slot(&a, CONENAT_TCP, addr, p).bucket;
		moved += s.bucket !=
			 conenat_int_slot(&b, CONENAT_TCP, addr, p).bucket;
	}
	ok(stable, "same key, same bucket");
	ok(moved > 9900, "another key lays the table out anew (%d of 10000 moved)",
	   moved);
}

/* Paired pooling: one address per host, and the hosts spread evenly. */
static void test_pool_index(void)
{
	struct conenat_hashing h = hashing(16);
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
	test_slots_in_range(8);
	test_slots_in_range(11);
	test_slots_in_range(19);
	test_one_host_spreads();
	test_indexes_independent();
	test_keyed();
	return tap_done();
}
