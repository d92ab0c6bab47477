// SPDX-License-Identifier: GPL-2.0
/*
 * The "conenat" generic netlink family; the protocol is documented in
 * include/uapi/linux/conenat.h. Every operation needs CAP_NET_ADMIN in the
 * user namespace owning the network namespace, and validates strictly,
 * with a policy per kind of request: unknown and reply-only attributes,
 * and those of another command, are refused with an extack message.
 *
 * The family is parallel_ops: genetlink takes no lock of its own around
 * a request, so that one namespace's slow command (a flush of a million
 * mappings, the grace periods of a reconfiguration) never holds up
 * another namespace, nor another family. Each command takes its
 * namespace's cn->lock for the configuration it reads or changes; the
 * mapping dump reads the table under RCU alone, and finds the instance
 * again in each of its parts.
 */
#include <net/genetlink.h>
#include "attrs.h"
#include "commands.h"
#include "events.h"
#include "netlink.h"

static const struct genl_multicast_group conenat_mcgrps[] = {
	[CONENAT_MCGRP_EVENTS] = {
		.name = CONENAT_GENL_MCGRP_EVENTS,
		/* CAP_NET_ADMIN in the namespace's user namespace */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

#define CONENAT_DOIT(_cmd, _doit, _policy)	{	\
	.cmd = _cmd,					\
	.doit = _doit,					\
	.policy = _policy,				\
	.maxattr = CONENAT_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,			\
}

static const struct genl_ops conenat_ops[] = {
	CONENAT_DOIT(CONENAT_CMD_GET, conenat_cmd_get, conenat_none_policy),
	CONENAT_DOIT(CONENAT_CMD_UP, conenat_cmd_up, conenat_config_policy),
	CONENAT_DOIT(CONENAT_CMD_SET, conenat_cmd_set, conenat_config_policy),
	CONENAT_DOIT(CONENAT_CMD_DOWN, conenat_cmd_down, conenat_none_policy),
	{
		.cmd = CONENAT_CMD_GET_MAPPINGS,
		.dumpit = conenat_dump_mappings,
		.policy = conenat_dump_policy,
		.maxattr = CONENAT_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	CONENAT_DOIT(CONENAT_CMD_FLUSH, conenat_cmd_flush,
		     conenat_flush_policy),
	CONENAT_DOIT(CONENAT_CMD_GET_STATS, conenat_cmd_get_stats,
		     conenat_none_policy),
	CONENAT_DOIT(CONENAT_CMD_FORWARD_ADD, conenat_cmd_forward,
		     conenat_forward_policy),
	CONENAT_DOIT(CONENAT_CMD_FORWARD_DEL, conenat_cmd_forward,
		     conenat_forward_policy),
};

struct genl_family conenat_family __ro_after_init = {
	.name = CONENAT_GENL_NAME,
	.version = CONENAT_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = conenat_ops,
	.n_ops = ARRAY_SIZE(conenat_ops),
	.mcgrps = conenat_mcgrps,
	.n_mcgrps = ARRAY_SIZE(conenat_mcgrps),
};

int conenat_genl_init(void)
{
	return genl_register_family(&conenat_family);
}

void conenat_genl_exit(void)
{
	genl_unregister_family(&conenat_family);
}
