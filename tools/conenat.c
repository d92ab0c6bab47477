// SPDX-License-Identifier: GPL-2.0
/*
 * conenat - configure the conenat endpoint-independent NAT module over
 * generic netlink. See conenat(8) and include/uapi/linux/conenat.h.
 *
 * Exit status: 0 success, 1 runtime or kernel error, 2 usage error. All
 * arguments are parsed before the kernel is asked anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/conenat.h>
#include <linux/genetlink.h>

#include "json.h"
#include "nl.h"
#include "parse.h"

#ifndef CONENAT_VERSION
#define CONENAT_VERSION "0.1.0"
#endif

#define EXIT_USAGE	2
#define DUMP_TRIES	5
#define MAX_RANGES	(NPROTOS * CONENAT_MAX_RANGES)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define STR_(x) #x
#define STR(x) STR_(x)

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct command *command;	/* the one running */
static bool json_out, pretty, with_stats;
static struct nl nl;
static char where[PATH_MAX + 16];	/* load: "FILE:LINE", else empty */

/*
 * Prints "conenat: COMMAND: msg" and the command's synopsis, or while
 * loading a file "conenat: FILE:LINE: msg".
 */
static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "conenat: %s: ", where[0] ? where : command->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (where[0])
		fputc('\n', stderr);
	else
		fprintf(stderr, "\nUsage: conenat [-j] [-p] %s%s%s\n"
			"Try 'conenat help' for more information.\n",
			command->name, command->args[0] ? " " : "",
			command->args);
	return EXIT_USAGE;
}

/* A value that does not parse; err comes from parse.c. */
static int value_error(const char *err)
{
	fprintf(stderr, "conenat: %s%s%s\n", where, where[0] ? ": " : "", err);
	return EXIT_USAGE;
}

static bool is_global_option(const char *arg)
{
	return !strcmp(arg, "-j") || !strcmp(arg, "-p") || !strcmp(arg, "-s") ||
	       !strcmp(arg, "--json") || !strcmp(arg, "--pretty") ||
	       !strcmp(arg, "--stats");
}

static int unexpected(const char *arg)
{
	if (is_global_option(arg))
		return usage_error("option '%s' goes before the command", arg);
	return usage_error("unexpected argument '%s'", arg);
}

static int no_args(int argc, char **argv)
{
	return argc ? unexpected(argv[0]) : 0;
}

/* up, set: configuration options */

enum opt_kind { OPT_PORTS, OPT_SECS, OPT_U32, OPT_ONOFF, OPT_FLAG,
		OPT_PREFIXES, OPT_ADDRS };

static const struct cfg_option {
	const char *name;
	enum opt_kind kind;
	uint16_t attr;
	const char *arg;
	const char *help;
} cfg_options[] = {
	{ "--ports", OPT_PORTS, CONENAT_A_RANGES, "[PROTO:]LO-HI",
	  "external ports, repeatable (default "
	  STR(CONENAT_DEFAULT_PORT_MIN) "-" STR(CONENAT_DEFAULT_PORT_MAX) ")" },
	{ "--timeout-udp", OPT_SECS, CONENAT_A_TIMEOUT_UDP, "SECS",
	  "UDP timeout (default " STR(CONENAT_DEFAULT_TIMEOUT_UDP) ")" },
	{ "--timeout-tcp-est", OPT_SECS, CONENAT_A_TIMEOUT_TCP_EST, "SECS",
	  "TCP established timeout (default "
	  STR(CONENAT_DEFAULT_TIMEOUT_TCP_EST) ")" },
	{ "--timeout-tcp-trans", OPT_SECS, CONENAT_A_TIMEOUT_TCP_TRANS, "SECS",
	  "TCP transitory timeout (default "
	  STR(CONENAT_DEFAULT_TIMEOUT_TCP_TRANS) ")" },
	{ "--timeout-icmp", OPT_SECS, CONENAT_A_TIMEOUT_ICMP, "SECS",
	  "ICMP query timeout (default " STR(CONENAT_DEFAULT_TIMEOUT_ICMP) ")" },
	{ "--holddown", OPT_SECS, CONENAT_A_HOLDDOWN, "SECS",
	  "wait before a freed port is reused (default "
	  STR(CONENAT_DEFAULT_HOLDDOWN) ")" },
	{ "--max-mappings", OPT_U32, CONENAT_A_MAX_MAPPINGS, "N",
	  "maximum number of mappings" },
	{ "--max-per-host", OPT_U32, CONENAT_A_MAX_PER_HOST, "N",
	  "maximum number of mappings of one internal host" },
	{ "--fwmark", OPT_U32, CONENAT_A_FWMARK, "MARK",
	  "mark for translated inbound packets (0: none)" },
	{ "--inbound-refresh", OPT_ONOFF, CONENAT_A_INBOUND_REFRESH, "on|off",
	  "whether inbound packets refresh mappings" },
	{ "--unsafe-timeouts", OPT_FLAG, CONENAT_A_UNSAFE_TIMEOUTS, "",
	  "allow timeouts below the RFC minimums (tests)" },
	{ "--internal", OPT_PREFIXES, CONENAT_A_INTERNAL, "PREFIX,...|none",
	  "translate only packets from these (default: all)" },
	{ "--exclude", OPT_PREFIXES, CONENAT_A_EXCLUDE, "PREFIX,...|none",
	  "never translate packets to these" },
	{ "--address", OPT_ADDRS, CONENAT_A_ADDRS, "ADDR,...|none",
	  "external addresses, one per internal host (default: the interface's)" },
};

/* What to call a request attribute the kernel complains about. */
static const char *attr_what(int type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_options); i++)
		if (cfg_options[i].attr == type)
			return cfg_options[i].name;
	switch (type) {
	case CONENAT_A_IFNAME:
		return "interface name";
	case CONENAT_A_PROTO:
		return "protocol";
	case CONENAT_A_INT_ADDR:
		return "address";
	}
	return NULL;
}

static int open_nl(void)
{
	int err = nl_open(&nl);

	if (err == -ENOENT) {
		fputs("conenat: kernel module not loaded (try: modprobe conenat)\n",
		      stderr);
		return 1;
	}
	if (err) {
		nl_perror(&nl, err, NULL);
		return 1;
	}
	return 0;
}

/* Reports a failed request, naming the option the kernel objected to. */
static void fail(int err)
{
	nl_perror(&nl, err, attr_what(nl_bad_attr(&nl)));
}

static int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	int err = nl_talk(&nl, nlh, cb, data);

	if (err) {
		fail(err);
		return 1;
	}
	return 0;
}

static const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *name = proto_name(proto);

	if (name)
		return name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* Listing order: udp, tcp, icmp, then unknown protocols by number. */
static int proto_rank(uint8_t proto)
{
	int i;

	for (i = 0; i < NPROTOS; i++)
		if (protos[i] == proto)
			return i;
	return NPROTOS + proto;
}

static const char *addr_str(uint32_t be_addr, char *buf)
{
	struct in_addr a = { .s_addr = be_addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void attr_strcpy(char *dst, size_t size, const struct nlattr *attr)
{
	const char *s = mnl_attr_get_payload(attr);

	snprintf(dst, size, "%.*s",
		 (int)strnlen(s, mnl_attr_get_payload_len(attr)), s);
}

static const enum mnl_attr_data_type attr_types[CONENAT_A_MAX + 1] = {
	[CONENAT_A_UP] = MNL_TYPE_U8,
	[CONENAT_A_IFINDEX] = MNL_TYPE_U32,
	[CONENAT_A_EXT_ADDR] = MNL_TYPE_U32,
	[CONENAT_A_RANGES] = MNL_TYPE_NESTED,
	[CONENAT_A_RANGE] = MNL_TYPE_NESTED,
	[CONENAT_A_TIMEOUT_UDP ... CONENAT_A_FWMARK] = MNL_TYPE_U32,
	[CONENAT_A_INBOUND_REFRESH] = MNL_TYPE_U8,
	[CONENAT_A_UNSAFE_TIMEOUTS] = MNL_TYPE_FLAG,
	[CONENAT_A_MAPPINGS] = MNL_TYPE_U32,
	[CONENAT_A_MAPPING] = MNL_TYPE_NESTED,
	[CONENAT_A_PROTO] = MNL_TYPE_U8,
	[CONENAT_A_INT_ADDR] = MNL_TYPE_U32,
	[CONENAT_A_STATS] = MNL_TYPE_NESTED,
	[CONENAT_A_INTERNAL] = MNL_TYPE_NESTED,
	[CONENAT_A_EXCLUDE] = MNL_TYPE_NESTED,
	[CONENAT_A_FORWARDS] = MNL_TYPE_NESTED,
	[CONENAT_A_ADDRS] = MNL_TYPE_NESTED,
	[CONENAT_A_STATIC] = MNL_TYPE_FLAG,
};

static const enum mnl_attr_data_type range_types[CONENAT_RANGE_A_MAX + 1] = {
	[CONENAT_RANGE_A_PROTO] = MNL_TYPE_U8,
	[CONENAT_RANGE_A_MIN] = MNL_TYPE_U16,
	[CONENAT_RANGE_A_MAX] = MNL_TYPE_U16,
};

static const enum mnl_attr_data_type prefix_types[CONENAT_PFX_A_MAX + 1] = {
	[CONENAT_PFX_A_ADDR] = MNL_TYPE_U32,
	[CONENAT_PFX_A_LEN] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type map_types[CONENAT_MAP_A_MAX + 1] = {
	[CONENAT_MAP_A_PROTO] = MNL_TYPE_U8,
	[CONENAT_MAP_A_INT_ADDR] = MNL_TYPE_U32,
	[CONENAT_MAP_A_INT_PORT] = MNL_TYPE_U16,
	[CONENAT_MAP_A_EXT_ADDR] = MNL_TYPE_U32,
	[CONENAT_MAP_A_EXT_PORT] = MNL_TYPE_U16,
	[CONENAT_MAP_A_EXPIRES] = MNL_TYPE_U32,
	[CONENAT_MAP_A_STATE] = MNL_TYPE_U8,
	[CONENAT_MAP_A_CONNS] = MNL_TYPE_U32,
	[CONENAT_MAP_A_STATIC] = MNL_TYPE_FLAG,
};

/* up, set */

/* A list of prefixes as sent or received: internal or exclude. */
struct prefixes {
	struct prefix p[CONENAT_MAX_PREFIXES];
	unsigned int n;
};

/* The external address pool, network order. */
struct addrs {
	uint32_t a[CONENAT_MAX_ADDRS];
	unsigned int n;
};

struct config {
	const char *ifname;
	bool set[CONENAT_A_MAX + 1];
	uint32_t val[CONENAT_A_MAX + 1];
	struct port_range ranges[MAX_RANGES];
	unsigned int nranges;
	struct prefixes internal, exclude;
	struct addrs pool;
};

/*
 * Copy the next item of a comma-separated list at *s into buf, and
 * advance *s past it; NULL after the last one.
 */
static void next_item(const char **s, char *buf, size_t size)
{
	const char *comma = strchr(*s, ',');
	size_t len = comma ? (size_t)(comma - *s) : strlen(*s);

	if (len >= size)
		len = size - 1;
	memcpy(buf, *s, len);
	buf[len] = '\0';
	*s = comma ? comma + 1 : NULL;
}

/* "none", or PREFIX[,PREFIX...] */
static int parse_prefixes(const char *val, const char *opt,
			  struct prefixes *ps)
{
	char err[PARSE_ERRLEN], buf[64];
	const char *s = val;

	ps->n = 0;
	if (!strcmp(val, "none"))
		return 0;
	while (s) {
		if (ps->n == CONENAT_MAX_PREFIXES)
			return usage_error("%s takes at most %d prefixes", opt,
					   CONENAT_MAX_PREFIXES);
		next_item(&s, buf, sizeof(buf));
		if (parse_prefix(buf, &ps->p[ps->n++], err, sizeof(err)))
			return value_error(err);
	}
	return 0;
}

/* "none", or ADDR[,ADDR...] */
static int parse_addrs(const char *val, const char *opt, struct addrs *as)
{
	char err[PARSE_ERRLEN], buf[64];
	const char *s = val;

	as->n = 0;
	if (!strcmp(val, "none"))
		return 0;
	while (s) {
		if (as->n == CONENAT_MAX_ADDRS)
			return usage_error("%s takes at most %d addresses", opt,
					   CONENAT_MAX_ADDRS);
		next_item(&s, buf, sizeof(buf));
		if (parse_ipv4(buf, &as->a[as->n++], err, sizeof(err)))
			return value_error(err);
	}
	return 0;
}

static int add_range(struct config *cfg, uint8_t proto, uint16_t min,
		     uint16_t max)
{
	unsigned int i, n = 0;

	for (i = 0; i < cfg->nranges; i++)
		n += cfg->ranges[i].proto == proto;
	if (n >= CONENAT_MAX_RANGES) {
		fprintf(stderr, "conenat: too many port ranges for %s (at most %d)\n",
			proto_name(proto), CONENAT_MAX_RANGES);
		return EXIT_USAGE;
	}
	cfg->ranges[cfg->nranges++] = (struct port_range){ proto, min, max };
	return 0;
}

static int parse_option(struct config *cfg, const struct cfg_option *opt,
			const char *val)
{
	char err[PARSE_ERRLEN];
	struct port_range r;
	bool on;
	int i, ret;

	switch (opt->kind) {
	case OPT_PORTS:
		if (parse_port_range(val, &r, err, sizeof(err)))
			return value_error(err);
		for (i = 0; i < NPROTOS; i++) {
			if (r.proto && r.proto != protos[i])
				continue;
			ret = add_range(cfg, protos[i], r.min, r.max);
			if (ret)
				return ret;
		}
		return 0;
	case OPT_SECS:
		if (parse_duration(val, &cfg->val[opt->attr], err, sizeof(err)))
			return value_error(err);
		break;
	case OPT_U32:
		if (parse_u32(val, &cfg->val[opt->attr], err, sizeof(err)))
			return value_error(err);
		break;
	case OPT_ONOFF:
		if (parse_onoff(val, &on, err, sizeof(err)))
			return value_error(err);
		cfg->val[opt->attr] = on;
		break;
	case OPT_FLAG:
		break;
	case OPT_PREFIXES:
		ret = parse_prefixes(val, opt->name,
				     opt->attr == CONENAT_A_INTERNAL ?
				     &cfg->internal : &cfg->exclude);
		if (ret)
			return ret;
		break;
	case OPT_ADDRS:
		ret = parse_addrs(val, opt->name, &cfg->pool);
		if (ret)
			return ret;
		break;
	}
	cfg->set[opt->attr] = true;
	return 0;
}

static const struct cfg_option *find_option(const char *arg, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_options); i++)
		if (strlen(cfg_options[i].name) == len &&
		    !strncmp(cfg_options[i].name, arg, len))
			return &cfg_options[i];
	return NULL;
}

/*
 * [IFNAME] [dev IFNAME] [--option VALUE | --option=VALUE]..., in any order;
 * the bare IFNAME only when bare_ifname (up), where it is required.
 */
static int parse_config(int argc, char **argv, struct config *cfg,
			bool bare_ifname)
{
	const struct cfg_option *opt;
	const char *arg, *val, *eq;
	char err[PARSE_ERRLEN];
	size_t len;
	int i, ret;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "dev") || strncmp(arg, "--", 2)) {
			if (!strcmp(arg, "dev")) {
				if (++i == argc)
					return usage_error("'dev' needs an interface name");
				arg = argv[i];
			} else if (!bare_ifname || cfg->ifname) {
				return unexpected(arg);
			}
			if (cfg->ifname)
				return usage_error("more than one interface given");
			cfg->ifname = arg;
			continue;
		}
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		opt = find_option(arg, len);
		if (!opt)
			return usage_error("unknown option '%.*s'", (int)len, arg);
		val = NULL;
		if (opt->kind == OPT_FLAG) {
			if (eq)
				return usage_error("option '%s' takes no value",
						   opt->name);
		} else if (eq) {
			val = eq + 1;
		} else if (++i < argc) {
			val = argv[i];
		} else {
			return usage_error("option '%s' needs a value",
					   opt->name);
		}
		ret = parse_option(cfg, opt, val);
		if (ret)
			return ret;
	}
	if (bare_ifname && !cfg->ifname)
		return usage_error("missing interface name");
	if (cfg->ifname && parse_ifname(cfg->ifname, err, sizeof(err)))
		return value_error(err);
	return 0;
}

static void put_prefixes(struct nlmsghdr *nlh, uint16_t type,
			 const struct prefixes *ps)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, type), *nest;
	unsigned int i;

	for (i = 0; i < ps->n; i++) {
		nest = mnl_attr_nest_start(nlh, CONENAT_A_PREFIX);
		mnl_attr_put_u32(nlh, CONENAT_PFX_A_ADDR, ps->p[i].addr);
		mnl_attr_put_u8(nlh, CONENAT_PFX_A_LEN, ps->p[i].len);
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_nest_end(nlh, list);
}

static void put_addrs(struct nlmsghdr *nlh, const struct addrs *as)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, CONENAT_A_ADDRS);
	unsigned int i;

	for (i = 0; i < as->n; i++)
		mnl_attr_put_u32(nlh, CONENAT_A_EXT_ADDR, as->a[i]);
	mnl_attr_nest_end(nlh, list);
}

static void put_config(struct nlmsghdr *nlh, const struct config *cfg)
{
	struct nlattr *ranges, *range;
	const struct cfg_option *opt;
	unsigned int i;

	if (cfg->ifname)
		mnl_attr_put_strz(nlh, CONENAT_A_IFNAME, cfg->ifname);
	if (cfg->nranges) {
		ranges = mnl_attr_nest_start(nlh, CONENAT_A_RANGES);
		for (i = 0; i < cfg->nranges; i++) {
			range = mnl_attr_nest_start(nlh, CONENAT_A_RANGE);
			mnl_attr_put_u8(nlh, CONENAT_RANGE_A_PROTO,
					cfg->ranges[i].proto);
			mnl_attr_put_u16(nlh, CONENAT_RANGE_A_MIN,
					 cfg->ranges[i].min);
			mnl_attr_put_u16(nlh, CONENAT_RANGE_A_MAX,
					 cfg->ranges[i].max);
			mnl_attr_nest_end(nlh, range);
		}
		mnl_attr_nest_end(nlh, ranges);
	}
	for (i = 0; i < ARRAY_SIZE(cfg_options); i++) {
		opt = &cfg_options[i];
		if (!cfg->set[opt->attr])
			continue;
		switch (opt->kind) {
		case OPT_SECS:
		case OPT_U32:
			mnl_attr_put_u32(nlh, opt->attr, cfg->val[opt->attr]);
			break;
		case OPT_ONOFF:
			mnl_attr_put_u8(nlh, opt->attr,
					(uint8_t)cfg->val[opt->attr]);
			break;
		case OPT_FLAG:
			mnl_attr_put(nlh, opt->attr, 0, NULL);
			break;
		case OPT_PREFIXES:
			put_prefixes(nlh, opt->attr,
				     opt->attr == CONENAT_A_INTERNAL ?
				     &cfg->internal : &cfg->exclude);
			break;
		case OPT_ADDRS:
			put_addrs(nlh, &cfg->pool);
			break;
		case OPT_PORTS:
			break;
		}
	}
}

static int configure(int argc, char **argv, uint8_t cmd, bool bare_ifname)
{
	struct nlmsghdr *nlh;
	struct config cfg;
	int ret;

	ret = parse_config(argc, argv, &cfg, bare_ifname);
	if (ret || (ret = open_nl()))
		return ret;
	nlh = nl_request(&nl, cmd, NLM_F_ACK);
	put_config(nlh, &cfg);
	return talk(nlh, NULL, NULL);
}

static int cmd_up(int argc, char **argv)
{
	return configure(argc, argv, CONENAT_CMD_UP, true);
}

static int cmd_set(int argc, char **argv)
{
	return configure(argc, argv, CONENAT_CMD_SET, false);
}

static int cmd_down(int argc, char **argv)
{
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()))
		return ret;
	return talk(nl_request(&nl, CONENAT_CMD_DOWN, NLM_F_ACK), NULL, NULL);
}

/* stats */

static const char *const stat_names[CONENAT_STAT_MAX + 1] = {
	[CONENAT_STAT_XLAT_OUT] = "translated_out",
	[CONENAT_STAT_XLAT_IN] = "translated_in",
	[CONENAT_STAT_CREATED] = "created",
	[CONENAT_STAT_EXPIRED] = "expired",
	[CONENAT_STAT_REFUSED_PORTS] = "refused_ports",
	[CONENAT_STAT_REFUSED_LIMIT] = "refused_limit",
	[CONENAT_STAT_REFUSED_HOST] = "refused_host",
	[CONENAT_STAT_REFUSED_NOMEM] = "refused_nomem",
	[CONENAT_STAT_DROP_NOADDR] = "drop_noaddr",
	[CONENAT_STAT_DROP_MALFORMED] = "drop_malformed",
	[CONENAT_STAT_DROP_UNWRITABLE] = "drop_unwritable",
	[CONENAT_STAT_DROP_FRAGMENT] = "drop_fragment",
	[CONENAT_STAT_UNTRACKED] = "tcp_untracked",
	[CONENAT_STAT_DROP_ICMP_UNMATCHED] = "drop_icmp_unmatched",
	[CONENAT_STAT_HAIRPIN] = "hairpinned",
	[CONENAT_STAT_DROP_NOROUTE] = "drop_noroute",
	[CONENAT_STAT_DROP_UNSOLICITED] = "drop_unsolicited",
};

struct stat_val {
	uint16_t type;
	uint64_t val;
};

struct stats {
	struct stat_val s[256];
	unsigned int n;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1], *pos;
	struct stats *st = data;
	uint16_t type, len;

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return MNL_CB_ERROR;
	if (!tb[CONENAT_A_STATS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(pos, tb[CONENAT_A_STATS]) {
		type = mnl_attr_get_type(pos);
		len = mnl_attr_get_payload_len(pos);
		/* type 0 is the padding that aligns the u64s */
		if (!type || st->n == ARRAY_SIZE(st->s))
			continue;
		if (len == sizeof(uint64_t))
			st->s[st->n++] = (struct stat_val){
				type, mnl_attr_get_u64(pos) };
		else if (len == sizeof(uint32_t))
			st->s[st->n++] = (struct stat_val){
				type, mnl_attr_get_u32(pos) };
	}
	return MNL_CB_OK;
}

static int stat_cmp(const void *a, const void *b)
{
	const struct stat_val *x = a, *y = b;

	return (int)x->type - (int)y->type;
}

static const char *stat_name(uint16_t type, char *buf, size_t len)
{
	if (type <= CONENAT_STAT_MAX && stat_names[type])
		return stat_names[type];
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/* The counters, sorted; 0 or 1 with the error printed. */
static int get_stats(struct stats *st)
{
	int ret;

	st->n = 0;
	ret = talk(nl_request(&nl, CONENAT_CMD_GET_STATS, NLM_F_ACK),
		   stats_cb, st);
	if (!ret)
		qsort(st->s, st->n, sizeof(st->s[0]), stat_cmp);
	return ret;
}

static void print_stats(const struct stats *st, const char *indent)
{
	char buf[16];
	unsigned int i;

	for (i = 0; i < st->n; i++)
		printf("%s%-20s %" PRIu64 "\n", indent,
		       stat_name(st->s[i].type, buf, sizeof(buf)), st->s[i].val);
}

/* The counters as an object, named @key inside another, else top level. */
static void json_stats(struct json *j, const char *key,
		       const struct stats *st)
{
	char buf[16];
	unsigned int i;

	json_begin_object(j, key);
	for (i = 0; i < st->n; i++)
		json_uint(j, stat_name(st->s[i].type, buf, sizeof(buf)),
			  st->s[i].val);
	json_end_object(j);
}

static int cmd_stats(int argc, char **argv)
{
	struct stats st;
	struct json j;
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()) || (ret = get_stats(&st)))
		return ret;
	if (json_out) {
		json_init(&j, stdout, pretty);
		json_stats(&j, NULL, &st);
	} else {
		print_stats(&st, "");
	}
	return 0;
}

/* show, version */

struct status {
	bool reply;
	char version[64];
	bool up;
	char ifname[IFNAMSIZ];
	uint32_t val[CONENAT_A_MAX + 1];	/* the u32 and u8 attributes */
	struct port_range ranges[MAX_RANGES];
	unsigned int nranges;
	struct prefixes internal, exclude;
	struct addrs pool;
	struct forward {
		uint8_t proto;
		uint16_t ext_port;
		uint32_t int_addr;	/* network order */
		uint16_t int_port;
	} fwd[CONENAT_MAX_FORWARDS];
	unsigned int nfwd;
};

static int parse_forwards(const struct nlattr *list, struct status *st)
{
	const struct nlattr *tb[CONENAT_MAP_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, list) {
		if (mnl_attr_get_type(pos) != CONENAT_A_MAPPING)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_MAP_A_MAX, map_types) < 0)
			return -1;
		if (!tb[CONENAT_MAP_A_PROTO] || !tb[CONENAT_MAP_A_EXT_PORT] ||
		    !tb[CONENAT_MAP_A_INT_ADDR] || !tb[CONENAT_MAP_A_INT_PORT] ||
		    st->nfwd == CONENAT_MAX_FORWARDS)
			continue;
		st->fwd[st->nfwd++] = (struct forward){
			mnl_attr_get_u8(tb[CONENAT_MAP_A_PROTO]),
			mnl_attr_get_u16(tb[CONENAT_MAP_A_EXT_PORT]),
			mnl_attr_get_u32(tb[CONENAT_MAP_A_INT_ADDR]),
			mnl_attr_get_u16(tb[CONENAT_MAP_A_INT_PORT]),
		};
	}
	return 0;
}

static int parse_prefix_list(const struct nlattr *list, struct prefixes *ps)
{
	const struct nlattr *tb[CONENAT_PFX_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, list) {
		if (mnl_attr_get_type(pos) != CONENAT_A_PREFIX)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_PFX_A_MAX,
			     prefix_types) < 0)
			return -1;
		if (!tb[CONENAT_PFX_A_ADDR] || !tb[CONENAT_PFX_A_LEN] ||
		    ps->n == CONENAT_MAX_PREFIXES)
			continue;
		ps->p[ps->n++] = (struct prefix){
			mnl_attr_get_u32(tb[CONENAT_PFX_A_ADDR]),
			mnl_attr_get_u8(tb[CONENAT_PFX_A_LEN]),
		};
	}
	return 0;
}

static void parse_addr_list(const struct nlattr *list, struct addrs *as)
{
	const struct nlattr *pos;

	mnl_attr_for_each_nested(pos, list)
		if (mnl_attr_get_type(pos) == CONENAT_A_EXT_ADDR &&
		    mnl_attr_get_payload_len(pos) == 4 &&
		    as->n < CONENAT_MAX_ADDRS)
			as->a[as->n++] = mnl_attr_get_u32(pos);
}

static int parse_ranges(const struct nlattr *nest, struct status *st)
{
	const struct nlattr *tb[CONENAT_RANGE_A_MAX + 1], *pos;

	mnl_attr_for_each_nested(pos, nest) {
		if (mnl_attr_get_type(pos) != CONENAT_A_RANGE)
			continue;
		if (nl_parse(NULL, pos, tb, CONENAT_RANGE_A_MAX,
			     range_types) < 0)
			return -1;
		if (!tb[CONENAT_RANGE_A_PROTO] || !tb[CONENAT_RANGE_A_MIN] ||
		    !tb[CONENAT_RANGE_A_MAX] || st->nranges == MAX_RANGES)
			continue;
		st->ranges[st->nranges++] = (struct port_range){
			mnl_attr_get_u8(tb[CONENAT_RANGE_A_PROTO]),
			mnl_attr_get_u16(tb[CONENAT_RANGE_A_MIN]),
			mnl_attr_get_u16(tb[CONENAT_RANGE_A_MAX]),
		};
	}
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	struct status *st = data;
	int i;

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return MNL_CB_ERROR;
	memset(st, 0, sizeof(*st));
	st->reply = true;
	if (tb[CONENAT_A_VERSION])
		attr_strcpy(st->version, sizeof(st->version),
			    tb[CONENAT_A_VERSION]);
	else
		strcpy(st->version, "unknown");
	st->up = tb[CONENAT_A_UP] && mnl_attr_get_u8(tb[CONENAT_A_UP]);
	if (tb[CONENAT_A_IFNAME])
		attr_strcpy(st->ifname, sizeof(st->ifname),
			    tb[CONENAT_A_IFNAME]);
	for (i = 0; i <= CONENAT_A_MAX; i++) {
		if (!tb[i])
			continue;
		if (attr_types[i] == MNL_TYPE_U32)
			st->val[i] = mnl_attr_get_u32(tb[i]);
		else if (attr_types[i] == MNL_TYPE_U8)
			st->val[i] = mnl_attr_get_u8(tb[i]);
	}
	if (tb[CONENAT_A_RANGES] && parse_ranges(tb[CONENAT_A_RANGES], st) < 0)
		return MNL_CB_ERROR;
	if (tb[CONENAT_A_ADDRS])
		parse_addr_list(tb[CONENAT_A_ADDRS], &st->pool);
	if ((tb[CONENAT_A_INTERNAL] &&
	     parse_prefix_list(tb[CONENAT_A_INTERNAL], &st->internal) < 0) ||
	    (tb[CONENAT_A_EXCLUDE] &&
	     parse_prefix_list(tb[CONENAT_A_EXCLUDE], &st->exclude) < 0) ||
	    (tb[CONENAT_A_FORWARDS] &&
	     parse_forwards(tb[CONENAT_A_FORWARDS], st) < 0))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* 0 or -errno, like nl_talk(). */
static int get_status(struct status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = nl_talk(&nl, nl_request(&nl, CONENAT_CMD_GET, NLM_F_ACK),
		      status_cb, st);
	if (!err && !st->reply)
		err = -EPROTO;
	return err;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

static void print_prefixes(const char *what, const struct prefixes *ps)
{
	char buf[INET_ADDRSTRLEN];
	unsigned int i;

	if (!ps->n)
		return;
	printf("  %s", what);
	for (i = 0; i < ps->n; i++)
		printf("%s%s/%u", i ? ", " : " ", addr_str(ps->p[i].addr, buf),
		       ps->p[i].len);
	putchar('\n');
}

static void json_prefixes(struct json *j, const char *key,
			  const struct prefixes *ps)
{
	char a[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN + 8];
	unsigned int i;

	json_begin_array(j, key);
	for (i = 0; i < ps->n; i++) {
		snprintf(buf, sizeof(buf), "%s/%u", addr_str(ps->p[i].addr, a),
			 (unsigned int)ps->p[i].len);
		json_string(j, NULL, buf);
	}
	json_end_array(j);
}

static void print_status(const struct status *st)
{
	const uint32_t *v = st->val;
	char buf[INET_ADDRSTRLEN];
	const char *sep = " ";
	unsigned int i;
	bool named;
	int p;

	printf("conenat %s: %s\n", st->version, st->up ? "up" : "down");
	if (!st->up)
		return;
	printf("  interface %s (index %" PRIu32 "), external address %s\n",
	       st->ifname, v[CONENAT_A_IFINDEX],
	       v[CONENAT_A_EXT_ADDR] ? addr_str(v[CONENAT_A_EXT_ADDR], buf) :
				       "none");
	printf("  ports");
	for (p = 0; p < NPROTOS; p++) {
		named = false;
		for (i = 0; i < st->nranges; i++) {
			const struct port_range *r = &st->ranges[i];

			if (r->proto != protos[p])
				continue;
			if (!named)
				printf("%s%s", sep, proto_name(r->proto));
			named = true;
			sep = ", ";
			if (r->min == r->max)
				printf(" %u", r->min);
			else
				printf(" %u-%u", r->min, r->max);
		}
	}
	printf("\n  timeouts udp %" PRIu32 "s, tcp established %" PRIu32
	       "s, tcp transitory %" PRIu32 "s, icmp %" PRIu32
	       "s, hold-down %" PRIu32 "s\n",
	       v[CONENAT_A_TIMEOUT_UDP], v[CONENAT_A_TIMEOUT_TCP_EST],
	       v[CONENAT_A_TIMEOUT_TCP_TRANS], v[CONENAT_A_TIMEOUT_ICMP],
	       v[CONENAT_A_HOLDDOWN]);
	printf("  limits %" PRIu32 " mapping%s, %" PRIu32 " per host; %" PRIu32
	       " mapping%s now\n",
	       v[CONENAT_A_MAX_MAPPINGS], plural(v[CONENAT_A_MAX_MAPPINGS]),
	       v[CONENAT_A_MAX_PER_HOST], v[CONENAT_A_MAPPINGS],
	       plural(v[CONENAT_A_MAPPINGS]));
	if (v[CONENAT_A_FWMARK])
		printf("  fwmark 0x%" PRIx32, v[CONENAT_A_FWMARK]);
	else
		printf("  fwmark none");
	printf(", inbound refresh %s\n",
	       v[CONENAT_A_INBOUND_REFRESH] ? "on" : "off");
	print_prefixes("translate only from", &st->internal);
	print_prefixes("never translate to", &st->exclude);
	for (i = 0; i < st->pool.n; i++)
		printf("%s%s", i ? ", " : "  address pool (one per host) ",
		       addr_str(st->pool.a[i], buf));
	if (st->pool.n)
		putchar('\n');
}

static void json_status(const struct status *st, const struct stats *stats)
{
	const uint32_t *v = st->val;
	char buf[INET_ADDRSTRLEN];
	struct json j;
	unsigned int i;

	json_init(&j, stdout, pretty);
	json_begin_object(&j, NULL);
	json_string(&j, "version", st->version);
	json_bool(&j, "up", st->up);
	if (st->up) {
		json_string(&j, "interface", st->ifname);
		json_uint(&j, "ifindex", v[CONENAT_A_IFINDEX]);
		json_string(&j, "external_address",
			    addr_str(v[CONENAT_A_EXT_ADDR], buf));
		json_begin_array(&j, "ranges");
		for (i = 0; i < st->nranges; i++) {
			json_begin_object(&j, NULL);
			json_string(&j, "protocol",
				    proto_str(st->ranges[i].proto, buf,
					      sizeof(buf)));
			json_uint(&j, "min", st->ranges[i].min);
			json_uint(&j, "max", st->ranges[i].max);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_begin_object(&j, "timeouts");
		json_uint(&j, "udp", v[CONENAT_A_TIMEOUT_UDP]);
		json_uint(&j, "tcp_established", v[CONENAT_A_TIMEOUT_TCP_EST]);
		json_uint(&j, "tcp_transitory", v[CONENAT_A_TIMEOUT_TCP_TRANS]);
		json_uint(&j, "icmp", v[CONENAT_A_TIMEOUT_ICMP]);
		json_end_object(&j);
		json_uint(&j, "holddown", v[CONENAT_A_HOLDDOWN]);
		json_uint(&j, "max_mappings", v[CONENAT_A_MAX_MAPPINGS]);
		json_uint(&j, "max_per_host", v[CONENAT_A_MAX_PER_HOST]);
		json_uint(&j, "fwmark", v[CONENAT_A_FWMARK]);
		json_bool(&j, "inbound_refresh", v[CONENAT_A_INBOUND_REFRESH]);
		json_prefixes(&j, "internal", &st->internal);
		json_prefixes(&j, "exclude", &st->exclude);
		json_begin_array(&j, "address_pool");
		for (i = 0; i < st->pool.n; i++)
			json_string(&j, NULL, addr_str(st->pool.a[i], buf));
		json_end_array(&j);
		json_uint(&j, "mappings", v[CONENAT_A_MAPPINGS]);
	}
	if (stats)
		json_stats(&j, "stats", stats);
	json_end_object(&j);
}

/* show; with -s, the counters too. */
static int cmd_show(int argc, char **argv)
{
	struct stats stats;
	struct status st;
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()))
		return ret;
	ret = get_status(&st);
	if (ret) {
		fail(ret);
		return 1;
	}
	if (with_stats && (ret = get_stats(&stats)))
		return ret;
	if (json_out) {
		json_status(&st, with_stats ? &stats : NULL);
	} else {
		print_status(&st);
		if (with_stats) {
			printf("  counters\n");
			print_stats(&stats, "    ");
		}
	}
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	struct status st = { .reply = false };
	struct json j;
	bool opened;
	int ret = no_args(argc, argv);

	if (ret)
		return ret;
	ret = nl_open(&nl);
	opened = !ret;
	if (opened)
		ret = get_status(&st);
	if (json_out) {
		json_init(&j, stdout, pretty);
		json_begin_object(&j, NULL);
		json_string(&j, "tool", CONENAT_VERSION);
		if (st.reply)
			json_string(&j, "module", st.version);
		else
			json_null(&j, "module");
		json_end_object(&j);
	} else {
		printf("conenat tool %s\n", CONENAT_VERSION);
		if (st.reply)
			printf("conenat module %s\n", st.version);
	}
	/* A module that is not loaded is an answer here, not an error. */
	if (!ret || (!opened && ret == -ENOENT))
		return 0;
	if (opened)
		fail(ret);
	else
		nl_perror(&nl, ret, NULL);
	return 1;
}

/* mappings */

struct mapping {
	uint8_t proto;
	bool has_expires;
	int state;		/* enum conenat_tcp_state, or -1 */
	int64_t conns;		/* TCP connections, or -1 */
	bool fixed;		/* a port forward */
	uint32_t int_addr;	/* network order */
	uint32_t ext_addr;	/* network order */
	uint16_t int_port;
	uint16_t ext_port;
	uint32_t expires_ms;
};

struct mapping_list {
	struct mapping *m;
	size_t n, size;
};

/*
 * The CONENAT_A_MAPPING of a dump message or an event: 1 when there is
 * one, 0 when not, -1 (errno EPROTO) when it is malformed.
 */
static int parse_mapping(const struct nlmsghdr *nlh, struct mapping *m)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	const struct nlattr *mt[CONENAT_MAP_A_MAX + 1];

	if (nl_parse(nlh, NULL, tb, CONENAT_A_MAX, attr_types) < 0)
		return -1;
	if (!tb[CONENAT_A_MAPPING])
		return 0;
	if (nl_parse(NULL, tb[CONENAT_A_MAPPING], mt, CONENAT_MAP_A_MAX,
		     map_types) < 0)
		return -1;
	if (!mt[CONENAT_MAP_A_PROTO] || !mt[CONENAT_MAP_A_INT_ADDR] ||
	    !mt[CONENAT_MAP_A_INT_PORT] || !mt[CONENAT_MAP_A_EXT_ADDR] ||
	    !mt[CONENAT_MAP_A_EXT_PORT]) {
		errno = EPROTO;
		return -1;
	}
	m->proto = mnl_attr_get_u8(mt[CONENAT_MAP_A_PROTO]);
	m->int_addr = mnl_attr_get_u32(mt[CONENAT_MAP_A_INT_ADDR]);
	m->int_port = mnl_attr_get_u16(mt[CONENAT_MAP_A_INT_PORT]);
	m->ext_addr = mnl_attr_get_u32(mt[CONENAT_MAP_A_EXT_ADDR]);
	m->ext_port = mnl_attr_get_u16(mt[CONENAT_MAP_A_EXT_PORT]);
	m->has_expires = mt[CONENAT_MAP_A_EXPIRES];
	m->expires_ms = m->has_expires ?
			mnl_attr_get_u32(mt[CONENAT_MAP_A_EXPIRES]) : 0;
	m->state = mt[CONENAT_MAP_A_STATE] ?
		   mnl_attr_get_u8(mt[CONENAT_MAP_A_STATE]) : -1;
	m->fixed = mt[CONENAT_MAP_A_STATIC];
	m->conns = mt[CONENAT_MAP_A_CONNS] ?
		   (int64_t)mnl_attr_get_u32(mt[CONENAT_MAP_A_CONNS]) : -1;
	return 1;
}

static int mapping_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mapping_list *list = data;
	struct mapping *grown;
	int ret;

	if (list->n == list->size) {
		list->size = list->size ? 2 * list->size : 64;
		grown = realloc(list->m, list->size * sizeof(*list->m));
		if (!grown) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		list->m = grown;
	}
	ret = parse_mapping(nlh, &list->m[list->n]);
	if (ret < 0)
		return MNL_CB_ERROR;
	list->n += ret;
	return MNL_CB_OK;
}

static int mapping_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	uint32_t xa = ntohl(x->int_addr), ya = ntohl(y->int_addr);

	if (x->proto != y->proto)
		return proto_rank(x->proto) - proto_rank(y->proto);
	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->int_port - (int)y->int_port;
}

static const char *tcp_state_name(int state)
{
	switch (state) {
	case CONENAT_TCP_ESTABLISHED:
		return "established";
	case CONENAT_TCP_TRANSITORY:
		return "transitory";
	}
	return "unknown";
}

/* One line of conenat mappings, and of conenat monitor. */
static void print_mapping(const struct mapping *m, bool expires)
{
	char ia[INET_ADDRSTRLEN], ea[INET_ADDRSTRLEN], pb[8];

	printf("%s %s:%u -> %s:%u", proto_str(m->proto, pb, sizeof(pb)),
	       addr_str(m->int_addr, ia), m->int_port,
	       addr_str(m->ext_addr, ea), m->ext_port);
	/* rounded up: a live mapping never shows 0s */
	if (expires && m->has_expires)
		printf(" expires %" PRIu64 "s",
		       ((uint64_t)m->expires_ms + 999) / 1000);
	if (m->state >= 0)
		printf(" %s", tcp_state_name(m->state));
	if (m->conns >= 0)
		printf(" conns %" PRId64, m->conns);
	if (m->fixed)
		printf(" static");
	putchar('\n');
}

static void print_mappings(const struct mapping_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		print_mapping(&list->m[i], true);
}

/* The members of a mapping's JSON object, in an open object. */
static void json_mapping(struct json *j, const struct mapping *m,
			 bool expires)
{
	char buf[INET_ADDRSTRLEN];

	json_string(j, "protocol", proto_str(m->proto, buf, sizeof(buf)));
	json_string(j, "internal", addr_str(m->int_addr, buf));
	json_uint(j, "internal_port", m->int_port);
	json_string(j, "external", addr_str(m->ext_addr, buf));
	json_uint(j, "external_port", m->ext_port);
	if (expires && m->has_expires)
		json_uint(j, "expires_ms", m->expires_ms);
	if (m->state >= 0)
		json_string(j, "state", tcp_state_name(m->state));
	if (m->conns >= 0)
		json_uint(j, "connections", (uint64_t)m->conns);
	if (m->fixed)
		json_bool(j, "static", true);
}

static void json_mappings(const struct mapping_list *list)
{
	struct json j;
	size_t i;

	json_init(&j, stdout, pretty);
	json_begin_array(&j, NULL);
	for (i = 0; i < list->n; i++) {
		json_begin_object(&j, NULL);
		json_mapping(&j, &list->m[i], true);
		json_end_object(&j);
	}
	json_end_array(&j);
}

/* The dump, retried while the kernel flags it NLM_F_DUMP_INTR. */
static int dump_mappings(struct mapping_list *list, bool has_proto,
			 uint8_t proto, bool has_addr, uint32_t addr)
{
	struct nlmsghdr *nlh;
	int err, tries;

	for (tries = 1;; tries++) {
		list->n = 0;
		nlh = nl_request(&nl, CONENAT_CMD_GET_MAPPINGS, NLM_F_DUMP);
		if (has_proto)
			mnl_attr_put_u8(nlh, CONENAT_A_PROTO, proto);
		if (has_addr)
			mnl_attr_put(nlh, CONENAT_A_INT_ADDR, sizeof(addr), &addr);
		err = nl_talk(&nl, nlh, mapping_cb, list);
		if (err != -EINTR || tries == DUMP_TRIES)
			return err;
	}
}

static int cmd_mappings(int argc, char **argv)
{
	struct mapping_list list = { 0 };
	bool has_proto = false, has_addr = false;
	char err[PARSE_ERRLEN];
	uint32_t addr = 0;
	uint8_t proto = 0;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "from")) {
			if (has_addr)
				return usage_error("'from' given twice");
			if (++i == argc)
				return usage_error("'from' needs an address");
			if (parse_ipv4(argv[i], &addr, err, sizeof(err)))
				return value_error(err);
			has_addr = true;
		} else if (!parse_proto(argv[i], &proto, err, sizeof(err))) {
			if (has_proto)
				return usage_error("more than one protocol given");
			has_proto = true;
		} else {
			return unexpected(argv[i]);
		}
	}
	ret = open_nl();
	if (ret)
		return ret;
	ret = dump_mappings(&list, has_proto, proto, has_addr, addr);
	if (ret == -EINTR) {
		fputs("conenat: the mapping table kept changing during the dump; try again\n",
		      stderr);
	} else if (ret) {
		fail(ret);
	} else {
		qsort(list.m, list.n, sizeof(*list.m), mapping_cmp);
		if (json_out)
			json_mappings(&list);
		else
			print_mappings(&list);
	}
	free(list.m);
	return ret ? 1 : 0;
}

/* flush [PROTO] [static] */
static int cmd_flush(int argc, char **argv)
{
	char err[PARSE_ERRLEN];
	bool with_static = false, with_proto = false;
	struct nlmsghdr *nlh;
	uint8_t proto = 0;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "static") && !with_static) {
			with_static = true;
		} else if (!with_proto && !with_static) {
			if (!parse_proto(argv[i], &proto, err, sizeof(err))) {
				with_proto = true;
				continue;
			}
			if (argv[i][0] == '-')
				return unexpected(argv[i]);
			return value_error(err);
		} else {
			return unexpected(argv[i]);
		}
	}
	ret = open_nl();
	if (ret)
		return ret;
	nlh = nl_request(&nl, CONENAT_CMD_FLUSH, NLM_F_ACK);
	if (with_proto)
		mnl_attr_put_u8(nlh, CONENAT_A_PROTO, proto);
	if (with_static)
		mnl_attr_put(nlh, CONENAT_A_STATIC, 0, NULL);
	return talk(nlh, NULL, NULL);
}

/* forward */

static void print_forwards(const struct status *st)
{
	char buf[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < st->nfwd; i++)
		printf("%s %u to %s:%u\n", proto_name(st->fwd[i].proto),
		       st->fwd[i].ext_port, addr_str(st->fwd[i].int_addr, buf),
		       st->fwd[i].int_port);
}

static void json_forwards(const struct status *st)
{
	char buf[INET_ADDRSTRLEN];
	struct json j;
	unsigned int i;

	json_init(&j, stdout, pretty);
	json_begin_array(&j, NULL);
	for (i = 0; i < st->nfwd; i++) {
		json_begin_object(&j, NULL);
		json_string(&j, "protocol", proto_name(st->fwd[i].proto));
		json_uint(&j, "external_port", st->fwd[i].ext_port);
		json_string(&j, "internal", addr_str(st->fwd[i].int_addr, buf));
		json_uint(&j, "internal_port", st->fwd[i].int_port);
		json_end_object(&j);
	}
	json_end_array(&j);
}

static int forward_list(void)
{
	struct status st;
	int ret = open_nl();

	if (ret)
		return ret;
	ret = get_status(&st);
	if (ret) {
		fail(ret);
		return 1;
	}
	if (json_out)
		json_forwards(&st);
	else
		print_forwards(&st);
	return 0;
}

/* ADDR[:PORT]; PORT defaults to @port. */
static int parse_endpoint(const char *s, uint32_t *addr, uint16_t *port)
{
	char err[PARSE_ERRLEN], buf[INET_ADDRSTRLEN];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n >= sizeof(buf)) {
		snprintf(err, sizeof(err), "invalid IPv4 address '%s'", s);
		return value_error(err);
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_ipv4(buf, addr, err, sizeof(err)) ||
	    (colon && parse_port(colon + 1, port, err, sizeof(err))))
		return value_error(err);
	return 0;
}

/*
 * add PROTO PORT to ADDR[:PORT] | del PROTO PORT, argv[0] being add or
 * del; fills in @f (only proto and ext_port for del).
 */
static int parse_forward(int argc, char **argv, struct forward *f, bool *add)
{
	char err[PARSE_ERRLEN];

	*add = !strcmp(argv[0], "add");
	if (!*add && strcmp(argv[0], "del") && strcmp(argv[0], "delete"))
		return unexpected(argv[0]);
	if (argc < 3)
		return usage_error("'%s' needs a protocol and a port", argv[0]);
	if (parse_proto(argv[1], &f->proto, err, sizeof(err)) ||
	    parse_port(argv[2], &f->ext_port, err, sizeof(err)))
		return value_error(err);
	f->int_port = f->ext_port;
	if (!*add)
		return argc > 3 ? unexpected(argv[3]) : 0;
	if (argc < 5 || strcmp(argv[3], "to"))
		return usage_error("'add' needs 'to ADDR[:PORT]'");
	if (argc > 5)
		return unexpected(argv[5]);
	return parse_endpoint(argv[4], &f->int_addr, &f->int_port);
}

/* Add or remove @f; 0 or -errno, the kernel's message in nl. */
static int forward_request(const struct forward *f, bool add)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nl_request(&nl, add ? CONENAT_CMD_FORWARD_ADD :
				    CONENAT_CMD_FORWARD_DEL, NLM_F_ACK);
	nest = mnl_attr_nest_start(nlh, CONENAT_A_MAPPING);
	mnl_attr_put_u8(nlh, CONENAT_MAP_A_PROTO, f->proto);
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_EXT_PORT, f->ext_port);
	if (add) {
		mnl_attr_put_u32(nlh, CONENAT_MAP_A_INT_ADDR, f->int_addr);
		mnl_attr_put_u16(nlh, CONENAT_MAP_A_INT_PORT, f->int_port);
	}
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(&nl, nlh, NULL, NULL);
}

/* forward [list] | forward add PROTO PORT to ADDR[:PORT] | forward del PROTO PORT */
static int cmd_forward(int argc, char **argv)
{
	struct forward f = { 0 };
	bool add;
	int ret;

	if (!argc || !strcmp(argv[0], "list"))
		return argc > 1 ? unexpected(argv[1]) : forward_list();
	ret = parse_forward(argc, argv, &f, &add);
	if (ret || (ret = open_nl()))
		return ret;
	ret = forward_request(&f, add);
	if (ret) {
		fail(ret);
		return 1;
	}
	return 0;
}

/* monitor */

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const char *what;
	struct mapping m;
	struct json j;

	(void)data;
	if (nlh->nlmsg_type != nl.family)
		return MNL_CB_OK;
	if (g->cmd == CONENAT_CMD_MAPPING_NEW)
		what = "new";
	else if (g->cmd == CONENAT_CMD_MAPPING_EXPIRED)
		what = "expired";
	else
		return MNL_CB_OK;
	if (parse_mapping(nlh, &m) <= 0)
		return MNL_CB_OK;	/* skipped, as a newer kernel may send */
	if (!json_out) {
		printf("%s ", what);
		print_mapping(&m, false);
	} else {
		json_init(&j, stdout, pretty);
		json_begin_object(&j, NULL);
		json_string(&j, "event", what);
		json_mapping(&j, &m, false);
		json_end_object(&j);
	}
	fflush(stdout);
	return MNL_CB_OK;
}

/* monitor: print mapping events until killed. */
static int cmd_monitor(int argc, char **argv)
{
	unsigned int grp;
	ssize_t n;
	int ret;

	ret = no_args(argc, argv);
	if (ret || (ret = open_nl()))
		return ret;
	grp = nl.events_group;
	if (!grp) {
		fputs("conenat: the module sends no events (too old)\n", stderr);
		return 1;
	}
	if (mnl_socket_setsockopt(nl.sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		nl_perror(&nl, -errno, NULL);
		return 1;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl.sock, nl.rbuf, sizeof(nl.rbuf));
		if (n < 0 && errno == ENOBUFS) {
			fputs("conenat: events lost: reading too slowly\n",
			      stderr);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			nl_perror(&nl, n < 0 ? -errno : -EPIPE, NULL);
			return 1;
		}
		if (mnl_cb_run(nl.rbuf, (size_t)n, 0, 0, event_cb, NULL) < 0 ||
		    ferror(stdout))
			return 1;
	}
}

/* save, load */

#define CONF_MAX_BYTES	(1 << 20)
#define CONF_MAX_WORDS	256

/* Whether a status needs --unsafe-timeouts to be configured again. */
static bool below_rfc_minimums(const struct status *st)
{
	const uint32_t *v = st->val;

	return v[CONENAT_A_TIMEOUT_UDP] < CONENAT_MIN_TIMEOUT_UDP ||
	       v[CONENAT_A_TIMEOUT_TCP_EST] < CONENAT_MIN_TIMEOUT_TCP_EST ||
	       v[CONENAT_A_TIMEOUT_TCP_TRANS] < CONENAT_MIN_TIMEOUT_TCP_TRANS ||
	       v[CONENAT_A_TIMEOUT_ICMP] < CONENAT_MIN_TIMEOUT_ICMP;
}

/* The whole configuration of a running instance, every option set. */
static void status_config(const struct status *st, struct config *cfg)
{
	const struct cfg_option *opt;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ifname = st->ifname;
	memcpy(cfg->ranges, st->ranges, sizeof(cfg->ranges));
	cfg->nranges = st->nranges;
	cfg->internal = st->internal;
	cfg->exclude = st->exclude;
	cfg->pool = st->pool;
	for (i = 0; i < ARRAY_SIZE(cfg_options); i++) {
		opt = &cfg_options[i];
		cfg->set[opt->attr] = opt->kind != OPT_FLAG ||
				      below_rfc_minimums(st);
		cfg->val[opt->attr] = st->val[opt->attr];
	}
}

static void save_list(const char *name, const uint32_t *addrs,
		      const uint8_t *lens, unsigned int n)
{
	char buf[INET_ADDRSTRLEN];
	unsigned int i;

	printf(" %s ", name);
	if (!n)
		fputs("none", stdout);
	for (i = 0; i < n; i++) {
		printf("%s%s", i ? "," : "", addr_str(addrs[i], buf));
		if (lens)
			printf("/%u", lens[i]);
	}
}

static void save_prefixes(const char *name, const struct prefixes *ps)
{
	uint32_t addrs[CONENAT_MAX_PREFIXES];
	uint8_t lens[CONENAT_MAX_PREFIXES];
	unsigned int i;

	for (i = 0; i < ps->n; i++) {
		addrs[i] = ps->p[i].addr;
		lens[i] = ps->p[i].len;
	}
	save_list(name, addrs, lens, ps->n);
}

/* @cfg as the up line of a configuration file. */
static void save_config(const struct config *cfg)
{
	const struct cfg_option *opt;
	unsigned int i;

	printf("up %s", cfg->ifname);
	for (i = 0; i < cfg->nranges; i++)
		printf(" --ports %s:%u-%u", proto_name(cfg->ranges[i].proto),
		       cfg->ranges[i].min, cfg->ranges[i].max);
	for (i = 0; i < ARRAY_SIZE(cfg_options); i++) {
		opt = &cfg_options[i];
		if (!cfg->set[opt->attr])
			continue;
		switch (opt->kind) {
		case OPT_SECS:
		case OPT_U32:
			printf(" %s %" PRIu32, opt->name, cfg->val[opt->attr]);
			break;
		case OPT_ONOFF:
			printf(" %s %s", opt->name,
			       cfg->val[opt->attr] ? "on" : "off");
			break;
		case OPT_FLAG:
			printf(" %s", opt->name);
			break;
		case OPT_PREFIXES:
			save_prefixes(opt->name, opt->attr == CONENAT_A_INTERNAL ?
				      &cfg->internal : &cfg->exclude);
			break;
		case OPT_ADDRS:
			save_list(opt->name, cfg->pool.a, NULL, cfg->pool.n);
			break;
		case OPT_PORTS:
			break;
		}
	}
	putchar('\n');
}

static int cmd_save(int argc, char **argv)
{
	char buf[INET_ADDRSTRLEN];
	struct config cfg;
	struct status st;
	unsigned int i;
	int ret;

	ret = no_args(argc, argv);
	if (ret || (ret = open_nl()))
		return ret;
	ret = get_status(&st);
	if (ret) {
		fail(ret);
		return 1;
	}
	if (!st.up) {
		fputs("conenat: conenat is not up: nothing to save\n", stderr);
		return 1;
	}
	status_config(&st, &cfg);
	printf("# conenat %s configuration, from conenat save; "
	       "apply with conenat load FILE\n", st.version);
	save_config(&cfg);
	for (i = 0; i < st.nfwd; i++)
		printf("forward add %s %u to %s:%u\n",
		       proto_name(st.fwd[i].proto), st.fwd[i].ext_port,
		       addr_str(st.fwd[i].int_addr, buf), st.fwd[i].int_port);
	return 0;
}

/* A configuration file, parsed: one up line and the forwards. */
struct conf {
	struct config cfg;
	unsigned int up_line;
	struct forward fwd[CONENAT_MAX_FORWARDS];
	unsigned int fwd_line[CONENAT_MAX_FORWARDS];
	unsigned int nfwd;
};

static bool forward_same(const struct forward *a, const struct forward *b)
{
	return a->proto == b->proto && a->ext_port == b->ext_port &&
	       a->int_addr == b->int_addr && a->int_port == b->int_port;
}

static bool forward_in(const struct forward *f, const struct forward *list,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (forward_same(f, &list[i]))
			return true;
	return false;
}

/* One line, split into words in place; sets where for the parsers. */
static int conf_line(struct conf *c, const char *file, unsigned int line,
		     char *text)
{
	char *argv[CONF_MAX_WORDS], *save = NULL, *w;
	bool add;
	int argc = 0, ret;

	snprintf(where, sizeof(where), "%s:%u", file, line);
	for (w = strtok_r(text, " \t\r", &save); w && *w != '#';
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == CONF_MAX_WORDS)
			return usage_error("line too long");
		argv[argc++] = w;
	}
	if (!argc)
		return 0;
	if (!strcmp(argv[0], "up")) {
		if (c->up_line)
			return usage_error("a second 'up' line (the first is line %u)",
					   c->up_line);
		c->up_line = line;
		return parse_config(argc - 1, argv + 1, &c->cfg, true);
	}
	if (strcmp(argv[0], "forward") || argc < 2 || strcmp(argv[1], "add"))
		return usage_error("expected 'up IFNAME [OPTIONS]' or 'forward add ...'");
	if (c->nfwd == CONENAT_MAX_FORWARDS)
		return usage_error("more than %d forwards", CONENAT_MAX_FORWARDS);
	ret = parse_forward(argc - 1, argv + 1, &c->fwd[c->nfwd], &add);
	if (!ret)
		c->fwd_line[c->nfwd++] = line;
	return ret;
}

/* Read and parse all of @file before anything is sent. */
static int conf_read(const char *file, char *text, struct conf *c)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line, *next;
	unsigned int n = 0;
	size_t len;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "conenat: %s: %s\n", file, strerror(errno));
		return 1;
	}
	len = fread(text, 1, CONF_MAX_BYTES, f);
	if (ferror(f) || len == CONF_MAX_BYTES) {
		fprintf(stderr, "conenat: %s: %s\n", file,
			ferror(f) ? strerror(errno) : "file too large");
		ret = 1;
	}
	if (f != stdin)
		fclose(f);
	text[len] = '\0';
	for (line = text; !ret && line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ret = conf_line(c, file, ++n, line);
	}
	where[0] = '\0';
	if (!ret && !c->up_line) {
		fprintf(stderr, "conenat: %s: no 'up' line\n", file);
		ret = EXIT_USAGE;
	}
	return ret;
}

/*
 * Make the forwards @want out of @have: remove the others, add the
 * missing. 0, or -errno with the index of the failed one of @want.
 */
static int sync_forwards(const struct forward *have, unsigned int nhave,
			 const struct forward *want, unsigned int nwant,
			 unsigned int *bad)
{
	unsigned int i;
	int err = 0;

	*bad = nwant;
	for (i = 0; !err && i < nhave; i++)
		if (!forward_in(&have[i], want, nwant))
			err = forward_request(&have[i], false);
	for (i = 0; !err && i < nwant; i++) {
		if (!forward_in(&want[i], have, nhave))
			err = forward_request(&want[i], true);
		if (err)
			*bad = i;
	}
	return err;
}

/* Back to @was after a failed load; best effort. */
static void conf_restore(const struct status *was)
{
	struct status now;
	struct nlmsghdr *nlh;
	struct config cfg;
	unsigned int bad;

	if (!was->up) {
		nl_talk(&nl, nl_request(&nl, CONENAT_CMD_DOWN, NLM_F_ACK),
			NULL, NULL);
		return;
	}
	status_config(was, &cfg);
	nlh = nl_request(&nl, CONENAT_CMD_UP, NLM_F_ACK);
	put_config(nlh, &cfg);
	if (nl_talk(&nl, nlh, NULL, NULL) || get_status(&now) ||
	    sync_forwards(now.fwd, now.nfwd, was->fwd, was->nfwd, &bad))
		fputs("conenat: could not restore the previous configuration\n",
		      stderr);
}

/*
 * load FILE: the configuration of the file, all of it or, when the kernel
 * refuses a line, none of it: the previous one is put back.
 */
static int cmd_load(int argc, char **argv)
{
	struct status was, now;
	unsigned int bad, line;
	struct nlmsghdr *nlh;
	struct conf *c;
	char *text;
	int ret, err;

	if (argc != 1)
		return argc ? unexpected(argv[1]) :
			      usage_error("missing file name");
	c = calloc(1, sizeof(*c));
	text = malloc(CONF_MAX_BYTES + 1);
	if (!c || !text) {
		fputs("conenat: out of memory\n", stderr);
		ret = 1;
		goto out;
	}
	ret = conf_read(argv[0], text, c);
	if (ret || (ret = open_nl()))
		goto out;
	err = get_status(&was);
	if (err) {
		fail(err);
		ret = 1;
		goto out;
	}
	nlh = nl_request(&nl, CONENAT_CMD_UP, NLM_F_ACK);
	put_config(nlh, &c->cfg);
	line = c->up_line;
	err = nl_talk(&nl, nlh, NULL, NULL);
	if (!err && !(err = get_status(&now))) {
		err = sync_forwards(now.fwd, now.nfwd, c->fwd, c->nfwd, &bad);
		if (err && bad < c->nfwd)
			line = c->fwd_line[bad];
	}
	if (err) {
		fprintf(stderr, "conenat: %s:%u: refused, nothing changed:\n",
			argv[0], line);
		fail(err);
		conf_restore(&was);
		ret = 1;
	}
out:
	free(text);
	free(c);
	return ret;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "up", cmd_up, "IFNAME [OPTIONS]",
	  "start NAT on IFNAME, or reconfigure it" },
	{ "set", cmd_set, "[OPTIONS] [dev IFNAME]",
	  "change the running instance" },
	{ "down", cmd_down, "", "stop NAT and drop all mappings" },
	{ "show", cmd_show, "", "show the state and configuration" },
	{ "mappings", cmd_mappings, "[PROTO] [from ADDR]",
	  "list the mappings" },
	{ "flush", cmd_flush, "[PROTO] [static]",
	  "drop the dynamic mappings; with static, the port forwards too" },
	{ "forward", cmd_forward,
	  "[list] | add PROTO PORT to ADDR[:PORT] | del PROTO PORT",
	  "list, add or remove port forwards" },
	{ "monitor", cmd_monitor, "",
	  "print mappings as they are created and expire" },
	{ "save", cmd_save, "", "print the configuration, for load" },
	{ "load", cmd_load, "FILE",
	  "apply a configuration file, all of it or nothing" },
	{ "stats", cmd_stats, "", "show the counters" },
	{ "version", cmd_version, "", "show the tool and module versions" },
	{ "help", cmd_help, "", "show this help" },
};

/* Width of the first column of the help: its longest entry. */
static int help_width(bool with_commands)
{
	size_t i, n;
	int w = 0;

	for (i = 0; with_commands && i < ARRAY_SIZE(commands); i++) {
		n = strlen(commands[i].name) + 1 + strlen(commands[i].args);
		w = (int)n > w ? (int)n : w;
	}
	for (i = 0; i < ARRAY_SIZE(cfg_options); i++) {
		n = strlen(cfg_options[i].name) + 1 + strlen(cfg_options[i].arg);
		w = (int)n > w ? (int)n : w;
	}
	return w;
}

static void help_line(FILE *f, int w, const char *a, const char *b,
		      const char *help)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s%s%s", a, b[0] ? " " : "", b);
	fprintf(f, "  %-*s  %s\n", w, buf, help);
}

static void options_usage(FILE *f, int w)
{
	size_t i;

	fprintf(f, "\nOptions of up and set:\n");
	for (i = 0; i < ARRAY_SIZE(cfg_options); i++)
		help_line(f, w, cfg_options[i].name, cfg_options[i].arg,
			  cfg_options[i].help);
}

static void usage(FILE *f)
{
	int w = help_width(true);
	size_t i;

	fprintf(f, "Usage: conenat [-j] [-p] [-s] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		help_line(f, w, commands[i].name, commands[i].args,
			  commands[i].help);
	options_usage(f, w);
	fprintf(f, "\nGlobal options:\n");
	help_line(f, w, "-j, --json", "", "JSON output");
	help_line(f, w, "-p, --pretty", "", "indented JSON output (implies -j)");
	help_line(f, w, "-s, --stats", "", "show: the counters too");
	help_line(f, w, "-h, --help", "", "show this help");
	fprintf(f, "\nCommands may be shortened to any unique prefix.\n"
		"PROTO is udp, tcp or icmp; --ports without PROTO applies to all three.\n"
		"SECS is seconds, or a number with suffix s, m, h or d.\n"
		"See conenat(8) for details.\n");
}

/* conenat help COMMAND, or conenat COMMAND help. */
static void command_usage(const struct command *c)
{
	int w = help_width(false);

	printf("Usage: conenat [-j] [-p] [-s] %s%s%s\n\n  %s\n", c->name,
	       c->args[0] ? " " : "", c->args, c->help);
	if (c->fn == cmd_up || c->fn == cmd_set)
		options_usage(stdout, w);
}

static const struct command *find_command(const char *name);
static int global_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc > 1)
		return unexpected(argv[1]);
	if (!argc) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[0]);
	if (!c)
		return EXIT_USAGE;
	command_usage(c);
	return 0;
}

/*
 * The command named @name or by a unique prefix of it, as iproute2 takes
 * them; NULL, with the error printed, for none or several.
 */
static const struct command *find_command(const char *name)
{
	const struct command *found = NULL;
	size_t i, len = strlen(name), n = 0;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(name, commands[i].name))
			return &commands[i];
		if (len && !strncmp(name, commands[i].name, len)) {
			found = &commands[i];
			n++;
		}
	}
	if (n == 1)
		return found;
	if (!n) {
		global_usage_error("unknown command '%s'", name);
		return NULL;
	}
	fprintf(stderr, "conenat: '%s' is ambiguous:", name);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strncmp(name, commands[i].name, len))
			fprintf(stderr, " %s", commands[i].name);
	fputs("\nTry 'conenat help' for more information.\n", stderr);
	return NULL;
}

static int __attribute__((format(printf, 1, 2)))
global_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("conenat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'conenat help' for more information.\n", stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *arg;
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		arg = argv[i];
		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--json")) {
			json_out = true;
		} else if (!strcmp(arg, "--pretty")) {
			json_out = pretty = true;
		} else if (!strcmp(arg, "--stats")) {
			with_stats = true;
		} else if (!strcmp(arg, "--help")) {
			usage(stdout);
			return 0;
		} else if (arg[1] && arg[1] != '-' &&
			   strspn(arg + 1, "jphs") == strlen(arg + 1)) {
			/* -j, -p, -s, -h, or several of them as in -jp */
			if (strchr(arg, 'h')) {
				usage(stdout);
				return 0;
			}
			json_out = json_out || strchr(arg, 'j') || strchr(arg, 'p');
			pretty = pretty || strchr(arg, 'p');
			with_stats = with_stats || strchr(arg, 's');
		} else {
			return global_usage_error("unknown option '%s'", arg);
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	command = find_command(argv[i]);
	if (!command)
		return EXIT_USAGE;
	if (i + 2 == argc && !strcmp(argv[i + 1], "help")) {
		command_usage(command);
		return 0;
	}
	ret = command->fn(argc - i - 1, argv + i + 1);
	nl_close(&nl);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "conenat: write error: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
