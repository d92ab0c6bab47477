/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conenat: endpoint-independent NAPT for IPv4, internal declarations.
 *
 * Objects and their lifetimes:
 *
 *   conenat_net       per network namespace, lives as long as the netns.
 *                     Holds the statistics and, while "up", the instance.
 *   conenat_instance  created by CONENAT_CMD_UP, destroyed by DOWN or netns
 *                     exit. Owns the netfilter hooks, the mapping table,
 *                     the GC work and the current configuration.
 *   conenat_config    immutable; replaced as a whole under RCU.
 *   conenat_table     part of the instance (table.h). Its four indexes
 *                     start with a bucket per lock stripe and are resized
 *                     by its own work, in process context, as entries
 *                     come and go; an old bucket array is freed by RCU.
 *   conenat_mapping   one per (proto, internal addr, internal port). Lives in
 *                     the inside index while alive and in the outside index
 *                     until its port's hold-down ends; freed by RCU.
 *   conenat_host      one per internal host with a live mapping, in the host
 *                     index: its counts for the per-host limits. Only seen
 *                     under its host_lock; freed at once.
 *   conenat_conn      one per TCP connection (mapping, remote addr, remote
 *                     port); keeps its mapping alive. Created by outbound
 *                     segments, reaped by the GC before its mapping can
 *                     expire; freed by RCU.
 */
#ifndef _CONENAT_H
#define _CONENAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/if.h>
#include <linux/siphash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/rculist.h>
#include <linux/mutex.h>
#endif
/* Userspace unit tests force-include tests/unit/shim.h instead. */
#include <uapi/linux/conenat.h>
#include "expiry.h"

#define CONENAT_VERSION "0.1.0"
#define CONENAT_MAX_MAPPINGS	BIT(24)

struct net;
struct netlink_ext_ack;

/* Protocols with mappings; index into per-protocol arrays. */
enum conenat_proto {
	CONENAT_UDP,
	CONENAT_TCP,
	CONENAT_ICMP,
	CONENAT_NPROTO
};

struct conenat_range {
	u16 min;
	u16 max;
};

struct conenat_port_ranges {
	struct conenat_range r[CONENAT_MAX_RANGES];
	unsigned int nr;
	unsigned int total;		/* number of ports in all of r[] */
};

/* A tracked TCP connection's state; see conenat_tcp_next_state(). */
enum conenat_conn_state {
	CONENAT_CONN_OPENING,		/* transitory timeout */
	CONENAT_CONN_ESTABLISHED,	/* established timeout */
	CONENAT_CONN_CLOSING,		/* FIN or RST seen; transitory */
};

/* Timeouts are kept in seconds here; the data path converts with HZ. */
enum conenat_timeout {
	CONENAT_TO_UDP,
	CONENAT_TO_TCP_EST,
	CONENAT_TO_TCP_TRANS,
	CONENAT_TO_ICMP,
	CONENAT_TO_HOLDDOWN,
	CONENAT_NTIMEOUTS
};

struct conenat_prefix {
	__be32 addr;
	__be32 mask;
	u8 len;
};

struct conenat_prefixes {
	struct conenat_prefix p[CONENAT_MAX_PREFIXES];
	unsigned int nr;
};

/* External addresses of paired pooling, sorted in host byte order. */
struct conenat_pool {
	__be32 a[CONENAT_MAX_ADDRS];
	unsigned int nr;
};

/* A port forward (static mapping); ports in network order. */
struct conenat_forward {
	__be32 int_addr;
	__be16 int_port;
	__be16 ext_port;
	u8 proto;			/* enum conenat_proto */
};

struct conenat_config {
	char ifname[IFNAMSIZ];
	struct conenat_port_ranges ports[CONENAT_NPROTO];
	u32 timeout[CONENAT_NTIMEOUTS];
	struct conenat_prefixes internal;	/* translate only these */
	struct conenat_prefixes exclude;	/* never to these */
	struct conenat_pool pool;		/* empty: the interface's */
	struct conenat_forward fwd[CONENAT_MAX_FORWARDS];
	unsigned int nr_fwd;
	u32 max_mappings;
	u32 max_per_host;
	u32 max_conns_per_host;		/* TCP connections of one host */
	u32 max_conns_per_mapping;	/* and of one mapping */
	u32 fwmark;
	bool inbound_refresh;
	bool unsafe_timeouts;
};

/* TCP flag bits as in the 14th byte of the TCP header. */
#define CONENAT_TCPF_FIN	0x01
#define CONENAT_TCPF_SYN	0x02
#define CONENAT_TCPF_RST	0x04
#define CONENAT_TCPF_ACK	0x10

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
/* parse.c and rewrite.c, also built in userspace by tests/unit and fuzz. */
unsigned int conenat_l4_len(u8 proto);
int conenat_parse(struct sk_buff *skb, struct conenat_pkt *p, bool out);
void conenat_rewrite(struct sk_buff *skb, const struct conenat_pkt *p,
		     bool src, __be32 naddr, __be16 nport);
void conenat_rewrite_error(struct sk_buff *skb, const struct conenat_pkt *p,
			   bool out, __be32 naddr, __be16 nport);
void conenat_rewrite_saddr(struct sk_buff *skb, __be32 naddr);

/* Candidate ports tried per new mapping; bounds the work in softirq. */
#define CONENAT_PORT_ATTEMPTS	128

/* Pure helpers (config.c, portalloc.c), also built in userspace. */
int conenat_proto_index(u8 ipproto);
u8 conenat_proto_ipproto(enum conenat_proto p);
void conenat_config_defaults(struct conenat_config *cfg, u32 max_mappings);
int conenat_ranges_add(struct conenat_port_ranges *pr, u16 min, u16 max,
		       const char **why);
int conenat_config_check(const struct conenat_config *cfg, const char **why);
bool conenat_ranges_contain(const struct conenat_port_ranges *pr, u16 port);
u16 conenat_ranges_port(const struct conenat_port_ranges *pr, u32 index);
u32 conenat_port_tries(const struct conenat_port_ranges *pr);
u16 conenat_port_candidate(const struct conenat_port_ranges *pr, u32 i,
			   u32 seed, u32 rnd);
u8 conenat_tcp_next_state(u8 state, u8 tcp_flags, bool out);
u32 conenat_timeout_of(const struct conenat_config *cfg, u8 proto,
		       u8 conn_state);
int conenat_prefixes_add(struct conenat_prefixes *ps, __be32 addr, u8 len,
			 const char **why);
int conenat_forward_add(struct conenat_config *cfg,
			const struct conenat_forward *f, const char **why);
int conenat_forward_find(const struct conenat_config *cfg, u8 proto,
			 __be16 ext_port);
int conenat_forward_del(struct conenat_config *cfg, u8 proto,
			__be16 ext_port);
bool conenat_forward_has(const struct conenat_config *cfg,
			 const struct conenat_forward *f);
bool conenat_prefixes_match(const struct conenat_prefixes *ps, __be32 addr);
int conenat_pool_add(struct conenat_pool *pool, __be32 addr,
		     const char **why);
bool conenat_pool_has(const struct conenat_pool *pool, __be32 addr);

/* Whether a packet from @saddr to @daddr is to be translated at all. */
static inline bool conenat_selected(const struct conenat_config *cfg,
				    __be32 saddr, __be32 daddr)
{
	return (!cfg->internal.nr ||
		conenat_prefixes_match(&cfg->internal, saddr)) &&
	       (!cfg->exclude.nr ||
		!conenat_prefixes_match(&cfg->exclude, daddr));
}

#ifdef __KERNEL__

#include <net/netns/generic.h>
#include <linux/percpu.h>
#include <linux/netfilter.h>
#include <linux/sched/mm.h>
#include "table.h"

struct conenat_stats {
	u64 c[__CONENAT_STAT_MAX];
};

struct conenat_instance {
	struct net *net;
	struct conenat_stats __percpu *stats;	/* the namespace's */
	struct conenat_config __rcu *cfg;
	int ifindex;
	__be32 ext_addr;		/* interface's; READ_ONCE; 0: none */
	struct conenat_table table;
	struct delayed_work gc_work;
	unsigned int gc_cursor;		/* next outside bucket to scan */
	struct nf_hook_ops hook_ops[3];	/* priv points back here */
};

struct conenat_net {
	struct mutex lock;		/* serialises configuration changes */
	struct conenat_instance __rcu *inst;
	struct conenat_stats __percpu *stats;
};

extern unsigned int conenat_net_id;

static inline struct conenat_net *conenat_pernet(const struct net *net)
{
	return net_generic(net, conenat_net_id);
}

static inline void conenat_count(const struct conenat_instance *inst,
				 enum conenat_stat s)
{
	this_cpu_inc(inst->stats->c[s]);
}

/*
 * The external address of @int_addr's mappings: with a pool, the one
 * address the host is paired with (RFC 4787 REQ-2), stable while the
 * pool is; else the interface's. 0 while there is none. RCU read side,
 * @cfg being @inst's.
 */
static inline __be32 conenat_ext_addr_of(const struct conenat_instance *inst,
					 const struct conenat_config *cfg,
					 __be32 int_addr)
{
	if (cfg->pool.nr)
		return cfg->pool.a[conenat_pool_index(&inst->table.key,
						      int_addr, cfg->pool.nr)];
	return READ_ONCE(inst->ext_addr);
}

/* Whether @addr is an external address of @inst. RCU read side. */
static inline bool conenat_is_ext_addr(const struct conenat_instance *inst,
				       const struct conenat_config *cfg,
				       __be32 addr)
{
	if (cfg->pool.nr)
		return conenat_pool_has(&cfg->pool, addr);
	return addr == READ_ONCE(inst->ext_addr);
}

/* netns.c */
int conenat_netns_init(void);
void conenat_netns_exit(void);
u32 conenat_default_max_mappings(void);
void conenat_config_init(struct conenat_config *cfg);
int conenat_instance_apply(struct conenat_net *cn, struct net *net,
			   struct conenat_config *cfg, unsigned int *bad);
void conenat_instance_destroy(struct conenat_net *cn);
void conenat_stats_sum(struct conenat_net *cn, u64 *sum);

/* When a mapping of @proto (a TCP connection in @state) idles out now. */
static inline unsigned long conenat_expiry(const struct conenat_config *cfg,
					   u8 proto, u8 state)
{
	return conenat_expiry_from(jiffies,
				   conenat_timeout_of(cfg, proto, state));
}

/* gc.c */
void conenat_gc_start(struct conenat_instance *inst);
void conenat_gc_stop(struct conenat_instance *inst);
void conenat_flush(struct conenat_instance *inst, enum conenat_scan what,
		   int proto);

/* forward.c */
void conenat_forwards_map(struct conenat_instance *inst,
			  const struct conenat_config *cfg);
int conenat_forwards_replace(struct conenat_instance *inst,
			     const struct conenat_config *old,
			     const struct conenat_config *cfg,
			     unsigned int *bad);

/* hooks.c */
int conenat_hooks_register(struct conenat_instance *inst);
void conenat_hooks_unregister(struct conenat_instance *inst);

/* icmp.c */
bool conenat_error_prepare(struct conenat_instance *inst,
			   struct sk_buff *skb, const struct conenat_pkt *p);
unsigned int conenat_xlate_error_in(struct conenat_instance *inst,
				    struct sk_buff *skb, struct conenat_pkt *p);
unsigned int conenat_xlate_error_out(struct conenat_instance *inst,
				     struct sk_buff *skb,
				     struct conenat_pkt *p);

/* xlate.c */
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

/* netlink.c */
int conenat_genl_init(void);
void conenat_genl_exit(void);
void conenat_notify(struct net *net, const struct conenat_mapping *m, u8 cmd);

#endif /* __KERNEL__ */
#endif /* _CONENAT_H */
