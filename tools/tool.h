/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the conenat tool share: the running command, the
 * netlink socket and output options, error reporting, the configuration
 * options of up and set, and the structures of replies that more than one
 * command reads. One file per command family: conenat.c (main, help),
 * config.c (up, set, down), status.c (show, version), stats.c,
 * mappings.c (mappings, flush, monitor), forward.c, conf.c (save, load).
 */
#ifndef CONENAT_TOOL_H
#define CONENAT_TOOL_H

#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/conenat.h>

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

/* conenat.c: the running command, output options, the socket. */
extern const struct command *command;
extern bool json_out, pretty, with_stats;
extern struct nl nl;
extern char where[PATH_MAX + 16];	/* load: "FILE:LINE", else empty */

int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int value_error(const char *err);
int unexpected(const char *arg);
int no_args(int argc, char **argv);
int open_nl(void);
void fail(int err);
int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
const char *proto_str(uint8_t proto, char *buf, size_t len);
int proto_rank(uint8_t proto);
const char *addr_str(uint32_t be_addr, char *buf);
void attr_strcpy(char *dst, size_t size, const struct nlattr *attr);

extern const enum mnl_attr_data_type attr_types[CONENAT_A_MAX + 1];
extern const enum mnl_attr_data_type range_types[CONENAT_RANGE_A_MAX + 1];
extern const enum mnl_attr_data_type prefix_types[CONENAT_PFX_A_MAX + 1];
extern const enum mnl_attr_data_type map_types[CONENAT_MAP_A_MAX + 1];

/* config.c: the options of up and set, and the configuration they make. */
enum opt_kind { OPT_PORTS, OPT_SECS, OPT_U32, OPT_ONOFF, OPT_FLAG,
		OPT_PREFIXES, OPT_ADDRS };

struct cfg_option {
	const char *name;
	enum opt_kind kind;
	uint16_t attr;
	const char *arg;
	const char *help;
};

extern const struct cfg_option cfg_options[];
extern const size_t n_cfg_options;
const char *attr_what(int type);

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

int parse_config(int argc, char **argv, struct config *cfg, bool bare_ifname);
void put_config(struct nlmsghdr *nlh, const struct config *cfg);
int cmd_up(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_down(int argc, char **argv);

/* status.c: what CONENAT_CMD_GET says. */
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

int get_status(struct status *st);
int status_or_fail(struct status *st);
int cmd_show(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* stats.c */
struct stat_val {
	uint16_t type;
	uint64_t val;
};

struct stats {
	struct stat_val s[256];
	unsigned int n;
};

int get_stats(struct stats *st);
void print_stats(const struct stats *st, const char *indent);
void json_stats(struct json *j, const char *key, const struct stats *st);
int cmd_stats(int argc, char **argv);

/* mappings.c */
int cmd_mappings(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* forward.c */
#define FORWARD_STRLEN	64
void forward_str(const struct forward *f, char *s, size_t size);
int parse_forward(int argc, char **argv, struct forward *f, bool *add);
void put_forward(struct nlmsghdr *nlh, const struct forward *f, bool add);
int cmd_forward(int argc, char **argv);

/* conf.c */
int cmd_save(int argc, char **argv);
int cmd_load(int argc, char **argv);

#endif
