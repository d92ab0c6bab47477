/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thin shim that lets the module's pure files (kmod/config.c) build in
 * userspace: kernel integer types and the few libc equivalents they use.
 */
#ifndef CONENAT_UNIT_SHIM_H
#define CONENAT_UNIT_SHIM_H

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define BIT(n) (1UL << (n))

#endif
