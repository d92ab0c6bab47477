// SPDX-License-Identifier: GPL-2.0
/*
 * Garbage collection of expired mappings. There are no per-mapping timers:
 * lookups ignore expired mappings by their stamp, and this deferrable work
 * reclaims them, a slice of buckets per run under a time budget, so that
 * even a million mappings expiring at once never hold the CPU for long.
 * The outside index is sized to its mappings (index.h), so a pass over it
 * costs about one bucket per mapping; after each run, the table shrinks
 * the indexes that have emptied.
 */
#include <linux/sched/clock.h>
#include <linux/sched.h>
#include "instance.h"
#include "gc.h"

#define CONENAT_GC_BUDGET_NS	(500 * NSEC_PER_USEC)
#define CONENAT_GC_INTERVAL	HZ
/* Buckets scanned between looks at the clock; divides every index size. */
#define CONENAT_GC_CHUNK	BIT(CONENAT_MIN_HASH_BITS)

static void conenat_gc_work(struct work_struct *work)
{
	struct conenat_instance *inst = container_of(to_delayed_work(work),
						     struct conenat_instance,
						     gc_work);
	struct conenat_net *cn = conenat_pernet(inst->net);
	struct conenat_table *t = &inst->table;
	unsigned long next = CONENAT_GC_INTERVAL;
	unsigned int b, size, expired = 0;
	u64 start = local_clock();

	/*
	 * Never wait for a resize, which moves every entry and then waits
	 * for a grace period: the next run, soon, walks the new array.
	 */
	if (!conenat_table_walk_try(t)) {
		queue_delayed_work(system_power_efficient_wq, &inst->gc_work, 1);
		return;
	}
	size = conenat_table_buckets(t);
	/* The index may have been resized since the last run. */
	b = inst->gc_cursor & (size - 1);
	/* An empty table has nothing to expire: no walk over its buckets. */
	while (atomic_read(&t->count)) {
		expired += conenat_table_scan(inst, b, CONENAT_GC_CHUNK,
					      CONENAT_SCAN_DUE, -1);
		b = (b + CONENAT_GC_CHUNK) & (size - 1);
		if (!b)
			break;		/* a full pass: rest until the next */
		if (local_clock() - start > CONENAT_GC_BUDGET_NS) {
			next = 1;	/* out of budget: continue soon */
			break;
		}
	}
	conenat_table_walk_end(t);
	inst->gc_cursor = b;
	if (expired)
		this_cpu_add(cn->stats->c[CONENAT_STAT_EXPIRED], expired);
	rcu_read_lock();
	conenat_table_check_size(t);
	rcu_read_unlock();
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
	struct conenat_table *t = &inst->table;
	unsigned int b;

	conenat_table_walk_begin(t);
	for (b = 0; b < conenat_table_buckets(t); b += CONENAT_GC_CHUNK) {
		conenat_table_scan(inst, b, CONENAT_GC_CHUNK, what, proto);
		cond_resched();
	}
	conenat_table_walk_end(t);
}
