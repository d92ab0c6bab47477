/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors (icmp.c): translated with the packet they quote
 * (RFC 5508); never create or refresh a mapping.
 */
#ifndef _CONENAT_ICMP_H
#define _CONENAT_ICMP_H

#include "pkt.h"

struct conenat_instance;
struct sk_buff;

bool conenat_error_prepare(struct conenat_instance *inst,
			   struct sk_buff *skb, const struct conenat_pkt *p);
unsigned int conenat_xlate_error_in(struct conenat_instance *inst,
				    struct sk_buff *skb, struct conenat_pkt *p);
unsigned int conenat_xlate_error_out(struct conenat_instance *inst,
				     struct sk_buff *skb,
				     struct conenat_pkt *p);

#endif /* _CONENAT_ICMP_H */
