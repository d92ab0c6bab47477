#!/bin/bash
# Smoke test for tests/vm/run.sh: needs modprobe, netns and the results dir
# to work in the guest; exits 3 on purpose so the caller can check that the
# status is propagated:  tests/vm/run.sh KVER $PWD/tests/vm/smoke.sh; echo $? (3)
set -eu
uname -r
modprobe veth
ip link add name a type veth peer name b # "add a" would parse as "address"
ip link show a
ip netns add x
ip netns exec x ip link show lo
echo "args: $*"
echo smoke >"$VM_RESULTS/smoke.txt"
exit 3
