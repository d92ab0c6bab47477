// SPDX-License-Identifier: GPL-2.0
/*
 * The bucket arrays of a self-sizing hash index, and moving an index from
 * one to another; see index.h.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include "index.h"

/*
 * Arrays of the smallest size, which every idle index has, from a cache
 * of their own: kmalloc() would round their 272 bytes up to 512.
 */
static struct kmem_cache *conenat_small_buckets;

#define CONENAT_SMALL_BUCKETS_SIZE \
	struct_size_t(struct conenat_buckets, b, 1U << CONENAT_MIN_HASH_BITS)

int conenat_index_cache_init(void)
{
	conenat_small_buckets = kmem_cache_create("conenat_buckets",
						  CONENAT_SMALL_BUCKETS_SIZE,
						  0, SLAB_ACCOUNT, NULL);
	return conenat_small_buckets ? 0 : -ENOMEM;
}

void conenat_index_cache_exit(void)
{
	kmem_cache_destroy(conenat_small_buckets);
}

static void conenat_buckets_free(struct conenat_buckets *tb)
{
	if (tb->bits == CONENAT_MIN_HASH_BITS)
		kmem_cache_free(conenat_small_buckets, tb);
	else
		kvfree(tb);
}

/* Process context; charged to the active memory cgroup, if any. */
static struct conenat_buckets *conenat_buckets_alloc(unsigned int bits,
						     unsigned int parity)
{
	struct conenat_buckets *tb;
	u32 i;

	if (bits == CONENAT_MIN_HASH_BITS)
		tb = kmem_cache_alloc(conenat_small_buckets, GFP_KERNEL_ACCOUNT);
	else
		tb = kvmalloc(struct_size(tb, b, 1U << bits),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!tb)
		return NULL;
	RCU_INIT_POINTER(tb->future, NULL);
	tb->bits = bits;
	tb->parity = parity;
	for (i = 0; i < (1U << bits); i++)
		RCU_INIT_POINTER(tb->b[i].first,
				 conenat_nulls(conenat_index_nulls(i, parity)));
	return tb;
}

/* An empty index of the smallest size. Process context. */
int conenat_index_init(struct conenat_index *ix)
{
	struct conenat_buckets *tb;

	tb = conenat_buckets_alloc(CONENAT_MIN_HASH_BITS, 0);
	if (!tb)
		return -ENOMEM;
	RCU_INIT_POINTER(ix->tbl, tb);
	return 0;
}

/* Once no reader or writer can exist, and no resize runs. */
void conenat_index_destroy(struct conenat_index *ix)
{
	conenat_buckets_free(rcu_dereference_protected(ix->tbl, 1));
}

/*
 * Move every entry of @old to @new, one bucket at a time under its lock
 * stripe, which is also the stripe of each of its entries in @new.
 */
static void conenat_index_move(struct conenat_buckets *old,
			       struct conenat_buckets *new, spinlock_t *locks,
			       conenat_hash_fn hash, const hsiphash_key_t *key)
{
	struct conenat_node *n;
	u32 b;

	for (b = 0; b < (1U << old->bits); b++) {
		spinlock_t *lock = &locks[conenat_stripe(b)];

		spin_lock_bh(lock);
		while ((n = conenat_bucket_pop(&old->b[b])))
			conenat_bucket_add(conenat_index_bucket(new,
								hash(n, key)),
					   n);
		spin_unlock_bh(lock);
		if (!(b % CONENAT_NLOCKS))
			cond_resched();
	}
}

/**
 * conenat_index_fit - resize an index to its number of entries
 * @ix: the index
 * @n: how many entries it holds
 * @locks: its lock stripes, CONENAT_NLOCKS of them
 * @hash: the hash of an entry
 * @key: the key of @hash
 *
 * Returns whether @ix was resized; an index that cannot get the memory
 * keeps its size, with longer chains. The caller keeps every other
 * resize of @ix and every walk by bucket number out.
 * Context: process; the memory is charged to the active memory cgroup.
 */
bool conenat_index_fit(struct conenat_index *ix, u32 n, spinlock_t *locks,
		       conenat_hash_fn hash, const hsiphash_key_t *key)
{
	struct conenat_buckets *old = rcu_dereference_protected(ix->tbl, 1);
	unsigned int bits = conenat_index_bits(old->bits, n);
	struct conenat_buckets *new;

	if (bits == old->bits)
		return false;
	new = conenat_buckets_alloc(bits, !old->parity);
	if (!new)
		return false;
	/*
	 * Writers add to the future from now on: each takes a stripe before
	 * it looks, and the move takes each stripe after this. Readers that
	 * miss a moved entry see the future (conenat_index_next()).
	 */
	rcu_assign_pointer(old->future, new);
	/* Pairs with conenat_index_next(), conenat_table_settled(). */
	smp_wmb();
	conenat_index_move(old, new, locks, hash, key);
	rcu_assign_pointer(ix->tbl, new);
	/* Readers and writers in @old (BH-disabled ones too) are done. */
	synchronize_rcu();
	conenat_buckets_free(old);
	return true;
}
