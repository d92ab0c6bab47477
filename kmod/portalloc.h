/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outside port ranges and the choice of a port for a new mapping
 * (portalloc.c). Pure; also built in userspace by tests/unit.
 */
#ifndef _CONENAT_PORTALLOC_H
#define _CONENAT_PORTALLOC_H

#include "config.h"

/* Candidate ports tried per new mapping; bounds the work in softirq. */
#define CONENAT_PORT_ATTEMPTS	128

int conenat_ranges_add(struct conenat_port_ranges *pr, u16 min, u16 max,
		       const char **why);
bool conenat_ranges_contain(const struct conenat_port_ranges *pr, u16 port);
u16 conenat_ranges_port(const struct conenat_port_ranges *pr, u32 index);
u32 conenat_port_tries(const struct conenat_port_ranges *pr);
u16 conenat_port_candidate(const struct conenat_port_ranges *pr, u32 i,
			   u32 seed, u32 rnd);

#endif /* _CONENAT_PORTALLOC_H */
