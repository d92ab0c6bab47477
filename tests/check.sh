#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: unit tests, the tool (also against a fake module), checkpatch,
# then for each supported kernel a W=1 -Werror build and the selftests in a
# VM of that kernel.
# Ends with one "check: N passed, N failed, N skipped" line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/check
mkdir -p "$log"
# shellcheck source=tap.sh
. "$top/tests/tap.sh"

# Add up a sub-suite's closing "N passed, N failed[, N skipped]" line.
add_counts() { # add_counts LOGFILE RC NAME
	local line p f s
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1)
	if [ -z "$line" ]; then
		result FAIL "$3 (no result line, exit $2)"
		return
	fi
	p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
	# A suite that passed all its tests but exited non-zero (a kernel splat
	# found by the VM runner, a crash) is a failure of its own.
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		result FAIL "$3 exited $2"
	fi
}

tests/unit/run.sh 2>&1 | tee "$log/unit.log"
add_counts "$log/unit.log" "${PIPESTATUS[0]}" "unit tests"

# A short fuzzing pass proves make fuzz works (the corpus replay ran above).
FUZZ_SECONDS=30 tests/fuzz/run.sh 2>&1 | tee "$log/fuzz.log"
add_counts "$log/fuzz.log" "${PIPESTATUS[0]}" "fuzzing"

step tool make -C tools && result OK "tool builds" || result FAIL "tool builds"
# The tool's netlink code against an LD_PRELOAD stand-in for the module
# (its parsers already ran with the unit tests).
make -s -C tools check-fake 2>&1 | tee "$log/tool.log" | grep -E '^(not ok|# )'
add_counts "$log/tool.log" "${PIPESTATUS[0]}" "tool against a fake module"

step nattest make nattest && result OK "nattest and blast build" ||
	result FAIL "nattest and blast build"

checkpatch=$(tools/deps.sh --checkpatch)
if [ -x "$checkpatch" ]; then
	step checkpatch "$checkpatch" --no-tree --strict --terse -q \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f kmod/*.c kmod/*.h include/uapi/linux/*.h &&
		result OK "checkpatch --strict clean" ||
		result FAIL "checkpatch --strict clean"
else
	skip=$((skip + 1))
	echo "ok - checkpatch # SKIP $checkpatch missing"
fi

# Every selftest group runs on the newest kernel (about 30 minutes under
# TCG on an idle 2-core host); on the others, the groups whose code paths
# differ between kernels the most (netlink, conntrack and flowtables, ICMP,
# the data path's trust boundaries, memory accounting), which keeps make
# check within its hour. CHECK_FULL=1 (make check-full) runs every group
# everywhere. The VMs run one after the other: two TCG guests side by
# side on two cores each ran more than twice as slowly.
newest=$(tools/deps.sh --kernels | tail -1)
for kver in $(tools/deps.sh --kernels); do
	if ! step "build-$kver" tests/build-module.sh "$kver"; then
		result FAIL "module builds with W=1 for $kver"
		continue
	fi
	result OK "module builds with W=1 for $kver"
	groups=()
	[ "$kver" = "$newest" ] || [ -n "${CHECK_FULL:-}" ] ||
		groups=(control icmp flowtable harden memory)
	VM_TIMEOUT=${VM_TIMEOUT:-3600} tests/vm/run.sh "$kver" \
		"$top/tests/selftests/run.sh" "$top/build/$kver/conenat.ko" \
		"${groups[@]}" 2>&1 | tee "$log/vm-$kver.log"
	add_counts "$log/vm-$kver.log" "${PIPESTATUS[0]}" \
		"selftests on $kver${groups[*]:+ (${groups[*]})}"
done

# Other headers Debian 12 offers for the same kernels: W=1 builds only.
for kver in $(tools/deps.sh --flavours); do
	step "build-$kver" tests/build-module.sh "$kver" &&
		result OK "module builds with W=1 for $kver" ||
		result FAIL "module builds with W=1 for $kver"
done

# make install, uninstall and dkms-install, into a DESTDIR.
kver=$(tools/deps.sh --kernels | tail -1)
tests/install.sh "$kver" 2>&1 | tee "$log/install.log"
add_counts "$log/install.log" "${PIPESTATUS[0]}" "install"

# The newcomer's path: make demo shows full cone NAT and, for contrast,
# MASQUERADE dropping the same stranger (it fails if either is not so);
# the selftest runner names what is not built, and a guest that shut down
# cleanly gets no console dump.
step demo tests/demo.sh && result OK "make demo works" ||
	result FAIL "make demo works"
NATTEST=$top/build/no-such-nattest VM_ENV=NATTEST tests/vm/run.sh "$kver" \
	"$top/tests/selftests/run.sh" "$top/build/$kver/conenat.ko" control \
	>"$log/missing.log" 2>&1
rc=$?
[ "$rc" = 2 ] &&
	grep -qF "missing $top/build/no-such-nattest: build it with 'make nattest'" \
		"$log/missing.log" &&
	! grep -q "lines of .*console.log" "$log/missing.log" &&
	result OK "selftests name a helper that is not built" ||
	{ sed 's/^/# /' "$log/missing.log"
	  result FAIL "selftests name a helper that is not built (exit $rc)"; }

# DKMS: add, build and install for each kernel, modprobe in its guest.
tests/dkms.sh 2>&1 | tee "$log/dkms.log"
add_counts "$log/dkms.log" "${PIPESTATUS[0]}" "dkms"

# One short benchmark pass proves make bench works; its figures are not
# checked (benchmarks are not timed tests).
step bench env BENCH_QUICK=1 tests/bench/run.sh "$kver" &&
	result OK "make bench works (quick pass on $kver)" ||
	result FAIL "make bench works (quick pass on $kver)"

echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
