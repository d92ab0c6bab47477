// SPDX-License-Identifier: GPL-2.0
/*
 * blast: the benchmark's packet source. Sends minimum-size UDP datagrams
 * (64-byte Ethernet frames) through a raw IPv4 socket with prebuilt
 * headers, in sendmmsg() batches, so that the router's work dominates.
 * Sources cycle over ADDRS x PORTS (or, with -n, each source is used once:
 * every packet needs a new mapping). Prints packets sent and the elapsed
 * CLOCK_MONOTONIC time, which under qemu -icount is guest time.
 *
 *   blast [-n] -c COUNT -s ADDR[+NADDRS] -p LO-HI DST:PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
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
	struct udphdr udp;
	char data[PAYLOAD];
} __attribute__((packed));

static void usage(void)
{
	fprintf(stderr, "usage: blast [-n] -c COUNT -s ADDR[+N] -p LO-HI DST:PORT\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long count = 0, naddrs = 1, nports, i, sent = 0;
	unsigned int lo = 0, hi = 0, dport;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint32_t saddr;
	char *plus, *colon;
	int fd, one = 1, c, fresh = 0;
	double t0, t1;

	while ((c = getopt(argc, argv, "nc:s:p:")) != -1) {
		switch (c) {
		case 'n':
			fresh = 1;
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			plus = strchr(optarg, '+');
			if (plus) {
				*plus = '\0';
				naddrs = strtoul(plus + 1, NULL, 0);
			}
			if (inet_pton(AF_INET, optarg, &saddr) != 1)
				usage();
			break;
		case 'p':
			if (sscanf(optarg, "%u-%u", &lo, &hi) != 2 || !lo ||
			    hi < lo || hi > 65535)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !count || !lo || !naddrs)
		usage();
	colon = strrchr(argv[optind], ':');
	if (!colon)
		usage();
	*colon = '\0';
	dport = atoi(colon + 1);
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		usage();
	nports = hi - lo + 1;
	if (fresh && count > nports * naddrs) {
		fprintf(stderr, "blast: -n needs COUNT <= sources\n");
		return 2;
	}

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("blast: raw socket");
		return 1;
	}
	memset(pkts, 0, sizeof(pkts));
	for (i = 0; i < BATCH; i++) {
		pkts[i].ip.version = 4;
		pkts[i].ip.ihl = 5;
		pkts[i].ip.ttl = 64;
		pkts[i].ip.protocol = IPPROTO_UDP;
		pkts[i].ip.tot_len = htons(sizeof(struct pkt));
		pkts[i].ip.daddr = dst.sin_addr.s_addr;
		pkts[i].udp.dest = htons(dport);
		pkts[i].udp.len = htons(sizeof(struct udphdr) + PAYLOAD);
		/* UDP checksum 0: none, which a NAT keeps as it is */
		iov[i].iov_base = &pkts[i];
		iov[i].iov_len = sizeof(struct pkt);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
	}

	t0 = now();
	while (sent < count) {
		unsigned int n = count - sent < BATCH ? count - sent : BATCH, k;
		int r;

		for (k = 0; k < n; k++) {
			unsigned long s = sent + k;
			unsigned long port = s % nports;
			unsigned long addr = (s / nports) % naddrs;

			/* the kernel fills in the IP checksum and id */
			pkts[k].ip.saddr = htonl(ntohl(saddr) + addr);
			pkts[k].udp.source = htons(lo + port);
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
