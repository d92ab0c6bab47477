# SPDX-License-Identifier: GPL-2.0
# The check scripts' TAP bookkeeping, sourced by tests/check.sh and
# tests/debug-kernel/check.sh: the counts, one line per result, and steps
# whose output goes to $log/NAME.log and is shown (its end) on failure.

pass=0 fail=0 skip=0

result() { # result OK|FAIL NAME
	if [ "$1" = OK ]; then
		pass=$((pass + 1))
		echo "ok - $2"
	else
		fail=$((fail + 1))
		echo "not ok - $2"
	fi
}

step() { # step NAME CMD...: run CMD, log to $log/NAME.log
	local name=$1 rc
	shift
	"$@" >"$log/$name.log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$log/$name.log" | tail -n 40
	return "$rc"
}
