#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/debug-kernel/check.sh, run by tests/vm/run.sh in the
# debug kernel:  guest.sh MODROOT MODULE KUNIT_MODULE [TEST_FILE...]
#
# Runs the selftests (tests/selftests/run.sh MODULE TEST_FILE...), then
# the KUnit suites of KUNIT_MODULE (conenat_kunit.ko; "" for none), then
# asks kmemleak for leaks.  Leak suspects found before the tests (the
# kernel's own, from boot) are cleared first and kept apart, so that only
# what the tests leaked counts.  Writes to $VM_RESULTS:
#   kmemleak-boot.txt  suspects before the tests (not a failure)
#   kmemleak.txt       suspects after the tests; missing if no scan ran
#   kunit.txt          the suites' KTAP results
# The KASAN, UBSAN, lockdep, WARN and BUG reports are in dmesg, which
# run.sh scans.
set -u
modroot=$1
module=$2
kunit_module=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
kmemleak=/sys/kernel/debug/kmemleak

# The host root has no /lib/modules for this kernel: give modprobe the
# build's, whose modules.builtin lists what the tests modprobe (veth,
# nf_conntrack, nf_defrag_ipv4) as built in.
use_builtin_modules() {
	mount --bind "$modroot/lib/modules" /lib/modules ||
		echo "# cannot bind $modroot/lib/modules: modprobe will fail"
}

# scan_leaks FILE: two scans (an object must look unreferenced in both,
# a few seconds apart, to be reported), then the suspects to FILE.
scan_leaks() {
	echo scan >"$kmemleak" && sleep 5 && echo scan >"$kmemleak" &&
		cat "$kmemleak" >"$1.tmp" && mv "$1.tmp" "$1"
}

# baseline: the boot's suspects, kept and then cleared from later reports.
baseline() {
	[ -w "$kmemleak" ] || { echo "# no $kmemleak"; return; }
	scan_leaks "$VM_RESULTS/kmemleak-boot.txt"
	echo clear >"$kmemleak"
	echo "# kmemleak: $(grep -c '^unreferenced object' \
		"$VM_RESULTS/kmemleak-boot.txt") suspects from boot, cleared"
}

# kunit KO: load the KUnit build of the module, whose suites run as it
# loads, and print a TAP line per test case from their debugfs results
# (every suite there is the module's: the kernel has none built in).
kunit() {
	local ko=$1 d p=0 f=0 s=0 res name rest cases
	[ -n "$ko" ] || return 0
	modprobe nf_defrag_ipv4
	if ! insmod "$ko"; then
		echo "not ok - kunit: insmod $ko failed"
		echo "# kunit: 0 passed, 1 failed, 0 skipped"
		return 1
	fi
	for d in /sys/kernel/debug/kunit/*/; do
		cat "$d/results"
	done >"$VM_RESULTS/kunit.txt"
	rmmod "$(basename "$ko" .ko)"
	# Test cases are the lines indented once, within their suite.  (No
	# process substitution: the guest has no /dev/fd.)
	cases=$(sed -nE 's/^    (ok|not ok) [0-9]+ /\1 /p' "$VM_RESULTS/kunit.txt" |
		sed 's/^not ok/not_ok/')
	while read -r res name rest; do
		[ -n "$res" ] || continue
		case "$res $rest" in
		*"# SKIP"*) s=$((s + 1)); echo "ok - kunit $name $rest" ;;
		"ok "*) p=$((p + 1)); echo "ok - kunit $name" ;;
		*) f=$((f + 1)); echo "not ok - kunit $name" ;;
		esac
	done <<<"$cases"
	[ "$f" -eq 0 ] || sed 's/^/#   /' "$VM_RESULTS/kunit.txt"
	echo "# kunit: $p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ] && [ $((p + s)) -gt 0 ]
}

# leaks: a TAP line for what the tests leaked.
leaks() {
	local n
	if ! [ -w "$kmemleak" ] || ! scan_leaks "$VM_RESULTS/kmemleak.txt"; then
		echo "not ok - kmemleak: no scan"
		return 1
	fi
	n=$(grep -c '^unreferenced object' "$VM_RESULTS/kmemleak.txt")
	if [ "$n" -eq 0 ]; then
		echo "ok - kmemleak: no leaks"
		return 0
	fi
	echo "not ok - kmemleak: $n unreferenced objects"
	sed 's/^/#   /' "$VM_RESULTS/kmemleak.txt"
	return 1
}

main() {
	local rc=0
	echo "# kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
	use_builtin_modules
	baseline
	"$here/../selftests/run.sh" "$module" "$@" || rc=1
	# With ONLY, the suites run only when named ("kunit").
	if [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" kunit "* ]]; then
		kunit "$kunit_module" || rc=1
	fi
	# Neither module is loaded now: anything of theirs left unreferenced
	# is a leak.
	leaks || rc=1
	return "$rc"
}

main "$@"
