// SPDX-License-Identifier: GPL-2.0
/*
 * Pure argument parsers; see parse.h. Numbers are parsed by hand rather
 * than with strtoul(), which accepts leading blanks, signs and wraps "-5"
 * around to a huge value.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

const uint8_t protos[NPROTOS] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };

static const char *const proto_names[NPROTOS] = { "udp", "tcp", "icmp" };

#define PROTO_ERR "unknown protocol '%.*s' (expected udp, tcp or icmp)"
#define PORT_ERR "invalid port '%.*s' (expected 1-65535)"
#define RANGE_ERR "invalid port range '%s' (expected [PROTO:]LO-HI)"

static int proto_lookup(const char *s, size_t len, uint8_t *proto)
{
	int i;

	for (i = 0; i < NPROTOS; i++) {
		if (strlen(proto_names[i]) == len &&
		    !memcmp(s, proto_names[i], len)) {
			*proto = protos[i];
			return 0;
		}
	}
	return -1;
}

int parse_proto(const char *s, uint8_t *proto, char *err, size_t errlen)
{
	if (!proto_lookup(s, strlen(s), proto))
		return 0;
	snprintf(err, errlen, PROTO_ERR, (int)strlen(s), s);
	return -1;
}

const char *proto_name(uint8_t proto)
{
	int i;

	for (i = 0; i < NPROTOS; i++)
		if (protos[i] == proto)
			return proto_names[i];
	return NULL;
}

/*
 * The decimal number in s[0..len), which must be all digits and at most
 * max. Returns 0, or -1 when malformed or too large.
 */
static int parse_decimal(const char *s, size_t len, uint64_t max,
			 uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)	/* max <= UINT32_MAX: no u64 overflow */
			return -1;
	}
	*val = v;
	return 0;
}

static int port_n(const char *s, size_t len, uint16_t *port,
		  char *err, size_t errlen)
{
	uint64_t v;

	if (parse_decimal(s, len, 65535, &v) || !v) {
		snprintf(err, errlen, PORT_ERR, (int)len, s);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

int parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	return port_n(s, strlen(s), port, err, errlen);
}

/* [PROTO:]LO-HI or [PROTO:]PORT */
int parse_port_range(const char *s, struct port_range *r,
		     char *err, size_t errlen)
{
	const char *spec = s, *colon = strchr(s, ':'), *dash;

	r->proto = 0;
	if (colon) {
		if (colon == s) {
			snprintf(err, errlen, RANGE_ERR, s);
			return -1;
		}
		if (proto_lookup(s, (size_t)(colon - s), &r->proto)) {
			snprintf(err, errlen, PROTO_ERR, (int)(colon - s), s);
			return -1;
		}
		spec = colon + 1;
	}
	dash = strchr(spec, '-');
	if (!*spec || dash == spec || (dash && !dash[1])) {
		snprintf(err, errlen, RANGE_ERR, s);
		return -1;
	}
	if (!dash) {
		if (port_n(spec, strlen(spec), &r->min, err, errlen))
			return -1;
		r->max = r->min;
		return 0;
	}
	if (port_n(spec, (size_t)(dash - spec), &r->min, err, errlen) ||
	    port_n(dash + 1, strlen(dash + 1), &r->max, err, errlen))
		return -1;
	if (r->min > r->max) {
		snprintf(err, errlen,
			 "invalid port range '%s': start is greater than end",
			 s);
		return -1;
	}
	return 0;
}

/* SECS, or a number with one suffix s, m, h or d. */
int parse_duration(const char *s, uint32_t *secs, char *err, size_t errlen)
{
	size_t len = strlen(s);
	uint64_t v, unit = 1;

	if (len) {
		switch (s[len - 1]) {
		case 's': unit = 1; len--; break;
		case 'm': unit = 60; len--; break;
		case 'h': unit = 3600; len--; break;
		case 'd': unit = 86400; len--; break;
		}
	}
	if (!len || strspn(s, "0123456789") != len) {
		snprintf(err, errlen,
			 "invalid duration '%s' (expected seconds, or a number with suffix s, m, h or d)",
			 s);
		return -1;
	}
	if (parse_decimal(s, len, UINT32_MAX / unit, &v)) {
		snprintf(err, errlen, "invalid duration '%.*s' (too large)",
			 (int)strlen(s), s);
		return -1;
	}
	*secs = (uint32_t)(v * unit);
	return 0;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal, or hexadecimal with 0x. No octal: "010" is ten. */
int parse_u32(const char *s, uint32_t *val, char *err, size_t errlen)
{
	uint64_t v = 0;
	const char *p;

	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2]) {
		for (p = s + 2; *p; p++) {
			if (hexdigit(*p) < 0)
				goto invalid;
			v = v * 16 + (uint64_t)hexdigit(*p);
			if (v > UINT32_MAX)
				goto too_large;
		}
		*val = (uint32_t)v;
		return 0;
	}
	if (!*s || strspn(s, "0123456789") != strlen(s))
		goto invalid;
	if (parse_decimal(s, strlen(s), UINT32_MAX, &v))
		goto too_large;
	*val = (uint32_t)v;
	return 0;
invalid:
	snprintf(err, errlen,
		 "invalid number '%s' (expected decimal, or hexadecimal with 0x)",
		 s);
	return -1;
too_large:
	snprintf(err, errlen, "invalid number '%s' (at most 4294967295)", s);
	return -1;
}

int parse_onoff(const char *s, bool *on, char *err, size_t errlen)
{
	if (!strcmp(s, "on") || !strcmp(s, "off")) {
		*on = !strcmp(s, "on");
		return 0;
	}
	snprintf(err, errlen, "invalid value '%s' (expected on or off)", s);
	return -1;
}

int parse_ifname(const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);

	if (len && len < IFNAMSIZ)
		return 0;
	snprintf(err, errlen,
		 "invalid interface name '%s' (expected 1-%d characters)",
		 s, IFNAMSIZ - 1);
	return -1;
}

int parse_ipv4(const char *s, uint32_t *be_addr, char *err, size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) == 1) {
		*be_addr = a.s_addr;
		return 0;
	}
	snprintf(err, errlen, "invalid IPv4 address '%s'", s);
	return -1;
}

/* A.B.C.D/LEN, or a bare address for /32; no address bits past LEN. */
int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	char addr[INET_ADDRSTRLEN];
	uint32_t host_mask;
	struct in_addr a;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len = 32;

	if (n >= sizeof(addr))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1)
		goto bad;
	if (slash && (parse_u32(slash + 1, &len, err, errlen) || len > 32))
		goto bad;
	host_mask = len == 32 ? 0 : ~0U >> len;
	if (ntohl(a.s_addr) & host_mask) {
		snprintf(err, errlen,
			 "prefix '%s' has address bits set past /%u", s, len);
		return -1;
	}
	p->addr = a.s_addr;
	p->len = (uint8_t)len;
	return 0;
bad:
	snprintf(err, errlen, "invalid prefix '%s' (expected A.B.C.D/LEN)", s);
	return -1;
}
