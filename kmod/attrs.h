/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A configuration and its netlink attributes, both ways (attrs.c): the
 * policies the family's commands validate with (strictly: an attribute
 * a kind of request does not take is refused), requests parsed onto a
 * configuration, and a configuration put in a reply.
 */
#ifndef _CONENAT_ATTRS_H
#define _CONENAT_ATTRS_H

#ifdef __KERNEL__
#include <net/netlink.h>
#endif
#include "config.h"

/* Each the size of the whole attribute space; see attrs.c. */
extern const struct nla_policy conenat_config_policy[CONENAT_A_MAX + 1];
extern const struct nla_policy conenat_dump_policy[CONENAT_A_MAX + 1];
extern const struct nla_policy conenat_flush_policy[CONENAT_A_MAX + 1];
extern const struct nla_policy conenat_forward_policy[CONENAT_A_MAX + 1];
extern const struct nla_policy conenat_none_policy[CONENAT_A_MAX + 1];

void conenat_extack(struct netlink_ext_ack *extack,
		    const struct nlattr *attr, const char *msg);
int conenat_unique(const struct nlattr *head, int len,
		   struct netlink_ext_ack *extack);
int conenat_parse_proto(const struct nlattr *attr,
			struct netlink_ext_ack *extack);
int conenat_parse_forward(const struct nlattr *nest,
			  struct conenat_forward *f, bool del,
			  struct netlink_ext_ack *extack);
int conenat_parse_config(struct nlattr **tb, struct conenat_config *cfg,
			 struct netlink_ext_ack *extack);
int conenat_put_config(struct sk_buff *msg, const struct conenat_config *cfg);

#endif /* _CONENAT_ATTRS_H */
