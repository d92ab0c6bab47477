/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GC (gc.c): each instance's work that retires idle mappings and
 * connections a bounded number of buckets at a time, and flushes.
 */
#ifndef _CONENAT_GC_H
#define _CONENAT_GC_H

#include "table.h"

struct conenat_instance;

void conenat_gc_start(struct conenat_instance *inst);
void conenat_gc_stop(struct conenat_instance *inst);
void conenat_flush(struct conenat_instance *inst, enum conenat_scan what,
		   int proto);

#endif /* _CONENAT_GC_H */
