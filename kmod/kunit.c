// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for what needs a real kernel: translation of GSO and
 * CHECKSUM_PARTIAL packets, ICMP errors with truncated or paged quotes,
 * the same internal endpoint inserted from every CPU at once (exactly one
 * mapping wins), and the GC racing with lookups and inserts. Built only
 * into conenat_kunit.ko (make -C KDIR M=... CONENAT_KUNIT=y), a copy of
 * the module that runs them when it loads; tests/debug-kernel runs it.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/udp.h>
#include <net/net_namespace.h>
#include "instance.h"
#include "gc.h"
#include "pkt.h"
#include "portalloc.h"

#define EXT_ADDR	htonl(0xc0000201)	/* 192.0.2.1 */
#define INT_ADDR	htonl(0x0a000102)	/* 10.0.1.2 */
#define REMOTE		htonl(0xc6336464)	/* 198.51.100.100 */

/* An IPv4 packet of @proto with @l4len bytes of transport, linear. */
static struct sk_buff *kunit_packet(struct kunit *test, u8 proto,
				    unsigned int l4len)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 20 + l4len, GFP_KERNEL);
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, 20 + l4len);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(20 + l4len);
	iph->saddr = INT_ADDR;
	iph->daddr = REMOTE;
	iph->check = ip_fast_csum(iph, iph->ihl);
	skb_set_transport_header(skb, 20);
	return skb;
}

/*
 * A TCP segment as the stack hands it on for offload: CHECKSUM_PARTIAL,
 * the pseudo-header sum in the field, and GSO. The rewrite must leave
 * the pseudo-header sum of the new address there, and the IPv4 header
 * checksum right.
 */
static void conenat_test_tcp_gso_partial(struct kunit *test)
{
	struct sk_buff *skb = kunit_packet(test, IPPROTO_TCP, 20 + 3000);
	struct tcphdr *th = tcp_hdr(skb);
	struct conenat_pkt p;
	unsigned int len = 20 + 3000;

	th->source = htons(4000);
	th->dest = htons(80);
	th->doff = 5;
	th->ack = 1;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~tcp_v4_check(len, INT_ADDR, REMOTE, 0);
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;

	KUNIT_ASSERT_EQ(test, conenat_parse(skb, &p, true), 0);
	KUNIT_EXPECT_EQ(test, p.proto, (u8)CONENAT_TCP);
	KUNIT_EXPECT_EQ(test, p.tcp_flags, (u8)CONENAT_TCPF_ACK);
	conenat_rewrite(skb, &p, true, EXT_ADDR, htons(20000));
	th = tcp_hdr(skb);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->saddr, EXT_ADDR);
	KUNIT_EXPECT_EQ(test, th->source, htons(20000));
	KUNIT_EXPECT_EQ(test, ip_fast_csum(ip_hdr(skb), 5), (__sum16)0);
	KUNIT_EXPECT_EQ(test, th->check,
			(__sum16)~tcp_v4_check(len, EXT_ADDR, REMOTE, 0));
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, 1000);
	kfree_skb(skb);
}

/* UDP with CHECKSUM_PARTIAL: the same, and a zero result is no concern. */
static void conenat_test_udp_partial(struct kunit *test)
{
	struct sk_buff *skb = kunit_packet(test, IPPROTO_UDP, 8 + 100);
	struct udphdr *uh = udp_hdr(skb);
	struct conenat_pkt p;

	uh->source = htons(5000);
	uh->dest = htons(3478);
	uh->len = htons(108);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct udphdr, check);
	uh->check = ~udp_v4_check(108, REMOTE, INT_ADDR, 0);

	/* Inbound: the destination is rewritten. */
	ip_hdr(skb)->saddr = REMOTE;
	ip_hdr(skb)->daddr = EXT_ADDR;
	uh->check = ~udp_v4_check(108, REMOTE, EXT_ADDR, 0);
	KUNIT_ASSERT_EQ(test, conenat_parse(skb, &p, false), 0);
	conenat_rewrite(skb, &p, false, INT_ADDR, htons(4000));
	KUNIT_EXPECT_EQ(test, udp_hdr(skb)->dest, htons(4000));
	KUNIT_EXPECT_EQ(test, udp_hdr(skb)->check,
			(__sum16)~udp_v4_check(108, REMOTE, INT_ADDR, 0));
	kfree_skb(skb);
}

/*
 * An ICMP error whose quote sits in a page fragment, cut after @quoted
 * bytes of the quoted UDP header: parsing pulls what it needs, and
 * refuses a quote shorter than RFC 792's 8 bytes.
 */
static struct sk_buff *kunit_paged_error(struct kunit *test,
					 unsigned int quoted)
{
	struct sk_buff *skb = kunit_packet(test, IPPROTO_ICMP, 8);
	struct icmphdr *icmph = icmp_hdr(skb);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct iphdr *inner;
	struct udphdr *uh;

	KUNIT_ASSERT_NOT_NULL(test, page);
	icmph->type = ICMP_DEST_UNREACH;
	icmph->code = ICMP_PORT_UNREACH;
	ip_hdr(skb)->saddr = REMOTE;
	ip_hdr(skb)->daddr = EXT_ADDR;
	inner = page_address(page);
	inner->version = 4;
	inner->ihl = 5;
	inner->protocol = IPPROTO_UDP;
	inner->tot_len = htons(20 + 8);
	inner->saddr = EXT_ADDR;
	inner->daddr = REMOTE;
	inner->check = ip_fast_csum(inner, 5);
	uh = (struct udphdr *)(inner + 1);
	uh->source = htons(20001);
	uh->dest = htons(3478);
	skb_fill_page_desc(skb, 0, page, 0, 20 + quoted);
	skb->len += 20 + quoted;
	skb->data_len += 20 + quoted;
	skb->truesize += PAGE_SIZE;
	ip_hdr(skb)->tot_len = htons(skb->len);
	ip_hdr(skb)->check = 0;
	ip_hdr(skb)->check = ip_fast_csum(ip_hdr(skb), 5);
	return skb;
}

static void conenat_test_icmp_error_truncated(struct kunit *test)
{
	struct sk_buff *skb = kunit_paged_error(test, 4);
	struct conenat_pkt p;

	KUNIT_EXPECT_EQ(test, conenat_parse(skb, &p, false), -EINVAL);
	kfree_skb(skb);
}

static void conenat_test_icmp_error_paged(struct kunit *test)
{
	struct sk_buff *skb = kunit_paged_error(test, 8);
	struct conenat_pkt p;
	struct iphdr *inner;

	KUNIT_ASSERT_EQ(test, conenat_parse(skb, &p, false), 0);
	KUNIT_EXPECT_EQ(test, p.proto, (u8)CONENAT_UDP);
	KUNIT_EXPECT_EQ(test, p.sport, htons(20001));
	/* A valid error: its checksum is updated, not made anew. */
	icmp_hdr(skb)->checksum = 0;
	icmp_hdr(skb)->checksum = csum_fold(skb_checksum(skb, p.thoff,
							 skb->len - p.thoff,
							 0));
	/* What conenat_error_prepare() makes writable. */
	KUNIT_ASSERT_EQ(test, skb_ensure_writable(skb, p.ithoff + 8), 0);
	conenat_rewrite_error(skb, &p, false, INT_ADDR, htons(4000));
	inner = (struct iphdr *)(skb->data + p.ioff);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->daddr, INT_ADDR);
	KUNIT_EXPECT_EQ(test, inner->saddr, INT_ADDR);
	KUNIT_EXPECT_EQ(test, ((struct udphdr *)(inner + 1))->source,
			htons(4000));
	KUNIT_EXPECT_EQ(test, ip_fast_csum(inner, 5), (__sum16)0);
	KUNIT_EXPECT_EQ(test, csum_fold(skb_checksum(skb, p.thoff,
						     skb->len - p.thoff, 0)),
			(__sum16)0);
	kfree_skb(skb);
}

/* An instance without hooks or GC: its table and configuration only. */
struct conenat_kunit_ctx {
	struct conenat_instance inst;
	struct conenat_config cfg;
	atomic_t running;
	atomic_t bad;
	struct completion done;
	bool stop;
};

static void kunit_event(struct conenat_table *t,
			const struct conenat_mapping *m, u8 cmd)
{
}

static struct conenat_kunit_ctx *kunit_instance(struct kunit *test)
{
	struct conenat_kunit_ctx *c = kunit_kzalloc(test, sizeof(*c),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	conenat_config_defaults(&c->cfg, 65536);
	c->cfg.max_per_host = 65536;
	c->cfg.timeout[CONENAT_TO_HOLDDOWN] = 0;
	strscpy(c->cfg.ifname, "kunit0", IFNAMSIZ);
	conenat_config_derive(&c->cfg);
	c->inst.net = &init_net;
	c->inst.ext_addr = EXT_ADDR;
	RCU_INIT_POINTER(c->inst.cfg, &c->cfg);
	KUNIT_ASSERT_EQ(test,
			conenat_table_init(&c->inst.table, &init_net,
					   kunit_event),
			0);
	init_completion(&c->done);
	return c;
}

static void kunit_instance_end(struct conenat_kunit_ctx *c)
{
	conenat_flush(&c->inst, CONENAT_SCAN_ALL, -1);
	rcu_barrier();
	conenat_table_destroy(&c->inst.table);
}

/* Run @fn on every online CPU at once, and wait for all of them. */
static void kunit_on_each_cpu(struct kunit *test, struct conenat_kunit_ctx *c,
			      int (*fn)(void *))
{
	struct task_struct *t;
	int cpu;

	atomic_set(&c->running, num_online_cpus());
	for_each_online_cpu(cpu) {
		t = kthread_create(fn, c, "conenat_kunit/%d", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	wait_for_completion(&c->done);
}

static void kunit_thread_done(struct conenat_kunit_ctx *c)
{
	if (atomic_dec_and_test(&c->running))
		complete(&c->done);
}

/* Every CPU creates the mapping of one endpoint; all must get one. */
static int kunit_insert_same(void *arg)
{
	struct conenat_kunit_ctx *c = arg;
	struct conenat_mapping *m, *first = NULL;
	enum conenat_stat event;
	int i;

	for (i = 0; i < 2000; i++) {
		event = CONENAT_STAT_UNSPEC;
		rcu_read_lock();
		m = conenat_mapping_create(&c->inst, &c->cfg, CONENAT_UDP,
					   INT_ADDR, htons(4000),
					   jiffies + 60 * HZ, &event, 0);
		if (!first)
			first = m;
		if (!m || m != first)
			atomic_inc(&c->bad);
		rcu_read_unlock();
	}
	kunit_thread_done(c);
	return 0;
}

static void conenat_test_concurrent_insert(struct kunit *test)
{
	struct conenat_kunit_ctx *c = kunit_instance(test);
	struct conenat_mapping *m, *x = NULL;

	kunit_on_each_cpu(test, c, kunit_insert_same);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->inst.table.count), 1);
	rcu_read_lock();
	m = conenat_lookup_int(&c->inst.table, CONENAT_UDP, INT_ADDR,
			       htons(4000));
	if (m)
		x = conenat_lookup_ext(&c->inst.table, CONENAT_UDP, EXT_ADDR,
				       m->ext_port);
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, m);
	KUNIT_EXPECT_PTR_EQ(test, m, x);
	kunit_instance_end(c);
}

/*
 * CPU 0 walks the table retiring what is due, the others create mappings
 * that are due at once and look them up, reading every field: KASAN and
 * lockdep watch. Every mapping found by its inside key must be the one
 * its outside key finds, or dead.
 */
static int kunit_gc_race(void *arg)
{
	struct conenat_kunit_ctx *c = arg;
	__be32 host = htonl(ntohl(INT_ADDR) + smp_processor_id());
	struct conenat_table *t = &c->inst.table;
	struct conenat_mapping *m, *x;
	enum conenat_stat event;
	unsigned int b;
	__be16 port;

	while (!READ_ONCE(c->stop)) {
		if (smp_processor_id() == 0) {
			conenat_table_walk_begin(t);
			for (b = 0; b < conenat_table_buckets(t); b += 32)
				conenat_table_scan(&c->inst, b, 32,
						   CONENAT_SCAN_DUE, -1);
			conenat_table_walk_end(t);
			cond_resched();
			continue;
		}
		port = htons(1000 + get_random_u32() % 64);
		rcu_read_lock();
		conenat_mapping_create(&c->inst, &c->cfg, CONENAT_UDP, host,
				       port, jiffies, &event, 0);
		m = conenat_lookup_int(&c->inst.table, CONENAT_UDP, host, port);
		if (m && conenat_mapping_alive(m)) {
			x = conenat_lookup_ext(&c->inst.table, CONENAT_UDP,
					       m->ext_addr, m->ext_port);
			if (x && x != m && conenat_mapping_alive(x))
				atomic_inc(&c->bad);
		}
		rcu_read_unlock();
		cond_resched();
	}
	kunit_thread_done(c);
	return 0;
}

static int kunit_stop_later(void *arg)
{
	struct conenat_kunit_ctx *c = arg;

	msleep(2000);
	WRITE_ONCE(c->stop, true);
	return 0;
}

static void conenat_test_gc_races_lookups(struct kunit *test)
{
	struct conenat_kunit_ctx *c = kunit_instance(test);
	struct task_struct *stopper;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	stopper = kthread_run(kunit_stop_later, c, "conenat_kunit_stop");
	KUNIT_ASSERT_FALSE(test, IS_ERR(stopper));
	kunit_on_each_cpu(test, c, kunit_gc_race);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->bad), 0);
	kunit_instance_end(c);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->inst.table.count), 0);
}

/*
 * CPU 0 resizes the indexes back and forth between the smallest size and
 * 4096 buckets while the others make long-lived mappings and look each
 * one up by both keys: a resize never hides a mapping from a reader, nor
 * from a writer, which would then make a second mapping for it.
 */
static int kunit_resize_race(void *arg)
{
	struct conenat_kunit_ctx *c = arg;
	__be32 host = htonl(ntohl(INT_ADDR) + smp_processor_id());
	struct conenat_table *t = &c->inst.table;
	struct conenat_mapping *m;
	enum conenat_stat event;
	bool big = false;
	__be16 port;
	u32 n;

	while (!READ_ONCE(c->stop)) {
		if (smp_processor_id() == 0) {
			big = !big;
			n = big ? 4096 : 0;
			mutex_lock(&t->resize_lock);
			conenat_table_fit(t, n, n, n);
			mutex_unlock(&t->resize_lock);
			cond_resched();
			continue;
		}
		port = htons(1024 + get_random_u32() % 4096);
		rcu_read_lock();
		m = conenat_mapping_create(&c->inst, &c->cfg, CONENAT_UDP, host,
					   port, jiffies + 3600 * HZ, &event, 0);
		if (!m || conenat_lookup_int(t, CONENAT_UDP, host, port) != m ||
		    conenat_lookup_ext(t, CONENAT_UDP, m->ext_addr,
				       m->ext_port) != m)
			atomic_inc(&c->bad);
		rcu_read_unlock();
		cond_resched();
	}
	kunit_thread_done(c);
	return 0;
}

/* The entries of the outside index, each once. No resize meanwhile. */
static u32 kunit_ext_entries(struct conenat_table *t)
{
	struct conenat_buckets *tb = rcu_dereference_protected(t->ext_ix.tbl,
								1);
	struct conenat_node *n;
	u32 b, count = 0;

	for (b = 0; b < (1U << tb->bits); b++)
		for (n = conenat_bucket_first(&tb->b[b]); !conenat_is_nulls(n);
		     n = conenat_node_next(n))
			count++;
	return count;
}

static void conenat_test_resize_races_lookups(struct kunit *test)
{
	struct conenat_kunit_ctx *c = kunit_instance(test);
	struct conenat_table *t = &c->inst.table;
	struct task_struct *stopper;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	stopper = kthread_run(kunit_stop_later, c, "conenat_kunit_stop");
	KUNIT_ASSERT_FALSE(test, IS_ERR(stopper));
	kunit_on_each_cpu(test, c, kunit_resize_race);
	flush_work(&t->resize_work);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&t->count), 1000);
	KUNIT_EXPECT_EQ(test, kunit_ext_entries(t), atomic_read(&t->count));
	conenat_flush(&c->inst, CONENAT_SCAN_ALL, -1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->count), 0);
	/* Emptied, the table goes back to its smallest size. */
	rcu_read_lock();
	conenat_table_check_size(t);
	rcu_read_unlock();
	flush_work(&t->resize_work);
	KUNIT_EXPECT_EQ(test, BIT(conenat_index_order(&t->ext_ix)),
			BIT(CONENAT_MIN_HASH_BITS));
	KUNIT_EXPECT_EQ(test, BIT(conenat_index_order(&t->host_ix)),
			BIT(CONENAT_MIN_HASH_BITS));
	kunit_instance_end(c);
}

static struct kunit_case conenat_kunit_cases[] = {
	KUNIT_CASE(conenat_test_tcp_gso_partial),
	KUNIT_CASE(conenat_test_udp_partial),
	KUNIT_CASE(conenat_test_icmp_error_truncated),
	KUNIT_CASE(conenat_test_icmp_error_paged),
	KUNIT_CASE(conenat_test_concurrent_insert),
	KUNIT_CASE(conenat_test_gc_races_lookups),
	KUNIT_CASE(conenat_test_resize_races_lookups),
	{}
};

static struct kunit_suite conenat_kunit_suite = {
	.name = "conenat",
	.test_cases = conenat_kunit_cases,
};

kunit_test_suite(conenat_kunit_suite);
