#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/debug-kernel/build.sh: build the debug kernel make check-debug boots
# (KASAN, UBSAN, kmemleak, lockdep, debug objects, ...), if it is not built.
#
# From Debian's linux-source-6.12 tarball: allnoconfig with debug.config
# (next to this script) as KCONFIG_ALLCONFIG, so the kernel has what the
# fragment names and nothing else; all built in, no modules.  Fails, naming
# them, if options of the fragment did not make it into .config (olddefconfig
# and allnoconfig drop options whose dependencies are unmet, silently).
#
# The cache, $CONENAT_CACHE (default /var/cache/conenat/debug-kernel), is
# outside the repo so that make clean and fresh clones keep it:
#   src/       the unpacked tarball (src/.tarball names its sha256)
#   obj/       the O= build tree: vmlinux (PVH bootable), arch/x86/boot/
#              bzImage, and what out-of-tree modules build against
#              (make -C obj M=..., Module.symvers included)
#   modroot/   lib/modules/KREL/ with modules.builtin, for modprobe in the
#              guest to know the built-in modules
#   stamp      sha256 of the tarball's sha256 and the fragment: when it
#              matches, nothing is rebuilt; build.log, build-time
# Unpacking happens again only when the tarball changed; a changed fragment
# rebuilds incrementally in obj/.
#
# stdout: KEY=value lines for callers (KREL, KDIR, VMLINUX, BZIMAGE,
# MODROOT); progress goes to stderr.  Cost on the 2-core development host,
# sharing it with a QEMU guest: 16 s to unpack, 25.5 min to build from
# scratch (1380 objects), 26 s after a one-option change of the fragment,
# 0.5 s when up to date (hashing the tarball).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tarball=${CONENAT_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
fragment=$here/debug.config
cache=${CONENAT_CACHE:-/var/cache/conenat/debug-kernel}
src=$cache/src
obj=$cache/obj
modroot=$cache/modroot

say() { echo "debug-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

# need_tools: what kbuild needs beyond make and gcc (objtool: libelf).
need_tools() {
	local missing="" t
	for t in flex bison bc cpio depmod; do
		command -v "$t" >/dev/null || missing+=" $t"
	done
	[ -e /usr/include/gelf.h ] || missing+=" libelf-dev"
	[ -z "$missing" ] || die "missing:$missing (apt-get install flex bison bc cpio kmod libelf-dev)"
}

# unpack SHA: the tarball into src/, unless src/ is from this tarball.
# A new source tree invalidates every object in obj/.
unpack() {
	local sha=$1 tmp=$cache/src.tmp.$$
	[ "$(cat "$src/.tarball" 2>/dev/null)" != "$sha" ] || return 0
	say "unpacking ${tarball##*/}"
	rm -rf "$src" "$obj" "$cache"/src.tmp.*
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	echo "$sha" >"$tmp/.tarball"
	mv "$tmp" "$src"
}

# fragment_lines: the fragment's settings, "CONFIG_X=v" or "# CONFIG_X is
# not set", without comments.
fragment_lines() {
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$fragment"
}

# check_config: every fragment line holds in obj/.config; print the others.
check_config() {
	local line sym bad=0
	while read -r line; do
		case $line in
		"# "*)
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$obj/.config" || continue
			;;
		*)
			grep -qxF "$line" "$obj/.config" && continue
			sym=${line%%=*}
			;;
		esac
		say "not in .config: $line (have: $(grep -E "^(# )?${sym}[= ]" "$obj/.config" || echo nothing))"
		bad=1
	done < <(fragment_lines)
	return "$bad"
}

# kmake ARGS...: make in the source tree with obj/ as output, at the lowest
# priority (QEMU guests share the two cores), logged to build.log.
kmake() {
	nice -n 19 make -C "$src" O="$obj" -j"$(nproc)" "$@" >>"$cache/build.log" 2>&1 || {
		tail -n 30 "$cache/build.log" >&2
		die "make $* failed; see $cache/build.log"
	}
}

build() {
	local t0 t1 krel
	: >"$cache/build.log"
	t0=$(date +%s)
	mkdir -p "$obj"
	say "configuring (allnoconfig + ${fragment#"$here"/})"
	kmake KCONFIG_ALLCONFIG="$fragment" allnoconfig
	check_config || die "the fragment's options above are missing: fix their dependencies in $fragment"
	say "building bzImage and the module build tree (log: $cache/build.log)"
	# "modules" with none configured still runs modpost: Module.symvers.
	kmake bzImage modules
	krel=$(cat "$obj/include/config/kernel.release")
	rm -rf "$modroot"
	kmake INSTALL_MOD_PATH="$modroot" modules_install
	t1=$(date +%s)
	echo "$((t1 - t0))" >"$cache/build-time"
	say "built $krel in $((t1 - t0)) s"
}

outputs_present() {
	[ -s "$obj/vmlinux" ] && [ -s "$obj/arch/x86/boot/bzImage" ] &&
		[ -e "$obj/Module.symvers" ] && [ -d "$modroot/lib/modules" ]
}

main() {
	local tsha key krel
	[ -r "$tarball" ] || die "no $tarball (apt-get install linux-source-6.12)"
	need_tools
	mkdir -p "$cache"
	# One build at a time; a second caller waits, then finds it done.
	exec 9>"$cache/lock"
	flock 9
	tsha=$(sha256sum <"$tarball" | cut -d' ' -f1)
	key=$( (echo "$tsha"; cat "$fragment") | sha256sum | cut -d' ' -f1)
	if [ "$(cat "$cache/stamp" 2>/dev/null)" = "$key" ] && outputs_present; then
		say "up to date in $cache"
	else
		rm -f "$cache/stamp"
		unpack "$tsha"
		build
		echo "$key" >"$cache/stamp"
	fi
	krel=$(cat "$obj/include/config/kernel.release")
	echo "KREL=$krel"
	echo "KDIR=$obj"
	echo "VMLINUX=$obj/vmlinux"
	echo "BZIMAGE=$obj/arch/x86/boot/bzImage"
	echo "MODROOT=$modroot"
}

main "$@"
