// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state and the instance lifecycle: up, change, down, and
 * following the external interface (by name) and its IPv4 address.
 *
 * Locking: cn->lock (a mutex) serialises every change of the instance and
 * its configuration; it may be taken under RTNL (address notifier), so RTNL
 * is never taken under it. The data path reads cn->inst, inst->cfg and
 * inst->ext_addr under RCU only.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/net_namespace.h>
#include "instance.h"
#include "forward.h"
#include "gc.h"
#include "hooks.h"
#include "events.h"

unsigned int conenat_net_id __read_mostly;

/* The first primary IPv4 address of @dev, or 0. */
static __be32 conenat_dev_addr(struct net_device *dev)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	__be32 addr = 0;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(dev);
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (!(ifa->ifa_flags & IFA_F_SECONDARY)) {
				addr = ifa->ifa_local;
				break;
			}
		}
	}
	rcu_read_unlock();
	return addr;
}

/*
 * Flush every mapping after a grace period, so that none made with the
 * old addresses by a packet in flight survives and no packet leaves with
 * a stale source, and make the port forwards again on the new ones.
 * Called with cn->lock held.
 */
static void conenat_readdress(struct conenat_instance *inst)
{
	synchronize_net();
	conenat_flush(inst, CONENAT_SCAN_ALL, -1);
	conenat_forwards_map(inst, rcu_dereference_protected(inst->cfg, 1));
}

/*
 * The interface's address changed. Without a pool the mappings use it,
 * so they are flushed; with one they never do. Called with cn->lock held.
 */
static void conenat_set_ext_addr(struct conenat_instance *inst, __be32 addr)
{
	if (addr == inst->ext_addr)
		return;
	WRITE_ONCE(inst->ext_addr, addr);
	if (!rcu_dereference_protected(inst->cfg, 1)->pool.nr)
		conenat_readdress(inst);
}

/*
 * The default limit, and the most a caller without CAP_NET_ADMIN in the
 * initial user namespace may ask (netlink.c).
 */
u32 conenat_default_max_mappings(void)
{
	/* One mapping per 8 KiB of RAM: at ~100 bytes each, about 1%. */
	u64 n = ((u64)totalram_pages() << PAGE_SHIFT) >> 13;

	return clamp_t(u64, n, 4096, 1U << 20);
}

void conenat_config_init(struct conenat_config *cfg)
{
	conenat_config_defaults(cfg, conenat_default_max_mappings());
}

/*
 * Follow the interface named @name: its index and address, or 0 and 0
 * while there is none (a PPPoE link not up yet at boot): the instance
 * then waits, translating nothing, and the netdev notifier picks the
 * interface up when it appears. Called with cn->lock held, which that
 * notifier takes too, so it cannot slip in between.
 */
static void conenat_find_ext_dev(struct net *net, const char *name,
				 int *ifindex, __be32 *addr)
{
	struct net_device *dev = dev_get_by_name(net, name);

	*ifindex = dev ? dev->ifindex : 0;
	*addr = dev ? conenat_dev_addr(dev) : 0;
	dev_put(dev);
}

/* What the table makes and expires, to the namespace's listeners. */
static void conenat_instance_event(struct conenat_table *t,
				   const struct conenat_mapping *m, u8 cmd)
{
	conenat_notify(container_of(t, struct conenat_instance, table)->net, m,
		       cmd);
}

static int conenat_instance_create(struct net *net, struct conenat_net *cn,
				   struct conenat_config *cfg,
				   unsigned int *bad)
{
	struct conenat_instance *inst;
	int err;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL_ACCOUNT);
	if (!inst)
		return -ENOMEM;
	inst->net = net;
	inst->stats = cn->stats;
	conenat_find_ext_dev(net, cfg->ifname, &inst->ifindex,
			     &inst->ext_addr);
	RCU_INIT_POINTER(inst->cfg, cfg);

	err = conenat_table_init(&inst->table, net, conenat_instance_event);
	if (err)
		goto err_free;
	/* Before the hooks: nothing but the forwards can be in the table. */
	err = conenat_forwards_replace(inst, NULL, cfg, bad);
	if (err)
		goto err_table;
	err = conenat_hooks_register(inst);
	if (err)
		goto err_table;
	conenat_gc_start(inst);
	rcu_assign_pointer(cn->inst, inst);
	return 0;

err_table:
	conenat_table_destroy(&inst->table);
err_free:
	kfree(inst);
	return err;
}

static int conenat_instance_change(struct conenat_instance *inst,
				   struct conenat_config *cfg,
				   unsigned int *bad)
{
	struct conenat_config *old = rcu_dereference_protected(inst->cfg, 1);
	bool flush = memcmp(old->ports, cfg->ports, sizeof(cfg->ports)) ||
		     memcmp(&old->internal, &cfg->internal,
			    sizeof(cfg->internal)) ||
		     memcmp(&old->exclude, &cfg->exclude,
			    sizeof(cfg->exclude));
	bool repool = memcmp(&old->pool, &cfg->pool, sizeof(cfg->pool));
	__be32 addr = inst->ext_addr;
	int err;

	/* The one step that can fail, so it comes first. */
	err = conenat_forwards_replace(inst, old, cfg, bad);
	if (err)
		return err;
	if (strcmp(old->ifname, cfg->ifname)) {
		int ifindex;

		conenat_find_ext_dev(inst->net, cfg->ifname, &ifindex, &addr);
		WRITE_ONCE(inst->ifindex, ifindex);
		flush = true;
	}
	rcu_assign_pointer(inst->cfg, cfg);
	synchronize_rcu();
	kfree(old);
	if (repool) {
		WRITE_ONCE(inst->ext_addr, addr);
		conenat_readdress(inst);
	} else if (addr != inst->ext_addr) {
		conenat_set_ext_addr(inst, addr);
	} else if (flush) {
		conenat_flush(inst, CONENAT_SCAN_DYNAMIC, -1);
	}
	return 0;
}

/**
 * conenat_instance_apply - start the instance or change its configuration
 * @cn: the namespace's state, cn->lock held
 * @net: the namespace
 * @cfg: a validated configuration; owned by the instance on success, its
 *       hot part derived here
 * @bad: on -EADDRINUSE, the index in @cfg->fwd of a port forward whose
 *       port is taken
 *
 * All or nothing: on error, the instance, its configuration and its
 * mappings are as they were. An external interface that does not exist
 * yet is waited for.
 */
int conenat_instance_apply(struct conenat_net *cn, struct net *net,
			   struct conenat_config *cfg, unsigned int *bad)
{
	struct conenat_instance *inst;

	/* One cache line serves a packet (32 bytes on 32-bit MIPS). */
	BUILD_BUG_ON(sizeof(struct conenat_hot) > 8 * sizeof(long));
	lockdep_assert_held(&cn->lock);
	conenat_config_derive(cfg);
	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (inst)
		return conenat_instance_change(inst, cfg, bad);
	return conenat_instance_create(net, cn, cfg, bad);
}

/* Stop the instance, if any. cn->lock held. */
void conenat_instance_destroy(struct conenat_net *cn)
{
	struct conenat_instance *inst;

	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (!inst)
		return;
	RCU_INIT_POINTER(cn->inst, NULL);
	conenat_hooks_unregister(inst);
	conenat_gc_stop(inst);
	/* Dumps and the GC read the table under RCU; let them finish. */
	synchronize_rcu();
	conenat_table_destroy(&inst->table);
	kfree(rcu_dereference_protected(inst->cfg, 1));
	kfree(inst);
}

void conenat_stats_sum(struct conenat_net *cn, u64 *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * __CONENAT_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct conenat_stats *s = per_cpu_ptr(cn->stats, cpu);

		for (i = 0; i < __CONENAT_STAT_MAX; i++)
			sum[i] += READ_ONCE(s->c[i]);
	}
}

/* Follow the external interface's address. Process context, RTNL held. */
static int conenat_inetaddr_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct net_device *dev = ((struct in_ifaddr *)ptr)->ifa_dev->dev;
	struct conenat_net *cn = conenat_pernet(dev_net(dev));
	struct conenat_instance *inst;

	if (event != NETDEV_UP && event != NETDEV_DOWN)
		return NOTIFY_DONE;
	mutex_lock(&cn->lock);
	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (inst && READ_ONCE(inst->ifindex) == dev->ifindex)
		conenat_set_ext_addr(inst, conenat_dev_addr(dev));
	mutex_unlock(&cn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block conenat_inetaddr_notifier = {
	.notifier_call = conenat_inetaddr_event,
};

/*
 * Follow the external interface by name: a PPPoE link that reconnects, or
 * any interface deleted and created again, gets a new ifindex. The old
 * one's addresses went away first (inetaddr notifier, so its mappings are
 * flushed); here the instance forgets it, and picks up the new one with
 * its address. Process context, RTNL held.
 */
static int conenat_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct conenat_net *cn = conenat_pernet(dev_net(dev));
	const struct conenat_config *cfg;
	struct conenat_instance *inst;
	bool ours;

	if (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER &&
	    event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;
	mutex_lock(&cn->lock);
	inst = rcu_dereference_protected(cn->inst, lockdep_is_held(&cn->lock));
	if (!inst)
		goto out;
	cfg = rcu_dereference_protected(inst->cfg, lockdep_is_held(&cn->lock));
	ours = event != NETDEV_UNREGISTER && !strcmp(dev->name, cfg->ifname);
	if (ours && inst->ifindex != dev->ifindex) {
		WRITE_ONCE(inst->ifindex, dev->ifindex);
		conenat_set_ext_addr(inst, conenat_dev_addr(dev));
	} else if (!ours && inst->ifindex == dev->ifindex) {
		WRITE_ONCE(inst->ifindex, 0);
		conenat_set_ext_addr(inst, 0);
	}
out:
	mutex_unlock(&cn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block conenat_netdev_notifier = {
	.notifier_call = conenat_netdev_event,
};

static int __net_init conenat_net_init(struct net *net)
{
	struct conenat_net *cn = conenat_pernet(net);

	mutex_init(&cn->lock);
	cn->stats = alloc_percpu_gfp(struct conenat_stats, GFP_KERNEL_ACCOUNT);
	return cn->stats ? 0 : -ENOMEM;
}

static void __net_exit conenat_net_exit(struct net *net)
{
	struct conenat_net *cn = conenat_pernet(net);

	mutex_lock(&cn->lock);
	conenat_instance_destroy(cn);
	mutex_unlock(&cn->lock);
	free_percpu(cn->stats);
}

static struct pernet_operations conenat_net_ops = {
	.init = conenat_net_init,
	.exit = conenat_net_exit,
	.id = &conenat_net_id,
	.size = sizeof(struct conenat_net),
};

int conenat_netns_init(void)
{
	int err;

	err = register_pernet_subsys(&conenat_net_ops);
	if (err)
		return err;
	err = register_inetaddr_notifier(&conenat_inetaddr_notifier);
	if (err)
		goto err_pernet;
	err = register_netdevice_notifier(&conenat_netdev_notifier);
	if (err)
		goto err_inetaddr;
	return 0;

err_inetaddr:
	unregister_inetaddr_notifier(&conenat_inetaddr_notifier);
err_pernet:
	unregister_pernet_subsys(&conenat_net_ops);
	return err;
}

void conenat_netns_exit(void)
{
	unregister_netdevice_notifier(&conenat_netdev_notifier);
	unregister_inetaddr_notifier(&conenat_inetaddr_notifier);
	unregister_pernet_subsys(&conenat_net_ops);
}
