#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the userspace unit tests with ASan and UBSan; print their
# TAP and one closing "N passed, N failed" line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/unit
mkdir -p "$out"
CC=${CC:-gcc}
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined
	-fno-sanitize-recover=all -I$top/include -I$top/kmod -I$top/tests/unit"
pass=0 fail=0 skip=0

# unit NAME SOURCES...: build NAME from SOURCES, run it, add up its result.
unit() {
	local name=$1 log
	shift
	log=$out/$name.log
	echo "# unit: $name"
	if ! $CC $CFLAGS -o "$out/$name" "$@" >"$log" 2>&1; then
		sed 's/^/# /' "$log"
		echo "not ok - $name builds"
		fail=$((fail + 1))
		return
	fi
	"$out/$name" >"$log" 2>&1
	local rc=$?
	grep -v '^# .* passed, .* failed$' "$log"
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

unit config_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/config_test.c" "$top/kmod/config.c" \
	"$top/kmod/portalloc.c"
unit portalloc_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/portalloc_test.c" "$top/kmod/portalloc.c"
unit hash_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/hash_test.c"
unit rewrite_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/rewrite_test.c" "$top/kmod/rewrite.c"
unit icmp_error_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/icmp_error_test.c" "$top/kmod/rewrite.c"
unit expiry_test -include "$top/tests/unit/shim.h" \
	"$top/tests/unit/expiry_test.c"
# 32-bit jiffies: the same test as 32-bit code (gcc-multilib).
if echo 'int main(void){return 0;}' |
	$CC -m32 -x c -o /dev/null - 2>/dev/null; then
	CFLAGS="$CFLAGS -m32" unit expiry_test_32bit \
		-include "$top/tests/unit/shim.h" "$top/tests/unit/expiry_test.c"
else
	echo "ok - expiry_test_32bit # SKIP no 32-bit compiler (gcc-multilib)"
	skip=$((skip + 1))
fi
unit fuzz_replay -include "$top/tests/unit/shim.h" \
	"-DCORPUS=\"$top/tests/fuzz/corpus\"" "$top/tests/unit/fuzz_replay.c" \
	"$top/tests/fuzz/xlate_fuzz.c" "$top/kmod/parse.c" \
	"$top/kmod/rewrite.c" "$top/kmod/config.c" "$top/kmod/portalloc.c"
if [ -f "$top/tests/unit/tool_parse_test.c" ]; then
	unit tool_parse_test -I"$top/tools" "$top/tests/unit/tool_parse_test.c" \
		"$top/tools/parse.c" "$top/tools/json.c"
fi
echo "unit: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
