#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install.sh KVER: make install, make uninstall and make dkms-install into
# a DESTDIR, from a copy of the tree (make install builds in place), and
# check what lands where. Prints TAP and a closing "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$1
work=$top/build/install-test
pass=0 fail=0

ok() { # ok COND-RESULT NAME
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok - $2"
	else
		fail=$((fail + 1))
		echo "not ok - $2"
	fi
}

rm -rf "$work"
mkdir -p "$work/src" "$work/root"
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/src")
cd "$work/src" || exit 1
dest=$work/root
make -s install KVER="$kver" DESTDIR="$dest" PREFIX=/usr >"$work/install.log" 2>&1
ok $? "make install"
ls "$dest/lib/modules/$kver/updates/"conenat.ko* >/dev/null 2>&1
ok $? "module in /lib/modules/$kver/updates"
[ -x "$dest/usr/sbin/conenat" ] && "$dest/usr/sbin/conenat" help >/dev/null
ok $? "tool in /usr/sbin and runs"
[ -f "$dest/usr/share/man/man8/conenat.8" ]
ok $? "man page in /usr/share/man/man8"
# What a release sets in several places agrees (README: Releasing).
version=$("$dest/usr/sbin/conenat" -jV 2>/dev/null | jq -r .tool)
[ -n "$version" ] && grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf &&
	grep -q "^\.TH CONENAT 8 \"[0-9-]*\" \"conenat $version\"" tools/conenat.8 &&
	[ -f LICENSE ] && grep -q "^$version " NEWS
ok $? "dkms.conf, the man page and NEWS name version ${version:-?}; LICENSE"
[ -f "$dest/usr/share/bash-completion/completions/conenat" ]
ok $? "bash completion installed"
unit=$dest/usr/lib/systemd/system/conenat.service
grep -qx 'ExecStart=/usr/sbin/conenat load /etc/conenat.conf' "$unit" 2>/dev/null
ok $? "conenat.service installed, naming the installed tool"
if command -v systemd-analyze >/dev/null; then
	# verify wants the programs the unit runs where it says they are
	sed "s|/usr/sbin/conenat|$dest/usr/sbin/conenat|" "$unit" >"$work/conenat.service"
	systemd-analyze verify --man=no "$work/conenat.service" >>"$work/install.log" 2>&1
	ok $? "systemd-analyze verify conenat.service"
else
	echo "ok - systemd-analyze verify # SKIP systemd-analyze missing"
fi
grep -qx conenat "$dest/usr/lib/modules-load.d/conenat.conf" 2>/dev/null
ok $? "modules-load.d entry installed"
make -s uninstall KVER="$kver" DESTDIR="$dest" PREFIX=/usr >>"$work/install.log" 2>&1
ok $? "make uninstall"
[ -z "$(find "$dest" -type f)" ]
ok $? "make uninstall leaves no file: $(find "$dest" -type f | tr '\n' ' ')"
make -s dkms-install DESTDIR="$dest" >>"$work/install.log" 2>&1
ok $? "make dkms-install"
src=$dest/usr/src/conenat-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
want="Kbuild dkms.conf include/uapi/linux/conenat.h $(cd kmod && ls *.c *.h | sed 's#^#kmod/#' | tr '\n' ' ')"
got=$(cd "$src" 2>/dev/null && find . -type f | sed 's#^\./##' | sort | tr '\n' ' ')
[ "$(tr ' ' '\n' <<<"$want" | grep . | sort | tr '\n' ' ')" = "$got" ]
ok $? "dkms-install copies the module sources only"
# The copied sources build on their own, as DKMS will build them.
make -s -C "/lib/modules/$kver/build" M="$src" modules >>"$work/install.log" 2>&1 &&
	[ -f "$src/conenat.ko" ]
ok $? "the DKMS source tree builds for $kver"
[ $fail -eq 0 ] || tail -20 "$work/install.log" | sed 's/^/# /'
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
