/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet as translation sees it: parsed (parse.c) and rewritten in
 * place with incremental checksums (rewrite.c). Pure of any instance;
 * also built in userspace by tests/unit and the fuzzer.
 */
#ifndef _CONENAT_PKT_H
#define _CONENAT_PKT_H

#include "config.h"		/* enum conenat_proto */

/*
 * A packet's transport header as translation sees it (xlate.c, icmp.c).
 * For an ICMP error, proto and the ports are those of the packet it
 * quotes (RFC 5508), whose IPv4 header is at ioff and transport header
 * at ithoff, with at least 8 bytes of it present.
 */
struct conenat_pkt {
	unsigned int thoff;	/* transport header offset from skb->data */
	unsigned int ioff;	/* ICMP error: quoted IPv4 header, else 0 */
	unsigned int ithoff;	/* ICMP error: quoted transport header */
	u8 proto;		/* enum conenat_proto */
	u8 tcp_flags;
	__be16 sport;		/* ICMP: the echo identifier in both */
	__be16 dport;
};

struct sk_buff;

unsigned int conenat_l4_len(u8 proto);
int conenat_parse(struct sk_buff *skb, struct conenat_pkt *p, bool out);
void conenat_rewrite(struct sk_buff *skb, const struct conenat_pkt *p,
		     bool src, __be32 naddr, __be16 nport);
void conenat_rewrite_error(struct sk_buff *skb, const struct conenat_pkt *p,
			   bool out, __be32 naddr, __be16 nport);
void conenat_rewrite_saddr(struct sk_buff *skb, __be32 naddr);

#endif /* _CONENAT_PKT_H */
