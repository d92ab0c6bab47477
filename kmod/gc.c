// SPDX-License-Identifier: GPL-2.0
/*
 * Garbage collection of expired mappings. There are no per-mapping timers:
 * lookups ignore expired mappings by their stamp, and this deferrable work
 * reclaims them, a slice of buckets per run under a time budget, so that
 * even a million mappings expiring at once never hold the CPU for long.
 * A run walks at most four buckets per mapping (and at least
 * CONENAT_GC_MIN_BUCKETS), so a large table holding few mappings costs
 * little: its expired mappings are only reclaimed later, which delays the
 * reuse of their ports, of which such a table has plenty.
 */
#include <linux/sched/clock.h>
#include <linux/sched.h>
#include "conenat.h"

#define CONENAT_GC_BUDGET_NS	(500 * NSEC_PER_USEC)
#define CONENAT_GC_INTERVAL	HZ
/* Buckets scanned between looks at the clock; divides every table size. */
#define CONENAT_GC_CHUNK	64
#define CONENAT_GC_MIN_BUCKETS	65536

static void conenat_gc_work(struct work_struct *work)
{
	struct conenat_instance *inst = container_of(to_delayed_work(work),
						     struct conenat_instance,
						     gc_work);
	struct conenat_net *cn = conenat_pernet(inst->net);
	unsigned int size = 1U << inst->table.hash.bits;
	unsigned int b = inst->gc_cursor, expired = 0, walked = 0;
	unsigned int count = atomic_read(&inst->table.count);
	unsigned int limit = max_t(unsigned int, CONENAT_GC_MIN_BUCKETS,
				   4 * min(count, size));
	u64 start = local_clock();
	unsigned long next = CONENAT_GC_INTERVAL;

	/* An empty table has nothing to expire: no walk over its buckets. */
	while (count && walked < limit) {
		expired += conenat_table_scan(inst, b, CONENAT_GC_CHUNK,
					      CONENAT_SCAN_DUE, -1);
		walked += CONENAT_GC_CHUNK;
		b = (b + CONENAT_GC_CHUNK) & (size - 1);
		if (!b)
			break;		/* a full pass: rest until the next */
		if (local_clock() - start > CONENAT_GC_BUDGET_NS) {
			next = 1;	/* out of budget: continue soon */
			break;
		}
	}
	inst->gc_cursor = b;
	if (expired)
		this_cpu_add(cn->stats->c[CONENAT_STAT_EXPIRED], expired);
	queue_delayed_work(system_power_efficient_wq, &inst->gc_work, next);
}

void conenat_gc_start(struct conenat_instance *inst)
{
	INIT_DEFERRABLE_WORK(&inst->gc_work, conenat_gc_work);
	queue_delayed_work(system_power_efficient_wq, &inst->gc_work,
			   CONENAT_GC_INTERVAL);
}

void conenat_gc_stop(struct conenat_instance *inst)
{
	cancel_delayed_work_sync(&inst->gc_work);
}

/* Drop the mappings of @proto (every protocol if < 0). Process. */
void conenat_flush(struct conenat_instance *inst, enum conenat_scan what,
		   int proto)
{
	unsigned int b, size = 1U << inst->table.hash.bits;

	for (b = 0; b < size; b += CONENAT_NLOCKS) {
		conenat_table_scan(inst, b, CONENAT_NLOCKS, what, proto);
		cond_resched();
	}
}
