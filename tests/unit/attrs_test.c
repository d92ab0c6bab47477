// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/attrs.c, a configuration and its netlink attributes:
 * a request parsed onto a configuration (after the strict validation
 * genetlink applies with the command's policy, which nlshim.h mimics),
 * a configuration put in a reply and parsed back to the same one, and
 * the requests that are refused, each with its message.
 */
#include <arpa/inet.h>
#include "attrs.h"
#include "portalloc.h"
#include "tap.h"

static unsigned char buf[16384];

static struct sk_buff *msg_new(unsigned int room)
{
	static struct sk_buff skb;

	memset(buf, 0xa5, sizeof(buf));
	skb = (struct sk_buff){ .data = buf, .end = room };
	return &skb;
}

static void put_range(struct sk_buff *m, u8 ipproto, u16 min, u16 max)
{
	struct nlattr *r = nla_nest_start(m, CONENAT_A_RANGE);

	nla_put_u8(m, CONENAT_RANGE_A_PROTO, ipproto);
	nla_put_u16(m, CONENAT_RANGE_A_MIN, min);
	nla_put_u16(m, CONENAT_RANGE_A_MAX, max);
	nla_nest_end(m, r);
}

static void put_prefix(struct sk_buff *m, const char *addr, u8 len)
{
	struct nlattr *p = nla_nest_start(m, CONENAT_A_PREFIX);

	nla_put_in_addr(m, CONENAT_PFX_A_ADDR, inet_addr(addr));
	nla_put_u8(m, CONENAT_PFX_A_LEN, len);
	nla_nest_end(m, p);
}

static struct conenat_config defaults(void)
{
	struct conenat_config cfg;

	conenat_config_defaults(&cfg, 65536);
	return cfg;
}

/*
 * What the family does with a request: validate it with the command's
 * policy, then apply it on top of @cfg. Returns the error; *@why, the
 * extack message or NULL.
 */
static int apply(struct sk_buff *m, struct conenat_config *cfg,
		 const char **why)
{
	struct nlattr *tb[CONENAT_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	int err;

	err = shim_nla_parse(tb, CONENAT_A_MAX, (struct nlattr *)m->data,
			     m->len, conenat_config_policy, &extack) ?:
	      conenat_unique((struct nlattr *)m->data, m->len, &extack) ?:
	      conenat_parse_config(tb, cfg, &extack);
	*why = extack._msg;
	return err;
}

/* A request that sets every field the configuration attributes carry. */
static struct sk_buff *full_request(void)
{
	struct sk_buff *m = msg_new(sizeof(buf));
	struct nlattr *n;

	nla_put_string(m, CONENAT_A_IFNAME, "wan0");
	n = nla_nest_start(m, CONENAT_A_RANGES);
	put_range(m, IPPROTO_UDP, 1024, 2047);
	put_range(m, IPPROTO_UDP, 4000, 4099);
	put_range(m, IPPROTO_TCP, 3000, 3999);
	nla_nest_end(m, n);
	nla_put_u32(m, CONENAT_A_TIMEOUT_UDP, 600);
	nla_put_u32(m, CONENAT_A_TIMEOUT_TCP_EST, 8000);
	nla_put_u32(m, CONENAT_A_TIMEOUT_TCP_TRANS, 300);
	nla_put_u32(m, CONENAT_A_TIMEOUT_ICMP, 90);
	nla_put_u32(m, CONENAT_A_HOLDDOWN, 0);
	nla_put_u32(m, CONENAT_A_MAX_MAPPINGS, 5000);
	nla_put_u32(m, CONENAT_A_MAX_PER_HOST, 100);
	nla_put_u32(m, CONENAT_A_MAX_CONNS_PER_HOST, 50);
	nla_put_u32(m, CONENAT_A_MAX_CONNS_PER_MAPPING, 10);
	nla_put_u32(m, CONENAT_A_FWMARK, 0x42);
	nla_put_u8(m, CONENAT_A_INBOUND_REFRESH, 1);
	n = nla_nest_start(m, CONENAT_A_INTERNAL);
	put_prefix(m, "10.0.0.0", 8);
	put_prefix(m, "172.16.0.0", 12);
	nla_nest_end(m, n);
	n = nla_nest_start(m, CONENAT_A_EXCLUDE);
	put_prefix(m, "10.9.0.0", 16);
	nla_nest_end(m, n);
	n = nla_nest_start(m, CONENAT_A_ADDRS);
	nla_put_in_addr(m, CONENAT_A_EXT_ADDR, inet_addr("192.0.2.2"));
	nla_put_in_addr(m, CONENAT_A_EXT_ADDR, inet_addr("192.0.2.1"));
	nla_nest_end(m, n);
	return m;
}

static void test_full_request(void)
{
	struct conenat_config cfg = defaults();
	const struct conenat_port_ranges *u = &cfg.ports[CONENAT_UDP];
	const struct conenat_port_ranges *i = &cfg.ports[CONENAT_ICMP];
	const char *why;
	int err;

	/* Apart: ok()'s arguments are evaluated in no set order. */
	err = apply(full_request(), &cfg, &why);
	ok(!err, "a full request applies: %s", why ?: "no message");
	ok(!strcmp(cfg.ifname, "wan0"), "interface name");
	ok(u->nr == 2 && u->r[0].min == 1024 && u->r[1].max == 4099 &&
	   u->total == 1124, "two UDP ranges, %u ports", u->total);
	ok(cfg.ports[CONENAT_TCP].nr == 1 &&
	   cfg.ports[CONENAT_TCP].total == 1000, "one TCP range");
	ok(i->nr == 1 && i->r[0].min == CONENAT_DEFAULT_PORT_MIN &&
	   i->r[0].max == CONENAT_DEFAULT_PORT_MAX,
	   "ICMP, not named, gets the default range");
	ok(cfg.timeout[CONENAT_TO_UDP] == 600 &&
	   cfg.timeout[CONENAT_TO_TCP_EST] == 8000 &&
	   cfg.timeout[CONENAT_TO_TCP_TRANS] == 300 &&
	   cfg.timeout[CONENAT_TO_ICMP] == 90 &&
	   cfg.timeout[CONENAT_TO_HOLDDOWN] == 0, "every timeout");
	ok(cfg.max_mappings == 5000 && cfg.max_per_host == 100 &&
	   cfg.max_conns_per_host == 50 && cfg.max_conns_per_mapping == 10,
	   "every limit");
	ok(cfg.fwmark == 0x42 && cfg.inbound_refresh && !cfg.unsafe_timeouts,
	   "fwmark and inbound refresh");
	ok(cfg.internal.nr == 2 && cfg.internal.p[1].len == 12 &&
	   cfg.internal.p[1].addr == inet_addr("172.16.0.0") &&
	   cfg.exclude.nr == 1 && cfg.exclude.p[0].len == 16,
	   "internal and excluded prefixes");
	ok(cfg.pool.nr == 2 && cfg.pool.a[0] == inet_addr("192.0.2.1") &&
	   cfg.pool.a[1] == inet_addr("192.0.2.2"), "the pool, sorted");
}

/* put_config, then the reply applied to the defaults: the same again. */
static void test_round_trip(void)
{
	struct conenat_config cfg = defaults(), back = defaults();
	struct conenat_forward f = {
		.proto = CONENAT_UDP, .int_addr = inet_addr("10.0.1.2"),
		.int_port = htons(5060), .ext_port = htons(1500),
	};
	const struct nlattr *list = NULL, *a;
	struct sk_buff *m;
	const char *why;
	unsigned int n = 0;
	int rem, err;

	apply(full_request(), &cfg, &why);
	ok(!conenat_forward_add(&cfg, &f, &why), "a forward added");
	m = msg_new(sizeof(buf));
	ok(!conenat_put_config(m, &cfg), "the configuration fits a reply");
	err = apply(m, &back, &why);
	ok(!err, "the reply is a valid request: %s", why ?: "no message");
	ok(!strcmp(back.ifname, cfg.ifname) &&
	   !memcmp(back.ports, cfg.ports, sizeof(cfg.ports)) &&
	   !memcmp(back.timeout, cfg.timeout, sizeof(cfg.timeout)) &&
	   !memcmp(&back.internal, &cfg.internal, sizeof(cfg.internal)) &&
	   !memcmp(&back.exclude, &cfg.exclude, sizeof(cfg.exclude)) &&
	   !memcmp(&back.pool, &cfg.pool, sizeof(cfg.pool)),
	   "ranges, timeouts, prefixes and pool come back the same");
	ok(back.max_mappings == cfg.max_mappings &&
	   back.max_per_host == cfg.max_per_host &&
	   back.max_conns_per_host == cfg.max_conns_per_host &&
	   back.max_conns_per_mapping == cfg.max_conns_per_mapping &&
	   back.fwmark == cfg.fwmark &&
	   back.inbound_refresh == cfg.inbound_refresh,
	   "limits, fwmark and inbound refresh come back the same");
	nla_for_each_attr(a, m->data, m->len, rem)
		if (nla_type(a) == CONENAT_A_FORWARDS)
			list = a;
	ok(list != NULL, "the reply lists the forwards");
	if (!list)
		return;
	nla_for_each_nested(a, list, rem) {
		struct conenat_forward g;

		err = conenat_parse_forward(a, &g, false, NULL);
		ok(!err && n < cfg.nr_fwd && g.proto == cfg.fwd[n].proto &&
		   g.int_addr == cfg.fwd[n].int_addr &&
		   g.int_port == cfg.fwd[n].int_port &&
		   g.ext_port == cfg.fwd[n].ext_port,
		   "forward %u comes back the same", n);
		n++;
	}
	ok(n == cfg.nr_fwd, "%u of %u forwards", n, cfg.nr_fwd);
}

/* Each part of the configuration a reply needs, cut short. */
static void test_reply_too_big(void)
{
	struct conenat_config cfg = defaults();
	unsigned int room, whole;
	struct sk_buff *m;
	const char *why;

	apply(full_request(), &cfg, &why);
	m = msg_new(sizeof(buf));
	conenat_put_config(m, &cfg);
	whole = m->len;
	for (room = 0; room < whole; room += 4) {
		m = msg_new(room);
		if (conenat_put_config(m, &cfg) != -EMSGSIZE || m->len > room ||
		    buf[room] != 0xa5)
			break;
	}
	ok(room >= whole, "a reply with room for less than its %u bytes "
	   "fails with EMSGSIZE, writing nothing past its room", whole);
}

struct bad {
	const char *what;
	void (*put)(struct sk_buff *m);
	int err;
	const char *why;
};

static void bad_twice(struct sk_buff *m)
{
	struct nlattr *n = nla_nest_start(m, CONENAT_A_RANGES);
	struct nlattr *r = nla_nest_start(m, CONENAT_A_RANGE);

	nla_put_u8(m, CONENAT_RANGE_A_PROTO, IPPROTO_UDP);
	nla_put_u16(m, CONENAT_RANGE_A_MIN, 1000);
	nla_put_u16(m, CONENAT_RANGE_A_MIN, 1001);
	nla_put_u16(m, CONENAT_RANGE_A_MAX, 2000);
	nla_nest_end(m, r);
	nla_nest_end(m, n);
}

static void bad_twice_top(struct sk_buff *m)
{
	nla_put_u32(m, CONENAT_A_FWMARK, 1);
	nla_put_u32(m, CONENAT_A_FWMARK, 2);
}

static void bad_min_above_max(struct sk_buff *m)
{
	struct nlattr *n = nla_nest_start(m, CONENAT_A_RANGES);

	put_range(m, IPPROTO_TCP, 3000, 2000);
	nla_nest_end(m, n);
}

static void bad_range_no_max(struct sk_buff *m)
{
	struct nlattr *n = nla_nest_start(m, CONENAT_A_RANGES);
	struct nlattr *r = nla_nest_start(m, CONENAT_A_RANGE);

	nla_put_u8(m, CONENAT_RANGE_A_PROTO, IPPROTO_UDP);
	nla_put_u16(m, CONENAT_RANGE_A_MIN, 1000);
	nla_nest_end(m, r);
	nla_nest_end(m, n);
}

static void bad_range_proto(struct sk_buff *m)
{
	struct nlattr *n = nla_nest_start(m, CONENAT_A_RANGES);

	put_range(m, IPPROTO_GRE, 1000, 2000);
	nla_nest_end(m, n);
}

static void bad_timeout_zero(struct sk_buff *m)
{
	nla_put_u32(m, CONENAT_A_TIMEOUT_ICMP, 0);
}

static void bad_timeout_short(struct sk_buff *m)
{
	nla_put_u32(m, CONENAT_A_TIMEOUT_UDP, 60);
}

static void bad_prefix_len(struct sk_buff *m)
{
	struct nlattr *n = nla_nest_start(m, CONENAT_A_INTERNAL);

	put_prefix(m, "10.0.0.0", 33);
	nla_nest_end(m, n);
}

static void bad_other_command(struct sk_buff *m)
{
	nla_put_u8(m, CONENAT_A_PROTO, IPPROTO_UDP);
}

static void bad_reply_only(struct sk_buff *m)
{
	nla_put_u32(m, CONENAT_A_MAPPINGS, 7);
}

static void bad_u32_as_u8(struct sk_buff *m)
{
	nla_put_u8(m, CONENAT_A_MAX_MAPPINGS, 7);
}

static void bad_conns_per_mapping(struct sk_buff *m)
{
	nla_put_u32(m, CONENAT_A_MAX_CONNS_PER_MAPPING,
		    CONENAT_MAX_CONNS_PER_MAPPING + 1);
}

static const struct bad bads[] = {
	{ "an attribute twice in a range", bad_twice, -EINVAL,
	  "attribute given twice" },
	{ "an attribute twice in the request", bad_twice_top, -EINVAL,
	  "attribute given twice" },
	{ "a range whose min is above its max", bad_min_above_max, -EINVAL,
	  NULL },
	{ "a range without its max", bad_range_no_max, -EINVAL,
	  "port range needs protocol, min and max" },
	{ "a range of GRE", bad_range_proto, -EINVAL,
	  "protocol must be UDP, TCP or ICMP" },
	{ "a timeout of 0", bad_timeout_zero, -ERANGE,
	  "integer out of range" },
	{ "a UDP timeout below RFC 4787's", bad_timeout_short, -ERANGE,
	  "UDP timeout is below the RFC 4787 minimum of 120 s" },
	{ "a /33", bad_prefix_len, -ERANGE, "integer out of range" },
	{ "a flush filter", bad_other_command, -EINVAL,
	  "Unsupported attribute" },
	{ "a reply-only attribute", bad_reply_only, -EINVAL,
	  "Unsupported attribute" },
	{ "a u32 sent as one byte", bad_u32_as_u8, -EINVAL,
	  "invalid attribute length" },
	{ "connections per mapping above the cap", bad_conns_per_mapping,
	  -ERANGE, "integer out of range" },
};

static void test_refused(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		const struct bad *b = &bads[i];
		struct conenat_config cfg = defaults();
		struct sk_buff *m = msg_new(sizeof(buf));
		const char *why;
		int err;

		nla_put_string(m, CONENAT_A_IFNAME, "wan0");
		b->put(m);
		err = apply(m, &cfg, &why);
		ok(err == b->err && why &&
		   (!b->why || !strcmp(why, b->why)),
		   "%s: refused with %d, '%s'", b->what, err,
		   why ?: "no message");
	}
}

static void test_unsafe_and_lowered(void)
{
	struct conenat_config cfg = defaults();
	struct sk_buff *m = msg_new(sizeof(buf));
	const char *why;

	nla_put_string(m, CONENAT_A_IFNAME, "wan0");
	nla_put_u32(m, CONENAT_A_TIMEOUT_UDP, 60);
	nla_put_flag(m, CONENAT_A_UNSAFE_TIMEOUTS);
	nla_put_u32(m, CONENAT_A_MAX_MAPPINGS, 10);
	ok(!apply(m, &cfg, &why) && cfg.timeout[CONENAT_TO_UDP] == 60 &&
	   cfg.unsafe_timeouts, "a short timeout with unsafe-timeouts");
	ok(cfg.max_per_host == 10,
	   "a lower mapping limit lowers the per-host one not given");
	m = msg_new(sizeof(buf));
	nla_put_u32(m, CONENAT_A_TIMEOUT_UDP, 70);
	ok(!apply(m, &cfg, &why) && cfg.timeout[CONENAT_TO_UDP] == 70,
	   "unsafe-timeouts is kept by later requests");
}

int main(void)
{
	test_full_request();
	test_round_trip();
	test_reply_too_big();
	test_refused();
	test_unsafe_and_lowered();
	return tap_done();
}
