// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the conenat tool's pure parsers (tools/parse.c) and JSON
 * writer (tools/json.c). Build:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -Iinclude -Itools tests/unit/tool_parse_test.c tools/parse.c \
 *       tools/json.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "parse.h"
#include "json.h"

static char err[PARSE_ERRLEN];

static void range_ok(const char *s, uint8_t proto, uint16_t min, uint16_t max)
{
	struct port_range r = { 0xff, 0, 0 };
	int ret;

	err[0] = '\0';
	ret = parse_port_range(s, &r, err, sizeof(err));
	ok(ret == 0 && r.proto == proto && r.min == min && r.max == max &&
	   !err[0], "range '%s' -> proto %u %u-%u (got %d: %u %u-%u)", s,
	   proto, min, max, ret, r.proto, r.min, r.max);
}

static void range_bad(const char *s, const char *msg)
{
	struct port_range r;
	int ret;

	err[0] = '\0';
	ret = parse_port_range(s, &r, err, sizeof(err));
	ok(ret == -1 && !strcmp(err, msg), "range '%s' rejected: \"%s\"",
	   s, err);
}

static void test_ports(void)
{
	uint16_t port = 0;

	ok(parse_port("1", &port, err, sizeof(err)) == 0 && port == 1,
	   "port 1");
	ok(parse_port("65535", &port, err, sizeof(err)) == 0 && port == 65535,
	   "port 65535");
	ok(parse_port("020000", &port, err, sizeof(err)) == 0 && port == 20000,
	   "leading zero is decimal, not octal");
	ok(parse_port("65536", &port, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid port '65536' (expected 1-65535)"),
	   "port 65536 rejected: \"%s\"", err);
	ok(parse_port("", &port, err, sizeof(err)) == -1, "empty port");
	ok(parse_port(" 5", &port, err, sizeof(err)) == -1,
	   "leading blank rejected");
	ok(parse_port("+5", &port, err, sizeof(err)) == -1, "sign rejected");

	range_ok("20000-29999", 0, 20000, 29999);
	range_ok("1-65535", 0, 1, 65535);
	range_ok("5000", 0, 5000, 5000);
	range_ok("7-7", 0, 7, 7);
	range_ok("udp:1000-2000", IPPROTO_UDP, 1000, 2000);
	range_ok("tcp:443", IPPROTO_TCP, 443, 443);
	range_ok("icmp:1-65535", IPPROTO_ICMP, 1, 65535);

	range_bad("0", "invalid port '0' (expected 1-65535)");
	range_bad("0-10", "invalid port '0' (expected 1-65535)");
	range_bad("70000", "invalid port '70000' (expected 1-65535)");
	range_bad("1-70000", "invalid port '70000' (expected 1-65535)");
	range_bad("30000-20000",
		  "invalid port range '30000-20000': start is greater than end");
	range_bad("udp:30000-20000",
		  "invalid port range 'udp:30000-20000': start is greater than end");
	range_bad("abc", "invalid port 'abc' (expected 1-65535)");
	range_bad("udp:", "invalid port range 'udp:' (expected [PROTO:]LO-HI)");
	range_bad(":1-2", "invalid port range ':1-2' (expected [PROTO:]LO-HI)");
	range_bad("sctp:1-2",
		  "unknown protocol 'sctp' (expected udp, tcp or icmp)");
	range_bad("UDP:1-2", "unknown protocol 'UDP' (expected udp, tcp or icmp)");
	range_bad("-5", "invalid port range '-5' (expected [PROTO:]LO-HI)");
	range_bad("1-", "invalid port range '1-' (expected [PROTO:]LO-HI)");
	range_bad("-", "invalid port range '-' (expected [PROTO:]LO-HI)");
	range_bad("", "invalid port range '' (expected [PROTO:]LO-HI)");
	range_bad("99999999999",
		  "invalid port '99999999999' (expected 1-65535)");
	range_bad("1-99999999999999999999999",
		  "invalid port '99999999999999999999999' (expected 1-65535)");
	range_bad("1-2-3", "invalid port '2-3' (expected 1-65535)");
	range_bad("1 -2", "invalid port '1 ' (expected 1-65535)");
	range_bad("0x10-0x20", "invalid port '0x10' (expected 1-65535)");
}

static void duration_ok(const char *s, uint32_t want)
{
	uint32_t v = 12345;
	int ret = parse_duration(s, &v, err, sizeof(err));

	ok(ret == 0 && v == want, "duration '%s' = %u (got %d, %u)", s, want,
	   ret, v);
}

static void duration_bad(const char *s, const char *msg)
{
	uint32_t v;
	int ret;

	err[0] = '\0';
	ret = parse_duration(s, &v, err, sizeof(err));
	ok(ret == -1 && !strcmp(err, msg), "duration '%s' rejected: \"%s\"",
	   s, err);
}

#define DURATION_SYNTAX " (expected seconds, or a number with suffix s, m, h or d)"

static void test_durations(void)
{
	duration_ok("0", 0);
	duration_ok("300", 300);
	duration_ok("45s", 45);
	duration_ok("2m", 120);
	duration_ok("2h", 7200);
	duration_ok("7d", 604800);
	duration_ok("4294967295", 4294967295u);
	duration_ok("4294967295s", 4294967295u);
	duration_ok("71582788m", 71582788u * 60);

	duration_bad("", "invalid duration ''" DURATION_SYNTAX);
	duration_bad("s", "invalid duration 's'" DURATION_SYNTAX);
	duration_bad("-1", "invalid duration '-1'" DURATION_SYNTAX);
	duration_bad("1.5h", "invalid duration '1.5h'" DURATION_SYNTAX);
	duration_bad("10x", "invalid duration '10x'" DURATION_SYNTAX);
	duration_bad("10ms", "invalid duration '10ms'" DURATION_SYNTAX);
	duration_bad("2h4m", "invalid duration '2h4m'" DURATION_SYNTAX);
	duration_bad(" 10", "invalid duration ' 10'" DURATION_SYNTAX);
	duration_bad("10S", "invalid duration '10S'" DURATION_SYNTAX);
	duration_bad("4294967296", "invalid duration '4294967296' (too large)");
	duration_bad("71582789m", "invalid duration '71582789m' (too large)");
	duration_bad("49711d", "invalid duration '49711d' (too large)");
	duration_bad("99999999999999999999999h",
		     "invalid duration '99999999999999999999999h' (too large)");
}

static void test_numbers(void)
{
	uint32_t v = 0;
	bool on = false;

	ok(parse_u32("0", &v, err, sizeof(err)) == 0 && v == 0, "u32 0");
	ok(parse_u32("524288", &v, err, sizeof(err)) == 0 && v == 524288,
	   "u32 decimal");
	ok(parse_u32("0x10", &v, err, sizeof(err)) == 0 && v == 16, "u32 hex");
	ok(parse_u32("0XfF", &v, err, sizeof(err)) == 0 && v == 255,
	   "u32 hex, mixed case");
	ok(parse_u32("010", &v, err, sizeof(err)) == 0 && v == 10,
	   "u32 leading zero is decimal");
	ok(parse_u32("4294967295", &v, err, sizeof(err)) == 0 &&
	   v == 4294967295u, "u32 max decimal");
	ok(parse_u32("0xffffffff", &v, err, sizeof(err)) == 0 &&
	   v == 4294967295u, "u32 max hex");
	ok(parse_u32("4294967296", &v, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid number '4294967296' (at most 4294967295)"),
	   "u32 overflow: \"%s\"", err);
	ok(parse_u32("0x100000000", &v, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid number '0x100000000' (at most 4294967295)"),
	   "u32 hex overflow: \"%s\"", err);
	ok(parse_u32("0x", &v, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid number '0x' (expected decimal, or hexadecimal with 0x)"),
	   "u32 bare 0x: \"%s\"", err);
	ok(parse_u32("", &v, err, sizeof(err)) == -1, "u32 empty");
	ok(parse_u32("-1", &v, err, sizeof(err)) == -1, "u32 negative");
	ok(parse_u32("12k", &v, err, sizeof(err)) == -1, "u32 suffix");
	ok(parse_u32("0x1g", &v, err, sizeof(err)) == -1, "u32 bad hex digit");

	ok(parse_onoff("on", &on, err, sizeof(err)) == 0 && on, "on");
	ok(parse_onoff("off", &on, err, sizeof(err)) == 0 && !on, "off");
	ok(parse_onoff("yes", &on, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid value 'yes' (expected on or off)"),
	   "on/off rejects yes: \"%s\"", err);
}

static void test_names(void)
{
	uint32_t addr = 0;
	uint8_t p = 0;

	ok(parse_proto("udp", &p, err, sizeof(err)) == 0 && p == IPPROTO_UDP,
	   "proto udp");
	ok(parse_proto("tcp", &p, err, sizeof(err)) == 0 && p == IPPROTO_TCP,
	   "proto tcp");
	ok(parse_proto("icmp", &p, err, sizeof(err)) == 0 &&
	   p == IPPROTO_ICMP, "proto icmp");
	ok(parse_proto("sctp", &p, err, sizeof(err)) == -1 &&
	   !strcmp(err, "unknown protocol 'sctp' (expected udp, tcp or icmp)"),
	   "proto sctp rejected: \"%s\"", err);
	ok(parse_proto("", &p, err, sizeof(err)) == -1, "proto empty");
	ok(parse_proto("udplite", &p, err, sizeof(err)) == -1,
	   "proto prefix match rejected");
	ok(!strcmp(proto_name(IPPROTO_UDP), "udp") &&
	   !strcmp(proto_name(IPPROTO_TCP), "tcp") &&
	   !strcmp(proto_name(IPPROTO_ICMP), "icmp"), "proto names");
	ok(proto_name(IPPROTO_SCTP) == NULL, "unknown proto has no name");
	ok(protos[0] == IPPROTO_UDP && protos[1] == IPPROTO_TCP &&
	   protos[2] == IPPROTO_ICMP, "protocol order udp, tcp, icmp");

	ok(parse_ifname("wan0", err, sizeof(err)) == 0, "ifname wan0");
	ok(parse_ifname("123456789012345", err, sizeof(err)) == 0,
	   "ifname of 15 characters");
	ok(parse_ifname("1234567890123456", err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid interface name '1234567890123456' (expected 1-15 characters)"),
	   "ifname of 16 characters rejected: \"%s\"", err);
	ok(parse_ifname("", err, sizeof(err)) == -1, "empty ifname rejected");

	ok(parse_ipv4("192.0.2.1", &addr, err, sizeof(err)) == 0 &&
	   addr == htonl(0xc0000201), "ipv4 in network order");
	ok(parse_ipv4("192.0.2", &addr, err, sizeof(err)) == -1 &&
	   !strcmp(err, "invalid IPv4 address '192.0.2'"),
	   "short ipv4 rejected: \"%s\"", err);
	ok(parse_ipv4("::1", &addr, err, sizeof(err)) == -1, "ipv6 rejected");
}

/* What json_write_string() makes of s. */
static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	return buf;
}

static void escape_is(const char *in, const char *want, const char *what)
{
	char *got = escaped(in);

	ok(!strcmp(got, want), "escape %s: %s", what, got);
	free(got);
}

static void test_json_escape(void)
{
	escape_is("wan0", "\"wan0\"", "plain");
	escape_is("", "\"\"", "empty");
	escape_is("a\"b", "\"a\\\"b\"", "quote");
	escape_is("a\\b", "\"a\\\\b\"", "backslash");
	escape_is("a/b", "\"a/b\"", "slash left alone");
	escape_is("\n\t\r\b\f", "\"\\u000a\\u0009\\u000d\\u0008\\u000c\"",
		  "whitespace controls");
	escape_is("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"",
		  "other controls and DEL");
	escape_is("\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"",
		  "UTF-8 passes through");
	escape_is("\xe2\x82\xac \xf0\x9f\x98\x80", "\"\xe2\x82\xac \xf0\x9f\x98\x80\"",
		  "3- and 4-byte UTF-8 pass through");
	escape_is("a\xff" "b", "\"a\\ufffdb\"", "invalid byte replaced");
	escape_is("\xc3", "\"\\ufffd\"", "truncated sequence replaced");
	escape_is("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong replaced");
	escape_is("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
		  "surrogate replaced");
	escape_is("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		  "above U+10FFFF replaced");
}

/* ok() for multi-line text: on a mismatch, shows it as TAP comments. */
static void text_is(const char *got, const char *want, const char *what)
{
	const char *p;

	if (ok(!strcmp(got, want), "%s", what))
		return;
	printf("# got:\n# ");
	for (p = got; *p; p++) {
		if (*p == '\n' && p[1])
			fputs("\n# ", stdout);
		else
			putchar(*p);
	}
	if (p == got || p[-1] != '\n')
		putchar('\n');
}

/* Runs fn on a writer and returns what it wrote. */
static char *json_doc(void (*fn)(struct json *), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f, pretty);
	fn(&j);
	fclose(f);
	return buf;
}

static void doc_status(struct json *j)
{
	json_begin_object(j, NULL);
	json_string(j, "version", "0.1.0");
	json_bool(j, "up", true);
	json_begin_array(j, "ranges");
	json_begin_object(j, NULL);
	json_string(j, "protocol", "udp");
	json_uint(j, "min", 20000);
	json_end_object(j);
	json_end_array(j);
	json_begin_array(j, "empty");
	json_end_array(j);
	json_begin_object(j, "timeouts");
	json_uint(j, "udp", 300);
	json_end_object(j);
	json_null(j, "module");
	json_uint(j, "big", UINT64_MAX);
	json_end_object(j);
}

static void doc_empty_array(struct json *j)
{
	json_begin_array(j, NULL);
	json_end_array(j);
}

static void doc_scalar(struct json *j)
{
	json_bool(j, NULL, false);
}

static void test_json_writer(void)
{
	char *s;

	s = json_doc(doc_status, false);
	ok(!strcmp(s, "{\"version\":\"0.1.0\",\"up\":true,\"ranges\":"
		      "[{\"protocol\":\"udp\",\"min\":20000}],\"empty\":[],"
		      "\"timeouts\":{\"udp\":300},\"module\":null,"
		      "\"big\":18446744073709551615}\n"),
	   "compact document");
	free(s);

	s = json_doc(doc_status, true);
	text_is(s, "{\n"
		      "  \"version\": \"0.1.0\",\n"
		      "  \"up\": true,\n"
		      "  \"ranges\": [\n"
		      "    {\n"
		      "      \"protocol\": \"udp\",\n"
		      "      \"min\": 20000\n"
		      "    }\n"
		      "  ],\n"
		      "  \"empty\": [],\n"
		      "  \"timeouts\": {\n"
		      "    \"udp\": 300\n"
		      "  },\n"
		      "  \"module\": null,\n"
		      "  \"big\": 18446744073709551615\n"
		      "}\n", "pretty document");
	free(s);

	s = json_doc(doc_empty_array, false);
	ok(!strcmp(s, "[]\n"), "empty top-level array");
	free(s);
	s = json_doc(doc_empty_array, true);
	ok(!strcmp(s, "[]\n"), "empty top-level array, pretty");
	free(s);
	s = json_doc(doc_scalar, false);
	ok(!strcmp(s, "false\n"), "top-level scalar");
	free(s);
}

static void prefix_ok(const char *s, const char *addr, uint8_t len)
{
	struct prefix p = { 0, 99 };

	err[0] = '\0';
	ok(parse_prefix(s, &p, err, sizeof(err)) == 0 &&
	   p.addr == inet_addr(addr) && p.len == len && !err[0],
	   "prefix '%s' -> %s/%u", s, addr, len);
}

static void prefix_bad(const char *s, const char *msg)
{
	struct prefix p;

	err[0] = '\0';
	ok(parse_prefix(s, &p, err, sizeof(err)) == -1 && !strcmp(err, msg),
	   "prefix '%s' rejected: \"%s\"", s, err);
}

static void test_prefixes(void)
{
	prefix_ok("10.0.1.0/24", "10.0.1.0", 24);
	prefix_ok("10.0.1.7", "10.0.1.7", 32);
	prefix_ok("0.0.0.0/0", "0.0.0.0", 0);
	prefix_ok("192.0.2.128/25", "192.0.2.128", 25);
	prefix_bad("10.0.1.5/24",
		   "prefix '10.0.1.5/24' has address bits set past /24");
	prefix_bad("0.0.0.1/0", "prefix '0.0.0.1/0' has address bits set past /0");
	prefix_bad("10.0.1.0/33", "invalid prefix '10.0.1.0/33' (expected A.B.C.D/LEN)");
	prefix_bad("10.0.1.0/", "invalid prefix '10.0.1.0/' (expected A.B.C.D/LEN)");
	prefix_bad("10.0.1.0/-1", "invalid prefix '10.0.1.0/-1' (expected A.B.C.D/LEN)");
	prefix_bad("10.0.1/24", "invalid prefix '10.0.1/24' (expected A.B.C.D/LEN)");
	prefix_bad("", "invalid prefix '' (expected A.B.C.D/LEN)");
}

int main(void)
{
	test_ports();
	test_prefixes();
	test_durations();
	test_numbers();
	test_names();
	test_json_escape();
	test_json_writer();
	return tap_done();
}
