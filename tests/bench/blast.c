// SPDX-License-Identifier: GPL-2.0
/*
 * blast: the benchmark's packet source. Sends minimum-size UDP datagrams
 * (64-byte Ethernet frames) through a raw IPv4 socket with prebuilt
 * headers, in sendmmsg() batches, so that the router's work dominates.
 * Sources cycle over ADDRS x PORTS (or, with -n, each source is used once:
 * every packet needs a new mapping); destinations, when DST names several,
 * cycle after each round of sources. With -a, bare TCP ACKs (checksum
 * left 0) instead of datagrams. Prints packets sent and the elapsed
 * CLOCK_MONOTONIC time, which under qemu -icount is guest time.
 *
 *   blast [-n] [-a] -c COUNT -s ADDR[+NADDRS] -p LO-HI DST[+NADDRS]:PORT[-HI]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 22	/* 14 + 20 + 8 + 22 = 64 bytes on the wire */

struct pkt {
	struct iphdr ip;
	union {
		struct {
			struct udphdr udp;
			char data[PAYLOAD];
		} __attribute__((packed));
		struct tcphdr tcp;
	};
} __attribute__((packed));

/* ADDR[+N] and LO[-HI]: a block of addresses or ports. */
struct span {
	uint32_t first;		/* host order */
	unsigned long n;
};

static void usage(void)
{
	fprintf(stderr, "usage: blast [-n] [-a] -c COUNT -s ADDR[+N] -p LO-HI DST[+N]:PORT[-HI]\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct span addr_span(char *s)
{
	struct span sp = { .n = 1 };
	char *plus = strchr(s, '+');
	struct in_addr a;

	if (plus) {
		*plus = '\0';
		sp.n = strtoul(plus + 1, NULL, 0);
	}
	if (inet_pton(AF_INET, s, &a) != 1 || !sp.n)
		usage();
	sp.first = ntohl(a.s_addr);
	return sp;
}

static struct span port_span(const char *s)
{
	unsigned int lo, hi;
	int n = sscanf(s, "%u-%u", &lo, &hi);

	if (n == 1)
		hi = lo;
	if (n < 1 || !lo || hi < lo || hi > 65535)
		usage();
	return (struct span){ .first = lo, .n = hi - lo + 1 };
}

int main(int argc, char **argv)
{
	struct span saddr = { 0 }, sport = { 0 }, daddr, dport;
	unsigned long count = 0, nsrc, i, sent = 0;
	struct sockaddr_in dst[BATCH];
	struct mmsghdr msgs[BATCH];
	struct pkt pkts[BATCH];
	struct iovec iov[BATCH];
	int fd, one = 1, c, fresh = 0, ack = 0;
	size_t len;
	char *colon;
	double t0, t1;

	while ((c = getopt(argc, argv, "nac:s:p:")) != -1) {
		switch (c) {
		case 'n':
			fresh = 1;
			break;
		case 'a':
			ack = 1;
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			saddr = addr_span(optarg);
			break;
		case 'p':
			sport = port_span(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !count || !sport.n || !saddr.n)
		usage();
	colon = strrchr(argv[optind], ':');
	if (!colon)
		usage();
	*colon = '\0';
	dport = port_span(colon + 1);
	daddr = addr_span(argv[optind]);
	nsrc = sport.n * saddr.n;
	if (fresh && count > nsrc) {
		fprintf(stderr, "blast: -n needs COUNT <= sources\n");
		return 2;
	}

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("blast: raw socket");
		return 1;
	}
	len = ack ? sizeof(struct iphdr) + sizeof(struct tcphdr) :
		    sizeof(struct pkt);
	memset(pkts, 0, sizeof(pkts));
	for (i = 0; i < BATCH; i++) {
		pkts[i].ip.version = 4;
		pkts[i].ip.ihl = 5;
		pkts[i].ip.ttl = 64;
		pkts[i].ip.protocol = ack ? IPPROTO_TCP : IPPROTO_UDP;
		pkts[i].ip.tot_len = htons(len);
		if (ack) {
			pkts[i].tcp.doff = 5;
			pkts[i].tcp.ack = 1;
			pkts[i].tcp.ack_seq = htonl(1);
			pkts[i].tcp.window = htons(512);
		} else {
			pkts[i].udp.len = htons(sizeof(struct udphdr) + PAYLOAD);
			/* UDP checksum 0: none, which a NAT keeps as it is */
		}
		iov[i].iov_base = &pkts[i];
		iov[i].iov_len = len;
		dst[i] = (struct sockaddr_in){ .sin_family = AF_INET };
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(dst[i]);
	}

	t0 = now();
	while (sent < count) {
		unsigned int n = count - sent < BATCH ? count - sent : BATCH, k;
		int r;

		for (k = 0; k < n; k++) {
			unsigned long s = sent + k;
			unsigned long d = (s / nsrc) % (daddr.n * dport.n);
			uint16_t sp = sport.first + s % sport.n;
			uint16_t dp = dport.first + d % dport.n;

			/* the kernel fills in the IP checksum and id */
			pkts[k].ip.saddr = htonl(saddr.first +
						 (s / sport.n) % saddr.n);
			pkts[k].ip.daddr = htonl(daddr.first + d / dport.n);
			dst[k].sin_addr.s_addr = pkts[k].ip.daddr;
			if (ack) {
				pkts[k].tcp.source = htons(sp);
				pkts[k].tcp.dest = htons(dp);
			} else {
				pkts[k].udp.source = htons(sp);
				pkts[k].udp.dest = htons(dp);
			}
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r <= 0) {
			perror("blast: sendmmsg");
			return 1;
		}
		sent += r;
	}
	t1 = now();
	printf("sent %lu seconds %.6f pps %.0f\n", sent, t1 - t0,
	       sent / (t1 - t0));
	return 0;
}
