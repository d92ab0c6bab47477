/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference the checksum tests check against: the Internet checksum
 * computed from scratch, byte by byte, independent of the shim's and the
 * kernel's incremental helpers.
 */
#ifndef CONENAT_UNIT_CSUM_H
#define CONENAT_UNIT_CSUM_H

/* Big-endian 16-bit sum over @len bytes, not folded, not inverted. */
static inline u32 sum16(const void *buf, size_t len, u32 sum)
{
	const u8 *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (u32)b[len - 1] << 8;
	return sum;
}

static inline u16 fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

#endif
