// SPDX-License-Identifier: GPL-2.0
/* Unit tests of kmod/config.c: defaults, port ranges, validation, TCP state. */
#include <arpa/inet.h>
#include "config.h"
#include "portalloc.h"
#include "tap.h"

/* Evaluated after the call under test, unlike a plain argument. */
static const char *msg(const char *const *why)
{
	return *why ? *why : "(no message)";
}

static struct conenat_config valid_config(void)
{
	struct conenat_config cfg;

	conenat_config_defaults(&cfg, 65536);
	strcpy(cfg.ifname, "wan0");
	conenat_config_derive(&cfg);
	return cfg;
}

static void test_defaults(void)
{
	struct conenat_config cfg = valid_config();
	const char *why = NULL;
	int p;

	ok(!conenat_config_check(&cfg, &why), "defaults are valid");
	for (p = 0; p < CONENAT_NPROTO; p++)
		ok(cfg.ports[p].nr == 1 && cfg.ports[p].r[0].min == 20000 &&
		   cfg.ports[p].r[0].max == 29999 && cfg.ports[p].total == 10000,
		   "protocol %d defaults to 20000-29999", p);
	ok(cfg.timeout[CONENAT_TO_UDP] == 300 &&
	   cfg.timeout[CONENAT_TO_TCP_EST] == 7440 &&
	   cfg.timeout[CONENAT_TO_TCP_TRANS] == 240 &&
	   cfg.timeout[CONENAT_TO_ICMP] == 60 &&
	   cfg.timeout[CONENAT_TO_HOLDDOWN] == 120, "RFC default timeouts");
	ok(cfg.max_per_host == 4096, "per-host limit defaults to 4096");
	ok(cfg.max_conns_per_host == 16384 && cfg.max_conns_per_mapping == 1024,
	   "connection limits default to 16384 per host, 1024 per mapping");
	cfg.max_conns_per_host = 0;
	why = NULL;
	ok(conenat_config_check(&cfg, &why) == -EINVAL && why,
	   "no connections per host refused: %s", msg(&why));
	cfg = valid_config();
	cfg.max_conns_per_mapping = 65536;
	why = NULL;
	ok(conenat_config_check(&cfg, &why) == -ERANGE && why,
	   "65536 connections per mapping refused: %s", msg(&why));
	cfg.max_conns_per_mapping = 65535;
	ok(!conenat_config_check(&cfg, NULL), "65535 per mapping accepted");
}

static void test_ranges(void)
{
	struct conenat_port_ranges pr = {};
	const char *why = NULL;
	int i;

	ok(conenat_ranges_add(&pr, 0, 10, &why) == -EINVAL && why,
	   "port 0 refused: %s", msg(&why));
	why = NULL;
	ok(conenat_ranges_add(&pr, 30000, 20000, &why) == -EINVAL && why,
	   "reversed range refused: %s", msg(&why));
	ok(pr.nr == 0 && pr.total == 0, "refused ranges leave the set empty");
	ok(!conenat_ranges_add(&pr, 100, 199, NULL), "100-199 added");
	ok(!conenat_ranges_add(&pr, 65535, 65535, NULL), "65535 alone added");
	why = NULL;
	ok(conenat_ranges_add(&pr, 150, 300, &why) == -EINVAL && why,
	   "overlap refused: %s", msg(&why));
	ok(conenat_ranges_add(&pr, 50, 100, &why) == -EINVAL,
	   "overlap at an edge refused");
	ok(pr.total == 101, "total counts both ranges");
	ok(conenat_ranges_port(&pr, 0) == 100 && conenat_ranges_port(&pr, 99) == 199 &&
	   conenat_ranges_port(&pr, 100) == 65535, "index maps across ranges");
	ok(conenat_ranges_contain(&pr, 100) && conenat_ranges_contain(&pr, 65535) &&
	   !conenat_ranges_contain(&pr, 99) && !conenat_ranges_contain(&pr, 200),
	   "membership at the edges");
	for (i = 2; i < CONENAT_MAX_RANGES; i++)
		conenat_ranges_add(&pr, 1000 + 10 * i, 1000 + 10 * i, NULL);
	why = NULL;
	ok(conenat_ranges_add(&pr, 5000, 5001, &why) == -EINVAL && why &&
	   pr.nr == CONENAT_MAX_RANGES, "range %d refused: %s",
	   CONENAT_MAX_RANGES + 1, msg(&why));
}

static void test_check(void)
{
	struct conenat_config cfg;
	const char *why;

	cfg = valid_config();
	cfg.timeout[CONENAT_TO_UDP] = 119;
	why = NULL;
	ok(conenat_config_check(&cfg, &why) == -ERANGE && why,
	   "UDP 119 s refused: %s", msg(&why));
	cfg.unsafe_timeouts = true;
	ok(!conenat_config_check(&cfg, &why), "UDP 119 s allowed when unsafe");
	cfg.timeout[CONENAT_TO_UDP] = 0;
	ok(conenat_config_check(&cfg, &why) == -ERANGE,
	   "0 s refused even when unsafe");

	cfg = valid_config();
	cfg.timeout[CONENAT_TO_TCP_EST] = 7439;
	ok(conenat_config_check(&cfg, &why) == -ERANGE, "TCP est 7439 s refused");
	cfg = valid_config();
	cfg.timeout[CONENAT_TO_TCP_TRANS] = 239;
	ok(conenat_config_check(&cfg, &why) == -ERANGE, "TCP trans 239 s refused");
	cfg = valid_config();
	cfg.timeout[CONENAT_TO_ICMP] = 59;
	ok(conenat_config_check(&cfg, &why) == -ERANGE, "ICMP 59 s refused");
	cfg = valid_config();
	cfg.timeout[CONENAT_TO_HOLDDOWN] = 0;
	ok(!conenat_config_check(&cfg, &why), "hold-down 0 allowed");
	cfg.timeout[CONENAT_TO_HOLDDOWN] = CONENAT_MAX_TIMEOUT + 1;
	ok(conenat_config_check(&cfg, &why) == -ERANGE, "hold-down over a week refused");

	cfg = valid_config();
	cfg.ifname[0] = '\0';
	ok(conenat_config_check(&cfg, &why) == -EINVAL, "empty ifname refused");
	cfg = valid_config();
	cfg.max_per_host = 0;
	ok(conenat_config_check(&cfg, &why) == -EINVAL, "per-host limit 0 refused");
	cfg = valid_config();
	cfg.max_mappings = CONENAT_MAX_MAPPINGS + 1;
	ok(conenat_config_check(&cfg, &why) == -ERANGE, "mapping limit too large");
	cfg = valid_config();
	cfg.max_mappings = 100;
	cfg.max_per_host = 101;
	ok(conenat_config_check(&cfg, &why) == -EINVAL &&
	   !strcmp(why, "per-host limit is above the mapping limit"),
	   "per-host limit above the mapping limit refused");
	cfg.max_per_host = 100;
	ok(!conenat_config_check(&cfg, &why),
	   "per-host limit equal to the mapping limit allowed");
	cfg = valid_config();
	memset(&cfg.ports[CONENAT_TCP], 0, sizeof(cfg.ports[CONENAT_TCP]));
	ok(conenat_config_check(&cfg, &why) == -EINVAL, "protocol without range refused");
}

/* One connection's life, each segment with its direction. */
static void test_tcp_state(void)
{
	u8 s;

	s = conenat_tcp_next_state(CONENAT_CONN_OPENING, 0x02, true);
	ok(s == CONENAT_CONN_OPENING, "outbound SYN: opening");
	s = conenat_tcp_next_state(s, 0x12, false);
	ok(s == CONENAT_CONN_OPENING, "inbound SYN-ACK: still opening");
	ok(conenat_tcp_next_state(s, 0x10, false) == CONENAT_CONN_OPENING,
	   "an inbound ACK alone never establishes");
	s = conenat_tcp_next_state(s, 0x10, true);
	ok(s == CONENAT_CONN_ESTABLISHED, "outbound ACK establishes");
	s = conenat_tcp_next_state(s, 0x18, false);
	ok(s == CONENAT_CONN_ESTABLISHED, "inbound data keeps established");
	ok(conenat_tcp_next_state(s, 0x02, true) == CONENAT_CONN_ESTABLISHED,
	   "a stray SYN does not reopen an established connection");
	ok(conenat_tcp_next_state(s, 0x11, false) == CONENAT_CONN_CLOSING,
	   "inbound FIN closes");
	ok(conenat_tcp_next_state(s, 0x14, true) == CONENAT_CONN_CLOSING,
	   "outbound RST closes");
	s = conenat_tcp_next_state(s, 0x04, false);
	ok(s == CONENAT_CONN_CLOSING, "inbound RST closes");
	ok(conenat_tcp_next_state(s, 0x10, true) == CONENAT_CONN_CLOSING,
	   "ACK after FIN stays closing");
	ok(conenat_tcp_next_state(s, 0x02, true) == CONENAT_CONN_OPENING,
	   "SYN after close reopens (4-tuple reused)");
	ok(conenat_tcp_next_state(CONENAT_CONN_OPENING, 0x00, true) ==
	   CONENAT_CONN_OPENING, "no flags change nothing");
	ok(conenat_tcp_next_state(CONENAT_CONN_OPENING, 0x03, true) ==
	   CONENAT_CONN_CLOSING, "SYN+FIN counts as closing");
}

/*
 * conenat_conn_track() skips the lookup for an inbound segment without
 * CONENAT_TCPF_STATE (and without inbound refresh): it must change no
 * state, and every flag of CONENAT_TCPF_STATE must change some.
 */
static void test_tcp_inbound_shortcut(void)
{
	unsigned int f, s, changed = 0, moved = 0;

	for (s = CONENAT_CONN_OPENING; s <= CONENAT_CONN_CLOSING; s++)
		for (f = 0; f < 256; f++)
			if (!(f & CONENAT_TCPF_STATE))
				changed += conenat_tcp_next_state(s, f, false) != s;
	ok(!changed, "inbound, only SYN, FIN and RST change a connection (%u did)",
	   changed);
	for (f = 0; f < 8; f++) {
		u8 bit = f & CONENAT_TCPF_STATE;

		if (!bit || (bit & (bit - 1)))
			continue;
		for (s = CONENAT_CONN_OPENING; s <= CONENAT_CONN_CLOSING; s++)
			if (conenat_tcp_next_state(s, bit, false) != s) {
				moved |= bit;
				break;
			}
	}
	ok(moved == CONENAT_TCPF_STATE, "and each of them does (0x%x)", moved);
}

static void test_timeouts(void)
{
	struct conenat_config cfg = valid_config();

	ok(conenat_idle_of(&cfg, CONENAT_UDP, 0) == 300UL * HZ, "UDP timeout");
	ok(conenat_idle_of(&cfg, CONENAT_ICMP, 0) == 60UL * HZ, "ICMP timeout");
	ok(conenat_idle_of(&cfg, CONENAT_TCP, CONENAT_CONN_ESTABLISHED) ==
	   7440UL * HZ, "TCP established timeout");
	ok(conenat_idle_of(&cfg, CONENAT_TCP, CONENAT_CONN_OPENING) ==
	   240UL * HZ, "TCP opening: transitory timeout");
	ok(conenat_idle_of(&cfg, CONENAT_TCP, CONENAT_CONN_CLOSING) ==
	   240UL * HZ, "TCP closing: transitory timeout");
	ok(cfg.hot.idle[CONENAT_TO_HOLDDOWN] == 120UL * HZ,
	   "hold-down in jiffies");
	cfg.timeout[CONENAT_TO_UDP] = CONENAT_MAX_TIMEOUT;
	cfg.timeout[CONENAT_TO_TCP_EST] = 1;
	ok(conenat_idle_of(&cfg, CONENAT_UDP, 0) == 300UL * HZ,
	   "a changed timeout is not seen before it is derived");
	conenat_config_derive(&cfg);
	ok(conenat_idle_of(&cfg, CONENAT_UDP, 0) ==
	   (unsigned long)CONENAT_MAX_TIMEOUT * HZ &&
	   conenat_idle_of(&cfg, CONENAT_TCP, CONENAT_CONN_ESTABLISHED) == HZ,
	   "derived: the longest timeout and a 1 s one in jiffies");
	ok(conenat_proto_index(IPPROTO_UDP) == CONENAT_UDP &&
	   conenat_proto_index(IPPROTO_SCTP) < 0 &&
	   conenat_proto_ipproto(CONENAT_ICMP) == IPPROTO_ICMP,
	   "protocol numbering");
}

/* The part the data path reads follows the rest of the configuration. */
static void test_derive(void)
{
	struct conenat_config cfg = valid_config();
	const char *why = NULL;

	ok(!cfg.hot.fwmark && !cfg.hot.nr_internal && !cfg.hot.nr_exclude &&
	   !cfg.hot.nr_pool && !cfg.hot.inbound_refresh,
	   "defaults: no mark, prefixes, pool or inbound refresh");
	cfg.fwmark = 0xfeedbeef;
	cfg.inbound_refresh = true;
	conenat_prefixes_add(&cfg.internal, inet_addr("10.0.0.0"), 8, &why);
	conenat_prefixes_add(&cfg.exclude, inet_addr("10.0.0.0"), 8, &why);
	conenat_prefixes_add(&cfg.exclude, inet_addr("192.0.2.0"), 24, &why);
	conenat_pool_add(&cfg.pool, inet_addr("192.0.2.1"), &why);
	conenat_pool_add(&cfg.pool, inet_addr("192.0.2.2"), &why);
	conenat_pool_add(&cfg.pool, inet_addr("192.0.2.3"), &why);
	conenat_config_derive(&cfg);
	ok(cfg.hot.fwmark == 0xfeedbeef && cfg.hot.inbound_refresh,
	   "mark and inbound refresh derived");
	ok(cfg.hot.nr_internal == 1 && cfg.hot.nr_exclude == 2 &&
	   cfg.hot.nr_pool == 3, "prefix and pool counts derived");
	while (cfg.pool.nr < CONENAT_MAX_ADDRS &&
	       !conenat_pool_add(&cfg.pool, htonl(0xc6336400 + cfg.pool.nr),
				 &why))
		;
	conenat_config_derive(&cfg);
	ok(cfg.hot.nr_pool == CONENAT_MAX_ADDRS,
	   "a full pool's count fits: %u", cfg.hot.nr_pool);
	/* A cache line: 64 bytes on 64-bit targets, 32 on 32-bit MIPS. */
	ok(offsetof(struct conenat_config, hot) == 0 &&
	   sizeof(cfg.hot) <= 8 * sizeof(long),
	   "the hot part comes first, in %zu bytes", sizeof(cfg.hot));
}

static __be32 ip(const char *s)
{
	return inet_addr(s);
}

static void test_selection(void)
{
	struct conenat_config cfg = valid_config();
	const char *why = NULL;

	ok(conenat_selected(&cfg, ip("10.0.1.2"), ip("192.0.2.1")),
	   "no prefixes: everything translated");
	ok(conenat_prefixes_add(&cfg.internal, ip("10.0.1.0"), 24, &why) == 0 &&
	   conenat_prefixes_add(&cfg.internal, ip("10.9.0.7"), 32, &why) == 0,
	   "internal prefixes added");
	conenat_config_derive(&cfg);
	ok(conenat_selected(&cfg, ip("10.0.1.200"), ip("192.0.2.1")) &&
	   conenat_selected(&cfg, ip("10.9.0.7"), ip("192.0.2.1")),
	   "sources inside an internal prefix translated");
	ok(!conenat_selected(&cfg, ip("10.0.2.2"), ip("192.0.2.1")) &&
	   !conenat_selected(&cfg, ip("10.9.0.8"), ip("192.0.2.1")),
	   "other sources left alone");
	ok(conenat_prefixes_add(&cfg.exclude, ip("198.51.100.0"), 24, &why) == 0,
	   "excluded prefix added");
	conenat_config_derive(&cfg);
	ok(!conenat_selected(&cfg, ip("10.0.1.2"), ip("198.51.100.77")) &&
	   conenat_selected(&cfg, ip("10.0.1.2"), ip("198.51.101.1")),
	   "only destinations inside the excluded prefix left alone");
	ok(conenat_prefixes_add(&cfg.exclude, ip("0.0.0.0"), 0, &why) == 0 &&
	   !conenat_selected(&cfg, ip("10.0.1.2"), ip("203.0.113.9")),
	   "/0 matches everything");
	ok(conenat_prefixes_add(&cfg.internal, ip("10.0.1.1"), 24, &why) ==
	   -EINVAL && !strcmp(why, "prefix has address bits set past its length"),
	   "host bits refused: %s", why);
	ok(conenat_prefixes_add(&cfg.internal, ip("10.0.0.0"), 33, &why) ==
	   -EINVAL, "length 33 refused: %s", why);
	while (cfg.internal.nr < CONENAT_MAX_PREFIXES)
		conenat_prefixes_add(&cfg.internal, ip("10.1.0.0"), 16, &why);
	ok(conenat_prefixes_add(&cfg.internal, ip("10.2.0.0"), 16, &why) ==
	   -E2BIG && cfg.internal.nr == CONENAT_MAX_PREFIXES,
	   "at most %d prefixes: %s", CONENAT_MAX_PREFIXES, why);
}

static void test_pool(void)
{
	struct conenat_pool pool = {};
	const char *why = NULL;
	int sorted = 1, found = 1, err;
	unsigned int i;
	char a[32];

	ok(!conenat_pool_has(&pool, ip("192.0.2.1")), "empty pool has nothing");
	ok(conenat_pool_add(&pool, ip("203.0.113.9"), &why) == 0 &&
	   conenat_pool_add(&pool, ip("192.0.2.7"), &why) == 0 &&
	   conenat_pool_add(&pool, ip("198.51.100.1"), &why) == 0,
	   "three addresses added");
	ok(pool.a[0] == ip("192.0.2.7") && pool.a[1] == ip("198.51.100.1") &&
	   pool.a[2] == ip("203.0.113.9"), "kept in ascending order");
	ok(conenat_pool_has(&pool, ip("198.51.100.1")) &&
	   conenat_pool_has(&pool, ip("203.0.113.9")) &&
	   conenat_pool_has(&pool, ip("192.0.2.7")), "each one found");
	ok(!conenat_pool_has(&pool, ip("198.51.100.2")) &&
	   !conenat_pool_has(&pool, ip("1.1.1.1")) &&
	   !conenat_pool_has(&pool, ip("255.1.1.1")),
	   "others between, below and above not found");
	ok(conenat_pool_add(&pool, ip("192.0.2.7"), &why) == -EINVAL &&
	   pool.nr == 3, "duplicate refused: %s", why);
	err = conenat_pool_add(&pool, ip("127.0.0.1"), &why);
	ok(err == -EINVAL &&
	   !strcmp(why, "external address must not be loopback") &&
	   pool.nr == 3, "loopback refused: %s", why);
	for (i = 0; i < 4; i++) {
		static const char *const bad[] = { "0.0.0.0", "224.0.0.1",
						   "240.0.0.1",
						   "255.255.255.255" };

		err = conenat_pool_add(&pool, ip(bad[i]), &why);
		ok(err == -EINVAL &&
		   !strcmp(why, "external address must be unicast") &&
		   pool.nr == 3, "%s refused: %s", bad[i], why);
	}
	for (i = 0; pool.nr < CONENAT_MAX_ADDRS; i++) {
		snprintf(a, sizeof(a), "100.64.%u.%u", i * 37 % 256, i);
		conenat_pool_add(&pool, ip(a), &why);
	}
	for (i = 1; i < pool.nr; i++)
		sorted &= ntohl(pool.a[i - 1]) < ntohl(pool.a[i]);
	for (i = 0; i < pool.nr; i++)
		found &= conenat_pool_has(&pool, pool.a[i]);
	ok(sorted && found, "a full pool stays sorted and searchable");
	ok(conenat_pool_add(&pool, ip("100.65.0.1"), &why) == -E2BIG,
	   "at most %d addresses: %s", CONENAT_MAX_ADDRS, why);
}

static struct conenat_forward fwd(int proto, u16 ext, const char *a, u16 in)
{
	return (struct conenat_forward){
		.proto = proto, .ext_port = htons(ext),
		.int_addr = inet_addr(a), .int_port = htons(in),
	};
}

static void test_forwards(void)
{
	struct conenat_config cfg = valid_config();
	struct conenat_forward f = fwd(CONENAT_UDP, 40000, "10.0.1.2", 5000);
	const char *why = NULL;
	unsigned int i;

	ok(conenat_forward_add(&cfg, &f, &why) == 0 &&
	   conenat_forward_has(&cfg, &f) &&
	   conenat_config_check(&cfg, &why) == 0, "forward added");
	f = fwd(CONENAT_TCP, 40000, "10.0.1.2", 5000);
	ok(conenat_forward_add(&cfg, &f, &why) == 0,
	   "same port and endpoint in another protocol");
	f = fwd(CONENAT_UDP, 40000, "10.0.1.3", 5000);
	ok(conenat_forward_add(&cfg, &f, &why) == -EEXIST &&
	   !strcmp(why, "the external port has a forward already"),
	   "external port taken: %s", why);
	f = fwd(CONENAT_UDP, 40001, "10.0.1.2", 5000);
	ok(conenat_forward_add(&cfg, &f, &why) == -EEXIST &&
	   !strcmp(why, "the internal endpoint has a forward already"),
	   "internal endpoint taken: %s", why);
	f = fwd(CONENAT_ICMP, 40002, "10.0.1.2", 7);
	ok(conenat_forward_add(&cfg, &f, &why) == -EINVAL,
	   "no ICMP forwards: %s", why);
	for (i = 0; i < 6; i++) {
		static const char *const bad[][2] = {
			{ "0.0.0.0", "0.0.0.0/8" },
			{ "0.1.2.3", "0.0.0.0/8" },
			{ "127.0.0.1", "loopback" },
			{ "224.0.0.1", "multicast" },
			{ "240.0.0.1", "reserved" },
			{ "255.255.255.255", "broadcast" },
		};

		int err;

		f = fwd(CONENAT_UDP, 40010 + i, bad[i][0], 5000);
		err = conenat_forward_add(&cfg, &f, &why);
		ok(err == -EINVAL &&
		   strstr(why, bad[i][1]) && !conenat_forward_has(&cfg, &f),
		   "forward to %s refused: %s", bad[i][0], why);
	}
	f = fwd(CONENAT_UDP, 25000, "10.0.1.4", 25000);
	ok(conenat_forward_add(&cfg, &f, &why) == 0 &&
	   conenat_config_check(&cfg, &why) == 0,
	   "a forward inside the dynamic range reserves its port");
	ok(conenat_forward_del(&cfg, CONENAT_UDP, htons(25000)) == 0 &&
	   !conenat_forward_has(&cfg, &f) &&
	   conenat_config_check(&cfg, &why) == 0, "forward removed");
	ok(conenat_forward_del(&cfg, CONENAT_UDP, htons(25000)) == -ENOENT,
	   "removing it again: ENOENT");
	while (cfg.nr_fwd < CONENAT_MAX_FORWARDS) {
		f = fwd(CONENAT_TCP, 41000 + cfg.nr_fwd, "10.0.2.2",
			1000 + cfg.nr_fwd);
		conenat_forward_add(&cfg, &f, &why);
	}
	f = fwd(CONENAT_TCP, 50000, "10.0.3.3", 1);
	ok(conenat_forward_add(&cfg, &f, &why) == -E2BIG,
	   "at most %d forwards: %s", CONENAT_MAX_FORWARDS, why);
}

int main(void)
{
	test_selection();
	test_pool();
	test_forwards();
	test_defaults();
	test_ranges();
	test_check();
	test_tcp_state();
	test_tcp_inbound_shortcut();
	test_timeouts();
	test_derive();
	return tap_done();
}
