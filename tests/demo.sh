#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build for the newest supported kernel and show full cone NAT
# in a VM: LAN, router, internet hosts (see tests/demo-guest.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=$(tools/deps.sh --kernels | tail -n1)
echo "demo: building conenat.ko for $kver"
tests/build-module.sh "$kver" >/dev/null
echo "demo: building the conenat tool and the test helper nattest"
make -s tool nattest
echo "demo: booting $kver under QEMU (emulated, no KVM: about a minute)"
exec tests/vm/run.sh "$kver" "$top/tests/demo-guest.sh" \
	"$top/build/$kver/conenat.ko"
