/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port forwards (forward.c): the static mappings of a configuration,
 * made and replaced as the configuration changes.
 */
#ifndef _CONENAT_FORWARD_H
#define _CONENAT_FORWARD_H

struct conenat_instance;
struct conenat_config;

void conenat_forwards_map(struct conenat_instance *inst,
			  const struct conenat_config *cfg);
int conenat_forwards_replace(struct conenat_instance *inst,
			     const struct conenat_config *old,
			     const struct conenat_config *cfg,
			     unsigned int *bad);

#endif /* _CONENAT_FORWARD_H */
