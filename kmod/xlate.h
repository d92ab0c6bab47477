/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Translation (xlate.c): what the hooks do with a packet, outbound,
 * inbound, hairpinned and from the router itself.
 */
#ifndef _CONENAT_XLATE_H
#define _CONENAT_XLATE_H

struct conenat_instance;
struct conenat_config;
struct sk_buff;

unsigned int conenat_xlate_out(struct conenat_instance *inst,
			       struct sk_buff *skb);
unsigned int conenat_xlate_in(struct conenat_instance *inst,
			      struct sk_buff *skb);
unsigned int conenat_xlate_local_out(struct conenat_instance *inst,
				     struct sk_buff *skb);
unsigned int conenat_xlate_hairpin(struct conenat_instance *inst,
				   struct sk_buff *skb);
unsigned int conenat_deliver_in(struct conenat_instance *inst,
				const struct conenat_config *cfg,
				struct sk_buff *skb);

#endif /* _CONENAT_XLATE_H */
