// SPDX-License-Identifier: GPL-2.0
/*
 * forward: port forwards, listed, added and removed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* "udp 40000 to 10.0.1.2:5000", as forward add takes it. */
void forward_str(const struct forward *f, char *s, size_t size)
{
	char buf[INET_ADDRSTRLEN];

	snprintf(s, size, "%s %u to %s:%u", proto_name(f->proto), f->ext_port,
		 addr_str(f->int_addr, buf), f->int_port);
}

static void print_forwards(const struct status *st)
{
	char s[FORWARD_STRLEN];
	unsigned int i;

	for (i = 0; i < st->nfwd; i++) {
		forward_str(&st->fwd[i], s, sizeof(s));
		printf("%s\n", s);
	}
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
	ret = status_or_fail(&st);
	if (ret)
		return ret;
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
int parse_forward(int argc, char **argv, struct forward *f, bool *add)
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
	if (f->proto == IPPROTO_ICMP)
		return usage_error("only udp and tcp ports can be forwarded");
	f->int_port = f->ext_port;
	if (!*add)
		return argc > 3 ? unexpected(argv[3]) : 0;
	if (argc < 5 || strcmp(argv[3], "to"))
		return usage_error("'add' needs 'to ADDR[:PORT]'");
	if (argc > 5)
		return unexpected(argv[5]);
	return parse_endpoint(argv[4], &f->int_addr, &f->int_port);
}

/* @f as a CONENAT_A_MAPPING; its protocol and port only, unless @add. */
void put_forward(struct nlmsghdr *nlh, const struct forward *f, bool add)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, CONENAT_A_MAPPING);
	mnl_attr_put_u8(nlh, CONENAT_MAP_A_PROTO, f->proto);
	mnl_attr_put_u16(nlh, CONENAT_MAP_A_EXT_PORT, f->ext_port);
	if (add) {
		mnl_attr_put_u32(nlh, CONENAT_MAP_A_INT_ADDR, f->int_addr);
		mnl_attr_put_u16(nlh, CONENAT_MAP_A_INT_PORT, f->int_port);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* Add or remove @f; 0 or -errno, the kernel's message in nl. */
static int forward_request(const struct forward *f, bool add)
{
	struct nlmsghdr *nlh;

	nlh = nl_request(&nl, add ? CONENAT_CMD_FORWARD_ADD :
				    CONENAT_CMD_FORWARD_DEL, NLM_F_ACK);
	put_forward(nlh, f, add);
	return nl_talk(&nl, nlh, NULL, NULL);
}

/*
 * The forward that @f collides with (EEXIST): same port, or same
 * endpoint. Keeps the kernel's message of the refusal in nl.
 */
static bool forward_in_the_way(const struct forward *f, struct forward *old)
{
	char msg[sizeof(nl.extack)];
	bool found = false;
	struct status st;
	unsigned int i;

	memcpy(msg, nl.extack, sizeof(msg));
	if (get_status(&st))
		st.nfwd = 0;
	for (i = 0; i < st.nfwd && !found; i++) {
		*old = st.fwd[i];
		found = old->proto == f->proto &&
			(old->ext_port == f->ext_port ||
			 (old->int_addr == f->int_addr &&
			  old->int_port == f->int_port));
	}
	memcpy(nl.extack, msg, sizeof(msg));
	return found;
}

/*
 * A refused forward, named: the kernel's message says what is wrong, and
 * for a conflict the tool names the forward in the way.
 */
static void forward_fail(const struct forward *f, int err)
{
	char what[2 * FORWARD_STRLEN + 16], mine[FORWARD_STRLEN];
	char theirs[FORWARD_STRLEN];
	struct forward old;

	forward_str(f, mine, sizeof(mine));
	if (err == -EEXIST && forward_in_the_way(f, &old)) {
		forward_str(&old, theirs, sizeof(theirs));
		snprintf(what, sizeof(what), "%s; there is %s", mine, theirs);
	} else {
		snprintf(what, sizeof(what), "%s", mine);
	}
	nl_perror(&nl, err, what);
}

/* forward [list] | forward add PROTO PORT to ADDR[:PORT] | forward del PROTO PORT */
int cmd_forward(int argc, char **argv)
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
	if (ret && add && ret != -EPERM)
		forward_fail(&f, ret);
	else if (ret)
		fail(ret);
	return ret ? 1 : 0;
}
