// SPDX-License-Identifier: GPL-2.0
/*
 * The port allocator's candidate order (kmod/portalloc.c): every
 * candidate lies in the ranges, small sets are walked in full, the work
 * per allocation is bounded, and large sets are sampled uniformly across
 * ranges of different sizes.
 */
#include <stdlib.h>
#include "portalloc.h"
#include "tap.h"

static struct conenat_port_ranges set(const u16 *r, int n)
{
	struct conenat_port_ranges pr = { 0 };
	int i;

	for (i = 0; i < n; i += 2)
		if (conenat_ranges_add(&pr, r[i], r[i + 1], NULL))
			abort();
	return pr;
}

static u32 rnd(void)
{
	return (u32)random() << 1 ^ (u32)random();
}

/* A small set: every port exactly once, whatever the seed. */
static void test_small_walked_in_full(const u16 *r, int n, const char *what)
{
	struct conenat_port_ranges pr = set(r, n);
	static unsigned int seen[65536];
	u32 i, tries = conenat_port_tries(&pr);
	int seed, bad = 0;

	ok(tries == pr.total, "%s: %u tries for %u ports", what, tries,
	   pr.total);
	for (seed = 0; seed < 200; seed++) {
		u32 s = seed < 2 ? (seed ? 0xffffffffU : 0) : rnd();

		memset(seen, 0, sizeof(seen));
		for (i = 0; i < tries; i++) {
			u16 p = conenat_port_candidate(&pr, i, s, rnd());

			if (!conenat_ranges_contain(&pr, p) || seen[p]++)
				bad++;
		}
	}
	ok(!bad, "%s: each port once per walk, 200 seeds (%d bad)", what, bad);
}

/* A large set: bounded tries, all in range, uniform over all ports. */
static void test_large_sampled(void)
{
	static const u16 r[] = { 1000, 1999, 20000, 28999 };
	struct conenat_port_ranges pr = set(r, 4);
	u32 i, low = 0, outside = 0, n = 200000;

	ok(conenat_port_tries(&pr) == CONENAT_PORT_ATTEMPTS,
	   "10000 ports: %u tries", conenat_port_tries(&pr));
	for (i = 0; i < n; i++) {
		u16 p = conenat_port_candidate(&pr, i % CONENAT_PORT_ATTEMPTS,
					       0, rnd());

		if (!conenat_ranges_contain(&pr, p))
			outside++;
		low += p < 2000;
	}
	ok(!outside, "every sampled port in range (%u outside)", outside);
	/* 1000 of 10000 ports: 10% +- 0.5% (about 7.5 sigma) */
	ok(low > n / 10 - n / 200 && low < n / 10 + n / 200,
	   "ranges sampled by size: %u of %u in the small one", low, n);
	ok(conenat_port_candidate(&pr, 0, 0, 0) == 1000 &&
	   conenat_port_candidate(&pr, 0, 0, 0xffffffffU) == 28999,
	   "random numbers scale onto the first and last port");
}

static void test_single_port(void)
{
	static const u16 r[] = { 40000, 40000 };
	struct conenat_port_ranges pr = set(r, 2);

	ok(conenat_port_tries(&pr) == 1 &&
	   conenat_port_candidate(&pr, 0, rnd(), rnd()) == 40000,
	   "a one-port set tries that port once");
}

int main(void)
{
	static const u16 small[] = { 20000, 20003, 30000, 30009, 65535, 65535 };
	static const u16 edge[] = { 1, 64, 100, 163 };

	srandom(1);
	test_small_walked_in_full(small, 6, "15 ports in 3 ranges");
	test_small_walked_in_full(edge, 4, "exactly 128 ports");
	test_large_sampled();
	test_single_port();
	return tap_done();
}
