// SPDX-License-Identifier: GPL-2.0
/*
 * conenat - configure the conenat endpoint-independent NAT module over
 * generic netlink. See conenat(8) and include/uapi/linux/conenat.h.
 * This file: the command table and help, error reporting, the socket, and
 * main(); the commands live in the files tool.h lists.
 *
 * Exit status: 0 success, 1 runtime or kernel error, 2 usage error. All
 * arguments are parsed before the kernel is asked anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const struct command *command;	/* the one running */
bool json_out, pretty, with_stats;
struct nl nl;
char where[PATH_MAX + 16];

/* The global options, as every synopsis shows them. */
#define GLOBAL_OPTS "[-j | -p] [-s]"

static void synopsis(FILE *f, const struct command *c);

/*
 * Prints "conenat: COMMAND: msg" and the command's synopsis, or while
 * loading a file "conenat: FILE:LINE: msg".
 */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "conenat: %s: ", where[0] ? where : command->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!where[0]) {
		synopsis(stderr, command);
		fputs("Try 'conenat help' for more information.\n", stderr);
	}
	return EXIT_USAGE;
}

/* A value that does not parse; err comes from parse.c. */
int value_error(const char *err)
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

int unexpected(const char *arg)
{
	if (is_global_option(arg))
		return usage_error("option '%s' goes before the command", arg);
	return usage_error("unexpected argument '%s'", arg);
}

int no_args(int argc, char **argv)
{
	return argc ? unexpected(argv[0]) : 0;
}

int open_nl(void)
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
void fail(int err)
{
	nl_perror(&nl, err, attr_what(nl_bad_attr(&nl)));
}

int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	int err = nl_talk(&nl, nlh, cb, data);

	if (err) {
		fail(err);
		return 1;
	}
	return 0;
}

const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *name = proto_name(proto);

	if (name)
		return name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* Listing order: udp, tcp, icmp, then unknown protocols by number. */
int proto_rank(uint8_t proto)
{
	int i;

	for (i = 0; i < NPROTOS; i++)
		if (protos[i] == proto)
			return i;
	return NPROTOS + proto;
}

const char *addr_str(uint32_t be_addr, char *buf)
{
	struct in_addr a = { .s_addr = be_addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

void attr_strcpy(char *dst, size_t size, const struct nlattr *attr)
{
	const char *s = mnl_attr_get_payload(attr);

	snprintf(dst, size, "%.*s",
		 (int)strnlen(s, mnl_attr_get_payload_len(attr)), s);
}

const enum mnl_attr_data_type attr_types[CONENAT_A_MAX + 1] = {
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
	[CONENAT_A_MAX_CONNS_PER_HOST] = MNL_TYPE_U32,
	[CONENAT_A_MAX_CONNS_PER_MAPPING] = MNL_TYPE_U32,
};

const enum mnl_attr_data_type range_types[CONENAT_RANGE_A_MAX + 1] = {
	[CONENAT_RANGE_A_PROTO] = MNL_TYPE_U8,
	[CONENAT_RANGE_A_MIN] = MNL_TYPE_U16,
	[CONENAT_RANGE_A_MAX] = MNL_TYPE_U16,
};

const enum mnl_attr_data_type prefix_types[CONENAT_PFX_A_MAX + 1] = {
	[CONENAT_PFX_A_ADDR] = MNL_TYPE_U32,
	[CONENAT_PFX_A_LEN] = MNL_TYPE_U8,
};

const enum mnl_attr_data_type map_types[CONENAT_MAP_A_MAX + 1] = {
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
	  "[list]\nadd PROTO PORT to ADDR[:PORT]\ndel PROTO PORT",
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

/*
 * The help fits 80 columns: descriptions start at HELP_COL and wrap at
 * HELP_COLS; an entry too long for the first column has its description
 * on the next line.
 */
#define HELP_COL	26
#define HELP_COLS	80

/* The words of @text from column @col on, wrapped. */
static void help_text(FILE *f, int col, const char *text)
{
	int pos = col;
	size_t n;

	while (*text) {
		n = strcspn(text, " ");
		if (pos > col && pos + 1 + (int)n > HELP_COLS) {
			fprintf(f, "\n%*s", col, "");
			pos = col;
		} else if (pos > col) {
			fputc(' ', f);
			pos++;
		}
		fprintf(f, "%.*s", (int)n, text);
		pos += (int)n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/* "  A B  HELP"; @b holds one or more alternatives, one per line. */
static void help_line(FILE *f, const char *a, const char *b,
		      const char *help)
{
	size_t n;
	int pos;

	for (;;) {
		n = strcspn(b, "\n");
		pos = fprintf(f, "  %s%s%.*s", a, n ? " " : "", (int)n, b);
		if (!b[n])
			break;
		fputc('\n', f);
		b += n + 1;
	}
	if (pos > HELP_COL - 2) {
		fputc('\n', f);
		pos = 0;
	}
	fprintf(f, "%*s", HELP_COL - pos, "");
	help_text(f, HELP_COL, help);
}

/* "Usage: conenat [-j | -p] [-s] COMMAND ARGS", a line per alternative. */
static void synopsis(FILE *f, const struct command *c)
{
	const char *lead = "Usage:", *b = c->args;
	size_t n;

	do {
		n = strcspn(b, "\n");
		fprintf(f, "%s conenat " GLOBAL_OPTS " %s%s%.*s\n", lead,
			c->name, n ? " " : "", (int)n, b);
		lead = "      ";
		b += n + !!b[n];
	} while (*b);
}

static void options_usage(FILE *f)
{
	size_t i;

	fprintf(f, "\nOptions of up and set:\n");
	for (i = 0; i < n_cfg_options; i++)
		help_line(f, cfg_options[i].name, cfg_options[i].arg,
			  cfg_options[i].help);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: conenat " GLOBAL_OPTS " COMMAND [ARGS]\n"
		"       conenat -h | --help | -V | --version\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		help_line(f, commands[i].name, commands[i].args,
			  commands[i].help);
	options_usage(f);
	fprintf(f, "\nGlobal options:\n");
	help_line(f, "-j, --json", "", "JSON output");
	help_line(f, "-p, --pretty", "", "indented JSON output (implies -j)");
	help_line(f, "-s, --stats", "", "show: the counters too");
	help_line(f, "-h, --help", "", "show this help");
	help_line(f, "-V, --version", "", "show the tool and module versions");
	fprintf(f, "\nCommands may be shortened to any unique prefix.\n"
		"PROTO is udp, tcp or icmp; --ports without PROTO applies to all three.\n"
		"SECS is seconds, or a number with suffix s, m, h or d.\n"
		"See conenat(8) for details.\n");
}

/* conenat help COMMAND, conenat COMMAND help, or COMMAND -h/--help. */
static void command_usage(const struct command *c)
{
	synopsis(stdout, c);
	fputc('\n', stdout);
	fprintf(stdout, "  ");
	help_text(stdout, 2, c->help);
	if (c->fn == cmd_up || c->fn == cmd_set)
		options_usage(stdout);
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

/*
 * COMMAND help, or -h/--help anywhere after COMMAND: never an interface
 * name or a value (there is no interface of either name to be had).
 */
static bool wants_help(int argc, char **argv)
{
	int i;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return true;
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
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
		} else if (!strcmp(arg, "--version")) {
			return cmd_version(0, argv + i + 1);
		} else if (arg[1] && arg[1] != '-' &&
			   strspn(arg + 1, "jphsV") == strlen(arg + 1)) {
			/* -j, -p, -s, -h, -V, or several as in -jp, -jV */
			if (strchr(arg, 'h')) {
				usage(stdout);
				return 0;
			}
			json_out = json_out || strchr(arg, 'j') || strchr(arg, 'p');
			pretty = pretty || strchr(arg, 'p');
			with_stats = with_stats || strchr(arg, 's');
			if (strchr(arg, 'V'))
				return cmd_version(0, argv + i + 1);
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
	if (wants_help(argc - i - 1, argv + i + 1)) {
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
