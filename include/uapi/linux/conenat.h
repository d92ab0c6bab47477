/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * conenat: endpoint-independent ("full cone") NAPT for IPv4.
 *
 * Generic netlink protocol of family CONENAT_GENL_NAME, version
 * CONENAT_GENL_VERSION. All commands act on the network namespace of the
 * requesting socket and need CAP_NET_ADMIN in the user namespace that owns
 * it. Errors come back as a negative errno with an extack message that names
 * the offending attribute; a failed command changes nothing. A command
 * takes only the attributes its request names below: any other, a
 * reply-only one or one of another command, is refused (EINVAL).
 *
 * Byte order: addresses (CONENAT_A_*_ADDR) are __be32 in network order;
 * ports, timeouts and limits are in host order.
 *
 * CONENAT_CMD_GET
 *   Request: no attributes. Reply:
 *     CONENAT_A_VERSION      string, module version
 *     CONENAT_A_UP           u8, 1 when an instance runs in this namespace
 *   and, when up, the configuration:
 *     CONENAT_A_IFNAME, CONENAT_A_IFINDEX (0 while the interface does not
 *     exist), CONENAT_A_EXT_ADDR (0.0.0.0 while
 *     the interface has no IPv4 address), CONENAT_A_RANGES,
 *     CONENAT_A_TIMEOUT_*, CONENAT_A_HOLDDOWN, CONENAT_A_MAX_MAPPINGS,
 *     CONENAT_A_MAX_PER_HOST, CONENAT_A_MAX_CONNS_PER_HOST,
 *     CONENAT_A_MAX_CONNS_PER_MAPPING, CONENAT_A_FWMARK,
 *     CONENAT_A_INBOUND_REFRESH,
 *     CONENAT_A_INTERNAL and CONENAT_A_EXCLUDE (when not empty),
 *     CONENAT_A_ADDRS (when not empty), CONENAT_A_FORWARDS (when not
 *     empty), nested CONENAT_A_MAPPING each with PROTO, EXT_PORT, INT_ADDR
 *     and INT_PORT,
 *     CONENAT_A_MAPPINGS (u32, live mappings now)
 *
 * CONENAT_CMD_UP
 *   Starts the instance, or changes the running one. CONENAT_A_IFNAME is
 *   required; the interface need not exist yet: the instance then waits
 *   for it (CONENAT_A_IFINDEX 0) and starts translating when an interface
 *   of that name appears. Any other configuration attribute is optional:
 *   when starting, an absent attribute takes its default; when changing,
 *   it keeps its current value. CONENAT_A_RANGES, when present, replaces all ranges:
 *     CONENAT_A_RANGES nested
 *       CONENAT_A_RANGE nested, up to CONENAT_MAX_RANGES per protocol
 *         CONENAT_RANGE_A_PROTO  u8, IPPROTO_UDP, IPPROTO_TCP or IPPROTO_ICMP
 *         CONENAT_RANGE_A_MIN    u16, 1..65535
 *         CONENAT_RANGE_A_MAX    u16, >= MIN
 *   A protocol without a range uses CONENAT_DEFAULT_PORT_MIN..MAX.
 *   Timeouts below the RFC minimums (CONENAT_MIN_TIMEOUT_*) are refused
 *   unless CONENAT_A_UNSAFE_TIMEOUTS is given (meant for tests); once
 *   given, it holds until the instance goes down.
 *   CONENAT_A_INTERNAL and CONENAT_A_EXCLUDE, when present, replace their
 *   prefix list (an empty one clears it):
 *     CONENAT_A_INTERNAL nested
 *       CONENAT_A_PREFIX nested, up to CONENAT_MAX_PREFIXES
 *         CONENAT_PFX_A_ADDR  __be32
 *         CONENAT_PFX_A_LEN   u8
 *   With internal prefixes, only packets from them are translated
 *   (RFC 6888 REQ-6); packets to an excluded prefix are never translated.
 *   Either way an untranslated packet leaves with its own source address,
 *   as with routing. Changing either list flushes the dynamic mappings.
 *   CONENAT_A_ADDRS, when present, replaces the address pool (an empty
 *   one clears it):
 *     CONENAT_A_ADDRS nested
 *       CONENAT_A_EXT_ADDR __be32, up to CONENAT_MAX_ADDRS, unicast,
 *       no duplicates
 *   Without a pool, mappings use the interface's primary IPv4 address and
 *   follow it: a change of it flushes every mapping. With a pool, each
 *   internal host uses one address of it, chosen by a keyed hash of the
 *   host's address, for all its mappings (paired pooling, RFC 4787
 *   REQ-2); the interface's own addresses then play no part, and the
 *   pool's addresses must be routed to the router by the upstream.
 *   Changing the pool flushes every mapping; forwards are made again.
 *   CONENAT_A_MAX_CONNS_PER_HOST and _PER_MAPPING bound the TCP
 *   connections tracked for one internal host and for one mapping
 *   (defaults CONENAT_DEFAULT_MAX_CONNS_PER_*); all of them together are
 *   bounded by CONENAT_A_MAX_MAPPINGS. A connection over a limit is not
 *   tracked (CONENAT_STAT_REFUSED_CONNS): its mapping then lasts the
 *   established timeout from its last outbound segment.
 *   CONENAT_A_FWMARK, when not 0, is set as skb->mark on every inbound
 *   packet translated back to an internal endpoint, so that a firewall
 *   can accept unsolicited traffic to mappings with one rule.
 *   Changing the interface or the ranges flushes the dynamic mappings.
 *   CONENAT_A_FORWARDS, when present, replaces the port forwards (an
 *   empty one removes them), each a CONENAT_A_MAPPING as in
 *   CONENAT_CMD_FORWARD_ADD, which also says what is refused.
 *   A request is applied whole or not at all: when any part of it is
 *   refused (a forward's port in use: EADDRINUSE, with the extack
 *   pointing at that forward), the instance, its configuration and its
 *   mappings are as they were.
 *
 * CONENAT_CMD_SET
 *   As CONENAT_CMD_UP, but only changes a running instance (ENOENT if
 *   there is none) and CONENAT_A_IFNAME is optional.
 *
 * CONENAT_CMD_DOWN
 *   Stops the instance and drops all its mappings. ENOENT if not up.
 *
 * CONENAT_CMD_GET_MAPPINGS (dump only)
 *   Request filters, all optional: CONENAT_A_PROTO, CONENAT_A_INT_ADDR.
 *   One message per mapping, holding CONENAT_A_MAPPING nested:
 *     CONENAT_MAP_A_PROTO u8, CONENAT_MAP_A_INT_ADDR, CONENAT_MAP_A_INT_PORT
 *     u16, CONENAT_MAP_A_EXT_ADDR, CONENAT_MAP_A_EXT_PORT u16,
 *     CONENAT_MAP_A_EXPIRES u32 (milliseconds left), and for TCP only
 *     CONENAT_MAP_A_STATE u8 (enum conenat_tcp_state) and
 *     CONENAT_MAP_A_CONNS u32 (connections tracked on the mapping);
 *     CONENAT_MAP_A_STATIC (flag) marks a forward, which has no EXPIRES.
 *   A TCP mapping lives while any of its connections does: a connection
 *   is idle-timed with the established timeout once an outbound segment
 *   follows its handshake, with the transitory one before that and after
 *   a FIN or RST in either direction (RFC 5382 REQ-5); the mapping itself
 *   lasts at least the transitory timeout after its last outbound
 *   segment. EXPIRES is the time left if nothing more is sent.
 *   The dump walks the table in hash order, whole buckets per part, so
 *   that every mapping that exists throughout the dump is in it once,
 *   however many are made and removed meanwhile (those may or may not
 *   be). Only when the instance was replaced (down, up) between parts, or
 *   a bucket too big for one part changed between two, are the later
 *   messages flagged NLM_F_DUMP_INTR: the dump may then miss or repeat
 *   mappings, and should be asked for again.
 *
 * CONENAT_CMD_FLUSH
 *   Drops the dynamic mappings, all or those of CONENAT_A_PROTO. With
 *   CONENAT_A_STATIC, the port forwards (of CONENAT_A_PROTO) are removed
 *   as well, configuration and mappings.
 *
 * CONENAT_CMD_FORWARD_ADD
 *   Adds a port forward, a static mapping: CONENAT_A_MAPPING nested with
 *   CONENAT_MAP_A_PROTO (UDP or TCP), CONENAT_MAP_A_EXT_PORT,
 *   CONENAT_MAP_A_INT_ADDR and CONENAT_MAP_A_INT_PORT. Packets to the
 *   external address and that port go to the internal endpoint, from any
 *   remote host, and the endpoint's own outbound packets use that port:
 *   the forward is its mapping. It never expires and survives
 *   CONENAT_CMD_FLUSH and address changes. A port inside the dynamic
 *   ranges is reserved by it. Neither the port nor the internal endpoint
 *   may have another forward (EEXIST), nor the port a mapping of another
 *   endpoint or a router socket (EADDRINUSE); at most
 *   CONENAT_MAX_FORWARDS.
 *
 * CONENAT_CMD_FORWARD_DEL
 *   Removes the forward named by CONENAT_MAP_A_PROTO and
 *   CONENAT_MAP_A_EXT_PORT in CONENAT_A_MAPPING; ENOENT if there is none.
 *
 * CONENAT_CMD_GET_STATS
 *   Reply: CONENAT_A_STATS nested, one u64 per enum conenat_stat, summed
 *   over CPUs. Counters belong to the namespace and survive down/up.
 *
 * Events: the multicast group CONENAT_GENL_MCGRP_EVENTS carries one
 *   message per mapping created (CONENAT_CMD_MAPPING_NEW) and per mapping
 *   expired (CONENAT_CMD_MAPPING_EXPIRED), of the namespace of the
 *   listening socket, each with CONENAT_A_MAPPING nested as in
 *   CONENAT_CMD_GET_MAPPINGS. Nothing is built while nobody listens. A
 *   listener that reads too slowly loses events (ENOBUFS on its socket).
 *   Joining needs CAP_NET_ADMIN in the namespace's user namespace.
 */
#ifndef _UAPI_LINUX_CONENAT_H
#define _UAPI_LINUX_CONENAT_H

#define CONENAT_GENL_NAME	"conenat"
#define CONENAT_GENL_VERSION	1
#define CONENAT_GENL_MCGRP_EVENTS	"events"

#define CONENAT_MAX_RANGES		8
#define CONENAT_DEFAULT_PORT_MIN	20000
#define CONENAT_DEFAULT_PORT_MAX	29999

/* Defaults and RFC 4787/5382/5508/6888 minimums, in seconds. */
#define CONENAT_DEFAULT_TIMEOUT_UDP		300
#define CONENAT_DEFAULT_TIMEOUT_TCP_EST		7440
#define CONENAT_DEFAULT_TIMEOUT_TCP_TRANS	240
#define CONENAT_DEFAULT_TIMEOUT_ICMP		60
#define CONENAT_DEFAULT_HOLDDOWN		120
#define CONENAT_MIN_TIMEOUT_UDP			120
#define CONENAT_MIN_TIMEOUT_TCP_EST		7440
#define CONENAT_MIN_TIMEOUT_TCP_TRANS		240
#define CONENAT_MIN_TIMEOUT_ICMP		60
#define CONENAT_MAX_TIMEOUT			(7 * 24 * 3600)
#define CONENAT_MAX_PREFIXES			16
#define CONENAT_MAX_FORWARDS			64
#define CONENAT_MAX_ADDRS			64
#define CONENAT_DEFAULT_MAX_CONNS_PER_HOST	16384
#define CONENAT_DEFAULT_MAX_CONNS_PER_MAPPING	1024
#define CONENAT_MAX_CONNS_PER_MAPPING		65535

enum conenat_cmd {
	CONENAT_CMD_UNSPEC,
	CONENAT_CMD_GET,
	CONENAT_CMD_UP,
	CONENAT_CMD_SET,
	CONENAT_CMD_DOWN,
	CONENAT_CMD_GET_MAPPINGS,
	CONENAT_CMD_FLUSH,
	CONENAT_CMD_GET_STATS,
	CONENAT_CMD_FORWARD_ADD,
	CONENAT_CMD_FORWARD_DEL,
	CONENAT_CMD_MAPPING_NEW,	/* event only */
	CONENAT_CMD_MAPPING_EXPIRED,	/* event only */
	__CONENAT_CMD_MAX
};

#define CONENAT_CMD_MAX (__CONENAT_CMD_MAX - 1)

enum conenat_attr {
	CONENAT_A_UNSPEC,
	CONENAT_A_VERSION,		/* string */
	CONENAT_A_UP,			/* u8 */
	CONENAT_A_IFNAME,		/* string, < IFNAMSIZ */
	CONENAT_A_IFINDEX,		/* u32, reply only */
	CONENAT_A_EXT_ADDR,		/* __be32, reply or in CONENAT_A_ADDRS */
	CONENAT_A_RANGES,		/* nested CONENAT_A_RANGE */
	CONENAT_A_RANGE,		/* nested enum conenat_range_attr */
	CONENAT_A_TIMEOUT_UDP,		/* u32 seconds */
	CONENAT_A_TIMEOUT_TCP_EST,	/* u32 seconds */
	CONENAT_A_TIMEOUT_TCP_TRANS,	/* u32 seconds */
	CONENAT_A_TIMEOUT_ICMP,		/* u32 seconds */
	CONENAT_A_HOLDDOWN,		/* u32 seconds, 0..CONENAT_MAX_TIMEOUT */
	CONENAT_A_MAX_MAPPINGS,		/* u32, >= 1 */
	CONENAT_A_MAX_PER_HOST,		/* u32, >= 1 */
	CONENAT_A_FWMARK,		/* u32, 0 = none */
	CONENAT_A_INBOUND_REFRESH,	/* u8 0/1 */
	CONENAT_A_UNSAFE_TIMEOUTS,	/* flag */
	CONENAT_A_MAPPINGS,		/* u32, reply only */
	CONENAT_A_MAPPING,		/* nested enum conenat_map_attr */
	CONENAT_A_PROTO,		/* u8 filter */
	CONENAT_A_INT_ADDR,		/* __be32 filter */
	CONENAT_A_STATS,		/* nested enum conenat_stat */
	CONENAT_A_INTERNAL,		/* nested CONENAT_A_PREFIX */
	CONENAT_A_EXCLUDE,		/* nested CONENAT_A_PREFIX */
	CONENAT_A_PREFIX,		/* nested enum conenat_prefix_attr */
	CONENAT_A_FORWARDS,		/* nested CONENAT_A_MAPPING */
	CONENAT_A_ADDRS,		/* nested CONENAT_A_EXT_ADDR */
	CONENAT_A_STATIC,		/* flag, FLUSH: forwards too */
	CONENAT_A_MAX_CONNS_PER_HOST,	/* u32, >= 1 */
	CONENAT_A_MAX_CONNS_PER_MAPPING, /* u32, 1..CONENAT_MAX_CONNS_PER_MAPPING */
	__CONENAT_A_MAX
};

#define CONENAT_A_MAX (__CONENAT_A_MAX - 1)

enum conenat_prefix_attr {
	CONENAT_PFX_A_UNSPEC,
	CONENAT_PFX_A_ADDR,		/* __be32, no bits set past LEN */
	CONENAT_PFX_A_LEN,		/* u8, 0..32 */
	__CONENAT_PFX_A_MAX
};

#define CONENAT_PFX_A_MAX (__CONENAT_PFX_A_MAX - 1)

enum conenat_range_attr {
	CONENAT_RANGE_A_UNSPEC,
	CONENAT_RANGE_A_PROTO,		/* u8 */
	CONENAT_RANGE_A_MIN,		/* u16 */
	CONENAT_RANGE_A_MAX,		/* u16 */
	__CONENAT_RANGE_A_MAX
};

#define CONENAT_RANGE_A_MAX (__CONENAT_RANGE_A_MAX - 1)

enum conenat_map_attr {
	CONENAT_MAP_A_UNSPEC,
	CONENAT_MAP_A_PROTO,		/* u8 */
	CONENAT_MAP_A_INT_ADDR,		/* __be32 */
	CONENAT_MAP_A_INT_PORT,		/* u16 */
	CONENAT_MAP_A_EXT_ADDR,		/* __be32 */
	CONENAT_MAP_A_EXT_PORT,		/* u16 */
	CONENAT_MAP_A_EXPIRES,		/* u32 milliseconds */
	CONENAT_MAP_A_STATE,		/* u8, enum conenat_tcp_state */
	CONENAT_MAP_A_CONNS,		/* u32, tracked TCP connections */
	CONENAT_MAP_A_STATIC,		/* flag: a port forward */
	__CONENAT_MAP_A_MAX
};

#define CONENAT_MAP_A_MAX (__CONENAT_MAP_A_MAX - 1)

/* Of a TCP mapping: established while any of its connections is. */
enum conenat_tcp_state {
	CONENAT_TCP_TRANSITORY,		/* no handshake yet, or FIN/RST seen */
	CONENAT_TCP_ESTABLISHED,
};

/* Statistics; attribute type in CONENAT_A_STATS is the enum value. */
enum conenat_stat {
	CONENAT_STAT_UNSPEC,
	CONENAT_STAT_XLAT_OUT,		/* packets source-translated */
	CONENAT_STAT_XLAT_IN,		/* packets translated back */
	CONENAT_STAT_CREATED,		/* mappings created */
	CONENAT_STAT_EXPIRED,		/* mappings timed out */
	CONENAT_STAT_REFUSED_PORTS,	/* no free port in the ranges */
	CONENAT_STAT_REFUSED_LIMIT,	/* global mapping limit reached */
	CONENAT_STAT_REFUSED_HOST,	/* per-host mapping limit reached */
	CONENAT_STAT_REFUSED_NOMEM,	/* allocation failed */
	CONENAT_STAT_DROP_NOADDR,	/* external interface has no address */
	CONENAT_STAT_DROP_MALFORMED,	/* header truncated or inconsistent */
	CONENAT_STAT_DROP_UNWRITABLE,	/* could not make headers writable */
	CONENAT_STAT_DROP_FRAGMENT,	/* fragment that defrag left alone */
	CONENAT_STAT_UNTRACKED,		/* TCP segments of a connection that
					 * could not be tracked (limit or
					 * memory); their mapping then gets
					 * the established timeout
					 */
	CONENAT_STAT_DROP_ICMP_UNMATCHED, /* ICMP error about no mapping */
	CONENAT_STAT_HAIRPIN,		/* packets from one inside endpoint
					 * to another's mapping, translated
					 * both ways
					 */
	CONENAT_STAT_DROP_NOROUTE,	/* hairpinned packet without a route */
	CONENAT_STAT_DROP_UNSOLICITED,	/* inbound to a port of the ranges
					 * without a mapping or router socket
					 */
	CONENAT_STAT_DROP_ICMP_CHECKSUM, /* ICMP error with a bad checksum */
	CONENAT_STAT_DROP_PROTO,	/* leaving from an internal address,
					 * of a protocol or ICMP type that is
					 * not translated
					 */
	CONENAT_STAT_DROP_SPOOFED,	/* forwarded from an external address */
	CONENAT_STAT_REFUSED_CONNS,	/* TCP connections not tracked for the
					 * per-host or per-mapping limit
					 */
	__CONENAT_STAT_MAX
};

#define CONENAT_STAT_MAX (__CONENAT_STAT_MAX - 1)

#endif /* _UAPI_LINUX_CONENAT_H */
