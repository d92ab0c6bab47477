#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build for the newest supported kernel and show full cone NAT
# in a VM: LAN, router, internet hosts (see tests/demo-guest.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=$(tools/deps.sh --kernels | tail -n1)
tests/build-module.sh "$kver" >/dev/null
make -s tool nattest
exec tests/vm/run.sh "$kver" "$top/tests/demo-guest.sh" \
	"$top/build/$kver/conenat.ko"
