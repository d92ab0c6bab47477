// SPDX-License-Identifier: GPL-2.0
/*
 * up, set and down: the configuration options, parsed from the command
 * line (and from configuration files, see conf.c) and sent to the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const struct cfg_option cfg_options[] = {
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
	{ "--max-conns-per-host", OPT_U32, CONENAT_A_MAX_CONNS_PER_HOST, "N",
	  "TCP connections of one host (default "
	  STR(CONENAT_DEFAULT_MAX_CONNS_PER_HOST) ")" },
	{ "--max-conns-per-mapping", OPT_U32, CONENAT_A_MAX_CONNS_PER_MAPPING,
	  "N", "TCP connections of one mapping (default "
	  STR(CONENAT_DEFAULT_MAX_CONNS_PER_MAPPING) ")" },
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
	  "external addresses to use instead of the interface's; each internal host always gets the same one" },
};

const size_t n_cfg_options = ARRAY_SIZE(cfg_options);

/* What to call a request attribute the kernel complains about. */
const char *attr_what(int type)
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

/* "conenat: [FILE:LINE: ]--option: message", a usage error. */
static int __attribute__((format(printf, 2, 3)))
option_error(const struct cfg_option *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "conenat: %s%s%s: ", where, where[0] ? ": " : "",
		opt->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* "none", or PREFIX[,PREFIX...] */
static int parse_prefixes(const char *val, const struct cfg_option *opt,
			  struct prefixes *ps)
{
	char err[PARSE_ERRLEN], buf[64];
	const char *s = val;

	ps->n = 0;
	if (!strcmp(val, "none"))
		return 0;
	while (s) {
		if (ps->n == CONENAT_MAX_PREFIXES)
			return option_error(opt, "at most %d prefixes",
					    CONENAT_MAX_PREFIXES);
		next_item(&s, buf, sizeof(buf));
		if (parse_prefix(buf, &ps->p[ps->n++], err, sizeof(err)))
			return option_error(opt, "%s", err);
	}
	return 0;
}

/* "none", or ADDR[,ADDR...] */
static int parse_addrs(const char *val, const struct cfg_option *opt,
		       struct addrs *as)
{
	char err[PARSE_ERRLEN], buf[64];
	const char *s = val;

	as->n = 0;
	if (!strcmp(val, "none"))
		return 0;
	while (s) {
		if (as->n == CONENAT_MAX_ADDRS)
			return option_error(opt, "at most %d addresses",
					    CONENAT_MAX_ADDRS);
		next_item(&s, buf, sizeof(buf));
		if (parse_ipv4(buf, &as->a[as->n++], err, sizeof(err)))
			return option_error(opt, "%s", err);
	}
	return 0;
}

static const struct cfg_option *option_of(int attr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_options); i++)
		if (cfg_options[i].attr == attr)
			return &cfg_options[i];
	return NULL;
}

/*
 * What the tool can tell is wrong without the kernel, a usage error like
 * any bad argument: a value out of the range the kernel takes, ranges of
 * one protocol that overlap, a per-host limit above the limit given with
 * it. The kernel checks the rest, against the running configuration too.
 */
static int check_config(const struct config *cfg)
{
	const struct port_range *a, *b;
	const struct cfg_option *opt;
	unsigned int i, j;
	uint32_t v;

	for (i = 0; i < n_cfg_options; i++) {
		opt = &cfg_options[i];
		v = cfg->val[opt->attr];
		if (!cfg->set[opt->attr])
			continue;
		if (opt->kind == OPT_SECS &&
		    (v > CONENAT_MAX_TIMEOUT ||
		     (!v && opt->attr != CONENAT_A_HOLDDOWN)))
			return option_error(opt, "%" PRIu32 " s is out of range (%d s to %d days)",
					    v, opt->attr != CONENAT_A_HOLDDOWN,
					    CONENAT_MAX_TIMEOUT / 86400);
		if (opt->kind == OPT_U32 && opt->attr != CONENAT_A_FWMARK && !v)
			return option_error(opt, "0 is out of range (at least 1)");
	}
	v = cfg->val[CONENAT_A_MAX_CONNS_PER_MAPPING];
	if (v > CONENAT_MAX_CONNS_PER_MAPPING)
		return option_error(option_of(CONENAT_A_MAX_CONNS_PER_MAPPING),
				    "%" PRIu32 " is out of range (1 to %d)",
				    v, CONENAT_MAX_CONNS_PER_MAPPING);
	if (cfg->set[CONENAT_A_MAX_MAPPINGS] && cfg->set[CONENAT_A_MAX_PER_HOST] &&
	    cfg->val[CONENAT_A_MAX_PER_HOST] > cfg->val[CONENAT_A_MAX_MAPPINGS])
		return option_error(option_of(CONENAT_A_MAX_PER_HOST),
				    "%" PRIu32 " is above --max-mappings %" PRIu32,
				    cfg->val[CONENAT_A_MAX_PER_HOST],
				    cfg->val[CONENAT_A_MAX_MAPPINGS]);
	for (i = 0; i < cfg->nranges; i++) {
		for (j = i + 1; j < cfg->nranges; j++) {
			a = &cfg->ranges[i];
			b = &cfg->ranges[j];
			if (a->proto == b->proto && a->min <= b->max &&
			    b->min <= a->max)
				return option_error(option_of(CONENAT_A_RANGES),
						    "%s ranges %u-%u and %u-%u overlap",
						    proto_name(a->proto),
						    a->min, a->max, b->min,
						    b->max);
		}
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
			return option_error(opt, "%s", err);
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
			return option_error(opt, "%s", err);
		break;
	case OPT_U32:
		if (parse_u32(val, &cfg->val[opt->attr], err, sizeof(err)))
			return option_error(opt, "%s", err);
		break;
	case OPT_ONOFF:
		if (parse_onoff(val, &on, err, sizeof(err)))
			return option_error(opt, "%s", err);
		cfg->val[opt->attr] = on;
		break;
	case OPT_FLAG:
		break;
	case OPT_PREFIXES:
		ret = parse_prefixes(val, opt,
				     opt->attr == CONENAT_A_INTERNAL ?
				     &cfg->internal : &cfg->exclude);
		if (ret)
			return ret;
		break;
	case OPT_ADDRS:
		ret = parse_addrs(val, opt, &cfg->pool);
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
int parse_config(int argc, char **argv, struct config *cfg,
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
	return check_config(cfg);
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

void put_config(struct nlmsghdr *nlh, const struct config *cfg)
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

/*
 * What the user may not expect of what the module took, said once it is
 * running. An external interface that does not exist yet is waited for
 * (a typo too). The router's own connections take their source ports
 * from net.ipv4.ip_local_port_range: a mapping never takes a port a
 * socket uses, but a range overlapping it leaves both fewer ports, and a
 * socket bound later to a mapped port gets none of the mapping's traffic.
 */
static void warn_after_configure(void)
{
	unsigned int lo, hi, i;
	struct status st;
	FILE *f;
	int n = 0;

	if (get_status(&st) || !st.up)
		return;
	if (!st.val[CONENAT_A_IFINDEX])
		fprintf(stderr, "conenat: warning: there is no interface %s (yet): NAT waits for it\n",
			st.ifname);
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f) {
		n = fscanf(f, "%u %u", &lo, &hi);
		fclose(f);
	}
	for (i = 0; n == 2 && i < st.nranges; i++) {
		const struct port_range *r = &st.ranges[i];

		if (r->proto == IPPROTO_ICMP || r->max < lo || r->min > hi)
			continue;
		fprintf(stderr, "conenat: warning: %s ports %u-%u overlap the router's own source ports, net.ipv4.ip_local_port_range (%u-%u)\n",
			proto_name(r->proto), r->min, r->max, lo, hi);
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
	ret = talk(nlh, NULL, NULL);
	if (!ret)
		warn_after_configure();
	return ret;
}

int cmd_up(int argc, char **argv)
{
	return configure(argc, argv, CONENAT_CMD_UP, true);
}

int cmd_set(int argc, char **argv)
{
	return configure(argc, argv, CONENAT_CMD_SET, false);
}

int cmd_down(int argc, char **argv)
{
	int ret = no_args(argc, argv);

	if (ret || (ret = open_nl()))
		return ret;
	return talk(nl_request(&nl, CONENAT_CMD_DOWN, NLM_F_ACK), NULL, NULL);
}
