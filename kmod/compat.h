/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the supported kernels lives here. Kbuild
 * force-includes this file and defines COMPAT_* from probes of the
 * kernel's headers; no .c file tests LINUX_VERSION_CODE.
 */
#ifndef _CONENAT_COMPAT_H
#define _CONENAT_COMPAT_H

#ifdef __KERNEL__
#include <net/genetlink.h>
#include <net/udp.h>

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
static inline struct nlattr **conenat_dump_attrs(struct netlink_callback *cb)
{
#ifdef COMPAT_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

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
