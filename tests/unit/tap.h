/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the userspace unit tests. Each test binary calls
 * ok() per check and returns tap_done(), which prints the plan and the
 * closing "N passed, N failed" line and returns the exit status.
 */
#ifndef CONENAT_TAP_H
#define CONENAT_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

static inline int tap_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", tap_n, tap_n - tap_failed,
	       tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
