/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks (hooks.c) of an instance.
 */
#ifndef _CONENAT_HOOKS_H
#define _CONENAT_HOOKS_H

struct conenat_instance;

int conenat_hooks_register(struct conenat_instance *inst);
void conenat_hooks_unregister(struct conenat_instance *inst);

#endif /* _CONENAT_HOOKS_H */
