#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.sh: the DKMS path end to end. make dkms-install, dkms add, then for
# each supported kernel dkms build and install against its headers, and
# in a VM of that kernel modprobe conenat from the DKMS-installed path.
# Removes everything it added. Prints TAP and "dkms: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
log=$top/build/dkms
pass=0 fail=0
mkdir -p "$log"

ok() { # ok STATUS NAME
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok - $2"
	else
		fail=$((fail + 1))
		echo "not ok - $2"
		tail -n 15 "$log/dkms.log" 2>/dev/null | sed 's/^/# /'
	fi
}

if ! command -v dkms >/dev/null; then
	echo "ok - dkms # SKIP dkms not installed"
	echo "dkms: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
cleanup() {
	dkms remove "conenat/$ver" --all >/dev/null 2>&1
	rm -rf "/usr/src/conenat-$ver"
}
cleanup
trap cleanup EXIT

make -s dkms-install >"$log/dkms.log" 2>&1 &&
	dkms add "conenat/$ver" >>"$log/dkms.log" 2>&1
ok $? "make dkms-install, dkms add conenat/$ver"
for k in $(tools/deps.sh --kernels); do
	dkms build "conenat/$ver" -k "$k" >>"$log/dkms.log" 2>&1 &&
		dkms install "conenat/$ver" -k "$k" >>"$log/dkms.log" 2>&1
	ok $? "dkms build and install for $k"
	tests/vm/run.sh "$k" "$top/tests/dkms-guest.sh" >"$log/vm-$k.log" 2>&1
	ok $? "modprobe conenat from the DKMS path in a $k guest"
	grep -E '^(ok|not ok)' "$log/vm-$k.log" | sed 's/^/# /'
done
echo "dkms: $pass passed, $fail failed"
[ $fail -eq 0 ]
