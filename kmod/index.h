/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash index that follows its number of entries: an array of buckets,
 * each a singly linked chain that ends on a nulls marker (as
 * list_nulls.h's, with one pointer per entry instead of two), read under
 * RCU without locks or atomics, written under the lock stripe of each
 * entry (hash.h), and moved to an array of another size in process
 * context while readers and writers go on. Unlinking an entry walks its
 * chain to it, under the stripe: chains are short, the index sees to it.
 *
 * A resize links the new array as the current one's future, then moves
 * the current array's buckets one at a time, each under its lock stripe,
 * makes the new array current, and frees the old one a grace period
 * later. Meanwhile writers add to the future array; readers walk the
 * current array and then its future. An entry moved while a reader is on
 * it leads the reader into a bucket of the new array, which ends on a
 * nulls marker that is not the one of the bucket it set out to walk (a
 * marker is the bucket's number and its array's parity, and the two
 * arrays of a resize differ in parity): the reader walks its bucket again.
 * Like rhashtable's, but the table decides when, in a context that its
 * owner's memory cgroup pays for, and the bucket arrays are charged.
 */
#ifndef _CONENAT_INDEX_H
#define _CONENAT_INDEX_H

#include <linux/kernel.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/siphash.h>
#include "hash.h"

/*
 * An entry's link in an index. Its next is the entry after it, or the
 * nulls marker of the bucket it is in (an odd value); it is left as it
 * is when the entry is unlinked, so that readers on the entry go on.
 */
struct conenat_node {
	struct conenat_node __rcu *next;
};

struct conenat_bucket {
	struct conenat_node __rcu *first;
};

struct conenat_buckets {
	struct conenat_buckets __rcu *future;	/* set while moving to it */
	unsigned int bits;
	unsigned int parity;			/* 0 or 1 */
	struct conenat_bucket b[];
};

struct conenat_index {
	struct conenat_buckets __rcu *tbl;
};

/* The hash of the entry at @node, to place it in another array. */
typedef u32 (*conenat_hash_fn)(const struct conenat_node *node,
			       const hsiphash_key_t *key);

static inline bool conenat_is_nulls(const struct conenat_node *n)
{
	return (unsigned long)n & 1;
}

static inline struct conenat_node *conenat_nulls(unsigned long value)
{
	return (struct conenat_node *)(value << 1 | 1UL);
}

/*
 * A walk of a bucket, under RCU or its lock stripe: from its first node,
 * each next, until a nulls marker, which conenat_index_moved() checks.
 */
static inline struct conenat_node *
conenat_bucket_first(const struct conenat_bucket *b)
{
	return rcu_dereference_raw(b->first);
}

static inline struct conenat_node *
conenat_node_next(const struct conenat_node *n)
{
	return rcu_dereference_raw(n->next);
}

/* Link @node first in @b. Caller holds the lock stripe of @b. */
static inline void conenat_bucket_add(struct conenat_bucket *b,
				      struct conenat_node *node)
{
	RCU_INIT_POINTER(node->next, rcu_dereference_protected(b->first, 1));
	rcu_assign_pointer(b->first, node);
}

/*
 * Unlink @node from @b, if it is there; its next stays. Caller holds the
 * lock stripe of @b.
 */
static inline bool conenat_bucket_del(struct conenat_bucket *b,
				      struct conenat_node *node)
{
	struct conenat_node __rcu **pprev = &b->first;
	struct conenat_node *n;

	while (!conenat_is_nulls(n = rcu_dereference_protected(*pprev, 1))) {
		if (n == node) {
			/* What follows @node was published before it. */
			RCU_INIT_POINTER(*pprev,
					 rcu_dereference_protected(n->next, 1));
			return true;
		}
		pprev = &n->next;
	}
	return false;
}

/*
 * Unlink the first entry of @b and return it, or NULL when @b is empty.
 * Caller holds the lock stripe of @b, or no one else can see it.
 */
static inline struct conenat_node *conenat_bucket_pop(struct conenat_bucket *b)
{
	struct conenat_node *n = rcu_dereference_protected(b->first, 1);

	if (conenat_is_nulls(n))
		return NULL;
	RCU_INIT_POINTER(b->first, rcu_dereference_protected(n->next, 1));
	return n;
}

/*
 * The array to walk first, under RCU or a lock stripe of the index (a
 * BH-disabled section, also an RCU read side).
 */
static inline struct conenat_buckets *
conenat_index_first(const struct conenat_index *ix)
{
	return rcu_dereference_check(ix->tbl, rcu_read_lock_any_held());
}

/* The array to walk after @tb: its future while a resize moves to it. */
static inline struct conenat_buckets *
conenat_index_next(const struct conenat_buckets *tb)
{
	/* Pairs with conenat_index_resize(): see the future of any move. */
	smp_rmb();
	return rcu_dereference_check(tb->future, rcu_read_lock_any_held());
}

static inline struct conenat_bucket *
conenat_index_bucket(struct conenat_buckets *tb, u32 hash)
{
	return &tb->b[conenat_bucket_of(hash, tb->bits)];
}

static inline unsigned long conenat_index_nulls(u32 bucket,
						unsigned int parity)
{
	return (unsigned long)bucket << 1 | parity;
}

/* Whether a walk of @hash's bucket of @tb that ended at @end left it. */
static inline bool conenat_index_moved(const struct conenat_buckets *tb,
				       u32 hash,
				       const struct conenat_node *end)
{
	return (unsigned long)end >> 1 !=
	       conenat_index_nulls(conenat_bucket_of(hash, tb->bits),
				   tb->parity);
}

/*
 * Link @node, whose hash is @hash, in the array that new entries go to.
 * Caller holds the lock stripe of @hash.
 */
static inline void conenat_index_add(struct conenat_index *ix,
				     struct conenat_node *node, u32 hash)
{
	struct conenat_buckets *tb = conenat_index_first(ix);
	struct conenat_buckets *future = rcu_dereference_check(tb->future,
							       1);

	conenat_bucket_add(conenat_index_bucket(future ?: tb, hash), node);
}

/*
 * Unlink @node, whose hash is @hash, from whichever array it is in.
 * Caller holds the lock stripe of @hash: a resize moves a bucket whole
 * under it, so @node is in the current array's bucket or the future's.
 */
static inline void conenat_index_del(struct conenat_index *ix,
				     struct conenat_node *node, u32 hash)
{
	struct conenat_buckets *tb;

	for (tb = conenat_index_first(ix); tb; tb = conenat_index_next(tb))
		if (conenat_bucket_del(conenat_index_bucket(tb, hash), node))
			return;
	WARN_ONCE(1, "conenat: unlinking an entry not in its index\n");
}

/*
 * The order (log2 of the buckets) of the current array, to a reader under
 * RCU or a lock stripe, or to the holder of the lock that serialises
 * resizes: the array may be replaced, but not freed, meanwhile.
 */
static inline unsigned int conenat_index_order(const struct conenat_index *ix)
{
	return rcu_dereference_raw(ix->tbl)->bits;
}

/* Whether an index holding @n entries is to be resized. */
static inline bool conenat_index_wants_resize(const struct conenat_index *ix,
					      u32 n)
{
	unsigned int bits = conenat_index_order(ix);

	return conenat_index_bits(bits, n) != bits;
}

int conenat_index_cache_init(void);
void conenat_index_cache_exit(void);
int conenat_index_init(struct conenat_index *ix);
void conenat_index_destroy(struct conenat_index *ix);
bool conenat_index_fit(struct conenat_index *ix, u32 n, spinlock_t *locks,
		       conenat_hash_fn hash, const hsiphash_key_t *key);

#endif /* _CONENAT_INDEX_H */
