// SPDX-License-Identifier: GPL-2.0
/*
 * The router's own sockets. A new mapping takes no port that any socket
 * of the namespace uses: bound, listening, connected, established, in
 * TIME_WAIT, or bound to a device, on any local address. An inbound
 * packet without a mapping is the router's when a socket would take it.
 */
#include <linux/udp.h>
#include <net/inet_hashtables.h>
#include <net/udp.h>
#include <net/tcp.h>
#include "config.h"
#include "sockets.h"

/* Whether a UDP socket of @net has local port @port. RCU read side. */
static bool conenat_udp_port_in_use(struct net *net, u16 port)
{
	struct udp_table *table = conenat_udp_table(net);
	struct udp_hslot *hslot = udp_hashslot(table, net, port);
	struct sock *sk;

	/* UDP sockets are SOCK_RCU_FREE and unhashed with RCU. */
	sk_for_each_rcu(sk, &hslot->head)
		if (net_eq(sock_net(sk), net) &&
		    udp_sk(sk)->udp_port_hash == port)
			return true;
	return false;
}

/*
 * Whether a TCP socket of @net has local port @port: every one holds a
 * bind bucket of its port, from bind() or connect() to the end of
 * TIME_WAIT. Takes the bucket lock, as TCP itself does in softirq.
 */
static bool conenat_tcp_port_in_use(struct net *net, u16 port)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	struct inet_bind_hashbucket *head;
	struct inet_bind_bucket *tb;
	bool used = false;

	head = &hinfo->bhash[inet_bhashfn(net, port, hinfo->bhash_size)];
	spin_lock_bh(&head->lock);
	inet_bind_bucket_for_each(tb, &head->chain) {
		if (net_eq(ib_net(tb), net) && tb->port == port) {
			used = true;
			break;
		}
	}
	spin_unlock_bh(&head->lock);
	return used;
}

/**
 * conenat_port_in_use - whether a router socket uses a local port
 * @net: the namespace
 * @proto: enum conenat_proto
 * @port: the port, on any local address
 *
 * ICMP echo identifiers belong to no socket here. Context: RCU read
 * lock held.
 */
bool conenat_port_in_use(struct net *net, u8 proto, __be16 port)
{
	switch (proto) {
	case CONENAT_UDP:
		return conenat_udp_port_in_use(net, ntohs(port));
	case CONENAT_TCP:
		return conenat_tcp_port_in_use(net, ntohs(port));
	default:
		return false;
	}
}

/**
 * conenat_router_owns - whether a socket of the router takes a packet
 * @net: the namespace
 * @proto: enum conenat_proto
 * @addr: the packet's destination address, the external one
 * @port: its destination port
 * @raddr: its source address
 * @rport: its source port
 * @dif: the interface it arrived on, for sockets bound to one
 *
 * Context: RCU read lock held.
 */
bool conenat_router_owns(struct net *net, u8 proto, __be32 addr,
			 __be16 port, __be32 raddr, __be16 rport, int dif)
{
	struct sock *sk;

	/* Both lookups return a reference, for any kind of socket. */
	switch (proto) {
	case CONENAT_UDP:
		sk = udp4_lib_lookup(net, raddr, rport, addr, port, dif);
		break;
	case CONENAT_TCP:
		sk = inet_lookup(net, net->ipv4.tcp_death_row.hashinfo, NULL,
				 0, raddr, rport, addr, port, dif);
		break;
	default:
		return false;
	}
	if (!sk)
		return false;
	sock_gen_put(sk);
	return true;
}
