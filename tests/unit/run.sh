#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the userspace unit tests with ASan and UBSan; print their
# TAP and one closing "N passed, N failed" line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/unit
mkdir -p "$out"
BASE="-std=gnu11 -g -O1 -Wall -Wextra -Werror -I$top/include -I$top/kmod
	-I$top/tests/unit"
CC=${CC:-gcc}
CFLAGS="$BASE -fsanitize=address,undefined -fno-sanitize-recover=all"
RUN=
pass=0 fail=0 skip=0

# unit NAME SOURCES...: build NAME from SOURCES with $CC $CFLAGS, run it
# (under $RUN, an emulator, if set), add up its result.
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
	$RUN "$out/$name" >"$log" 2>&1
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

# units SUFFIX: every test of the pure core and the tool's parsers.
units() {
	local s=$1
	unit config_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/config_test.c" "$top/kmod/config.c" \
		"$top/kmod/portalloc.c"
	unit portalloc_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/portalloc_test.c" "$top/kmod/portalloc.c"
	unit hash_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/hash_test.c"
	unit rewrite_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/rewrite_test.c" "$top/kmod/rewrite.c"
	unit icmp_error_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/icmp_error_test.c" "$top/kmod/rewrite.c"
	unit expiry_test$s -include "$top/tests/unit/shim.h" \
		"$top/tests/unit/expiry_test.c"
	unit attrs_test$s -include "$top/tests/unit/shim.h" \
		-include "$top/tests/unit/nlshim.h" \
		"$top/tests/unit/attrs_test.c" "$top/kmod/attrs.c" \
		"$top/kmod/config.c" "$top/kmod/portalloc.c"
	unit fuzz_replay$s -include "$top/tests/unit/shim.h" \
		"-DCORPUS=\"$top/tests/fuzz/corpus\"" "$top/tests/unit/fuzz_replay.c" \
		"$top/tests/fuzz/xlate_fuzz.c" "$top/kmod/parse.c" \
		"$top/kmod/rewrite.c" "$top/kmod/config.c" "$top/kmod/portalloc.c"
	if [ -f "$top/tests/unit/tool_parse_test.c" ]; then
		unit tool_parse_test$s -I"$top/tools" "$top/tests/unit/tool_parse_test.c" \
			"$top/tools/parse.c" "$top/tools/json.c"
	fi
}

units ""
# The routers that want full cone: big-endian 32-bit MIPS and 32-bit
# ARM, static binaries under qemu-user, for byte order, 32-bit longs and
# jiffies (expiry_test across a wrap), and alignment; no sanitizers there.
for target in mips-linux-gnu:mips arm-linux-gnueabihf:arm; do
	cross=${target%%:*}-gcc arch=${target#*:}
	if command -v "$cross" >/dev/null &&
		command -v "qemu-$arch-static" >/dev/null; then
		CC=$cross CFLAGS="$BASE -static -D_FILE_OFFSET_BITS=64" \
			RUN=qemu-$arch-static \
			units "_$arch"
	else
		echo "ok - unit tests on $arch # SKIP no $cross or qemu-$arch-static (qemu-user-static)"
		skip=$((skip + 1))
	fi
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
