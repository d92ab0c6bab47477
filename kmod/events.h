/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mappings as netlink messages (events.c): an event to the multicast
 * group when one is made or expires, and the mapping dump.
 */
#ifndef _CONENAT_EVENTS_H
#define _CONENAT_EVENTS_H

#include <linux/types.h>

struct net;
struct sk_buff;
struct netlink_callback;
struct conenat_mapping;

void conenat_notify(struct net *net, const struct conenat_mapping *m, u8 cmd);
int conenat_dump_mappings(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _CONENAT_EVENTS_H */
