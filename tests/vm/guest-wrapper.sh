#!/bin/bash
# Guest side of tests/vm/run.sh: runs inside the VM on the (read-only) host
# root, normally as PID 1 right after the initramfs switch_root.
#
#   guest-wrapper.sh            as PID 1: control dir is /run/vm (9p "results")
#   guest-wrapper.sh RESDIR     not PID 1 (vng mode): control dir is RESDIR
#
# The control dir is the host's results dir.  run.sh wrote into it:
#   env  shell assignments (VM_RESULTS=<host path>, VM_KVER, VM_REPO, VM_ENV vars)
#   cmd  "set -- /abs/guest-script arg..." (shell-quoted)
# We write back: output.log (script stdout+stderr), status (exit code),
# dmesg.log, guest-start (guest uptime when the script starts).
# As PID 1 we must never exit (the kernel would panic): the EXIT trap always
# records the status and powers off.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/tmp
TERM=dumb
export PATH HOME TERM

if [ $$ = 1 ]; then
	CTL=/run/vm
else
	CTL=${1:?usage: guest-wrapper.sh RESDIR}
fi

finish() {
	local rc=$?
	echo "$rc" >"$CTL/status"
	dmesg >"$CTL/dmesg.log" 2>&1
	sync
	[ $$ = 1 ] || exit "$rc"
	busybox poweroff -f || echo o >/proc/sysrq-trigger
	while :; do sleep 1000; done
}
trap finish EXIT

# shellcheck source=/dev/null
. "$CTL/env"
# shellcheck source=/dev/null
. "$CTL/cmd"

# Make the results dir visible at the host's absolute path.  It already
# exists on the read-only 9p root (run.sh created it), so a bind mount over
# it works; under a guest tmpfs (e.g. /tmp/...) we create it first.
# (Builtins are preferred below: every exec over 9p costs ~50 ms under TCG.)
if [ $$ = 1 ] && [ "$VM_RESULTS" != "$CTL" ]; then
	[ -d "$VM_RESULTS" ] || mkdir -p "$VM_RESULTS"
	mount --bind "$CTL" "$VM_RESULTS" || {
		echo "vm-wrapper: cannot bind results to $VM_RESULTS; using $CTL" >&2
		VM_RESULTS=$CTL
	}
fi
export VM_RESULTS

ip link set lo up
cd "${VM_REPO:-/}" || exit 125
read -r up _ </proc/uptime
echo "$up" >"$CTL/guest-start" # run.sh reports boot time from its mtime

script=$1
shift
if [ -x "$script" ]; then
	"$script" "$@" </dev/null >>"$CTL/output.log" 2>&1
else
	bash "$script" "$@" </dev/null >>"$CTL/output.log" 2>&1
fi
