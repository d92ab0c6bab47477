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

# The boot steps of the README without systemd: load what modules-load.d
# lists, then conenat load the configuration file.
fail() { echo "not ok - boot steps: $*"; exit 1; }
for m in $(grep -v '^#' "$top/tools/modules-load.conf"); do
	modprobe "$m" || fail "modprobe $m"
done
conf=$(mktemp)
printf 'up wan0 --ports 30000-30999\nforward add udp 25565 to 10.0.1.2\n' >"$conf"
ip netns add boot
ip -n boot link add wan0 type dummy
ip -n boot addr add 192.0.2.1/24 dev wan0
ip -n boot link set wan0 up
ip netns exec boot "$top/tools/conenat" load "$conf" || fail "conenat load"
ip netns exec boot "$top/tools/conenat" -j show |
	jq -e '.up and .ranges[0].min == 30000' >/dev/null || fail "not up as configured"
ip netns exec boot "$top/tools/conenat" -j forward |
	jq -e 'length == 1 and .[0].external_port == 25565' >/dev/null ||
	fail "forward missing"
echo "ok - modules-load.d and conenat load bring NAT up from a file"
ip netns del boot
rmmod conenat
