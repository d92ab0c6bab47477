#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the selftests under a debug kernel (KASAN, UBSAN,
# kmemleak, lockdep, debug objects; see debug.config).
#
# Builds the kernel if needed (build.sh; ~25 min the first time), conenat.ko
# and conenat_kunit.ko against it with W=1 -Werror into build/debug/ and
# build/debug/kunit/, the tool and nattest, then runs in a VM of that
# kernel (guest.sh) the selftests make check runs, the KUnit suites, and a
# kmemleak scan.  Fails on a test failure, on a leak, and
# on any KASAN, UBSAN, lockdep, WARN or BUG report in dmesg: there, unlike
# make check, a report does not panic the guest, so a run collects all of
# them.  Every report, with its stack traces, goes to build/debug/reports.txt.
#
# Environment: ONLY (test names, as for tests/selftests/run.sh; "kunit"
# for the KUnit suites),
# TEST_TIMEOUT (per test, default 1200 s; STRESS_TIMEOUT for stress.sh's,
# default 3600 s), VM_TIMEOUT (whole run, default
# 14400 s), VM_MEM (default 3G), CONENAT_CACHE (see build.sh).
# Ends with one "check-debug: N passed, N failed, N skipped" line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=$top/build/debug
res=$out/vm-results
log=$out		# where tap.sh's step() logs
mkdir -p "$out"
# shellcheck source=../tap.sh
. "$top/tests/tap.sh"
# Benign lines that SPLAT_RE matches: RCU's and kmemleak's boot lines, and
# what kmemleak's scans print (guest.sh judges the scans from kmemleak's
# report, which dmesg does not hold).
splat_ignore='kmemleak: (Kernel memory leak detector initialized|[0-9]+ new suspected memory leaks)|RCU lockdep checking is enabled'

finish() {
	echo "check-debug: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}

# kernel: build.sh's KEY=value lines into K_KREL, K_KDIR, K_VMLINUX, ...
kernel() {
	local key val
	tests/debug-kernel/build.sh >"$out/kernel.env" || return 1
	while IFS='=' read -r key val; do
		printf -v "K_$key" '%s' "$val"
	done <"$out/kernel.env"
}

# build_module: conenat.ko for the debug kernel, from a copy of the sources, as
# tests/build-module.sh does for the installed kernels.
# shellcheck disable=SC2317 # called through step
build_module() { # build_module DIR [MAKE_ARGS...]
	local dir=$1
	shift
	mkdir -p "$dir"
	cp -a Kbuild kmod include "$dir/"
	make -s -C "$K_KDIR" M="$dir" W=1 KCFLAGS=-Werror "$@" modules
}

# vm: the selftests and the leak scan in the debug kernel.  No panic on
# WARN (KASAN and UBSAN reports count as WARNs) and every KASAN report,
# not only the first; an oops still ends the run.
vm() {
	VM_KERNEL=$K_VMLINUX VM_RESULTS=$res \
		VM_TIMEOUT=${VM_TIMEOUT:-14400} VM_MEM=${VM_MEM:-3G} \
		VM_CMDLINE="panic_on_warn=0 kasan_multi_shot ${VM_CMDLINE:-}" \
		VM_SPLAT_IGNORE=$splat_ignore \
		TEST_TIMEOUT=${TEST_TIMEOUT:-1200} \
		STRESS_TIMEOUT=${STRESS_TIMEOUT:-3600} \
		VM_ENV="TEST_TIMEOUT STRESS_TIMEOUT ONLY" \
		tests/vm/run.sh "$K_KREL" "$top/tests/debug-kernel/guest.sh" \
		"$K_MODROOT" "$out/conenat.ko" "$out/kunit/conenat_kunit.ko"
}

# add_counts LOG WHAT: add up the "# WHAT: N passed, N failed, N skipped"
# line the guest printed.
add_counts() {
	local line p f s
	line=$(grep -E "^# $2: [0-9]+ passed" "$1" | tail -n1)
	if [ -z "$line" ]; then
		result FAIL "$2 (no result line)"
		return
	fi
	read -r p f s <<<"$(sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

# reports FILE: each kernel report in FILE (dmesg), whole: from its
# opening line (===, "cut here" or the splat line itself) to its end
# ("end trace", the closing === of KASAN, or the end of the stack dump).
reports() {
	local re
	re=$(sed -n "s/^SPLAT_RE='\(.*\)'$/\1/p" tests/vm/run.sh)
	awk -v re="$re" -v ign="$splat_ignore" '
	{ l[NR] = $0 }
	function rule(s) { return s ~ /====================$/ }
	function opener(s) { return rule(s) || s ~ /cut here/ }
	END {
		i = 1
		while (i <= NR) {
			if (l[i] !~ re || l[i] ~ ign) { i++; continue }
			s = i
			for (k = i - 1; k >= 1 && k >= i - 2; k--)
				if (opener(l[k])) s = k
			eq = rule(l[s])
			cut = l[s] ~ /cut here/
			bt = 0
			for (e = i; e < NR && e < s + 400; e++) {
				if (l[e] ~ /---\[ end trace/) break
				if (cut) continue
				if (l[e] ~ /stack backtrace:/) bt = 1
				if (eq && e > i && rule(l[e])) break
				if (l[e] ~ /<\/TASK>/ && (!eq || bt)) break
			}
			for (k = s; k <= e; k++) print l[k]
			print ""
			i = e + 1
		}
	}' "$1"
}

# save_reports: dmesg's reports and kmemleak's into reports.txt, and a
# one-line summary of each as TAP comments.
save_reports() {
	local dmesg=$res/dmesg.log
	[ -s "$dmesg" ] || dmesg=$res/console.log
	{
		echo "# reports from ${dmesg#"$top"/}"
		reports "$dmesg"
		if [ -s "$res/kmemleak.txt" ]; then
			echo "# kmemleak after the selftests"
			cat "$res/kmemleak.txt"
		fi
	} >"$out/reports.txt"
	grep -aE '(BUG|WARNING|UBSAN|Oops|Kernel panic)|unreferenced object' \
		"$out/reports.txt" | sed 's/^/#   /' | head -n 40
}

main() {
	local rc before
	echo "TAP version 13"
	if ! kernel; then
		result FAIL "debug kernel builds (tests/debug-kernel/build.sh)"
		finish
	fi
	result OK "debug kernel $K_KREL builds"
	if step tool make -C tools && step nattest make nattest; then
		result OK "tool and nattest build"
	else
		result FAIL "tool and nattest build"
	fi
	if ! step module build_module "$out" ||
		! step kunit-module build_module "$out/kunit" CONENAT_KUNIT=y; then
		result FAIL "modules build with W=1 -Werror for $K_KREL"
		finish
	fi
	result OK "conenat.ko and conenat_kunit.ko build with W=1 -Werror for $K_KREL"

	rm -f "$out/reports.txt"
	vm 2>&1 | tee "$out/vm.log"
	rc=${PIPESTATUS[0]}
	before=$fail
	add_counts "$out/vm.log" selftests
	if [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" kunit "* ]]; then
		add_counts "$out/vm.log" kunit
	fi
	# guest.sh printed the kmemleak verdict; count it here.
	if grep -q '^ok - kmemleak' "$out/vm.log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -q '^not ok - kmemleak' "$out/vm.log" ||
			echo "not ok - kmemleak (no scan: the guest died first)"
	fi
	if [ -s "$res/splats.txt" ] || [ -s "$res/kmemleak.txt" ]; then
		save_reports
	fi
	if [ -s "$res/splats.txt" ]; then
		result FAIL "no kernel report in dmesg; see build/debug/reports.txt"
	elif [ "$rc" = 124 ] || ! [ -s "$res/status" ]; then
		result FAIL "VM run ends (exit $rc; see $res/console.log)"
	else
		result OK "no kernel report in dmesg"
		# A guest that failed without a failed test to show for it.
		[ "$rc" = 0 ] || [ "$fail" -gt "$before" ] ||
			result FAIL "guest script exited $rc"
	fi
	finish
}

main "$@"
