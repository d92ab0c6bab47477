/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's netlink attribute API as kmod/attrs.c uses it, for
 * userspace, on top of shim.h: attributes in a flat buffer (an sk_buff
 * of shim.h with room up to its end), and nla_parse_nested() with the
 * kernel's strict validation (lib/nlattr.c with NL_VALIDATE_STRICT):
 * unknown types, NLA_UNSPEC entries, wrong lengths, a missing or
 * unexpected NLA_F_NESTED, out-of-range integers and trailing bytes are
 * refused, nested policies are applied all the way down, and the last
 * of an attribute given twice wins. Written from the documented
 * behaviour, not from the kernel's code.
 */
#ifndef CONENAT_UNIT_NLSHIM_H
#define CONENAT_UNIT_NLSHIM_H

#include <linux/netlink.h>

#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct netlink_ext_ack {
	const char *_msg;
	const struct nlattr *bad_attr;
};

#define NL_SET_ERR_MSG(e, m)	do { if (e) (e)->_msg = (m); } while (0)
#define NL_SET_ERR_MSG_ATTR(e, a, m)			\
	do {						\
		if (e) {				\
			(e)->_msg = (m);		\
			(e)->bad_attr = (a);		\
		}					\
	} while (0)

enum {
	NLA_UNSPEC, NLA_U8, NLA_U16, NLA_U32, NLA_BE32, NLA_FLAG,
	NLA_NUL_STRING, NLA_NESTED,
};

enum { NLA_VALIDATE_NONE, NLA_VALIDATE_MIN, NLA_VALIDATE_MAX,
       NLA_VALIDATE_RANGE_PTR };

struct netlink_range_validation {
	u64 min, max;
};

struct nla_policy {
	u8 type;
	u8 validation;
	u16 len;
	long long min, max;
	const struct netlink_range_validation *range;
	const struct nla_policy *nested;
	unsigned int maxtype;
};

#define NLA_POLICY_MIN(t, v)	{ .type = t, .validation = NLA_VALIDATE_MIN, \
				  .min = v }
#define NLA_POLICY_MAX(t, v)	{ .type = t, .validation = NLA_VALIDATE_MAX, \
				  .max = v }
#define NLA_POLICY_FULL_RANGE(t, r) { .type = t, \
				  .validation = NLA_VALIDATE_RANGE_PTR, \
				  .range = r }
#define NLA_POLICY_NESTED(p)	{ .type = NLA_NESTED, .nested = p, \
				  .maxtype = ARRAY_SIZE(p) - 1 }

static inline int nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline int nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline void *nla_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline bool nla_ok(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem;
}

static inline struct nlattr *nla_next(const struct nlattr *a, int *rem)
{
	unsigned int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

#define nla_for_each_attr(pos, head, len, rem)				\
	for (pos = (struct nlattr *)(head), rem = (len); nla_ok(pos, rem); \
	     pos = nla_next(pos, &(rem)))
#define nla_for_each_nested(pos, nla, rem)				\
	nla_for_each_attr(pos, nla_data(nla), nla_len(nla), rem)

static inline u8 nla_get_u8(const struct nlattr *a)
{
	return *(u8 *)nla_data(a);
}

static inline u16 nla_get_u16(const struct nlattr *a)
{
	u16 v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static inline u32 nla_get_u32(const struct nlattr *a)
{
	u32 v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static inline __be32 nla_get_in_addr(const struct nlattr *a)
{
	return (__be32)nla_get_u32(a);
}

static inline ssize_t nla_strscpy(char *dst, const struct nlattr *a,
				  size_t size)
{
	size_t n = strnlen(nla_data(a), nla_len(a));

	if (n >= size)
		n = size - 1;
	memcpy(dst, nla_data(a), n);
	dst[n] = 0;
	return n;
}

static int shim_nla_parse(struct nlattr **tb, int maxtype,
			  const struct nlattr *head, int len,
			  const struct nla_policy *policy,
			  struct netlink_ext_ack *extack);

/* lib/nlattr.c's validate_nla() under NL_VALIDATE_STRICT, in short. */
static int shim_validate(const struct nlattr *a, const struct nla_policy *pt,
			 struct netlink_ext_ack *extack)
{
	static const int fixed[] = {
		[NLA_U8] = 1, [NLA_U16] = 2, [NLA_U32] = 4, [NLA_BE32] = 4,
	};
	bool nested = a->nla_type & NLA_F_NESTED;
	int len = nla_len(a);
	long long v;

	if (pt->type == NLA_NESTED && !nested) {
		NL_SET_ERR_MSG_ATTR(extack, a, "NLA_F_NESTED is missing");
		return -EINVAL;
	}
	if (pt->type != NLA_NESTED && nested) {
		NL_SET_ERR_MSG_ATTR(extack, a, "NLA_F_NESTED not expected");
		return -EINVAL;
	}
	switch (pt->type) {
	case NLA_UNSPEC:
		NL_SET_ERR_MSG_ATTR(extack, a, "Unsupported attribute");
		return -EINVAL;
	case NLA_FLAG:
		return len ? -ERANGE : 0;
	case NLA_NUL_STRING:
		/* A NUL within the first len + 1 bytes, as the kernel's. */
		if (!memchr(nla_data(a), 0, len < pt->len + 1 ? len :
					     pt->len + 1)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "invalid string");
			return -EINVAL;
		}
		return 0;
	case NLA_NESTED: {
		struct nlattr *tb[64];

		if (!len || !pt->nested)
			return 0;
		return shim_nla_parse(tb, pt->maxtype, nla_data(a), len,
				      pt->nested, extack);
	}
	default:
		break;
	}
	if (len != fixed[pt->type]) {
		NL_SET_ERR_MSG_ATTR(extack, a, "invalid attribute length");
		return -EINVAL;
	}
	v = pt->type == NLA_U8 ? nla_get_u8(a) :
	    pt->type == NLA_U16 ? nla_get_u16(a) : nla_get_u32(a);
	if ((pt->validation == NLA_VALIDATE_MIN && v < pt->min) ||
	    (pt->validation == NLA_VALIDATE_MAX && v > pt->max) ||
	    (pt->validation == NLA_VALIDATE_RANGE_PTR &&
	     ((u64)v < pt->range->min || (u64)v > pt->range->max))) {
		NL_SET_ERR_MSG_ATTR(extack, a, "integer out of range");
		return -ERANGE;
	}
	return 0;
}

static int shim_nla_parse(struct nlattr **tb, int maxtype,
			  const struct nlattr *head, int len,
			  const struct nla_policy *policy,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem, err;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	nla_for_each_attr(a, head, len, rem) {
		int type = nla_type(a);

		if (type == 0 || type > maxtype) {
			NL_SET_ERR_MSG_ATTR(extack, a, "Unknown attribute type");
			return -EINVAL;
		}
		err = shim_validate(a, &policy[type], extack);
		if (err)
			return err;
		tb[type] = a;
	}
	if (rem) {
		NL_SET_ERR_MSG(extack, "bytes leftover after parsing attributes");
		return -EINVAL;
	}
	return 0;
}

static inline int nla_parse_nested(struct nlattr **tb, int maxtype,
				   const struct nlattr *nla,
				   const struct nla_policy *policy,
				   struct netlink_ext_ack *extack)
{
	if (!(nla->nla_type & NLA_F_NESTED)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "NLA_F_NESTED is missing");
		return -EINVAL;
	}
	return shim_nla_parse(tb, maxtype, nla_data(nla), nla_len(nla),
			      policy, extack);
}

static inline int nla_put(struct sk_buff *skb, int type, int len,
			  const void *data)
{
	struct nlattr *a = (struct nlattr *)(skb->data + skb->len);
	unsigned int size = NLA_ALIGN(NLA_HDRLEN + len);

	if (skb->len + size > skb->end)
		return -EMSGSIZE;
	memset(a, 0, size);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(nla_data(a), data, len);
	skb->len += size;
	return 0;
}

static inline int nla_put_u8(struct sk_buff *skb, int type, u8 v)
{
	return nla_put(skb, type, sizeof(v), &v);
}

static inline int nla_put_u16(struct sk_buff *skb, int type, u16 v)
{
	return nla_put(skb, type, sizeof(v), &v);
}

static inline int nla_put_u32(struct sk_buff *skb, int type, u32 v)
{
	return nla_put(skb, type, sizeof(v), &v);
}

static inline int nla_put_in_addr(struct sk_buff *skb, int type, __be32 v)
{
	return nla_put(skb, type, sizeof(v), &v);
}

static inline int nla_put_string(struct sk_buff *skb, int type,
				 const char *s)
{
	return nla_put(skb, type, strlen(s) + 1, s);
}

static inline int nla_put_flag(struct sk_buff *skb, int type)
{
	return nla_put(skb, type, 0, NULL);
}

static inline struct nlattr *nla_nest_start(struct sk_buff *skb, int type)
{
	struct nlattr *a = (struct nlattr *)(skb->data + skb->len);

	return nla_put(skb, type | NLA_F_NESTED, 0, NULL) ? NULL : a;
}

static inline int nla_nest_end(struct sk_buff *skb, struct nlattr *start)
{
	start->nla_len = skb->data + skb->len - (unsigned char *)start;
	return skb->len;
}

#endif
