#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-cross: the module cross-built for the routers that want full
# cone (arm64, 32-bit ARM, little-endian MIPS) against Debian 12's kernel
# headers for them, and for big-endian 32-bit MIPS (ath79's byte order,
# which Debian 12 has no kernel for) against a tree prepared from
# linux-source-6.12, with W=1 -Werror and then with sparse (C=2).
# Then the tool, with -Werror, for the same routers and for s390x (a
# big-endian CPU Debian 12 has libmnl for), and its tests against the
# fake module (tools/test) under qemu-user; for big-endian MIPS, which
# Debian 12 has no libmnl for, it is compiled but not linked.
# Ends with one "cross: N passed, N failed, N skipped" line.
#
# Debian's foreign linux-headers packages cannot be installed next to the
# host's (each depends on that architecture's own gcc), so they are
# downloaded and unpacked under build/cross/root; their scripts are the
# host's linux-kbuild-6.1 (Multi-Arch: foreign). The one change outside
# build/: a /usr/src/linux-headers-*-common link when the host lacks that
# version, as the headers' Makefile includes it by absolute path.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/cross
root=$log/root
mkdir -p "$log" "$root"
# shellcheck source=tap.sh
. "$top/tests/tap.sh"

# Debian architecture, kernel ARCH, header flavour, compiler prefix;
# "source" for the tree be_tree() prepares.
TARGETS="arm64:arm64:arm64:aarch64-linux-gnu-
armhf:arm:armmp:arm-linux-gnueabihf-
mipsel:mips:4kc-malta:mipsel-linux-gnu-
mips:mips:source:mips-linux-gnu-"
# Debian architecture, GNU triplet, qemu-user's name; the tool's targets.
TOOL_TARGETS="arm64:aarch64-linux-gnu:aarch64
armhf:arm-linux-gnueabihf:arm
mipsel:mipsel-linux-gnu:mipsel
s390x:s390x-linux-gnu:s390x"

# The architectures, the compilers and sparse; once.
cross_deps() {
	local t a update= mnl=()
	for t in $TOOL_TARGETS; do
		a=${t%%:*}
		mnl+=("libmnl-dev:$a")
		dpkg --print-foreign-architectures | grep -qx "$a" ||
			{ dpkg --add-architecture "$a" && update=1; }
	done
	[ -z "$update" ] || apt-get update -q
	apt-get install -y -q gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
		gcc-mipsel-linux-gnu gcc-mips-linux-gnu gcc-s390x-linux-gnu \
		sparse linux-kbuild-6.1 linux-source-6.12 xz-utils bc flex bison \
		qemu-user-static libmnl-dev "${mnl[@]}"
}

# tool_copy ARCH: a copy of the tool's sources to build for ARCH, printed.
tool_copy() {
	local dir=$log/tool-$1
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a tools include "$dir/"
	make -s -C "$dir/tools" clean
	echo "$dir"
}

# tool_cross ARCH TRIPLET QEMU: the tool and the fake module for ARCH,
# against ARCH's libmnl, and the tool's tests run under qemu-user.
# shellcheck disable=SC2317 # called through step
tool_cross() {
	local dir
	dir=$(tool_copy "$1") &&
		PKG_CONFIG_LIBDIR=/usr/lib/$2/pkgconfig RUNNER=qemu-$3-static \
		make -C "$dir/tools" CC="$2-gcc" check-fake
}

# tool_objects TRIPLET: the tool compiled for a target without libmnl,
# against the host's libmnl header (the same on every architecture).
# shellcheck disable=SC2317 # called through step
tool_objects() {
	local dir
	dir=$(tool_copy "$1") || return 1
	mkdir -p "$dir/mnl"
	ln -s /usr/include/libmnl "$dir/mnl/libmnl"
	make -C "$dir/tools" CC="$1-gcc" PKG_CONFIG=true \
		CPPFLAGS="-I$dir/mnl" objs
}

# be_tree: a module build tree for a 32-bit big-endian MIPS Malta with
# what conenat needs, prepared (modules_prepare, no kernel built) from
# linux-source-6.12 once into $CONENAT_CACHE/mips-be (default
# /var/cache/conenat), and printed. Without a built kernel there is no
# Module.symvers, so modpost cannot check symbols there: they are
# checked by the builds against Debian's headers.
be_tree() {
	local cache=${CONENAT_CACHE:-/var/cache/conenat}/mips-be
	local src=$cache/src obj=$cache/obj
	local mk=(make -C "$src" O="$obj" ARCH=mips CROSS_COMPILE=mips-linux-gnu-)
	if [ ! -e "$obj/.conenat-prepared" ]; then
		rm -rf "$cache"
		mkdir -p "$src" "$obj"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$src" \
			--strip-components=1 &&
			"${mk[@]}" malta_defconfig &&
			"$src/scripts/config" --file "$obj/.config" \
				--enable CPU_BIG_ENDIAN --disable CPU_LITTLE_ENDIAN \
				--enable MODULES --enable NETFILTER \
				--enable NF_CONNTRACK --enable NF_DEFRAG_IPV4 \
				--enable NF_SOCKET_IPV4 &&
			"${mk[@]}" olddefconfig &&
			grep -qx CONFIG_CPU_BIG_ENDIAN=y "$obj/.config" &&
			"${mk[@]}" modules_prepare &&
			touch "$obj/.conenat-prepared" || return 1
	fi >&2
	echo "$obj"
}

# headers DEBARCH FLAVOUR: unpack the newest 6.1 headers of FLAVOUR and
# print their directory.
headers() {
	local arch=$1 flavour=$2 pkg common dir
	pkg=$(apt-cache depends "linux-headers-$flavour:$arch" |
		sed -n 's/.*Depends: \(linux-headers-6[^:]*\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || return 1
	dir=$root/usr/src/$pkg
	common=${pkg%-"$flavour"}-common
	if [ ! -d "$dir" ]; then
		(cd "$log" && apt-get download -q "$pkg:$arch" "$common") >&2 &&
			dpkg-deb -x "$log/${pkg}_"*"_$arch.deb" "$root" &&
			dpkg-deb -x "$log/${common}_"*_all.deb "$root" || return 1
	fi
	mkdir -p "$root/usr/lib"
	ln -sfn /usr/lib/linux-kbuild-6.1 "$root/usr/lib/linux-kbuild-6.1"
	[ -e "/usr/src/$common" ] ||
		ln -sfn "$root/usr/src/$common" "/usr/src/$common"
	echo "$dir"
}

step deps cross_deps && result OK "cross compilers and sparse" ||
	result FAIL "cross compilers and sparse"
for t in $TARGETS; do
	IFS=: read -r arch karch flavour prefix <<<"$t"
	extra=() noise=
	if [ "$flavour" = source ]; then
		get=(be_tree) what="a big-endian tree from linux-source-6.12"
		extra=(KBUILD_MODPOST_WARN=1)
		# What modpost says of symbols it cannot check there.
		noise='|modpost|Module.symvers|Modules may|You may|You can set|if you want'
	else
		get=(headers "$arch" "$flavour") what=linux-headers-$flavour
	fi
	if ! kdir=$("${get[@]}" 2>"$log/headers-$arch.log"); then
		tail -n 40 "$log/headers-$arch.log" | sed 's/^/# /'
		result FAIL "$what for $arch"
		continue
	fi
	out=$log/$arch
	rm -rf "$out"
	mkdir -p "$out"
	cp -a Kbuild kmod include "$out/"
	build=(make -C "$kdir" M="$out" ARCH="$karch" CROSS_COMPILE="$prefix"
		"${extra[@]}")
	step "build-$arch" "${build[@]}" W=1 KCFLAGS=-Werror modules &&
		result OK "module builds with W=1 for $arch ($what)" ||
		result FAIL "module builds with W=1 for $arch ($what)"
	# Sparse on every file again. On MIPS it says that gcc's own
	# __ATOMIC_* macros are defined twice (sparse's and gcc-12's), about
	# the toolchain, not conenat; anything else is a finding.
	touch "$out"/kmod/*.c
	step "sparse-$arch" "${build[@]}" C=2 modules
	if grep -vE "__ATOMIC_[A-Z_]+ redefined|this was the original definition|in included file|^make|^  [A-Z]|BTF$noise" \
		"$log/sparse-$arch.log" | grep -q .; then
		sed 's/^/# /' "$log/sparse-$arch.log" | head -n 40
		result FAIL "sparse clean for $arch"
	else
		result OK "sparse clean for $arch"
	fi
done

for t in $TOOL_TARGETS; do
	IFS=: read -r arch triplet qemu <<<"$t"
	step "tool-$arch" tool_cross "$arch" "$triplet" "$qemu" &&
		result OK "tool builds for $arch, its tests pass under qemu-$qemu" ||
		result FAIL "tool builds for $arch, its tests pass under qemu-$qemu"
done
step tool-mips tool_objects mips-linux-gnu &&
	result OK "tool compiles for big-endian MIPS (no libmnl to link)" ||
	result FAIL "tool compiles for big-endian MIPS (no libmnl to link)"
echo "cross: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
