/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping table (table.c) and the TCP connections of its mappings
 * (conn.c): four self-sizing indexes (index.h) over mappings, connections
 * and internal hosts, with the lock stripes that order their changes.
 * The table knows nothing of netlink: what it makes and expires it tells
 * its owner through conenat_table.event.
 */
#ifndef _CONENAT_TABLE_H
#define _CONENAT_TABLE_H

#include <linux/types.h>
#include <linux/cache.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/sched/mm.h>
#include <uapi/linux/conenat.h>
#include "expiry.h"
#include "index.h"

/*
 * One cache line on 64-bit machines: each index's node is followed by
 * what a lookup in it compares, and what a packet writes (expires) is
 * apart from what the lookups read.
 */
struct conenat_mapping {
	struct conenat_node int_node;	/* inside index; unlinked once dead */
	__be32 int_addr;
	__be16 int_port;
	u8 proto;			/* enum conenat_proto */
	u8 flags;			/* CONENAT_MAP_*; see below */
	struct conenat_node ext_node;	/* outside index; unlinked when gone */
	__be32 ext_addr;
	__be16 ext_port;
	u16 nconns;			/* TCP: entries on conns, host_lock */
	struct hlist_head conns;	/* TCP: its conenat_conns, host_lock */
	unsigned long expires;		/* jiffies; hold-down end once dead */
	struct rcu_head rcu;
};

/*
 * conenat_mapping.flags, written once it is linked only under the
 * ext_lock of its port, and for DEAD also under the host_lock of its
 * host. DEAD is set when it leaves the inside index, for good or for
 * its hold-down; GONE when it leaves the outside index, to be freed.
 */
#define CONENAT_MAP_DEAD	BIT(0)	/* expired, holding its port down */
#define CONENAT_MAP_FIXED	BIT(1)	/* a port forward: never expires */
#define CONENAT_MAP_GONE	BIT(2)	/* unlinked, freed after a grace period */

static inline bool conenat_map_dead(const struct conenat_mapping *m)
{
	return READ_ONCE(m->flags) & CONENAT_MAP_DEAD;
}

static inline bool conenat_map_fixed(const struct conenat_mapping *m)
{
	return READ_ONCE(m->flags) & CONENAT_MAP_FIXED;
}

/*
 * Whether @holder, the mapping the outside index has for a port (or
 * NULL), keeps that port from others: alive, or dead in its hold-down.
 */
static inline bool conenat_port_kept(const struct conenat_mapping *holder)
{
	return holder && (!conenat_map_dead(holder) ||
			  time_before(jiffies, READ_ONCE(holder->expires)));
}

/* Alive: not dead, and a forward, kept by a TCP connection or not idle. */
static inline bool conenat_mapping_alive(const struct conenat_mapping *m)
{
	return conenat_alive_at(conenat_map_dead(m), conenat_map_fixed(m),
				!hlist_empty(&m->conns), READ_ONCE(m->expires),
				jiffies);
}

/*
 * A TCP connection of a mapping, so that the mapping lives while any of
 * its connections is established or in its transitory time. Linked and
 * unlinked only under the host_lock of its mapping's host.
 */
struct conenat_conn {
	struct conenat_node node;	/* connection index */
	__be32 raddr;			/* remote address and port */
	__be16 rport;
	u8 state;			/* enum conenat_conn_state */
	struct conenat_mapping *map;
	struct hlist_node map_node;	/* map->conns */
	unsigned long expires;		/* jiffies */
	struct rcu_head rcu;
};

/*
 * Per-host counts, for max_per_host and max_conns_per_host. Only touched
 * under its host_lock; exists while the host has a live mapping.
 */
struct conenat_host {
	struct conenat_node node;	/* host index */
	__be32 addr;
	u32 count;			/* live mappings */
	u32 nconns;			/* TCP connections of those */
};

struct conenat_table;

/* What the table tells its owner: CONENAT_CMD_MAPPING_NEW or _EXPIRED. */
typedef void (*conenat_event_fn)(struct conenat_table *t,
				 const struct conenat_mapping *m, u8 cmd);

struct conenat_table {
	/* Read by every packet, written only by a resize. */
	struct conenat_index int_ix;	/* by (proto, int addr, int port) */
	struct conenat_index ext_ix;	/* by (proto, ext addr, ext port) */
	struct conenat_index conn_ix;	/* by (internal, remote endpoint) */
	struct conenat_index host_ix;	/* by internal address */
	hsiphash_key_t key;		/* of every index; random */
	conenat_event_fn event;
	struct mem_cgroup *memcg;	/* pays for it all; see table.c */
	bool userns;			/* owned by another user namespace */
	u32 id;				/* random, not 0; for dumps */
	u32 resizes;			/* of ext_ix, for dumps */
	/*
	 * Held to resize, and across any walk by bucket number (the GC,
	 * flushes), which a resize would reorder.
	 */
	struct mutex resize_lock;
	struct work_struct resize_work;

	/* Written by the creation and expiry of entries. */
	atomic_t count ____cacheline_aligned_in_smp; /* mappings, held too */
	atomic_t nconns;		/* TCP connections tracked */
	atomic_t nhosts;		/* entries of host_ix */
	atomic_t gen;			/* changes of ext_ix, for dumps */
	/*
	 * host_lock[i] serialises the lives of the mappings and connections
	 * of the internal hosts of stripe i (conenat_host_hash()) and
	 * guards the host index's stripe i: whether an internal endpoint
	 * has a mapping, and a mapping a connection, only changes under it,
	 * and m->conns only under the host lock of m. int_lock[], ext_lock[]
	 * and conn_lock[] guard the entries of their index of stripe i
	 * (hash.h), only while one is linked, unlinked or moved. ext_lock
	 * alone also decides who holds an outside port.
	 * Lock order: host_lock, int_lock, ext_lock; host_lock, conn_lock.
	 */
	spinlock_t host_lock[CONENAT_NLOCKS];	/* see above */
	spinlock_t int_lock[CONENAT_NLOCKS];	/* see above */
	spinlock_t ext_lock[CONENAT_NLOCKS];	/* see above */
	spinlock_t conn_lock[CONENAT_NLOCKS];	/* see above */
};

/*
 * Around an allocation for @t in any context: charge it to the memory
 * cgroup that pays for @t (its caches are SLAB_ACCOUNT). Returns what to
 * give conenat_charge_end().
 */
static inline struct mem_cgroup *
conenat_charge_begin(const struct conenat_table *t)
{
	return set_active_memcg(t->memcg);
}

static inline void conenat_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

/* The host_lock stripe of internal host @addr. */
static inline unsigned int conenat_host_lock(const struct conenat_table *t,
					     __be32 addr)
{
	return conenat_stripe(conenat_host_hash(&t->key, addr));
}

/* For a walk by bucket number (GC, flushes): the outside index's size. */
static inline void conenat_table_walk_begin(struct conenat_table *t)
{
	mutex_lock(&t->resize_lock);
}

/* The same, unless a resize runs: then false, and no walk may begin. */
static inline bool conenat_table_walk_try(struct conenat_table *t)
{
	return mutex_trylock(&t->resize_lock);
}

static inline void conenat_table_walk_end(struct conenat_table *t)
{
	mutex_unlock(&t->resize_lock);
}

static inline unsigned int conenat_table_buckets(struct conenat_table *t)
{
	lockdep_assert_held(&t->resize_lock);
	return BIT(conenat_index_order(&t->ext_ix));
}

/*
 * Whether the outside index, @tb being its current array, is as it was
 * when t->resizes was @resizes, with no resize under way: only then does
 * a dump that walks its buckets by number across RCU sections see each
 * mapping once. RCU read side.
 */
static inline bool conenat_table_settled(struct conenat_table *t,
					 struct conenat_buckets *tb,
					 u32 resizes)
{
	/* Pairs with conenat_index_fit(): a move seen, its count seen. */
	smp_rmb();
	return READ_ONCE(t->resizes) == resizes &&
	       !rcu_access_pointer(tb->future);
}

struct conenat_instance;
struct conenat_config;
struct net;

/* table.c */
int conenat_table_init(struct conenat_table *t, const struct net *net,
		       conenat_event_fn event);
void conenat_table_destroy(struct conenat_table *t);
void conenat_table_check_size(struct conenat_table *t);
void conenat_table_fit(struct conenat_table *t, u32 count, u32 nhosts,
		       u32 nconns);
struct conenat_mapping *conenat_lookup_int(struct conenat_table *t, u8 proto,
					   __be32 addr, __be16 port);
struct conenat_mapping *conenat_lookup_ext(struct conenat_table *t, u8 proto,
					   __be32 addr, __be16 port);
struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_config *cfg,
					       u8 proto, __be32 int_addr,
					       __be16 int_port,
					       unsigned long expires,
					       enum conenat_stat *event,
					       __be16 fixed_port);
void conenat_mapping_drop(struct conenat_table *t, struct conenat_mapping *m);
struct conenat_host *conenat_host_find(struct conenat_table *t,
				       __be32 addr);

/* What conenat_table_scan() retires. */
enum conenat_scan {
	CONENAT_SCAN_DUE,		/* what is due: the GC */
	CONENAT_SCAN_DYNAMIC,		/* every mapping but port forwards */
	CONENAT_SCAN_ALL,
};

unsigned int conenat_table_scan(struct conenat_instance *inst,
				unsigned int first, unsigned int nr,
				enum conenat_scan what, int proto);
int conenat_mapping_cache_init(void);
void conenat_mapping_cache_exit(void);

/* conn.c */
void conenat_conn_track(struct conenat_instance *inst,
			const struct conenat_config *cfg,
			struct conenat_mapping *m, u8 tcp_flags,
			__be32 raddr, __be16 rport, bool out);
bool conenat_conns_due(const struct conenat_mapping *m, unsigned long now);
bool conenat_conns_reap(struct conenat_table *t, struct conenat_mapping *m,
			bool all);
void conenat_conns_destroy(struct conenat_table *t);
void conenat_conns_fit(struct conenat_table *t, u32 n);
unsigned long conenat_conns_summary(const struct conenat_mapping *m,
				    u32 *nconns, u8 *state);
int conenat_conn_cache_init(void);
void conenat_conn_cache_exit(void);

#endif /* _CONENAT_TABLE_H */
