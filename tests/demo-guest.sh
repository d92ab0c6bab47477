#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo`: demo-guest.sh MODULE
# A LAN host learns its public address:port from a STUN server, and a
# second internet host, which the LAN host never contacted, reaches it
# there; behind the kernel's MASQUERADE, the same stranger does not.
cd "$(dirname "$0")/selftests" || exit 1
export MODULE=$1
. ./lib.sh
. ./nat.sh
TMPDIR=$(mktemp -d)
trap 'cleanup_ns; rm -rf "$TMPDIR"' EXIT
set -e

say() { printf '\n== %s\n' "$*"; }

# stranger: the LAN host talks to a reflector and waits; a host it never
# talked to sends to the mapping the reflector saw. Prints what arrived.
stranger() {
	local lan mapping
	in_ns "$lan1" "$NATTEST" send udp -t 10 -r 1 -b 10.0.1.2:4000 \
		198.51.100.10:3479 >"$TMPDIR/lan" 2>&1 &
	lan=$!
	busywait 10000 grep -q mapped "$TMPDIR/lan"
	mapping=$(mapped <"$TMPDIR/lan")
	echo "LAN host 10.0.1.2:4000 sent to 198.51.100.10:3479, which saw it as $mapping"
	echo "a stranger, 192.0.2.10:9999, sends to $mapping"
	in_ns "$inet" "$NATTEST" send udp -t 1 -b 192.0.2.10:9999 "$mapping" \
		>/dev/null 2>&1 || true
	wait $lan || true
	if grep -q recv "$TMPDIR/lan"; then
		sed -n 's/^recv/LAN host: received/p' "$TMPDIR/lan"
	else
		echo "LAN host: nothing arrived"
	fi
}

say "network: namespaces in this VM"
cat <<'T'
  LAN host 10.0.1.2 --- 10.0.1.1 router 203.0.113.1 (wan0) --- internet
                                                      198.51.100.10 STUN, reflector
                                                      192.0.2.10    a stranger
T
nat_topology
say "router: conenat up wan0"
in_ns "$rt" "$CONENAT" show

in_ns "$inet" turnserver -S -z --no-cli --no-tls --no-dtls -L 198.51.100.10 \
	--pidfile "$TMPDIR/turn.pid" --userdb "$TMPDIR/turndb" >/dev/null 2>&1 &
busywait 10000 eval "in_ns $inet ss -uln | grep -q 198.51.100.10:3478"
say "LAN host asks the STUN server (coturn) at 198.51.100.10:3478 for its address"
in_ns "$lan1" turnutils_stunclient -L 10.0.1.2 -p 3478 198.51.100.10 2>&1 |
	sed -n 's/.*reflexive addr: */public address and port: /p' | head -n 1

say "full cone: a stranger reaches the LAN host's mapping"
reflect "$inet" udp 198.51.100.10:3479
stranger | tee "$TMPDIR/cone"
grep -q "LAN host: received" "$TMPDIR/cone" ||
	{ echo "demo: full cone NAT failed"; exit 1; }

say "conenat mappings"
in_ns "$rt" "$CONENAT" mappings

say "for contrast: conenat down, the kernel's MASQUERADE instead"
in_ns "$rt" "$CONENAT" down
in_ns "$rt" nft add table ip nat
in_ns "$rt" nft add chain ip nat post \
	'{ type nat hook postrouting priority 100; }'
in_ns "$rt" nft add rule ip nat post oifname wan0 masquerade
stranger | tee "$TMPDIR/masq"
grep -q "LAN host: received" "$TMPDIR/masq" &&
	{ echo "demo: MASQUERADE let the stranger in?"; exit 1; }
echo "(MASQUERADE filters by remote endpoint: the \"strict NAT\" of games and P2P)"
echo
echo "demo: full cone NAT works"
