// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration defaults and validation. Pure code: no locks, no
 * allocation, no kernel state, so tests/unit builds it in userspace.
 */
#include "config.h"
#include "portalloc.h"

#ifdef __KERNEL__
#include <linux/in.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/stringify.h>
#endif

int conenat_proto_index(u8 ipproto)
{
	switch (ipproto) {
	case IPPROTO_UDP:
		return CONENAT_UDP;
	case IPPROTO_TCP:
		return CONENAT_TCP;
	case IPPROTO_ICMP:
		return CONENAT_ICMP;
	}
	return -1;
}

u8 conenat_proto_ipproto(enum conenat_proto p)
{
	static const u8 ipproto[CONENAT_NPROTO] = {
		[CONENAT_UDP] = IPPROTO_UDP,
		[CONENAT_TCP] = IPPROTO_TCP,
		[CONENAT_ICMP] = IPPROTO_ICMP,
	};

	return ipproto[p];
}

void conenat_config_defaults(struct conenat_config *cfg, u32 max_mappings)
{
	enum conenat_proto p;

	memset(cfg, 0, sizeof(*cfg));
	for (p = 0; p < CONENAT_NPROTO; p++)
		conenat_ranges_add(&cfg->ports[p], CONENAT_DEFAULT_PORT_MIN,
				   CONENAT_DEFAULT_PORT_MAX, NULL);
	cfg->timeout[CONENAT_TO_UDP] = CONENAT_DEFAULT_TIMEOUT_UDP;
	cfg->timeout[CONENAT_TO_TCP_EST] = CONENAT_DEFAULT_TIMEOUT_TCP_EST;
	cfg->timeout[CONENAT_TO_TCP_TRANS] = CONENAT_DEFAULT_TIMEOUT_TCP_TRANS;
	cfg->timeout[CONENAT_TO_ICMP] = CONENAT_DEFAULT_TIMEOUT_ICMP;
	cfg->timeout[CONENAT_TO_HOLDDOWN] = CONENAT_DEFAULT_HOLDDOWN;
	cfg->max_mappings = max_mappings;
	cfg->max_per_host = max_mappings < 4096 ? max_mappings : 4096;
	cfg->max_conns_per_host = CONENAT_DEFAULT_MAX_CONNS_PER_HOST;
	cfg->max_conns_per_mapping = CONENAT_DEFAULT_MAX_CONNS_PER_MAPPING;
}

static const u32 conenat_timeout_min[CONENAT_NTIMEOUTS] = {
	[CONENAT_TO_UDP] = CONENAT_MIN_TIMEOUT_UDP,
	[CONENAT_TO_TCP_EST] = CONENAT_MIN_TIMEOUT_TCP_EST,
	[CONENAT_TO_TCP_TRANS] = CONENAT_MIN_TIMEOUT_TCP_TRANS,
	[CONENAT_TO_ICMP] = CONENAT_MIN_TIMEOUT_ICMP,
	[CONENAT_TO_HOLDDOWN] = 0,
};

static const char *const conenat_timeout_short[CONENAT_NTIMEOUTS] = {
	[CONENAT_TO_UDP] = "UDP timeout is below the RFC 4787 minimum of 120 s",
	[CONENAT_TO_TCP_EST] = "TCP established timeout is below the RFC 5382 minimum of 7440 s",
	[CONENAT_TO_TCP_TRANS] = "TCP transitory timeout is below the RFC 5382 minimum of 240 s",
	[CONENAT_TO_ICMP] = "ICMP timeout is below the RFC 5508 minimum of 60 s",
	[CONENAT_TO_HOLDDOWN] = "",
};

/**
 * conenat_config_check - validate a complete configuration
 * @cfg: the configuration
 * @why: set to a message for extack on failure
 *
 * Attribute policies already bounded each value; this checks what only
 * makes sense across fields.
 */
int conenat_config_check(const struct conenat_config *cfg, const char **why)
{
	enum conenat_proto p;
	int i;

	if (!cfg->ifname[0]) {
		*why = "external interface name is empty";
		return -EINVAL;
	}
	for (p = 0; p < CONENAT_NPROTO; p++) {
		if (!cfg->ports[p].total) {
			*why = "a protocol has no port range";
			return -EINVAL;
		}
	}
	for (i = 0; i < CONENAT_NTIMEOUTS; i++) {
		if (cfg->timeout[i] > CONENAT_MAX_TIMEOUT) {
			*why = "timeout is longer than one week";
			return -ERANGE;
		}
		if (i != CONENAT_TO_HOLDDOWN && !cfg->timeout[i]) {
			*why = "timeout must be at least 1 s";
			return -ERANGE;
		}
		if (!cfg->unsafe_timeouts &&
		    cfg->timeout[i] < conenat_timeout_min[i]) {
			*why = conenat_timeout_short[i];
			return -ERANGE;
		}
	}
	if (!cfg->max_mappings || !cfg->max_per_host) {
		*why = "mapping limits must be at least 1";
		return -EINVAL;
	}
	if (!cfg->max_conns_per_host || !cfg->max_conns_per_mapping) {
		*why = "connection limits must be at least 1";
		return -EINVAL;
	}
	if (cfg->max_conns_per_mapping > CONENAT_MAX_CONNS_PER_MAPPING) {
		*why = "per-mapping connection limit is above "
		       __stringify(CONENAT_MAX_CONNS_PER_MAPPING);
		return -ERANGE;
	}
	if (cfg->max_mappings > CONENAT_MAX_MAPPINGS) {
		*why = "mapping limit is above 16777216";
		return -ERANGE;
	}
	if (cfg->max_per_host > cfg->max_mappings) {
		*why = "per-host limit is above the mapping limit";
		return -EINVAL;
	}
	return 0;
}

/**
 * conenat_tcp_next_state - a TCP connection's state after a segment
 * @state: enum conenat_conn_state now
 * @tcp_flags: the segment's flag byte
 * @out: the segment goes from the inside out
 *
 * FIN or RST in either direction closes the connection; a SYN reopens a
 * closed one (its 4-tuple reused). An opening connection is established
 * by the first outbound segment that carries ACK and none of SYN, FIN or
 * RST: the inside host has completed (or joined) the handshake. Inbound
 * segments alone never establish, so a remote host cannot stretch a
 * connection to the established timeout.
 */
u8 conenat_tcp_next_state(u8 state, u8 tcp_flags, bool out)
{
	if (tcp_flags & (CONENAT_TCPF_FIN | CONENAT_TCPF_RST))
		return CONENAT_CONN_CLOSING;
	if (tcp_flags & CONENAT_TCPF_SYN)
		return state == CONENAT_CONN_CLOSING ? CONENAT_CONN_OPENING :
						       state;
	if (out && (tcp_flags & CONENAT_TCPF_ACK) &&
	    state == CONENAT_CONN_OPENING)
		return CONENAT_CONN_ESTABLISHED;
	return state;
}

/* What an IPv4 address is, as far as naming one host goes. */
enum conenat_addr_kind {
	CONENAT_ADDR_UNICAST,
	CONENAT_ADDR_THIS_NET,		/* 0.0.0.0/8 */
	CONENAT_ADDR_LOOPBACK,		/* 127.0.0.0/8 */
	CONENAT_ADDR_MULTICAST,		/* 224.0.0.0/4 */
	CONENAT_ADDR_RESERVED,		/* 240.0.0.0/4 */
	CONENAT_ADDR_BROADCAST,		/* 255.255.255.255 */
};

static enum conenat_addr_kind conenat_addr_kind(__be32 addr)
{
	u32 h = ntohl(addr);

	if (h == 0xffffffff)
		return CONENAT_ADDR_BROADCAST;
	if (h >= 0xf0000000)
		return CONENAT_ADDR_RESERVED;
	if (h >= 0xe0000000)
		return CONENAT_ADDR_MULTICAST;
	if ((h >> 24) == 127)
		return CONENAT_ADDR_LOOPBACK;
	return (h >> 24) ? CONENAT_ADDR_UNICAST : CONENAT_ADDR_THIS_NET;
}

static const char *const conenat_forward_to[] = {
	[CONENAT_ADDR_THIS_NET] = "port forward to an address of 0.0.0.0/8, which names no host",
	[CONENAT_ADDR_LOOPBACK] = "port forward to a loopback address",
	[CONENAT_ADDR_MULTICAST] = "port forward to a multicast address",
	[CONENAT_ADDR_RESERVED] = "port forward to a reserved address (240.0.0.0/4)",
	[CONENAT_ADDR_BROADCAST] = "port forward to the broadcast address",
};

static bool conenat_forward_same(const struct conenat_forward *a,
				 const struct conenat_forward *b)
{
	return a->proto == b->proto && a->ext_port == b->ext_port &&
	       a->int_addr == b->int_addr && a->int_port == b->int_port;
}

bool conenat_forward_has(const struct conenat_config *cfg,
			 const struct conenat_forward *f)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_fwd; i++)
		if (conenat_forward_same(&cfg->fwd[i], f))
			return true;
	return false;
}

/**
 * conenat_forward_add - add a port forward to a configuration
 * @cfg: the configuration; conenat_config_check() still applies
 * @f: the forward, UDP or TCP
 * @why: set to a message for extack on failure
 *
 * One forward per external port and per internal endpoint, as each is a
 * mapping of its own.
 */
int conenat_forward_add(struct conenat_config *cfg,
			const struct conenat_forward *f, const char **why)
{
	const struct conenat_forward *o;
	enum conenat_addr_kind kind;
	unsigned int i;

	if (f->proto == CONENAT_ICMP) {
		*why = "port forwards are for UDP or TCP";
		return -EINVAL;
	}
	if (!f->int_port || !f->ext_port) {
		*why = "port forward needs non-zero ports";
		return -EINVAL;
	}
	kind = conenat_addr_kind(f->int_addr);
	if (kind != CONENAT_ADDR_UNICAST) {
		*why = conenat_forward_to[kind];
		return -EINVAL;
	}
	for (i = 0; i < cfg->nr_fwd; i++) {
		o = &cfg->fwd[i];
		if (o->proto != f->proto)
			continue;
		if (o->ext_port == f->ext_port) {
			*why = "the external port has a forward already";
			return -EEXIST;
		}
		if (o->int_addr == f->int_addr && o->int_port == f->int_port) {
			*why = "the internal endpoint has a forward already";
			return -EEXIST;
		}
	}
	if (cfg->nr_fwd >= CONENAT_MAX_FORWARDS) {
		*why = "too many port forwards (at most " __stringify(CONENAT_MAX_FORWARDS) ")";
		return -E2BIG;
	}
	cfg->fwd[cfg->nr_fwd++] = *f;
	return 0;
}

/* The index of the forward of @proto and @ext_port in @cfg, or -1. */
int conenat_forward_find(const struct conenat_config *cfg, u8 proto,
			 __be16 ext_port)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_fwd; i++)
		if (cfg->fwd[i].proto == proto &&
		    cfg->fwd[i].ext_port == ext_port)
			return i;
	return -1;
}

/* Remove the forward of @proto and @ext_port: 0, or -ENOENT. */
int conenat_forward_del(struct conenat_config *cfg, u8 proto,
			__be16 ext_port)
{
	int i = conenat_forward_find(cfg, proto, ext_port);

	if (i < 0)
		return -ENOENT;
	cfg->fwd[i] = cfg->fwd[--cfg->nr_fwd];
	return 0;
}

/**
 * conenat_prefixes_add - append an IPv4 prefix to a list
 * @ps: the list
 * @addr: the prefix, no bits set past @len
 * @len: its length, 0..32
 * @why: set to a message for extack on failure
 */
int conenat_prefixes_add(struct conenat_prefixes *ps, __be32 addr, u8 len,
			 const char **why)
{
	__be32 mask;

	if (len > 32) {
		*why = "prefix length is above 32";
		return -EINVAL;
	}
	mask = len ? htonl(~0U << (32 - len)) : 0;
	if (addr & ~mask) {
		*why = "prefix has address bits set past its length";
		return -EINVAL;
	}
	if (ps->nr >= CONENAT_MAX_PREFIXES) {
		*why = "too many prefixes (at most " __stringify(CONENAT_MAX_PREFIXES) ")";
		return -E2BIG;
	}
	ps->p[ps->nr++] = (struct conenat_prefix){ addr, mask, len };
	return 0;
}

bool conenat_prefixes_match(const struct conenat_prefixes *ps, __be32 addr)
{
	unsigned int i;

	for (i = 0; i < ps->nr; i++)
		if ((addr & ps->p[i].mask) == ps->p[i].addr)
			return true;
	return false;
}

/**
 * conenat_pool_add - add an external address to a pool
 * @pool: the pool, kept sorted in host byte order
 * @addr: a unicast address
 * @why: set to a message for extack on failure
 */
int conenat_pool_add(struct conenat_pool *pool, __be32 addr,
		     const char **why)
{
	u32 h = ntohl(addr);
	unsigned int i;

	switch (conenat_addr_kind(addr)) {
	case CONENAT_ADDR_UNICAST:
		break;
	case CONENAT_ADDR_LOOPBACK:
		*why = "external address must not be loopback";
		return -EINVAL;
	default:
		*why = "external address must be unicast";
		return -EINVAL;
	}
	if (conenat_pool_has(pool, addr)) {
		*why = "external address given twice";
		return -EINVAL;
	}
	if (pool->nr >= CONENAT_MAX_ADDRS) {
		*why = "too many external addresses (at most " __stringify(CONENAT_MAX_ADDRS) ")";
		return -E2BIG;
	}
	for (i = pool->nr; i && ntohl(pool->a[i - 1]) > h; i--)
		pool->a[i] = pool->a[i - 1];
	pool->a[i] = addr;
	pool->nr++;
	return 0;
}

/* Whether @addr is in @pool: a binary search, for the data path. */
bool conenat_pool_has(const struct conenat_pool *pool, __be32 addr)
{
	unsigned int lo = 0, hi = pool->nr, mid;
	u32 h = ntohl(addr);

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ntohl(pool->a[mid]) < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pool->nr && pool->a[lo] == addr;
}

/**
 * conenat_config_derive - fill in the part the data path reads
 * @cfg: a configuration that passed conenat_config_check()
 *
 * To be called whenever a configuration is applied, before the data path
 * can see it.
 */
void conenat_config_derive(struct conenat_config *cfg)
{
	struct conenat_hot *hot = &cfg->hot;
	int i;

	for (i = 0; i < CONENAT_NTIMEOUTS; i++)
		hot->idle[i] = (unsigned long)cfg->timeout[i] * HZ;
	hot->fwmark = cfg->fwmark;
	hot->nr_internal = cfg->internal.nr;
	hot->nr_exclude = cfg->exclude.nr;
	hot->nr_pool = cfg->pool.nr;
	hot->inbound_refresh = cfg->inbound_refresh;
}
