/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure argument parsers of the conenat tool: no netlink, no global state,
 * so tests/unit can check them. On failure they return -1 and write a
 * message (without the "conenat: " prefix) to err, which the caller prints.
 */
#ifndef CONENAT_TOOL_PARSE_H
#define CONENAT_TOOL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARSE_ERRLEN 256

/* The protocols conenat translates, in the order the tool lists them. */
#define NPROTOS 3
extern const uint8_t protos[NPROTOS];

struct port_range {
	uint8_t proto;		/* IPPROTO_*, or 0 for all of protos[] */
	uint16_t min;
	uint16_t max;
};

int parse_proto(const char *s, uint8_t *proto, char *err, size_t errlen);
const char *proto_name(uint8_t proto);

int parse_port(const char *s, uint16_t *port, char *err, size_t errlen);
int parse_port_range(const char *s, struct port_range *r,
		     char *err, size_t errlen);
int parse_duration(const char *s, uint32_t *secs, char *err, size_t errlen);
int parse_u32(const char *s, uint32_t *val, char *err, size_t errlen);
int parse_onoff(const char *s, bool *on, char *err, size_t errlen);
int parse_ifname(const char *s, char *err, size_t errlen);
int parse_ipv4(const char *s, uint32_t *be_addr, char *err, size_t errlen);

struct prefix {
	uint32_t addr;		/* network order, no bits past len */
	uint8_t len;
};

int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen);

#endif
