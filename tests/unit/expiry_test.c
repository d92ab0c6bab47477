// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the expiry stamps (kmod/expiry.h) across a wrap of
 * jiffies, and of port forwards at any uptime. run.sh builds this file
 * twice: as 64-bit code and as 32-bit code, where unsigned long jiffies
 * wrap every 49.7 days at HZ=1000 and a 32-bit kernel's jiffies start 5
 * minutes before the first wrap.
 */
#include <limits.h>
#include <stdio.h>
#include "config.h"
#include "expiry.h"
#include "tap.h"

#define SEC(s)	((unsigned long)(s) * HZ)
#define DAY	SEC(24 * 3600)

/* Boot time on a 32-bit kernel (INITIAL_JIFFIES), and just before a wrap. */
static const unsigned long starts[] = { -SEC(300), -SEC(1), 0, 12345 };

static void test_idle_timeout_across_wrap(void)
{
	unsigned int i, wrong = 0;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		unsigned long t0 = starts[i];
		unsigned long e = conenat_expiry_from(t0, SEC(300));

		wrong += !conenat_alive_at(false, false, false, e, t0);
		wrong += !conenat_alive_at(false, false, false, e,
					   t0 + SEC(300) - 1);
		wrong += conenat_alive_at(false, false, false, e, t0 + SEC(300));
		wrong += conenat_alive_at(false, false, false, e, t0 + SEC(301));
		wrong += conenat_alive_at(true, false, false, e, t0);
		/* A TCP connection keeps an idle mapping. */
		wrong += !conenat_alive_at(false, false, true, e, t0 + DAY);
	}
	ok(!wrong, "a 300 s mapping lives exactly 300 s, across a wrap too (%u wrong)",
	   wrong);
}

/* Today's 32-bit bug: a stamp MAX_JIFFY_OFFSET ahead flips after 12 days. */
static void test_forward_never_expires(void)
{
	static const unsigned int days[] = { 1, 12, 13, 24, 25, 49, 50, 100,
					     365, 3650 };
	unsigned int i, j, wrong = 0;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		for (j = 0; j < sizeof(days) / sizeof(days[0]); j++) {
			unsigned long t0 = starts[i];
			unsigned long now = t0 + days[j] * DAY;

			wrong += !conenat_alive_at(false, true, false, t0, now);
			wrong += !conenat_alive_at(false, true, false,
						   t0 + (ULONG_MAX >> 2), now);
		}
	ok(!wrong, "a port forward lives at any uptime (%u wrong)", wrong);
}

static void test_stamp_across_wrap(void)
{
	unsigned long s = -SEC(1);

	conenat_stamp(&s, SEC(1), false);
	ok(s == SEC(1), "a refresh past the wrap moves the stamp on");
	conenat_stamp(&s, -SEC(2), false);
	ok(s == SEC(1), "an older expiry from before the wrap is ignored");
	conenat_stamp(&s, -SEC(2), true);
	ok(s == -SEC(2), "a FIN or RST may shorten it across the wrap");
}

/* Every timeout the configuration allows stays within time_before()'s range. */
static void test_longest_timeout(void)
{
	unsigned int i, wrong = 0;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		unsigned long t0 = starts[i];
		unsigned long e = conenat_expiry_from(t0, SEC(CONENAT_MAX_TIMEOUT));

		wrong += !conenat_alive_at(false, false, false, e,
					   e - 1);
		wrong += conenat_alive_at(false, false, false, e, e);
		wrong += !time_after(e, t0);
	}
	ok(!wrong, "a %u s timeout (the longest) works from any start (%u wrong)",
	   CONENAT_MAX_TIMEOUT, wrong);
}

int main(void)
{
	printf("# unsigned long is %zu bits\n", sizeof(unsigned long) * 8);
	test_idle_timeout_across_wrap();
	test_forward_never_expires();
	test_stamp_across_wrap();
	test_longest_timeout();
	return tap_done();
}
