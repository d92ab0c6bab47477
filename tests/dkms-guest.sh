#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/dkms.sh: modprobe finds the DKMS-built module, with
# its dependency, and the tool talks to it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
path=$(modinfo -F filename conenat) || exit 1
echo "# conenat is $path"
case $path in
*/updates/dkms/conenat.ko*) echo "ok - modinfo finds the DKMS module" ;;
*) echo "not ok - modinfo finds the DKMS module"; exit 1 ;;
esac
modprobe conenat || { echo "not ok - modprobe conenat"; exit 1; }
echo "ok - modprobe conenat (and nf_defrag_ipv4)"
[ -d /sys/module/nf_defrag_ipv4 ] || { echo "not ok - dependency loaded"; exit 1; }
"$top/tools/conenat" version | grep -q "module $(cat /sys/module/conenat/version)" ||
	{ echo "not ok - the tool sees the module"; exit 1; }
echo "ok - the tool sees the module"
rmmod conenat
