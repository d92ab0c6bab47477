// SPDX-License-Identifier: GPL-2.0
/*
 * Port allocation, the pure part: sets of port ranges and the order in
 * which a new mapping tries their ports. table.c claims a candidate under
 * the table's locks. Built in userspace too by tests/unit.
 *
 * A set is at most CONENAT_MAX_RANGES disjoint ranges; its ports are
 * numbered 0..total-1 in range order, so that one uniform random index
 * picks a uniform random port whatever the ranges' sizes.
 */
#include "portalloc.h"
#include <linux/errno.h>
#include <linux/kernel.h>

/**
 * conenat_ranges_add - append a port range to a protocol's set
 * @pr: the protocol's ranges
 * @min: first port, >= 1
 * @max: last port, >= @min
 * @why: set to a message for extack on failure; may be NULL
 *
 * Ranges of one protocol must not overlap, so that every port in the set
 * has exactly one index for conenat_ranges_port().
 */
int conenat_ranges_add(struct conenat_port_ranges *pr, u16 min, u16 max,
		       const char **why)
{
	const char *msg = NULL;
	unsigned int i;

	if (!min)
		msg = "port 0 is not a valid range start";
	else if (min > max)
		msg = "port range start is greater than its end";
	else if (pr->nr >= CONENAT_MAX_RANGES)
		msg = "too many port ranges for one protocol";
	for (i = 0; !msg && i < pr->nr; i++)
		if (min <= pr->r[i].max && pr->r[i].min <= max)
			msg = "port ranges of one protocol overlap";
	if (msg) {
		if (why)
			*why = msg;
		return -EINVAL;
	}
	pr->r[pr->nr].min = min;
	pr->r[pr->nr].max = max;
	pr->nr++;
	pr->total += max - min + 1;
	return 0;
}

bool conenat_ranges_contain(const struct conenat_port_ranges *pr, u16 port)
{
	unsigned int i;

	for (i = 0; i < pr->nr; i++)
		if (port >= pr->r[i].min && port <= pr->r[i].max)
			return true;
	return false;
}

/* The @index'th port of the set, 0 <= @index < pr->total. */
u16 conenat_ranges_port(const struct conenat_port_ranges *pr, u32 index)
{
	unsigned int i;

	for (i = 0; i < pr->nr; i++) {
		u32 size = pr->r[i].max - pr->r[i].min + 1;

		if (index < size)
			return pr->r[i].min + index;
		index -= size;
	}
	return 0;
}

/* How many candidates a new mapping tries after its own port. */
u32 conenat_port_tries(const struct conenat_port_ranges *pr)
{
	return min_t(u32, pr->total, CONENAT_PORT_ATTEMPTS);
}

/**
 * conenat_port_candidate - the @i'th port a new mapping tries
 * @pr: the protocol's ranges, pr->total > 0
 * @i: 0 <= @i < conenat_port_tries(@pr)
 * @seed: a random number drawn once per allocation
 * @rnd: a random number drawn for this candidate
 *
 * A set of at most CONENAT_PORT_ATTEMPTS ports is walked in full from a
 * random start, so a free port is found whenever one exists; a larger set
 * is sampled at random, so the work in softirq stays bounded and ports
 * are hard to predict (RFC 6056). The caller tries the internal port
 * first (port preservation) and skips it here.
 */
u16 conenat_port_candidate(const struct conenat_port_ranges *pr, u32 i,
			   u32 seed, u32 rnd)
{
	u32 idx;

	if (pr->total <= CONENAT_PORT_ATTEMPTS)
		idx = (reciprocal_scale(seed, pr->total) + i) % pr->total;
	else
		idx = reciprocal_scale(rnd, pr->total);
	return conenat_ranges_port(pr, idx);
}
