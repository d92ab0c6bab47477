// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings as netlink messages: the events of the family's multicast
 * group, and the mapping dump (CONENAT_CMD_GET_MAPPINGS), which walks
 * the outside index bucket by bucket under RCU.
 */
#include <linux/in.h>
#include <net/genetlink.h>
#include "events.h"
#include "instance.h"
#include "netlink.h"

/* @m as a CONENAT_A_MAPPING nest. RCU read side. */
static int conenat_put_mapping_attrs(struct sk_buff *skb,
				     const struct conenat_mapping *m)
{
	unsigned long expires = READ_ONCE(m->expires);
	struct nlattr *nest;
	u32 nconns = 0;
	u8 state = 0;
	long left;

	if (m->proto == CONENAT_TCP)
		expires = conenat_conns_summary(m, &nconns, &state);
	left = (long)(expires - jiffies);

	nest = nla_nest_start(skb, CONENAT_A_MAPPING);
	if (!nest ||
	    nla_put_u8(skb, CONENAT_MAP_A_PROTO, conenat_proto_ipproto(m->proto)) ||
	    nla_put_in_addr(skb, CONENAT_MAP_A_INT_ADDR, m->int_addr) ||
	    nla_put_u16(skb, CONENAT_MAP_A_INT_PORT, ntohs(m->int_port)) ||
	    nla_put_in_addr(skb, CONENAT_MAP_A_EXT_ADDR, m->ext_addr) ||
	    nla_put_u16(skb, CONENAT_MAP_A_EXT_PORT, ntohs(m->ext_port)) ||
	    (conenat_map_fixed(m) ? nla_put_flag(skb, CONENAT_MAP_A_STATIC) :
			nla_put_u32(skb, CONENAT_MAP_A_EXPIRES,
				    jiffies_to_msecs(max(left, 0L)))) ||
	    (m->proto == CONENAT_TCP &&
	     (nla_put_u8(skb, CONENAT_MAP_A_STATE, state) ||
	      nla_put_u32(skb, CONENAT_MAP_A_CONNS, nconns))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int conenat_put_mapping(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       const struct conenat_mapping *m)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			  cb->nlh->nlmsg_seq, &conenat_family, NLM_F_MULTI,
			  CONENAT_CMD_GET_MAPPINGS);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (conenat_put_mapping_attrs(skb, m)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * conenat_notify - tell the event listeners of @net about @m
 * @net: the namespace
 * @m: the mapping, created or expired
 * @cmd: CONENAT_CMD_MAPPING_NEW or CONENAT_CMD_MAPPING_EXPIRED
 *
 * Costs one check while nobody listens. Context: any; RCU read side.
 */
void conenat_notify(struct net *net, const struct conenat_mapping *m, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&conenat_family, net, CONENAT_MCGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &conenat_family, 0, cmd);
	if (!hdr || conenat_put_mapping_attrs(msg, m)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&conenat_family, net, msg, 0,
				CONENAT_MCGRP_EVENTS, GFP_ATOMIC);
}

static bool conenat_dump_match(const struct conenat_mapping *m,
			       struct nlattr **tb)
{
	if (!conenat_mapping_alive(m))
		return false;
	if (tb[CONENAT_A_PROTO] &&
	    conenat_proto_ipproto(m->proto) != nla_get_u8(tb[CONENAT_A_PROTO]))
		return false;
	return !tb[CONENAT_A_INT_ADDR] ||
	       m->int_addr == nla_get_in_addr(tb[CONENAT_A_INT_ADDR]);
}

/*
 * The mappings of one outside bucket, from its @seen-th on, into @skb.
 * Returns the position of the first that did not fit, or -1 when all
 * did. RCU read side.
 */
static long conenat_dump_bucket(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct conenat_bucket *head,
				unsigned long seen, struct nlattr **tb)
{
	const struct conenat_mapping *m;
	struct conenat_node *n;
	unsigned long i = 0;

	for (n = conenat_bucket_first(head); !conenat_is_nulls(n);
	     n = conenat_node_next(n)) {
		m = container_of(n, struct conenat_mapping, ext_node);
		if (i++ < seen || !conenat_dump_match(m, tb))
			continue;
		if (conenat_put_mapping(skb, cb, m))
			return i - 1;
	}
	return -1;
}

/*
 * One message per mapping, whole outside buckets per part of the dump:
 * a bucket is walked under one RCU read section, and a mapping never
 * changes bucket but in a resize of the index, so every mapping that
 * lives through the dump is in it once, however busy the table. A part
 * that cannot take the next bucket whole ends before it. The dump is
 * flagged NLM_F_DUMP_INTR if the instance changed between parts, if the
 * index was resized since the dump began (resizes are rare: the index
 * doubles or quarters), and, when a bucket too big for a part of its own
 * is resumed by position, if the table changed meanwhile. cb->args:
 * bucket, position in it, the table's gen at a stop inside a bucket, the
 * table's id, its resize count at the start.
 */
int conenat_dump_mappings(struct sk_buff *skb,
			  struct netlink_callback *cb)
{
	struct conenat_net *cn = conenat_pernet(sock_net(skb->sk));
	struct nlattr **tb = genl_info_dump(cb)->attrs;
	unsigned long bucket = cb->args[0], seen = cb->args[1];
	struct conenat_instance *inst;
	struct conenat_buckets *array;
	struct conenat_table *t;
	unsigned int start;
	long stop = -1;

	rcu_read_lock();
	inst = rcu_dereference(cn->inst);
	t = inst ? &inst->table : NULL;
	if (!cb->seq) {
		cb->seq = 1;
		cb->args[3] = t ? t->id : 0;
		cb->args[4] = t ? READ_ONCE(t->resizes) : 0;
	} else if (!t || t->id != cb->args[3] ||
		   (seen && atomic_read(&t->gen) != cb->args[2])) {
		cb->seq++;	/* NLM_F_DUMP_INTR from here on */
	}
	if (t && t->id != cb->args[3])
		t = NULL;	/* another instance's table: the dump ends */
	array = t ? conenat_index_first(&t->ext_ix) : NULL;
	for (; t && bucket < (1UL << array->bits); bucket++, seen = 0) {
		start = skb->len;
		stop = conenat_dump_bucket(skb, cb, &array->b[bucket], seen, tb);
		if (stop < 0)
			continue;
		if (start) {
			nlmsg_trim(skb, skb->data + start);
			stop = 0;
		} else if (stop == seen) {
			/* Not one mapping fits in a part of its own. */
			rcu_read_unlock();
			return -EMSGSIZE;
		}
		cb->args[2] = atomic_read(&t->gen);
		break;
	}
	/* Flags the next part's first message, or the DONE. */
	if (t && !conenat_table_settled(t, array, cb->args[4]))
		cb->seq++;
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = stop < 0 ? 0 : stop;
	return skb->len;
}
