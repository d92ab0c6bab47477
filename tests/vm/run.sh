#!/bin/bash
# tests/vm/run.sh KVER GUEST_SCRIPT [ARGS...]
#
# Boot /boot/vmlinuz-KVER under QEMU (TCG; no KVM here) and run GUEST_SCRIPT
# (absolute host path) inside it as the only workload; exit with its status.
#
# Guest view:
#   - the host root is mounted read-only (9p) at /, so every host path works;
#     tmpfs is mounted over /tmp /run /var/tmp /var/log /var/lib /dev/shm
#     (so host files there, e.g. a script in /tmp, are NOT visible);
#     proc, sys, devtmpfs, devpts and debugfs are mounted.
#   - the script runs as root with cwd = repo root, stdin = /dev/null,
#     PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,
#     HOME=/tmp, lo is up, modprobe works (host /lib/modules/KVER).
#   - $VM_RESULTS is the results dir, writable, at the SAME absolute path as
#     on the host (bind-mounted over the read-only copy), so files the script
#     writes there are on the host afterwards.  Also visible as /run/vm.
#   - VM_KVER and VM_REPO are exported; variables named in $VM_ENV
#     (space separated) are copied from the host environment.
#
# Host view:
#   - stdout: the guest script's stdout+stderr, streamed live
#     (from $VM_RESULTS/output.log); stderr: "vm:" lines from this runner.
#   - $VM_RESULTS also holds console.log (serial console), dmesg.log,
#     status, guest-start, and cmd/env/wrapper (control files).
#   - exit status: the script's; 124 on timeout; 1 if the guest died without
#     a status or if dmesg/console shows a kernel splat (WARNING, BUG, Oops,
#     KASAN, lockdep, RCU stall, ...) even when the script passed.
#
# Environment:
#   VM_RESULTS  results dir (default <repo>/build/vm-results/KVER); emptied
#               each run (only if empty or made by us, see .vm-results)
#   VM_TIMEOUT  wall-clock seconds (default 1800)
#   VM_SMP / VM_MEM   vCPUs (default 2) / memory (default 2G)
#   VM_ICOUNT   set to N for deterministic-ish benchmarks: -smp 1, single
#               TCG thread, -icount shift=N,sleep=off
#   VM_CMDLINE  extra kernel command line
#   VM_ENV      names of host env vars to pass into the guest
#   VM_VERBOSE=1  also stream the serial console to stderr
#   VM_NO_VNG=1   never use vng even if it and /dev/kvm are available
#   VM_PVH=0      boot the bzImage instead of the extracted vmlinux (PVH)
#   VM_KERNEL   boot this image (a bzImage, or a vmlinux with a PVH entry)
#               instead of /boot/vmlinuz-KVER; KVER is then only a label
#               (results dir, messages) and /lib/modules/KVER need not exist.
#               Its virtio-pci and 9p must be built in: the initramfs gets
#               no modules (tests/debug-kernel/ builds such a kernel)
#   VM_SPLAT_IGNORE  extended regex: splat lines that match it do not count
#               (a kernel's benign lines, e.g. kmemleak's "initialized")
#   VM_BOOT_RETRIES  reboots allowed when the guest dies before the script
#               starts (default 1; see boot_vm's caller)
#   For more kernel console output: VM_CMDLINE=loglevel=7 VM_VERBOSE=1
#
# Boot cost (this 2-core TCG host, time from launch to guest script start):
#   6.1.0-56-amd64 3.2-4.1 s, 6.12.117+deb12-amd64 3.6-4.6 s (PVH vmlinux);
#   with the bzImage (VM_PVH=0) 5.9-6.9 s and 4.6-5.7 s.  A /bin/true run
#   takes ~4-5 s wall in all; first run per kernel adds ~1 s of caching.
#   Printed on every run as "vm: ... script started after N s".
# shellcheck disable=SC2054 # commas inside qemu arguments are intended
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SPLAT_RE='WARNING:|BUG:|still has objects|KASAN|UBSAN|kmemleak|Kernel panic|Oops|general protection|lockdep|possible recursive locking|circular locking|RCU.*stall|Call Trace'
MODULES="virtio_pci 9pnet_virtio 9p" # loaded in the initramfs (with deps)

say() { echo "vm: $*" >&2; }
die() { say "error: $*"; exit 2; }

# q STR: STR single-quoted for sh.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# ---- initramfs ---------------------------------------------------------

# mod_order KVER: module paths (relative to /lib/modules/KVER) for $MODULES
# plus their dependencies, in load order; builtin modules are skipped.
mod_order() {
	local dir=/lib/modules/$1 path deps name m
	declare -A DEP=() BYNAME=() SEEN=()
	[ -n "$MODULES" ] || return 0
	while IFS=: read -r path deps; do
		DEP[$path]=$deps
		name=${path##*/}
		BYNAME[${name%%.ko*}]=$path
	done <"$dir/modules.dep"
	visit() {
		local p=$1 d
		[ -z "${SEEN[$p]:-}" ] || return 0
		SEEN[$p]=1
		for d in ${DEP[$p]}; do visit "$d"; done
		echo "$p"
	}
	for m in $MODULES; do
		if [ -n "${BYNAME[$m]:-}" ]; then
			visit "${BYNAME[$m]}"
		elif ! grep -q "/$m\.ko" "$dir/modules.builtin"; then
			die "module $m is neither a module nor builtin in $1"
		fi
	done
}

# build_initramfs KVER OUT: busybox + uncompressed 9p modules + init.
build_initramfs() {
	local kver=$1 out=$2 tmp p ko a
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
	cp /bin/busybox "$tmp/bin/busybox"
	for a in $(busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$tmp/bin/$a"
	done
	ln -s bin "$tmp/sbin"
	cp "$HERE/init" "$tmp/init"
	chmod 755 "$tmp/init"
	mod_order "$kver" >"$tmp/order.tmp"
	: >>"$tmp/modules.order" # init reads it even when it lists nothing
	while read -r p; do
		ko=${p##*/}
		ko=${ko%%.ko*}.ko
		case $p in # busybox insmod cannot decompress
		*.xz) xz -dc "/lib/modules/$kver/$p" ;;
		*.zst) zstd -qdc "/lib/modules/$kver/$p" ;;
		*.gz) gzip -dc "/lib/modules/$kver/$p" ;;
		*) cat "/lib/modules/$kver/$p" ;;
		esac >"$tmp/lib/modules/$ko"
		echo "$ko" >>"$tmp/modules.order"
	done <"$tmp/order.tmp"
	rm "$tmp/order.tmp"
	mkdir -p "$(dirname "$out")"
	(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$out.tmp.$$"
	mv "$out.tmp.$$" "$out" # atomic: parallel runs may share the cache
	say "built ${out#"$REPO"/} (modules: $(paste -sd" " "$tmp/modules.order"))"
	rm -rf "$tmp"
}

# initramfs KVER: print path of an up-to-date cached initramfs (one
# without modules, shared by all, for a VM_KERNEL).
initramfs() {
	local out=$REPO/build/vm/initramfs-$1.cpio.gz f stale=
	local deps=/lib/modules/$1/modules.dep
	if [ -n "${VM_KERNEL:-}" ]; then
		out=$REPO/build/vm/initramfs-builtin.cpio.gz
		deps=
	fi
	for f in "$0" "$HERE/init" ${deps:+"$deps"} /bin/busybox; do
		[ "$out" -nt "$f" ] || stale=1 # also true when $out is missing
	done
	[ -z "$stale" ] || build_initramfs "$1" "$out"
	echo "$out"
}

# kernel_image KVER: path to boot.  QEMU boots an uncompressed ELF vmlinux
# directly via its PVH entry point (CONFIG_PVH=y in Debian kernels), which
# skips decompressing bzImage under TCG: saves ~2.5 s on 6.1 (xz), ~0.8 s on
# 6.12 (zstd).  Falls back to the bzImage if extraction fails or VM_PVH=0.
kernel_image() {
	local bz=/boot/vmlinuz-$1 out=$REPO/build/vm/vmlinux-$1
	[ -z "${VM_KERNEL:-}" ] || { echo "$VM_KERNEL"; return; }
	[ "${VM_PVH:-1}" != 0 ] || { echo "$bz"; return; }
	[ "$out" -nt "$bz" ] || extract_vmlinux "$bz" "$out"
	if [ -s "$out" ]; then echo "$out"; else echo "$bz"; fi
}

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = 177ELF ]; }

# extract_vmlinux BZIMAGE OUT: try each xz / zstd stream start in the
# bzImage until one decompresses to an ELF file.
extract_vmlinux() {
	local bz=$1 out=$2 tmp=$2.tmp.$$ magic dec off
	mkdir -p "$(dirname "$out")"
	rm -f "$out"
	for magic in '\xfd7zXZ\x00:xz -dcq --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq'; do
		dec=${magic#*:}
		# shellcheck disable=SC2013 # offsets are single words
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$bz" | cut -d: -f1); do
			# zstd complains about the bzImage tail after the stream: ignore
			tail -c +$((off + 1)) "$bz" | $dec >"$tmp" 2>/dev/null || true
			if [ -s "$tmp" ] && is_elf "$tmp"; then
				mv "$tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	say "could not extract vmlinux from $bz; booting the bzImage (slower)"
}

# ---- results dir -------------------------------------------------------

# fresh_results DIR: empty DIR, but never wipe something we did not create.
fresh_results() {
	local d=$1
	if [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && [ ! -e "$d/.vm-results" ]; then
		die "$d is not empty and was not created by run.sh; refusing to wipe it"
	fi
	rm -rf "$d"
	mkdir -p "$d"
	touch "$d/.vm-results" "$d/output.log"
}

# write_control DIR SCRIPT ARGS...: env + cmd files read by guest-wrapper.sh.
write_control() {
	local d=$1 a n
	shift
	{
		echo "VM_RESULTS=$(q "$d")"
		echo "VM_KVER=$(q "$KVER")"
		echo "VM_REPO=$(q "$REPO")"
		echo "export VM_KVER VM_REPO"
		for n in ${VM_ENV:-}; do
			[ -z "${!n+x}" ] || echo "export $n=$(q "${!n}")"
		done
	} >"$d/env"
	{
		printf 'set --'
		for a in "$@"; do printf ' %s' "$(q "$a")"; done
		echo
	} >"$d/cmd"
	echo "$HERE/guest-wrapper.sh" >"$d/wrapper" # read by init
}

# ---- launch ------------------------------------------------------------

use_vng() {
	[ -z "${VM_NO_VNG:-}" ] && command -v vng >/dev/null &&
		[ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# vm_cmd RESDIR: fill VM[] with the command that boots the guest.
vm_cmd() {
	local res=$1 smp=${VM_SMP:-2} mem=${VM_MEM:-2G} accel initrd kernel
	local cmdline="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 loglevel=4"
	if use_vng; then
		# vng shares the host fs itself; the wrapper runs as a normal process.
		VM=(vng --run "${VM_KERNEL:-/boot/vmlinuz-$KVER}" --user root --cpus "$smp"
			--memory "$mem" --rwdir "$res"
			--append "panic=-1 oops=panic panic_on_warn=1 ${VM_CMDLINE:-}"
			--exec "$(q "$HERE/guest-wrapper.sh") $(q "$res")")
		return
	fi
	initrd=$(initramfs "$KVER")
	kernel=$(kernel_image "$KVER")
	if [ -n "${VM_ICOUNT:-}" ]; then
		accel=(-smp 1 -accel tcg,thread=single -icount "shift=$VM_ICOUNT,sleep=off")
	else
		accel=(-smp "$smp" -accel tcg,thread=multi)
	fi
	VM=(qemu-system-x86_64 -machine q35 -cpu max "${accel[@]}" -m "$mem"
		-nographic -no-reboot -net none
		-kernel "$kernel" -initrd "$initrd"
		-append "$cmdline rdinit=/init ${VM_CMDLINE:-}"
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=root,mount_tag=root
		-fsdev "local,id=results,path=$res,security_model=none,multidevs=remap"
		-device virtio-9p-pci,fsdev=results,mount_tag=results)
}

# ---- after the run -----------------------------------------------------

# secs END START: END-START with one decimal.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

console_tail() {
	say "last 50 lines of $RES/console.log:"
	# strip SeaBIOS terminal escapes
	tail -n 50 "$RES/console.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/^/  | /' >&2
}

# splat_lines FILE: lines of FILE that match SPLAT_RE, less VM_SPLAT_IGNORE.
splat_lines() {
	if [ -n "${VM_SPLAT_IGNORE:-}" ]; then
		grep -aE "$SPLAT_RE" "$1" | grep -avE "$VM_SPLAT_IGNORE"
	else
		grep -aE "$SPLAT_RE" "$1"
	fi
}

# splats: print kernel splat lines from dmesg.log (or console.log); 0 if any.
splats() {
	local f=$RES/dmesg.log
	[ -s "$f" ] || f=$RES/console.log
	splat_lines "$f" >"$RES/splats.txt" || { rm -f "$RES/splats.txt"; return 1; }
	SPLAT_FILE=$f
	say "kernel splat in ${f##*/}:"
	head -n 40 "$RES/splats.txt" | sed 's/^/  ! /' >&2
}

# boot_vm: run the VM once; sets QRC (timeout/qemu exit code).
boot_vm() {
	local start t0 qpid tpid cpid=""
	QRC=0
	start=$(date +%s.%N)
	timeout -k 10 "$TIMEOUT" "${VM[@]}" </dev/null >"$RES/console.log" 2>&1 &
	qpid=$!
	# Background jobs ignore SIGINT in scripts: forward ^C/TERM explicitly.
	trap 'kill $qpid $tpid $cpid 2>/dev/null; wait; say "interrupted"; exit 130' INT TERM HUP
	tail -s 0.2 -n +1 -f --pid=$qpid "$RES/output.log" &
	tpid=$!
	if [ "${VM_VERBOSE:-}" = 1 ]; then
		tail -s 0.2 -n +1 -f --pid=$qpid "$RES/console.log" >&2 &
		cpid=$!
	fi
	wait $qpid || QRC=$?
	wait $tpid $cpid 2>/dev/null || true
	trap - INT TERM HUP
	if [ -s "$RES/guest-start" ]; then
		t0=$(stat -c %.3Y "$RES/guest-start") # host clock: written over 9p
		say "$KVER: guest script started after $(secs "$t0" "$start") s;" \
			"VM ran $(secs "$(date +%s.%N)" "$start") s"
	fi
}

# verdict: print the reason for a failure and exit with the final status.
verdict() {
	local status
	status=$(cat "$RES/status" 2>/dev/null || true)
	if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
		splats || true
		console_tail
		say "FAIL: TIMEOUT, VM killed after ${TIMEOUT}s (VM_TIMEOUT)"
		exit 124
	fi
	if splats; then
		console_tail
		say "FAIL: kernel splat detected (script status: ${status:-none}); see $SPLAT_FILE"
		exit 1
	fi
	if [ -z "$status" ]; then
		console_tail
		say "FAIL: guest wrote no status (kernel panic, crash or boot failure; qemu rc=$QRC)"
		exit 1
	fi
	# The guest shut down cleanly: its output says what failed.
	[ "$status" = 0 ] || say "guest script exited with status $status"
	exit "$status"
}

main() {
	[ $# -ge 2 ] || { sed -n '2,/^# shellcheck/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2; }
	KVER=$1
	local script=$2 try
	shift 2
	if [ -n "${VM_KERNEL:-}" ]; then
		[ -f "$VM_KERNEL" ] || die "no such file: $VM_KERNEL (VM_KERNEL)"
		MODULES="" # built in
	else
		[ -f "/boot/vmlinuz-$KVER" ] || die "no /boot/vmlinuz-$KVER"
		[ -d "/lib/modules/$KVER" ] || die "no /lib/modules/$KVER"
	fi
	case $script in /*) ;; *) die "GUEST_SCRIPT must be an absolute path" ;; esac
	[ -f "$script" ] || die "no such file: $script"
	# The guest mounts tmpfs over these; only the repo is carried through.
	case $script in "$REPO"/*) ;; /tmp/* | /run/* | /var/tmp/* | /var/log/* | /var/lib/*)
		die "$script is hidden in the guest (tmpfs there); put it elsewhere" ;;
	esac

	RES=${VM_RESULTS:-$REPO/build/vm-results/$KVER}
	case $RES in /*) ;; *) RES=$PWD/$RES ;; esac
	TIMEOUT=${VM_TIMEOUT:-1800}
	fresh_results "$RES"
	write_control "$RES" "$script" "$@"
	vm_cmd "$RES"

	for try in $(seq 0 "${VM_BOOT_RETRIES:-1}"); do
		boot_vm
		# Retry only if the guest died before the script started (so no test
		# code ran): QEMU 7.2 MTTCG very rarely (~1/100 boots) crashes the
		# guest kernel early with "Oops: int3" from jump-label patching.
		if [ -e "$RES/guest-start" ] || [ -e "$RES/status" ] ||
			[ "$QRC" = 124 ] || [ "$try" -ge "${VM_BOOT_RETRIES:-1}" ]; then
			break
		fi
		mv "$RES/console.log" "$RES/console.bootfail$try.log"
		say "guest died before the script started (see console.bootfail$try.log); rebooting"
	done
	verdict
}

main "$@"
