/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family (netlink.c), whose commands are in
 * commands.c and whose events and mapping dump are in events.c.
 */
#ifndef _CONENAT_NETLINK_H
#define _CONENAT_NETLINK_H

#include <net/genetlink.h>

enum conenat_mcgrp {
	CONENAT_MCGRP_EVENTS,
};

extern struct genl_family conenat_family;

int conenat_genl_init(void);
void conenat_genl_exit(void);

#endif /* _CONENAT_NETLINK_H */
