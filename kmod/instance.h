/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-namespace state and the instance (netns.c): what the hooks,
 * the GC and the netlink commands share.
 *
 * Objects and their lifetimes:
 *
 *   conenat_net       per network namespace, lives as long as the netns.
 *                     Holds the statistics and, while "up", the instance.
 *   conenat_instance  created by CONENAT_CMD_UP, destroyed by DOWN or netns
 *                     exit. Owns the netfilter hooks, the mapping table,
 *                     the GC work and the current configuration.
 *   conenat_config    immutable; replaced as a whole under RCU.
 *   conenat_table     part of the instance (table.h). Its four indexes
 *                     start with a bucket per lock stripe and are resized
 *                     by its own work, in process context, as entries
 *                     come and go; an old bucket array is freed by RCU.
 *   conenat_mapping   one per (proto, internal addr, internal port), 64
 *                     bytes. Lives in the inside index while alive (not
 *                     DEAD) and in the outside index until its port's
 *                     hold-down ends (then GONE); freed by RCU.
 *   conenat_host      one per internal host with a live mapping, in the host
 *                     index: its counts for the per-host limits. Only seen
 *                     under its host_lock; freed at once.
 *   conenat_conn      one per TCP connection (mapping, remote addr, remote
 *                     port); keeps its mapping alive. Created by outbound
 *                     segments, reaped by the GC before its mapping can
 *                     expire; freed by RCU.
 */
#ifndef _CONENAT_INSTANCE_H
#define _CONENAT_INSTANCE_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/netfilter.h>
#include <net/netns/generic.h>
#include "config.h"
#include "expiry.h"
#include "table.h"

struct conenat_stats {
	u64 c[__CONENAT_STAT_MAX];
};

struct conenat_instance {
	struct net *net;
	struct conenat_stats __percpu *stats;	/* the namespace's */
	struct conenat_config __rcu *cfg;
	int ifindex;
	__be32 ext_addr;		/* interface's; READ_ONCE; 0: none */
	struct conenat_table table;
	struct delayed_work gc_work;
	unsigned int gc_cursor;		/* next outside bucket to scan */
	struct nf_hook_ops hook_ops[3];	/* priv points back here */
};

struct conenat_net {
	struct mutex lock;		/* serialises configuration changes */
	struct conenat_instance __rcu *inst;
	struct conenat_stats __percpu *stats;
};

extern unsigned int conenat_net_id;

static inline struct conenat_net *conenat_pernet(const struct net *net)
{
	return net_generic(net, conenat_net_id);
}

static inline void conenat_count(const struct conenat_instance *inst,
				 enum conenat_stat s)
{
	this_cpu_inc(inst->stats->c[s]);
}

/*
 * The external address of @int_addr's mappings: with a pool, the one
 * address the host is paired with (RFC 4787 REQ-2), stable while the
 * pool is; else the interface's. 0 while there is none. RCU read side,
 * @cfg being @inst's.
 */
static inline __be32 conenat_ext_addr_of(const struct conenat_instance *inst,
					 const struct conenat_config *cfg,
					 __be32 int_addr)
{
	if (cfg->hot.nr_pool)
		return cfg->pool.a[conenat_pool_index(&inst->table.key,
						      int_addr,
						      cfg->hot.nr_pool)];
	return READ_ONCE(inst->ext_addr);
}

/* Whether @addr is an external address of @inst. RCU read side. */
static inline bool conenat_is_ext_addr(const struct conenat_instance *inst,
				       const struct conenat_config *cfg,
				       __be32 addr)
{
	if (cfg->hot.nr_pool)
		return conenat_pool_has(&cfg->pool, addr);
	return addr == READ_ONCE(inst->ext_addr);
}

/* netns.c */
int conenat_netns_init(void);
void conenat_netns_exit(void);
u32 conenat_default_max_mappings(void);
void conenat_config_init(struct conenat_config *cfg);
int conenat_instance_apply(struct conenat_net *cn, struct net *net,
			   struct conenat_config *cfg, unsigned int *bad);
void conenat_instance_destroy(struct conenat_net *cn);
void conenat_stats_sum(struct conenat_net *cn, u64 *sum);

/* When a mapping of @proto (a TCP connection in @state) idles out now. */
static inline unsigned long conenat_expiry(const struct conenat_config *cfg,
					   u8 proto, u8 state)
{
	return conenat_expiry_from(jiffies, conenat_idle_of(cfg, proto, state));
}

#endif /* _CONENAT_INSTANCE_H */
