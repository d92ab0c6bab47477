#!/bin/bash
# tools/deps.sh - install every Debian package conenat needs (idempotent).
#
#   tools/deps.sh             install what is missing (fast no-op when all present)
#   tools/deps.sh --checkpatch  print the path of checkpatch.pl
#   tools/deps.sh --kernels   print the kernel versions to test, one per line:
#                             newest installed 6.1.* and newest 6.12.* that have
#                             /boot/vmlinuz-<kver> and headers
#
# Kernel installs normally run update-initramfs (about a minute per kernel).
# Nothing here boots /boot/initrd.img-* (tests/vm/run.sh builds its own tiny
# initramfs), so we export INITRD=No, which /etc/kernel/postinst.d/initramfs-tools
# documents as "kernel does not need an initramfs" and skips.  The
# initramfs-tools dpkg trigger (fired by e.g. busybox/kmod upgrades) still runs.
# zstd is beyond the base list: run.sh needs it to unpack 6.12 bzImages.
set -eu

PKGS="linux-image-amd64 linux-headers-amd64 linux-image-6.12-amd64
linux-headers-6.12-amd64 qemu-system-x86 busybox-static libmnl-dev pkg-config
iproute2 nftables iptables conntrack socat tcpdump iperf3 kmod sparse coturn
stun-client python3-scapy traceroute iputils-tracepath iputils-ping xz-utils
cpio gcc make zstd jq linux-source-6.12 dkms openssl systemd
linux-headers-cloud-amd64 linux-headers-rt-amd64 linux-headers-6.12-cloud-amd64
linux-headers-6.12-rt-amd64 clang libclang-rt-14-dev flex bison bc libelf-dev
gcc-mips-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-mips-cross
libc6-dev-armhf-cross qemu-user-static"

# checkpatch.pl and its data files, unpacked from linux-source-6.12.
CHECKPATCH_DIR=/usr/src/linux-source-6.12

log() { echo "deps: $*"; }

# has_headers KVER: headers usable for building out-of-tree modules.
has_headers() {
	[ -d "/usr/src/linux-headers-$1" ] || [ -e "/lib/modules/$1/build" ]
}

# newest_kernel SERIES: newest generic kver "SERIES.*-amd64" with a vmlinuz
# and headers (6.12's cloud and rt headers bring their images along).
newest_kernel() {
	local f kver best=""
	for f in /boot/vmlinuz-"$1".*-amd64; do
		[ -e "$f" ] || continue
		kver=${f#/boot/vmlinuz-}
		case $kver in *-cloud-amd64 | *-rt-amd64) continue ;; esac
		has_headers "$kver" || continue
		best=$(printf '%s\n%s\n' "$best" "$kver" | sed '/^$/d' | sort -V | tail -n1)
	done
	[ -n "$best" ] && echo "$best"
	return 0
}

list_kernels() {
	newest_kernel 6.1
	newest_kernel 6.12
}

# The cloud and rt flavours of those kernels whose headers are installed:
# built with W=1 only (there is no VM image of them).
list_flavours() {
	local kver f
	for kver in $(list_kernels); do
		for f in cloud rt; do
			[ -d "/usr/src/linux-headers-${kver%-amd64}-$f-amd64" ] &&
				echo "${kver%-amd64}-$f-amd64"
		done
	done
	return 0
}

# missing_pkgs: packages not in dpkg state "install ok installed"
# (one dpkg-query call; unknown packages are simply absent from its output).
missing_pkgs() {
	local ok p
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	ok=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
		awk '$2 " " $3 " " $4 == "install ok installed" { print $1 }')
	for p in $PKGS; do
		echo "$ok" | grep -qxF "$p" || echo "$p"
	done
}

install_missing() {
	local missing
	missing=$(missing_pkgs | tr '\n' ' ')
	if [ -z "${missing// /}" ]; then
		log "all $(echo "$PKGS" | wc -w) packages already installed"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { log "need root to install: $missing" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive INITRD=No
	log "missing: $missing"
	log "running apt-get update"
	apt-get update -qq
	log "running apt-get install $missing"
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt-get install -y -q --no-install-recommends $missing
	log "done"
}

# The source package ships a tarball; unpack only what checkpatch needs.
unpack_checkpatch() {
	local tarball=/usr/src/linux-source-6.12.tar.xz f
	[ -x "$CHECKPATCH_DIR/scripts/checkpatch.pl" ] && return 0
	log "unpacking checkpatch.pl from $tarball"
	tar -C /usr/src -xJf "$tarball" \
		$(for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
			echo "linux-source-6.12/scripts/$f"; done)
}

case "${1:-}" in
--kernels) list_kernels ;;
--flavours) list_flavours ;;
--checkpatch) echo "$CHECKPATCH_DIR/scripts/checkpatch.pl" ;;
"") install_missing; unpack_checkpatch ;;
*) echo "usage: $0 [--kernels|--flavours|--checkpatch]" >&2; exit 2 ;;
esac
