/* SPDX-License-Identifier: GPL-2.0 */
/* The module's version, which the tool reports too; set at release. */
#ifndef _CONENAT_VERSION_H
#define _CONENAT_VERSION_H

#define CONENAT_VERSION "0.1.0"

#endif /* _CONENAT_VERSION_H */
