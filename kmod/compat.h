/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the supported kernels lives here. Kbuild
 * force-includes this file and defines COMPAT_* from probes of the
 * kernel's headers; no .c file tests LINUX_VERSION_CODE.
 */
#ifndef _CONENAT_COMPAT_H
#define _CONENAT_COMPAT_H

#ifdef __KERNEL__
#include <linux/overflow.h>
#include <net/genetlink.h>
#include <net/udp.h>

/*
 * Upstream names, for the kernels before them: the .c files call what
 * today's kernel calls, and this supplies it where it is missing.
 */

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
#ifndef COMPAT_HAVE_GENL_INFO_DUMP
static inline const struct genl_dumpit_info *
genl_info_dump(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb);
}
#endif

/* 6.5 named the size of a flexible struct; only later 6.1 stables have it. */
#ifndef struct_size_t
#define struct_size_t(type, member, count) \
	struct_size((type *)NULL, member, count)
#endif

/*
 * 6.2 gave each namespace a pointer to its UDP table (a field, which no
 * compat can backfill under its own name); before, all shared one.
 */
static inline struct udp_table *conenat_udp_table(struct net *net)
{
#ifdef COMPAT_HAVE_NETNS_UDP_TABLE
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}
#endif

#endif /* _CONENAT_COMPAT_H */
