#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo`: demo-guest.sh MODULE
# A LAN host learns its public address:port from a STUN server, and a
# second internet host, which the LAN host never contacted, reaches it there.
cd "$(dirname "$0")/selftests" || exit 1
export MODULE=$1
. ./lib.sh
. ./nat.sh
TMPDIR=$(mktemp -d)
trap 'cleanup_ns; rm -rf "$TMPDIR"' EXIT
set -e

say() { printf '\n== %s\n' "$*"; }

nat_topology
say "router: conenat up wan0"
in_ns "$rt" "$CONENAT" show

say "internet: STUN server (coturn) on 198.51.100.10:3478"
in_ns "$inet" turnserver -S -z --no-cli --no-tls --no-dtls -L 198.51.100.10 \
	--pidfile "$TMPDIR/turn.pid" --userdb "$TMPDIR/turndb" >/dev/null 2>&1 &
busywait 10000 eval "in_ns $inet ss -uln | grep -q 198.51.100.10:3478"
say "LAN host 10.0.1.2: STUN binding request (coturn turnutils_stunclient)"
in_ns "$lan1" turnutils_stunclient -L 10.0.1.2 -p 3478 198.51.100.10 2>&1 |
	grep -i 'reflexive' | head -n 2 || true

say "LAN host 10.0.1.2:4000 talks to a reflector at 198.51.100.10:3479 and waits"
reflect "$inet" udp 198.51.100.10:3479
in_ns "$lan1" "$NATTEST" send udp -t 20 -r 1 -b 10.0.1.2:4000 \
	198.51.100.10:3479 >"$TMPDIR/lan" &
lan=$!
busywait 10000 grep -q mapped "$TMPDIR/lan"
cat "$TMPDIR/lan"
mapping=$(mapped <"$TMPDIR/lan")

say "a stranger, 192.0.2.10:9999, sends to $mapping"
in_ns "$inet" "$NATTEST" send udp -t 1 -b 192.0.2.10:9999 "$mapping" \
	>/dev/null 2>&1 || true
wait $lan || true
say "what the LAN host received"
grep recv "$TMPDIR/lan" || { echo "nothing: full cone NAT failed"; exit 1; }

say "conenat mappings"
in_ns "$rt" "$CONENAT" mappings
say "conenat stats"
in_ns "$rt" "$CONENAT" stats
echo
echo "demo: full cone NAT works"
