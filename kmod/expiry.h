/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expiry stamps: when mappings and TCP connections idle out, in jiffies.
 * Pure functions of the stamps and of the time now, so tests/unit builds
 * them in userspace, as 64-bit and as 32-bit code.
 *
 * Safe across a wrap of jiffies, which 32-bit kernels see 5 minutes after
 * boot and then every 49.7 days at HZ=1000: stamps are only compared with
 * time_before(), and none is more than CONENAT_MAX_TIMEOUT seconds ahead
 * of now, well within half the range of unsigned long. A port forward
 * never expires, whatever its stamp says.
 */
#ifndef _CONENAT_EXPIRY_H
#define _CONENAT_EXPIRY_H

#ifdef __KERNEL__
#include <linux/jiffies.h>
#endif

/* When something idle for @idle jiffies from @now expires. */
static inline unsigned long conenat_expiry_from(unsigned long now,
						unsigned long idle)
{
	return now + idle;
}

/* Whether the stamp @expires has passed at @now. */
static inline bool conenat_expired(unsigned long expires, unsigned long now)
{
	return !time_before(now, expires);
}

/*
 * Whether a mapping is alive at @now: not dead, and a port forward
 * (@fixed), kept by a TCP connection (@conns), or in its idle time.
 */
static inline bool conenat_alive_at(bool dead, bool fixed, bool conns,
				    unsigned long expires, unsigned long now)
{
	return !dead && (fixed || conns || !conenat_expired(expires, now));
}

/*
 * Move an expiry stamp to @expires if that is later, or to any other
 * value when @shorten. Unlocked: a racing writer may win, which only
 * moves an expiry by a jiffy or a packet. Writing only on change keeps a
 * busy stamp's cache line from bouncing between CPUs more than once a
 * jiffy.
 */
static inline void conenat_stamp(unsigned long *stamp, unsigned long expires,
				 bool shorten)
{
	unsigned long old = READ_ONCE(*stamp);

	if (shorten ? expires != old : time_after(expires, old))
		WRITE_ONCE(*stamp, expires);
}

#endif /* _CONENAT_EXPIRY_H */
