// SPDX-License-Identifier: GPL-2.0
/*
 * save and load: the whole configuration as a file of up and forward
 * add lines, printed, and applied all or nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

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
	for (i = 0; i < n_cfg_options; i++) {
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
	for (i = 0; i < n_cfg_options; i++) {
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

int cmd_save(int argc, char **argv)
{
	char fwd[FORWARD_STRLEN];
	struct config cfg;
	struct status st;
	unsigned int i;
	int ret;

	ret = no_args(argc, argv);
	if (ret || (ret = open_nl()))
		return ret;
	ret = status_or_fail(&st);
	if (ret)
		return ret;
	if (!st.up) {
		fputs("conenat: conenat is not up: nothing to save\n", stderr);
		return 1;
	}
	status_config(&st, &cfg);
	printf("# conenat %s configuration, from conenat save; "
	       "apply with conenat load FILE\n", st.version);
	save_config(&cfg);
	for (i = 0; i < st.nfwd; i++) {
		forward_str(&st.fwd[i], fwd, sizeof(fwd));
		printf("forward add %s\n", fwd);
	}
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
 * load FILE: the configuration of the file, all of it or, when the kernel
 * refuses a line, none of it. One request carries the up line and the
 * forwards, and the module applies it whole or not at all.
 */
int cmd_load(int argc, char **argv)
{
	struct nlattr *list;
	struct nlmsghdr *nlh;
	unsigned int i, line;
	struct conf *c;
	char *text;
	int ret, err, bad;

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
	nlh = nl_request(&nl, CONENAT_CMD_UP, NLM_F_ACK);
	put_config(nlh, &c->cfg);
	list = mnl_attr_nest_start(nlh, CONENAT_A_FORWARDS);
	for (i = 0; i < c->nfwd; i++)
		put_forward(nlh, &c->fwd[i], true);
	mnl_attr_nest_end(nlh, list);
	err = nl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		bad = nl_bad_nested(&nl, CONENAT_A_FORWARDS);
		line = bad >= 0 && (unsigned int)bad < c->nfwd ?
		       c->fwd_line[bad] : c->up_line;
		fprintf(stderr, "conenat: %s:%u: refused, nothing changed:\n",
			argv[0], line);
		fail(err);
		ret = 1;
	}
out:
	free(text);
	free(c);
	return ret;
}
