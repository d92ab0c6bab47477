// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connections inside a mapping. Several connections share a TCP
 * mapping (one internal endpoint, any number of remote ones); each is
 * timed on its own, so that a FIN or RST on one connection never cuts the
 * mapping under another that is still established (RFC 5382 REQ-5).
 *
 * A connection is found by (mapping, remote address, remote port) in an
 * RCU hash, and is also on its mapping's list for the GC. Connections are
 * added and removed under the host_lock of their mapping's host, like the
 * mapping itself, so a connection never outlives its mapping. Only
 * outbound segments create connections, so inbound traffic, hostile or
 * not, allocates nothing; the connections of one host and of one mapping
 * are bounded by max_conns_per_host and max_conns_per_mapping, and all
 * of them by max_mappings.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>
#include "instance.h"

static struct kmem_cache *conenat_conn_cache;

/* RCU read side, or under a lock stripe. @hash is of @m and the remote. */
static struct conenat_conn *conenat_conn_find(struct conenat_table *t,
					      u32 hash,
					      const struct conenat_mapping *m,
					      __be32 raddr, __be16 rport)
{
	struct conenat_buckets *tb;
	struct conenat_bucket *head;
	struct conenat_node *n;
	struct conenat_conn *c;

	for (tb = conenat_index_first(&t->conn_ix); tb;
	     tb = conenat_index_next(tb)) {
		head = conenat_index_bucket(tb, hash);
		do {
			for (n = conenat_bucket_first(head);
			     !conenat_is_nulls(n); n = conenat_node_next(n)) {
				c = container_of(n, struct conenat_conn, node);
				if (c->map == m && c->raddr == raddr &&
				    c->rport == rport)
					return c;
			}
		} while (conenat_index_moved(tb, hash, n));
	}
	return NULL;
}

static u32 conenat_conn_hash_of(const struct conenat_node *n,
				const hsiphash_key_t *key)
{
	const struct conenat_conn *c;

	c = container_of(n, struct conenat_conn, node);
	return conenat_conn_hash(key, c->map->int_addr, c->map->int_port,
				 c->raddr, c->rport);
}

/*
 * Fit the connection index to @n connections; see conenat_index_fit().
 * Process context, under the table's resize_lock.
 */
void conenat_conns_fit(struct conenat_table *t, u32 n)
{
	conenat_index_fit(&t->conn_ix, n, t->conn_lock, conenat_conn_hash_of,
			  &t->key);
}

static void conenat_conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(conenat_conn_cache,
			container_of(head, struct conenat_conn, rcu));
}

/*
 * Whether @m, of host @h, may have one more connection. Caller holds the
 * host_lock of @h; a NULL @h (@m just expired) may not.
 */
static bool conenat_conn_room(const struct conenat_config *cfg,
			      const struct conenat_host *h,
			      const struct conenat_mapping *m)
{
	return h && m->nconns < cfg->max_conns_per_mapping &&
	       h->nconns < cfg->max_conns_per_host;
}

/*
 * Track a new connection of @m, whose hash is @hash. Returns it, the one
 * another CPU added first, or NULL when a limit is reached (*@limited is
 * set for the per-host and per-mapping ones), memory is short, or @m has
 * just expired. A mapping at its limit costs no allocation: one spraying
 * segments to ever new remote endpoints stops at a read.
 * Context: softirq or process, RCU read lock held.
 */
static struct conenat_conn *conenat_conn_add(struct conenat_table *t,
					     const struct conenat_config *cfg,
					     u32 hash, struct conenat_mapping *m,
					     __be32 raddr, __be16 rport,
					     bool *limited)
{
	unsigned int hl = conenat_host_lock(t, m->int_addr);
	spinlock_t *lock = &t->conn_lock[conenat_stripe(hash)];
	struct conenat_conn *c, *found = NULL;
	struct mem_cgroup *charge;
	struct conenat_host *h;

	if (READ_ONCE(m->nconns) >= cfg->max_conns_per_mapping) {
		*limited = true;
		return NULL;
	}
	if (atomic_inc_return(&t->nconns) > cfg->max_mappings)
		goto uncount;
	charge = conenat_charge_begin(t);
	c = kmem_cache_alloc(conenat_conn_cache, GFP_ATOMIC);
	conenat_charge_end(charge);
	if (!c)
		goto uncount;
	*c = (struct conenat_conn){
		.map = m,
		.expires = conenat_expiry(cfg, CONENAT_TCP,
					  CONENAT_CONN_OPENING),
		.raddr = raddr,
		.rport = rport,
		.state = CONENAT_CONN_OPENING,
	};

	spin_lock_bh(&t->host_lock[hl]);
	found = conenat_conn_find(t, hash, m, raddr, rport);
	/* A dead mapping has expired; the GC will not look again. */
	if (!found && !conenat_map_dead(m)) {
		h = conenat_host_find(t, m->int_addr);
		*limited = !conenat_conn_room(cfg, h, m);
		if (!*limited) {
			spin_lock(lock);
			conenat_index_add(&t->conn_ix, &c->node, hash);
			spin_unlock(lock);
			hlist_add_head_rcu(&c->map_node, &m->conns);
			WRITE_ONCE(m->nconns, m->nconns + 1);
			h->nconns++;
			spin_unlock_bh(&t->host_lock[hl]);
			conenat_table_check_size(t);
			return c;
		}
	}
	spin_unlock_bh(&t->host_lock[hl]);
	kmem_cache_free(conenat_conn_cache, c);
uncount:
	atomic_dec(&t->nconns);
	return found;
}

/**
 * conenat_conn_track - apply a TCP segment to its mapping and connection
 * @inst: the instance
 * @cfg: its configuration
 * @m: the segment's mapping, alive
 * @tcp_flags: the segment's flag byte
 * @raddr: the remote address
 * @rport: the remote port
 * @out: the segment goes from the inside out
 *
 * Outbound segments refresh their connection, and create it if needed
 * (a RST does not). Inbound segments change a known connection's state,
 * and refresh it only with inbound_refresh. A connection that cannot be
 * tracked keeps its mapping for the established timeout instead, so a
 * limit never cuts a live connection short. Timestamps are written at
 * most once a jiffy, except when a FIN or RST shortens one.
 * Context: the netfilter hooks, RCU read lock held.
 */
void conenat_conn_track(struct conenat_instance *inst,
			const struct conenat_config *cfg,
			struct conenat_mapping *m, u8 tcp_flags,
			__be32 raddr, __be16 rport, bool out)
{
	struct conenat_table *t = &inst->table;
	struct conenat_conn *c;
	unsigned long expires;
	bool limited = false;
	u8 state, next;
	u32 hash;

	/* Nothing else inbound can change (conenat_tcp_next_state()). */
	if (!out && !cfg->hot.inbound_refresh &&
	    !(tcp_flags & CONENAT_TCPF_STATE))
		return;
	hash = conenat_conn_hash(&t->key, m->int_addr, m->int_port, raddr,
				 rport);
	c = conenat_conn_find(t, hash, m, raddr, rport);
	if (!c) {
		if (!out || (tcp_flags & CONENAT_TCPF_RST))
			return;
		c = conenat_conn_add(t, cfg, hash, m, raddr, rport, &limited);
		if (!c) {
			if (limited)
				conenat_count(inst, CONENAT_STAT_REFUSED_CONNS);
			conenat_count(inst, CONENAT_STAT_UNTRACKED);
			expires = conenat_expiry(cfg, CONENAT_TCP,
						 CONENAT_CONN_ESTABLISHED);
			conenat_stamp(&m->expires, expires, false);
			return;
		}
	}
	state = READ_ONCE(c->state);
	next = conenat_tcp_next_state(state, tcp_flags, out);
	if (next != state) {
		WRITE_ONCE(c->state, next);
		conenat_stamp(&c->expires,
			      conenat_expiry(cfg, CONENAT_TCP, next), true);
	} else if (out || cfg->hot.inbound_refresh) {
		conenat_stamp(&c->expires,
			      conenat_expiry(cfg, CONENAT_TCP, next), false);
	}
}

/* Whether a connection of @m is due for reaping. RCU read side. */
bool conenat_conns_due(const struct conenat_mapping *m, unsigned long now)
{
	const struct conenat_conn *c;

	hlist_for_each_entry_rcu(c, &m->conns, map_node)
		if (!time_before(now, READ_ONCE(c->expires)))
			return true;
	return false;
}

/* Caller holds the host_lock of @c's mapping, whose host is @h. */
static void conenat_conn_del(struct conenat_table *t, struct conenat_host *h,
			     struct conenat_conn *c)
{
	struct conenat_mapping *m = c->map;
	u32 hash = conenat_conn_hash(&t->key, m->int_addr, m->int_port,
				     c->raddr, c->rport);
	spinlock_t *lock = &t->conn_lock[conenat_stripe(hash)];

	spin_lock(lock);
	conenat_index_del(&t->conn_ix, &c->node, hash);
	spin_unlock(lock);
	hlist_del_rcu(&c->map_node);
	WRITE_ONCE(m->nconns, m->nconns - 1);
	if (h)
		h->nconns--;
	atomic_dec(&t->nconns);
	call_rcu(&c->rcu, conenat_conn_free_rcu);
}

/*
 * Reap the expired connections of @m, or @all of them. Returns whether
 * any is left. The walk is at most max_conns_per_mapping long. Caller
 * holds the host_lock of @m's host.
 */
bool conenat_conns_reap(struct conenat_table *t, struct conenat_mapping *m,
			bool all)
{
	unsigned long now = jiffies;
	struct conenat_host *h;
	struct conenat_conn *c;
	struct hlist_node *n;

	if (hlist_empty(&m->conns))
		return false;
	h = conenat_host_find(t, m->int_addr);
	hlist_for_each_entry_safe(c, n, &m->conns, map_node)
		if (all || !time_before(now, READ_ONCE(c->expires)))
			conenat_conn_del(t, h, c);
	return !hlist_empty(&m->conns);
}

/* Only once no reader can exist; see conenat_table_destroy(). */
void conenat_conns_destroy(struct conenat_table *t)
{
	struct conenat_buckets *tb = rcu_dereference_protected(t->conn_ix.tbl,
								1);
	struct conenat_node *n;
	u32 i;

	for (i = 0; i < (1U << tb->bits); i++) {
		while ((n = conenat_bucket_pop(&tb->b[i])))
			kmem_cache_free(conenat_conn_cache,
					container_of(n, struct conenat_conn,
						     node));
		cond_resched();
	}
}

/*
 * For dumps: the number of connections of @m, its enum conenat_tcp_state,
 * and when it expires if nothing more is sent. RCU read side.
 */
unsigned long conenat_conns_summary(const struct conenat_mapping *m,
				    u32 *nconns, u8 *state)
{
	unsigned long expires = READ_ONCE(m->expires);
	const struct conenat_conn *c;

	*nconns = 0;
	*state = CONENAT_TCP_TRANSITORY;
	hlist_for_each_entry_rcu(c, &m->conns, map_node) {
		unsigned long e = READ_ONCE(c->expires);

		(*nconns)++;
		if (READ_ONCE(c->state) == CONENAT_CONN_ESTABLISHED)
			*state = CONENAT_TCP_ESTABLISHED;
		if (time_after(e, expires))
			expires = e;
	}
	return expires;
}

int conenat_conn_cache_init(void)
{
	BUILD_BUG_ON(sizeof(struct conenat_conn) > 64);
	conenat_conn_cache = KMEM_CACHE(conenat_conn, SLAB_ACCOUNT);
	return conenat_conn_cache ? 0 : -ENOMEM;
}

void conenat_conn_cache_exit(void)
{
	kmem_cache_destroy(conenat_conn_cache);
}
