// SPDX-License-Identifier: GPL-2.0
/*
 * Port forwards: the static mappings of the configuration. A forward is a
 * mapping that never expires, made on the external address whenever there
 * is one, so that packets from any remote host to its port reach the
 * internal endpoint, and the endpoint's own packets leave from that port.
 * Callers hold cn->lock, which orders these against address changes.
 */
#include <linux/jiffies.h>
#include "conenat.h"

/**
 * conenat_forward_map - make the static mapping of a forward
 * @inst: the instance
 * @cfg: the configuration that holds @f (perhaps not installed yet)
 * @f: the forward
 *
 * A dynamic mapping of the internal endpoint gives way to it. Returns 0,
 * also while there is no external address (it is made when one comes),
 * or -EADDRINUSE when the port is taken, by a router socket for instance.
 * Context: process, cn->lock held.
 */
int conenat_forward_map(struct conenat_instance *inst,
			const struct conenat_config *cfg,
			const struct conenat_forward *f)
{
	struct conenat_table *t = &inst->table;
	enum conenat_stat event = CONENAT_STAT_UNSPEC;
	struct conenat_mapping *m;
	int err = 0;

	if (!conenat_ext_addr_of(inst, cfg, f->int_addr))
		return 0;
	rcu_read_lock();
	m = conenat_lookup_int(t, f->proto, f->int_addr, f->int_port);
	if (m && !m->fixed)
		conenat_mapping_drop(t, m);
	/* Its stamp is never read: a forward never expires. */
	m = conenat_mapping_create(inst, cfg, f->proto, f->int_addr,
				   f->int_port, jiffies, &event, f->ext_port);
	/* The data path may have made a dynamic one meanwhile. */
	if (!m || !m->fixed || m->ext_port != f->ext_port)
		err = -EADDRINUSE;
	rcu_read_unlock();
	return err;
}

/* Remove the static mapping of @f, if made. Process, cn->lock held. */
void conenat_forward_unmap(struct conenat_instance *inst,
			   const struct conenat_forward *f)
{
	struct conenat_table *t = &inst->table;
	struct conenat_mapping *m;

	rcu_read_lock();
	m = conenat_lookup_int(t, f->proto, f->int_addr, f->int_port);
	if (m && m->fixed && m->ext_port == f->ext_port)
		conenat_mapping_drop(t, m);
	rcu_read_unlock();
}

/* Make every forward of @cfg, e.g. on a new address. cn->lock held. */
void conenat_forwards_map(struct conenat_instance *inst,
			  const struct conenat_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_fwd; i++)
		if (conenat_forward_map(inst, cfg, &cfg->fwd[i]))
			pr_warn_ratelimited("conenat: port forward of port %u cannot be made: port in use\n",
					    ntohs(cfg->fwd[i].ext_port));
}
