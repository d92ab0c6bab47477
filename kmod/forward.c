// SPDX-License-Identifier: GPL-2.0
/*
 * Port forwards: the static mappings of the configuration. A forward is a
 * mapping that never expires, made on the external address whenever there
 * is one, so that packets from any remote host to its port reach the
 * internal endpoint, and the endpoint's own packets leave from that port.
 * Callers hold cn->lock, which orders these against address changes.
 */
#include <linux/jiffies.h>
#include "instance.h"
#include "forward.h"
#include "sockets.h"

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
static int conenat_forward_map(struct conenat_instance *inst,
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
	if (m && !conenat_map_fixed(m))
		conenat_mapping_drop(t, m);
	/* Its stamp is never read: a forward never expires. */
	m = conenat_mapping_create(inst, cfg, f->proto, f->int_addr,
				   f->int_port, jiffies, &event, f->ext_port);
	/* The data path may have made a dynamic one meanwhile. */
	if (!m || !conenat_map_fixed(m) || m->ext_port != f->ext_port)
		err = -EADDRINUSE;
	rcu_read_unlock();
	return err;
}

/* Remove the static mapping of @f, if made. Process, cn->lock held. */
static void conenat_forward_unmap(struct conenat_instance *inst,
				  const struct conenat_forward *f)
{
	struct conenat_table *t = &inst->table;
	struct conenat_mapping *m;

	rcu_read_lock();
	m = conenat_lookup_int(t, f->proto, f->int_addr, f->int_port);
	if (m && conenat_map_fixed(m) && m->ext_port == f->ext_port)
		conenat_mapping_drop(t, m);
	rcu_read_unlock();
}

/* Make @f, or say why it is not there. Process, cn->lock held. */
static void conenat_forward_make(struct conenat_instance *inst,
				 const struct conenat_config *cfg,
				 const struct conenat_forward *f)
{
	if (conenat_forward_map(inst, cfg, f))
		pr_warn_ratelimited("conenat: port forward of port %u cannot be made: port in use\n",
				    ntohs(f->ext_port));
}

/* Make every forward of @cfg, e.g. on a new address. cn->lock held. */
void conenat_forwards_map(struct conenat_instance *inst,
			  const struct conenat_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_fwd; i++)
		conenat_forward_make(inst, cfg, &cfg->fwd[i]);
}

/* Whether @f of the configuration to be is not one of @old (NULL: none). */
static bool conenat_forward_new(const struct conenat_config *old,
				const struct conenat_forward *f)
{
	return !old || !conenat_forward_has(old, f);
}

/*
 * Whether the new forward @f of @cfg cannot be made now: its port is held
 * by a mapping of another endpoint, alive or held down, that is not the
 * static mapping of a forward of @old about to go, or by a router socket.
 * The endpoint's own mapping gives way (see conenat_forward_map()).
 * Context: process, cn->lock held.
 */
static bool conenat_forward_blocked(struct conenat_instance *inst,
				    const struct conenat_config *old,
				    const struct conenat_config *cfg,
				    const struct conenat_forward *f)
{
	__be32 ext_addr = conenat_ext_addr_of(inst, cfg, f->int_addr);
	struct conenat_mapping *m;
	bool blocked;

	if (!ext_addr)
		return false;
	rcu_read_lock();
	m = conenat_lookup_ext(&inst->table, f->proto, ext_addr, f->ext_port);
	if (!conenat_port_kept(m))
		blocked = conenat_port_in_use(inst->net, f->proto, f->ext_port);
	else if (m->int_addr == f->int_addr && m->int_port == f->int_port)
		blocked = false;
	else
		blocked = !conenat_map_fixed(m) || !old ||
			  conenat_forward_find(old, f->proto, f->ext_port) < 0;
	rcu_read_unlock();
	return blocked;
}

/**
 * conenat_forwards_replace - give the instance the forwards of @cfg
 * @inst: the instance
 * @old: its configuration now, or NULL while it is being made
 * @cfg: the configuration about to be installed
 * @bad: set to the index in @cfg->fwd of a forward that cannot be made
 *
 * All or nothing: when the port of a forward new in @cfg is taken, this
 * returns -EADDRINUSE and changes nothing. Else the static mappings of the
 * forwards @cfg lacks are removed and the new ones made; one whose port
 * is taken in between, by a packet or a socket, is made when the address
 * next changes, as after any address change.
 * Context: process, cn->lock held.
 */
int conenat_forwards_replace(struct conenat_instance *inst,
			     const struct conenat_config *old,
			     const struct conenat_config *cfg,
			     unsigned int *bad)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_fwd; i++) {
		if (conenat_forward_new(old, &cfg->fwd[i]) &&
		    conenat_forward_blocked(inst, old, cfg, &cfg->fwd[i])) {
			*bad = i;
			return -EADDRINUSE;
		}
	}
	for (i = 0; old && i < old->nr_fwd; i++)
		if (!conenat_forward_has(cfg, &old->fwd[i]))
			conenat_forward_unmap(inst, &old->fwd[i]);
	for (i = 0; i < cfg->nr_fwd; i++)
		if (conenat_forward_new(old, &cfg->fwd[i]))
			conenat_forward_make(inst, cfg, &cfg->fwd[i]);
	return 0;
}
