// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every file of the fuzz corpus (CORPUS, a directory) through the
 * fuzz target, under ASan and UBSan: the seeds, and every input that
 * once crashed it, stay tests. TAP output; a failed check aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(void)
{
	static u8 buf[65536 + 1];
	struct dirent **names;
	char path[4096];
	int i, n;
	size_t len;
	FILE *f;

	n = scandir(CORPUS, &names, NULL, by_name);
	ok(n > 2, "corpus %s readable", CORPUS);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", CORPUS, names[i]->d_name);
		f = fopen(path, "rb");
		len = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (f)
			fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		ok(f != NULL, "%s: no fault, every checksum that held still holds",
		   names[i]->d_name);
		free(names[i]);
	}
	free(n > 0 ? names : NULL);
	return tap_done();
}
