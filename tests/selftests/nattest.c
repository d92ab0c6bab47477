// SPDX-License-Identifier: GPL-2.0
/*
 * nattest: the endpoints of the selftests. A reflector that tells each
 * sender the address:port it saw (what a STUN server does), and a client
 * that sends from a chosen local endpoint and prints what came back, so a
 * test asserts what the remote host actually received.
 *
 *   nattest reflect udp|tcp ADDR:PORT
 *       Answer every datagram or connection with "ADDR:PORT\n" of the
 *       peer, and log "from ADDR:PORT" to stdout. Runs until killed.
 *   nattest send udp|tcp [-b ADDR:PORT] [-t SECS] [-r N] DST:PORT...
 *       From one socket bound to -b, send to (udp) or connect to (tcp)
 *       each DST in turn and print "DST mapped ADDR:PORT" for its answer.
 *       Then, udp only, wait for N more datagrams from anyone and print
 *       "recv from ADDR:PORT". Exits 1 when an answer does not come
 *       within -t seconds (default 5).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int timeout_ms = 5000;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct sockaddr_in parse_ep(const char *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (!colon) {
		fprintf(stderr, "nattest: '%s' is not ADDR:PORT\n", s);
		exit(2);
	}
	*colon = '\0';
	if (inet_pton(AF_INET, buf, &sin.sin_addr) != 1) {
		fprintf(stderr, "nattest: bad address '%s'\n", buf);
		exit(2);
	}
	sin.sin_port = htons(atoi(colon + 1));
	return sin;
}

static const char *fmt_ep(const struct sockaddr_in *sin)
{
	static char buf[64];
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(sin->sin_port));
	return buf;
}

static int new_socket(int type, const struct sockaddr_in *bind_to)
{
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind_to && bind(fd, (const void *)bind_to, sizeof(*bind_to)))
		die("bind");
	return fd;
}

static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

static void reflect_udp(int fd)
{
	struct sockaddr_in peer;
	socklen_t len;
	char buf[2048];
	const char *ep;

	for (;;) {
		len = sizeof(peer);
		if (recvfrom(fd, buf, sizeof(buf), 0, (void *)&peer, &len) < 0)
			die("recvfrom");
		ep = fmt_ep(&peer);
		printf("from %s\n", ep);
		fflush(stdout);
		sendto(fd, ep, strlen(ep), 0, (void *)&peer, len);
	}
}

static void reflect_tcp(int fd)
{
	struct sockaddr_in peer;
	socklen_t len;
	const char *ep;
	int c;

	if (listen(fd, 128))
		die("listen");
	for (;;) {
		len = sizeof(peer);
		c = accept(fd, (void *)&peer, &len);
		if (c < 0)
			die("accept");
		ep = fmt_ep(&peer);
		printf("from %s\n", ep);
		fflush(stdout);
		if (write(c, ep, strlen(ep)) < 0)
			perror("write");
		close(c);
	}
}

static int send_udp(int fd, const struct sockaddr_in *dst)
{
	char buf[128];
	ssize_t n;

	if (sendto(fd, "hello", 5, 0, (const void *)dst, sizeof(*dst)) < 0)
		die("sendto");
	if (!wait_readable(fd))
		return -1;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	printf("%s mapped %s\n", fmt_ep(dst), buf);
	return 0;
}

static int send_tcp(const struct sockaddr_in *bind_to,
		    const struct sockaddr_in *dst)
{
	int fd = new_socket(SOCK_STREAM, bind_to);
	char buf[128];
	ssize_t n;

	if (connect(fd, (const void *)dst, sizeof(*dst)) || !wait_readable(fd)) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	printf("%s mapped %s\n", fmt_ep(dst), buf);
	return 0;
}

static void recv_udp(int fd, int n)
{
	struct sockaddr_in peer;
	socklen_t len;
	char buf[2048];

	while (n-- > 0) {
		len = sizeof(peer);
		if (!wait_readable(fd) ||
		    recvfrom(fd, buf, sizeof(buf), 0, (void *)&peer, &len) < 0) {
			fprintf(stderr, "nattest: nothing received\n");
			exit(1);
		}
		printf("recv from %s\n", fmt_ep(&peer));
		fflush(stdout);
	}
}

static int cmd_send(int type, int argc, char **argv)
{
	struct sockaddr_in bind_to, *b = NULL, dst;
	int opt, nrecv = 0, fd = -1, err = 0;

	while ((opt = getopt(argc, argv, "b:t:r:")) != -1) {
		switch (opt) {
		case 'b':
			bind_to = parse_ep(optarg);
			b = &bind_to;
			break;
		case 't':
			timeout_ms = atoi(optarg) * 1000;
			break;
		case 'r':
			nrecv = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (type == SOCK_DGRAM)
		fd = new_socket(SOCK_DGRAM, b);
	for (; optind < argc; optind++) {
		dst = parse_ep(argv[optind]);
		if (type == SOCK_DGRAM ? send_udp(fd, &dst) :
					 send_tcp(b, &dst)) {
			fprintf(stderr, "nattest: no answer from %s\n",
				fmt_ep(&dst));
			err = 1;
		}
		fflush(stdout);
	}
	if (fd >= 0)
		recv_udp(fd, nrecv);
	return err;
}

int main(int argc, char **argv)
{
	struct sockaddr_in ep;
	int type;

	if (argc < 4) {
		fprintf(stderr, "usage: nattest reflect|send udp|tcp ...\n");
		return 2;
	}
	type = strcmp(argv[2], "tcp") ? SOCK_DGRAM : SOCK_STREAM;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "send"))
		return cmd_send(type, argc - 2, argv + 2);
	ep = parse_ep(argv[3]);
	if (type == SOCK_DGRAM)
		reflect_udp(new_socket(SOCK_DGRAM, &ep));
	reflect_tcp(new_socket(SOCK_STREAM, &ep));
	return 0;
}
