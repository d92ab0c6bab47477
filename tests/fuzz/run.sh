#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz: build tests/fuzz/xlate_fuzz.c with libFuzzer, ASan and UBSan
# (clang), then run it from the seed corpus for FUZZ_SECONDS (default 300)
# on one core. New inputs stay in build/fuzz/corpus. A crash or a broken
# checksum leaves build/fuzz/crash-*: copy it into tests/fuzz/corpus, and
# the unit tests (fuzz_replay) run it from then on. Ends with one
# "fuzz: N passed, N failed" line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
secs=${FUZZ_SECONDS:-300}
mkdir -p "$out/corpus"
cp "$top"/tests/fuzz/corpus/* "$out/corpus/"

if ! command -v clang >/dev/null; then
	echo "ok - fuzz # SKIP clang missing"
	echo "fuzz: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! clang -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-include "$top/tests/unit/shim.h" -I"$top/include" -I"$top/kmod" \
	-I"$top/tests/unit" -o "$out/xlate_fuzz" "$top/tests/fuzz/xlate_fuzz.c" \
	"$top/kmod/parse.c" "$top/kmod/rewrite.c" "$top/kmod/config.c" \
	"$top/kmod/portalloc.c"; then
	echo "not ok - the fuzz target builds"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
echo "ok - the fuzz target builds"
rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-*
"$out/xlate_fuzz" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$out/" "$out/corpus" >"$out/log" 2>&1
rc=$?
grep -E '^(Done|stat::new_units_added|stat::average_exec)' "$out/log" |
	sed 's/^/# /'
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written' "$out/log" | sed 's/^/# /'
	echo "not ok - $secs s of fuzzing: a crash (see $out/log)"
	echo "fuzz: 1 passed, 1 failed"
	exit 1
fi
echo "ok - $secs s of fuzzing without a crash or a broken checksum"
echo "fuzz: 2 passed, 0 failed"
