/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An instance's configuration, immutable once applied, and the pure
 * functions of it (config.c). Built in the kernel and, with
 * tests/unit/shim.h force-included, in userspace for the unit tests and
 * the fuzzer, on big- and little-endian, 32- and 64-bit targets.
 */
#ifndef _CONENAT_CONFIG_H
#define _CONENAT_CONFIG_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bits.h>
#include <linux/if.h>
#endif
#include <uapi/linux/conenat.h>

#define CONENAT_MAX_MAPPINGS	BIT(24)

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

/* Timeouts in seconds, as configured; in jiffies in struct conenat_hot. */
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

/*
 * What the data path reads for each packet, in one cache line: derived
 * from the rest of the configuration by conenat_config_derive() before
 * the configuration is applied, and never written after. Timeouts are in
 * jiffies here.
 */
struct conenat_hot {
	unsigned long idle[CONENAT_NTIMEOUTS];
	u32 fwmark;
	u8 nr_internal;			/* 0: translate every source */
	u8 nr_exclude;
	u8 nr_pool;			/* 0: the interface's address */
	bool inbound_refresh;
};

/*
 * First comes the hot part, so that it shares the first cache line of
 * the allocation (kmalloc aligns a power-of-two size to itself) with
 * nothing the data path does not read.
 */
struct conenat_config {
	struct conenat_hot hot;
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
/* The flags that change a connection's state in both directions. */
#define CONENAT_TCPF_STATE	(CONENAT_TCPF_SYN | CONENAT_TCPF_FIN | \
				 CONENAT_TCPF_RST)

int conenat_proto_index(u8 ipproto);
u8 conenat_proto_ipproto(enum conenat_proto p);
void conenat_config_defaults(struct conenat_config *cfg, u32 max_mappings);
int conenat_config_check(const struct conenat_config *cfg, const char **why);
u8 conenat_tcp_next_state(u8 state, u8 tcp_flags, bool out);
void conenat_config_derive(struct conenat_config *cfg);
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
	return (!cfg->hot.nr_internal ||
		conenat_prefixes_match(&cfg->internal, saddr)) &&
	       (!cfg->hot.nr_exclude ||
		!conenat_prefixes_match(&cfg->exclude, daddr));
}

/*
 * Idle time in jiffies of a mapping of @proto, or for TCP of a connection
 * in @conn_state (a TCP mapping's own: CONENAT_CONN_OPENING).
 */
static inline unsigned long conenat_idle_of(const struct conenat_config *cfg,
					    u8 proto, u8 conn_state)
{
	switch (proto) {
	case CONENAT_TCP:
		return cfg->hot.idle[conn_state == CONENAT_CONN_ESTABLISHED ?
				     CONENAT_TO_TCP_EST : CONENAT_TO_TCP_TRANS];
	case CONENAT_ICMP:
		return cfg->hot.idle[CONENAT_TO_ICMP];
	default:
		return cfg->hot.idle[CONENAT_TO_UDP];
	}
}

#endif /* _CONENAT_CONFIG_H */
