/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The router's own sockets, which mappings must never shadow (the
 * CVE-2021-3773 pattern). Context: RCU read lock held, any context.
 */
#ifndef _CONENAT_SOCKETS_H
#define _CONENAT_SOCKETS_H

#include <linux/types.h>

struct net;

bool conenat_port_in_use(struct net *net, u8 proto, __be16 port);
bool conenat_router_owns(struct net *net, u8 proto, __be32 addr,
			 __be16 port, __be32 raddr, __be16 rport, int dif);

#endif /* _CONENAT_SOCKETS_H */
