#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-module.sh KVER: build conenat.ko for kernel KVER with W=1 and
# -Werror into build/KVER/, from a private copy of the sources.
set -eu
kver=$1
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kver
out=$top/build/$kver
mkdir -p "$out"
# cp -a keeps the sources' times, so unchanged objects are not rebuilt.
cp -a "$top/Kbuild" "$top/kmod" "$top/include" "$out/"
make -s -C "$kdir" M="$out" W=1 KCFLAGS=-Werror modules
