// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping table: two hash indexes over one set of mappings, one over
 * the internal hosts that have mappings, and the TCP connections of the
 * mappings in a fourth (conn.c). Each index sizes itself to its entries
 * (index.h): an idle table is a few hundred bytes per index.
 *
 * Readers (the packet hooks, dumps) walk the buckets under RCU without
 * locks. Writers take the host's lock stripe, then the bucket stripes;
 * see struct conenat_table. A mapping is created in softirq by the first
 * outbound packet of an internal endpoint, and retired by the GC:
 * unhashed from the inside index when it expires (so no new traffic can
 * use it) and from the outside index when its port's hold-down ends.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <linux/mm.h>
#include <linux/in.h>
#include <linux/memcontrol.h>
#include "instance.h"
#include "portalloc.h"
#include "sockets.h"

static struct kmem_cache *conenat_mapping_cache;

/*
 * The mappings of every namespace whose owner is not the initial user
 * namespace, together: such an owner may be any local user, and may make
 * as many namespaces as it likes. The host's own namespaces are limited
 * by their --max-mappings only, so that no other can starve them.
 */
static unsigned int conenat_userns_max __read_mostly;
module_param_named(userns_max_mappings, conenat_userns_max, uint, 0644);
MODULE_PARM_DESC(userns_max_mappings,
		 "Most mappings of all namespaces owned by other user namespaces, together (default: 4 times the default --max-mappings)");
static atomic_long_t conenat_userns_count = ATOMIC_LONG_INIT(0);

static u32 conenat_int_hash_of(const struct conenat_node *n,
			       const hsiphash_key_t *key)
{
	const struct conenat_mapping *m;

	m = container_of(n, struct conenat_mapping, int_node);
	return conenat_int_hash(key, m->proto, m->int_addr, m->int_port);
}

static u32 conenat_ext_hash_of(const struct conenat_node *n,
			       const hsiphash_key_t *key)
{
	const struct conenat_mapping *m;

	m = container_of(n, struct conenat_mapping, ext_node);
	return conenat_ext_hash(key, m->proto, m->ext_addr, m->ext_port);
}

static u32 conenat_host_hash_of(const struct conenat_node *n,
				const hsiphash_key_t *key)
{
	return conenat_host_hash(key, container_of(n, struct conenat_host,
						   node)->addr);
}

/*
 * Fit each index to @count mappings, @nhosts hosts and @nconns
 * connections, charging the bucket arrays like the entries. A resize of
 * the outside index counts in t->resizes, before it starts, for dumps.
 * Process context, under t->resize_lock.
 */
void conenat_table_fit(struct conenat_table *t, u32 count, u32 nhosts,
		       u32 nconns)
{
	struct mem_cgroup *charge = conenat_charge_begin(t);

	lockdep_assert_held(&t->resize_lock);
	conenat_index_fit(&t->int_ix, count, t->int_lock, conenat_int_hash_of,
			  &t->key);
	if (conenat_index_wants_resize(&t->ext_ix, count)) {
		WRITE_ONCE(t->resizes, t->resizes + 1);
		conenat_index_fit(&t->ext_ix, count, t->ext_lock,
				  conenat_ext_hash_of, &t->key);
	}
	conenat_index_fit(&t->host_ix, nhosts, t->host_lock,
			  conenat_host_hash_of, &t->key);
	conenat_conns_fit(t, nconns);
	conenat_charge_end(charge);
}

static void conenat_table_resize(struct work_struct *work)
{
	struct conenat_table *t = container_of(work, struct conenat_table,
					       resize_work);

	mutex_lock(&t->resize_lock);
	conenat_table_fit(t, atomic_read(&t->count), atomic_read(&t->nhosts),
			  atomic_read(&t->nconns));
	mutex_unlock(&t->resize_lock);
}

/*
 * Have the indexes resized if they hold too many or too few entries for
 * their size: a read of each size. Any context, RCU read side.
 */
void conenat_table_check_size(struct conenat_table *t)
{
	u32 count = atomic_read(&t->count);

	if (conenat_index_wants_resize(&t->int_ix, count) ||
	    conenat_index_wants_resize(&t->ext_ix, count) ||
	    conenat_index_wants_resize(&t->host_ix,
				       atomic_read(&t->nhosts)) ||
	    conenat_index_wants_resize(&t->conn_ix,
				       atomic_read(&t->nconns)))
		queue_work(system_unbound_wq, &t->resize_work);
}

static int conenat_table_indexes_init(struct conenat_table *t)
{
	struct conenat_index *ix[] = {
		&t->int_ix, &t->ext_ix, &t->conn_ix, &t->host_ix,
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ix); i++) {
		err = conenat_index_init(ix[i]);
		if (err) {
			while (i--)
				conenat_index_destroy(ix[i]);
			return err;
		}
	}
	return 0;
}

/*
 * A table is charged to the memory cgroup of the task that makes it, the
 * one that ran "conenat up": its bucket arrays, here and as they are
 * resized, and its mappings, hosts and connections wherever they are
 * made, softirq included (see conenat_charge_begin()). So what a
 * namespace's NAT holds, its owner pays for, within its cgroup's limit;
 * an allocation the limit refuses is a counted refusal, as when memory is
 * short. @event is told of the mappings made and expired. Process
 * context.
 */
int conenat_table_init(struct conenat_table *t, const struct net *net,
		       conenat_event_fn event)
{
	unsigned int i;
	int err;

	err = conenat_table_indexes_init(t);
	if (err)
		return err;
	t->event = event;
	t->memcg = get_mem_cgroup_from_mm(current->mm);
	t->userns = net->user_ns != &init_user_ns;
	get_random_bytes(&t->key, sizeof(t->key));
	/* So that a dump resumed on a new instance's table knows (netlink.c). */
	t->id = get_random_u32() | 1;
	t->resizes = 0;
	mutex_init(&t->resize_lock);
	INIT_WORK(&t->resize_work, conenat_table_resize);
	atomic_set(&t->count, 0);
	atomic_set(&t->nconns, 0);
	atomic_set(&t->nhosts, 0);
	atomic_set(&t->gen, 0);
	/* One loop per array: each spin_lock_init() is its own lock class. */
	for (i = 0; i < CONENAT_NLOCKS; i++)
		spin_lock_init(&t->host_lock[i]);
	for (i = 0; i < CONENAT_NLOCKS; i++)
		spin_lock_init(&t->int_lock[i]);
	for (i = 0; i < CONENAT_NLOCKS; i++)
		spin_lock_init(&t->ext_lock[i]);
	for (i = 0; i < CONENAT_NLOCKS; i++)
		spin_lock_init(&t->conn_lock[i]);
	return 0;
}

static void conenat_mapping_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(conenat_mapping_cache,
			container_of(head, struct conenat_mapping, rcu));
}

/* Only once no reader can exist: hooks gone and an RCU grace period later. */
void conenat_table_destroy(struct conenat_table *t)
{
	struct conenat_buckets *tb;
	struct conenat_node *n;
	u32 i;

	cancel_work_sync(&t->resize_work);
	conenat_conns_destroy(t);
	tb = rcu_dereference_protected(t->ext_ix.tbl, 1);
	for (i = 0; i < (1U << tb->bits); i++) {
		while ((n = conenat_bucket_pop(&tb->b[i])))
			kmem_cache_free(conenat_mapping_cache,
					container_of(n, struct conenat_mapping,
						     ext_node));
		cond_resched();
	}
	tb = rcu_dereference_protected(t->host_ix.tbl, 1);
	for (i = 0; i < (1U << tb->bits); i++)
		while ((n = conenat_bucket_pop(&tb->b[i])))
			kfree(container_of(n, struct conenat_host, node));
	if (t->userns)
		atomic_long_sub(atomic_read(&t->count), &conenat_userns_count);
	conenat_index_destroy(&t->int_ix);
	conenat_index_destroy(&t->ext_ix);
	conenat_index_destroy(&t->conn_ix);
	conenat_index_destroy(&t->host_ix);
	mem_cgroup_put(t->memcg);
}

/*
 * The mapping of an inside endpoint. RCU read side, or under a lock
 * stripe. May return an expired mapping; see conenat_mapping_alive().
 */
struct conenat_mapping *conenat_lookup_int(struct conenat_table *t, u8 proto,
					   __be32 addr, __be16 port)
{
	u32 hash = conenat_int_hash(&t->key, proto, addr, port);
	struct conenat_buckets *tb;
	struct conenat_bucket *head;
	struct conenat_mapping *m;
	struct conenat_node *n;

	for (tb = conenat_index_first(&t->int_ix); tb;
	     tb = conenat_index_next(tb)) {
		head = conenat_index_bucket(tb, hash);
		do {
			for (n = conenat_bucket_first(head);
			     !conenat_is_nulls(n); n = conenat_node_next(n)) {
				m = container_of(n, struct conenat_mapping,
						 int_node);
				if (m->int_addr == addr &&
				    m->int_port == port && m->proto == proto)
					return m;
			}
		} while (conenat_index_moved(tb, hash, n));
	}
	return NULL;
}

/*
 * The mapping that holds an outside endpoint. RCU read side, or under a
 * lock stripe. May return a dead or expired mapping.
 */
struct conenat_mapping *conenat_lookup_ext(struct conenat_table *t, u8 proto,
					   __be32 addr, __be16 port)
{
	u32 hash = conenat_ext_hash(&t->key, proto, addr, port);
	struct conenat_buckets *tb;
	struct conenat_bucket *head;
	struct conenat_mapping *m;
	struct conenat_node *n;

	for (tb = conenat_index_first(&t->ext_ix); tb;
	     tb = conenat_index_next(tb)) {
		head = conenat_index_bucket(tb, hash);
		do {
			for (n = conenat_bucket_first(head);
			     !conenat_is_nulls(n); n = conenat_node_next(n)) {
				m = container_of(n, struct conenat_mapping,
						 ext_node);
				if (m->ext_port == port &&
				    m->ext_addr == addr && m->proto == proto)
					return m;
			}
		} while (conenat_index_moved(tb, hash, n));
	}
	return NULL;
}

/*
 * The counts of host @addr, or NULL. Caller holds its host_lock, so no
 * host of that stripe moves meanwhile: each is in one of the arrays.
 */
struct conenat_host *conenat_host_find(struct conenat_table *t, __be32 addr)
{
	u32 hash = conenat_host_hash(&t->key, addr);
	struct conenat_buckets *tb;
	struct conenat_node *n;
	struct conenat_host *h;

	for (tb = conenat_index_first(&t->host_ix); tb;
	     tb = conenat_index_next(tb))
		for (n = conenat_bucket_first(conenat_index_bucket(tb, hash));
		     !conenat_is_nulls(n); n = conenat_node_next(n)) {
			h = container_of(n, struct conenat_host, node);
			if (h->addr == addr)
				return h;
		}
	return NULL;
}

/* Caller holds the host_lock of @addr. */
static struct conenat_host *conenat_host_get(struct conenat_table *t,
					     __be32 addr)
{
	struct conenat_host *h = conenat_host_find(t, addr);

	if (h)
		return h;
	h = kzalloc(sizeof(*h), GFP_ATOMIC | __GFP_ACCOUNT);
	if (h) {
		h->addr = addr;
		conenat_index_add(&t->host_ix, &h->node,
				  conenat_host_hash(&t->key, addr));
		atomic_inc(&t->nhosts);
	}
	return h;
}

/* Caller holds the host_lock of @h. */
static void conenat_host_release(struct conenat_table *t,
				 struct conenat_host *h)
{
	/* A host's connections are of its live mappings. */
	WARN_ON_ONCE(!h->count && h->nconns);
	if (!h->count) {
		conenat_index_del(&t->host_ix, &h->node,
				  conenat_host_hash(&t->key, h->addr));
		atomic_dec(&t->nhosts);
		kfree(h);
	}
}

/* Unlink live @m from the inside index. Caller holds its host_lock. */
static void conenat_int_unhash(struct conenat_table *t,
			       struct conenat_mapping *m)
{
	u32 hash = conenat_int_hash(&t->key, m->proto, m->int_addr,
				    m->int_port);
	spinlock_t *lock = &t->int_lock[conenat_stripe(hash)];
	struct conenat_host *h;

	spin_lock(lock);
	conenat_index_del(&t->int_ix, &m->int_node, hash);
	spin_unlock(lock);
	h = conenat_host_find(t, m->int_addr);
	if (h) {
		h->count--;
		conenat_host_release(t, h);
	}
}

/*
 * Take one of the @max places of @count, or none when they are all
 * taken: unlike an increment undone, the count never shows more than
 * @max, to a reader either.
 */
static bool conenat_count_take(atomic_t *count, u32 max)
{
	int c = atomic_read(count);

	do {
		if ((u32)c >= max)
			return false;
	} while (!atomic_try_cmpxchg(count, &c, c + 1));
	return true;
}

static bool conenat_userns_take(void)
{
	long c = atomic_long_read(&conenat_userns_count);

	do {
		if (c >= READ_ONCE(conenat_userns_max))
			return false;
	} while (!atomic_long_try_cmpxchg(&conenat_userns_count, &c, c + 1));
	return true;
}

/*
 * Count a new mapping in @t, within @max unless it is a port forward
 * (configuration: the limits do not apply), and within the limit of all
 * namespaces of other user namespaces if @t is one of them.
 */
static bool conenat_mapping_count(struct conenat_table *t, u32 max,
				  bool fixed)
{
	if (fixed) {
		atomic_inc(&t->count);
		if (t->userns)
			atomic_long_inc(&conenat_userns_count);
		return true;
	}
	if (!conenat_count_take(&t->count, max))
		return false;
	if (t->userns && !conenat_userns_take()) {
		atomic_dec(&t->count);
		return false;
	}
	return true;
}

static void conenat_mapping_uncount(struct conenat_table *t)
{
	atomic_dec(&t->count);
	if (t->userns)
		atomic_long_dec(&conenat_userns_count);
}

/*
 * Unlink @m, out of the inside index already, from the outside one and
 * free it a grace period later. Caller holds the ext_lock of its port
 * and, unless @m is dead already, its host_lock.
 */
static void conenat_ext_unhash(struct conenat_table *t,
			       struct conenat_mapping *m)
{
	conenat_index_del(&t->ext_ix, &m->ext_node,
			  conenat_ext_hash(&t->key, m->proto, m->ext_addr,
					   m->ext_port));
	WRITE_ONCE(m->flags, m->flags | CONENAT_MAP_DEAD | CONENAT_MAP_GONE);
	atomic_inc(&t->gen);
	conenat_mapping_uncount(t);
	call_rcu(&m->rcu, conenat_mapping_free_rcu);
}

/*
 * Try to give @m the outside port @port. Called with the host_lock of
 * @m's host held; takes the port's ext_lock, which alone decides who
 * holds a port. A port is free when no mapping holds it, or its holder is
 * dead and past its hold-down. A dead holder of the same internal
 * endpoint is revived instead, under the same ext_lock so that no other
 * host can take its port meanwhile, and handed back in *@revive.
 */
static bool conenat_claim_port(struct conenat_instance *inst,
			       struct conenat_mapping *m, __be16 port,
			       struct conenat_mapping **revive)
{
	struct conenat_table *t = &inst->table;
	u32 hash = conenat_ext_hash(&t->key, m->proto, m->ext_addr, port);
	spinlock_t *lock = &t->ext_lock[conenat_stripe(hash)];
	struct conenat_mapping *holder;
	bool claimed = false;

	spin_lock(lock);
	holder = conenat_lookup_ext(t, m->proto, m->ext_addr, port);
	if (holder && conenat_map_dead(holder) &&
	    holder->int_addr == m->int_addr &&
	    holder->int_port == m->int_port) {
		WRITE_ONCE(holder->expires, m->expires);
		WRITE_ONCE(holder->flags, m->flags & CONENAT_MAP_FIXED);
		*revive = holder;
		claimed = true;
	} else if (conenat_port_kept(holder)) {
		claimed = false;
	} else if (!conenat_port_in_use(inst->net, m->proto, port)) {
		if (holder)
			conenat_ext_unhash(t, holder);
		m->ext_port = port;
		conenat_index_add(&t->ext_ix, &m->ext_node, hash);
		atomic_inc(&t->gen);
		claimed = true;
	}
	spin_unlock(lock);
	return claimed;
}

/*
 * Find an outside port for @m: its own port when in range (port
 * preservation), else the candidates of conenat_port_candidate(), a
 * bounded number, so a nearly full range fails fast in softirq.
 */
static bool conenat_pick_port(struct conenat_instance *inst,
			      const struct conenat_port_ranges *pr,
			      struct conenat_mapping *m,
			      struct conenat_mapping **revive)
{
	u32 i, tries = conenat_port_tries(pr), seed = get_random_u32();
	u16 own = ntohs(m->int_port), port;

	if (conenat_ranges_contain(pr, own) &&
	    conenat_claim_port(inst, m, m->int_port, revive))
		return true;
	for (i = 0; i < tries; i++) {
		port = conenat_port_candidate(pr, i, seed, get_random_u32());
		if (port != own &&
		    conenat_claim_port(inst, m, htons(port), revive))
			return true;
	}
	return false;
}

/*
 * Link a new mapping @m, or revive the held-down one of the same endpoint,
 * and return the one linked. Caller holds the host_lock of @host.
 */
static struct conenat_mapping *
conenat_create_locked(struct conenat_instance *inst,
		      const struct conenat_config *cfg, u32 hash,
		      struct conenat_host *host, struct conenat_mapping *m,
		      enum conenat_stat *refused)
{
	struct conenat_table *t = &inst->table;
	bool fixed = m->flags & CONENAT_MAP_FIXED;
	struct conenat_mapping *old = NULL;
	bool claimed;

	/* Port forwards are configuration: the limits do not apply. */
	if (!fixed && host->count >= cfg->max_per_host) {
		*refused = CONENAT_STAT_REFUSED_HOST;
		return NULL;
	}
	if (!conenat_mapping_count(t, cfg->max_mappings, fixed)) {
		*refused = CONENAT_STAT_REFUSED_LIMIT;
		return NULL;
	}
	claimed = fixed ? conenat_claim_port(inst, m, m->ext_port, &old) :
			     conenat_pick_port(inst, &cfg->ports[m->proto], m,
					       &old);
	if (!claimed) {
		conenat_mapping_uncount(t);
		*refused = CONENAT_STAT_REFUSED_PORTS;
		return NULL;
	}
	if (old) {
		/* Back from hold-down: same endpoint, same port. */
		conenat_mapping_uncount(t);
		m = old;
	}
	spin_lock(&t->int_lock[conenat_stripe(hash)]);
	conenat_index_add(&t->int_ix, &m->int_node, hash);
	spin_unlock(&t->int_lock[conenat_stripe(hash)]);
	host->count++;
	return m;
}

/**
 * conenat_mapping_create - find or create the mapping of an inside endpoint
 * @inst: the instance
 * @cfg: its configuration, under the caller's RCU read lock
 * @proto: enum conenat_proto
 * @int_addr: internal address
 * @int_port: internal port or ICMP echo identifier
 * @expires: initial expiry, in jiffies
 * @event: set to CONENAT_STAT_CREATED for a new mapping, or to the reason
 *         when none could be made; left alone when one existed
 * @fixed_port: 0, or the port of a port forward to make (see forward.c)
 *
 * Never evicts or reuses a live mapping (RFC 4787 REQ-3, RFC 6888 REQ-11).
 * Context: any, BH-safe; RCU read lock held.
 */
struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_config *cfg,
					       u8 proto, __be32 int_addr,
					       __be16 int_port,
					       unsigned long expires,
					       enum conenat_stat *event,
					       __be16 fixed_port)
{
	struct conenat_table *t = &inst->table;
	u32 hash = conenat_int_hash(&t->key, proto, int_addr, int_port);
	unsigned int hl = conenat_host_lock(t, int_addr);
	struct conenat_mapping *m, *found = NULL;
	struct conenat_host *host;
	struct mem_cgroup *charge;
	__be32 ext_addr = conenat_ext_addr_of(inst, cfg, int_addr);

	if (!ext_addr) {
		*event = CONENAT_STAT_DROP_NOADDR;
		return NULL;
	}
	charge = conenat_charge_begin(t);
	m = kmem_cache_alloc(conenat_mapping_cache, GFP_ATOMIC);
	if (!m) {
		conenat_charge_end(charge);
		*event = CONENAT_STAT_REFUSED_NOMEM;
		return NULL;
	}
	*m = (struct conenat_mapping){
		.expires = expires,
		.int_addr = int_addr,
		.int_port = int_port,
		.ext_addr = ext_addr,
		.ext_port = fixed_port,
		.proto = proto,
		.flags = fixed_port ? CONENAT_MAP_FIXED : 0,
	};

	spin_lock_bh(&t->host_lock[hl]);
	/* Whether the endpoint has a mapping only changes under host_lock. */
	found = conenat_lookup_int(t, proto, int_addr, int_port);
	if (found) {
		/* Raced with another CPU, or expired but not yet collected:
		 * the GC needs this lock, so it is safe to extend it here.
		 */
		if (!fixed_port)
			conenat_stamp(&found->expires, expires, false);
	} else {
		host = conenat_host_get(t, int_addr);
		if (host) {
			found = conenat_create_locked(inst, cfg, hash, host, m,
						      event);
			if (found)
				*event = CONENAT_STAT_CREATED;
			conenat_host_release(t, host);
		} else {
			*event = CONENAT_STAT_REFUSED_NOMEM;
		}
		if (found == m)
			m = NULL;
	}
	spin_unlock_bh(&t->host_lock[hl]);
	conenat_charge_end(charge);

	if (m)
		kmem_cache_free(conenat_mapping_cache, m);
	if (*event == CONENAT_STAT_CREATED) {
		conenat_table_check_size(t);
		t->event(t, found, CONENAT_CMD_MAPPING_NEW);
	}
	return found;
}

/*
 * Whether the GC has work with @m: a connection of it is due, or it is
 * past its idle time with no connection left. RCU read side.
 */
static bool conenat_mapping_due(const struct conenat_mapping *m,
				unsigned long now)
{
	if (conenat_conns_due(m, now))
		return true;
	return !conenat_map_fixed(m) &&
	       conenat_expired(READ_ONCE(m->expires), now) &&
	       hlist_empty(&m->conns);
}

/*
 * Retire @m if it is due, or unconditionally when @flush. An expired
 * mapping leaves the inside index at once and keeps its outside port for
 * the hold-down time (RFC 6888 REQ-8); then it is freed. A TCP mapping
 * is due once its own idle time is over and its last connection reaped.
 * Context: process, under rcu_read_lock(); returns true when it expired.
 */
static bool conenat_retire(struct conenat_table *t, struct conenat_mapping *m,
			   unsigned long holddown, bool flush)
{
	unsigned int hl = conenat_host_lock(t, m->int_addr);
	u32 hash = conenat_ext_hash(&t->key, m->proto, m->ext_addr,
				    m->ext_port);
	spinlock_t *ext_lock = &t->ext_lock[conenat_stripe(hash)];
	bool was_live, expired = false;

	spin_lock_bh(&t->host_lock[hl]);
	if (conenat_conns_reap(t, m, flush) ||
	    (!flush && (conenat_map_fixed(m) ||
			!conenat_expired(m->expires, jiffies))))
		goto out;
	/* DEAD only changes under host_lock (and ext_lock). */
	was_live = !conenat_map_dead(m);
	if (was_live)
		conenat_int_unhash(t, m);
	spin_lock(ext_lock);
	/* Another host's conenat_claim_port() may have taken a dead port. */
	if (!(m->flags & CONENAT_MAP_GONE)) {
		expired = was_live && !flush;
		if (expired && holddown) {
			WRITE_ONCE(m->expires, jiffies + holddown);
			WRITE_ONCE(m->flags, m->flags | CONENAT_MAP_DEAD);
		} else {
			conenat_ext_unhash(t, m);
		}
	}
	spin_unlock(ext_lock);
out:
	spin_unlock_bh(&t->host_lock[hl]);
	return expired;
}

/* Retire @m at once, without hold-down. Under rcu_read_lock(), process. */
void conenat_mapping_drop(struct conenat_table *t, struct conenat_mapping *m)
{
	conenat_retire(t, m, 0, true);
}

/* Whether conenat_table_scan(@what, @proto) retires @m. */
static bool conenat_scan_wants(const struct conenat_mapping *m,
			       enum conenat_scan what, int proto,
			       unsigned long now)
{
	if (what == CONENAT_SCAN_DUE)
		return conenat_mapping_due(m, now);
	if (proto >= 0 && m->proto != proto)
		return false;
	return what == CONENAT_SCAN_ALL || !conenat_map_fixed(m);
}

/**
 * conenat_table_scan - retire mappings of some outside buckets
 * @inst: the instance
 * @first: the first outside bucket
 * @nr: how many buckets, none past the end of the index
 * @what: the due ones, or all of @proto but forwards, or all of @proto
 * @proto: enum conenat_proto, or -1 for every protocol (not for DUE)
 *
 * Returns the number of mappings that expired.
 * Context: process, between conenat_table_walk_begin() and _end().
 */
unsigned int conenat_table_scan(struct conenat_instance *inst,
				unsigned int first, unsigned int nr,
				enum conenat_scan what, int proto)
{
	struct conenat_table *t = &inst->table;
	const struct conenat_config *cfg;
	unsigned long now = jiffies;
	struct conenat_buckets *tb;
	struct conenat_mapping *m;
	unsigned int b, expired = 0;
	struct conenat_node *n;
	unsigned long holddown;

	lockdep_assert_held(&t->resize_lock);
	rcu_read_lock();
	cfg = rcu_dereference(inst->cfg);
	holddown = cfg->hot.idle[CONENAT_TO_HOLDDOWN];
	/* No resize meanwhile: every mapping stays in its bucket. */
	tb = conenat_index_first(&t->ext_ix);
	for (b = first; b < first + nr; b++) {
		for (n = conenat_bucket_first(&tb->b[b]); !conenat_is_nulls(n);
		     n = conenat_node_next(n)) {
			m = container_of(n, struct conenat_mapping, ext_node);
			if (!conenat_scan_wants(m, what, proto, now) ||
			    !conenat_retire(t, m, holddown,
					    what != CONENAT_SCAN_DUE))
				continue;
			expired++;
			t->event(t, m, CONENAT_CMD_MAPPING_EXPIRED);
		}
	}
	rcu_read_unlock();
	return expired;
}

int conenat_mapping_cache_init(void)
{
	if (!conenat_userns_max)
		conenat_userns_max = 4 * conenat_default_max_mappings();
	/* One cache line per mapping, on 64-bit machines too (table.h). */
	BUILD_BUG_ON(sizeof(struct conenat_mapping) > 64);
	conenat_mapping_cache = KMEM_CACHE(conenat_mapping, SLAB_ACCOUNT);
	return conenat_mapping_cache ? 0 : -ENOMEM;
}

void conenat_mapping_cache_exit(void)
{
	kmem_cache_destroy(conenat_mapping_cache);
}
