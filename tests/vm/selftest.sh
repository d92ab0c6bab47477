#!/bin/bash
# tests/vm/selftest.sh [KVER...]: check tests/vm/run.sh itself on each kernel
# (default: tools/deps.sh --kernels): exit status propagation (smoke.sh -> 3,
# /bin/true -> 0) and splat detection (selftest-splat.sh -> 1).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0

# expect KVER WANT SCRIPT: run SCRIPT in the VM, compare run.sh's status.
expect() {
	local rc=0
	"$HERE/run.sh" "$1" "$3" >/dev/null 2>&1 || rc=$?
	if [ "$rc" = "$2" ]; then
		pass=$((pass + 1)); echo "ok   $1 ${3##*/} -> $rc"
	else
		fail=$((fail + 1)); echo "FAIL $1 ${3##*/} -> $rc (want $2)"
	fi
}

kvers=${*:-$("$HERE/../../tools/deps.sh" --kernels)}
for k in $kvers; do
	expect "$k" 3 "$HERE/smoke.sh"
	expect "$k" 0 /bin/true
	expect "$k" 1 "$HERE/selftest-splat.sh"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
