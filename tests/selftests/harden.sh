# SPDX-License-Identifier: GPL-2.0
# Trust boundaries: no internal source address leaves (besides the leak
# watch every NAT test has, each case here is asserted on its own), no
# LAN host borrows an external identity, no router socket is shadowed,
# and port forwards go to LAN hosts only. Sourced by run.sh; uses the
# helpers of hostile.sh and nat.sh.

# shellcheck source=hostile.sh
. "$(dirname "${BASH_SOURCE[0]}")/hostile.sh"

TESTS=(
	lan_router_icmp_error_leaves_from_external_address
	corrupted_icmp_error_dropped_not_repaired
	other_protocols_never_leave_with_internal_source
	lan_host_cannot_borrow_external_address
	lan_host_cannot_borrow_pool_address
	nft_dnat_forward_beside_conenat_answers
	wan_to_wan_transit_creates_nothing
	router_sockets_never_shadowed
	up_warns_when_range_overlaps_local_ports
	port_forward_only_to_lan_hosts
)

# RFC 5508 REQ-4: a router inside the LAN that refuses an inbound packet
# (a second hop's time exceeded, a downstream link's fragmentation
# needed) is named by the NAT's external address, as the error leaves.
lan_router_icmp_error_leaves_from_external_address() {
	lab_topology
	ip -n "$lan1" addr add 10.0.1.77/24 dev eth0
	counters c0
	OUT=$($HOSTILE lanrouter "$lan1" "$rt" "$inet" "$UDPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	[ "${F[lanrouter-inet-got]}" = 2 ] ||
		fail "the errors did not both reach inet: $(lines inet:)"
	local t
	for t in "type 11 code 0" "type 3 code 4"; do
		[[ $OUT == *"inet:lanrouter $WAN > 198.51.100.10 icmp $t "* ]] ||
			fail "no ICMP $t from $WAN at inet: $(lines inet:)"
	done
}

# An ICMP error with a wrong checksum is dropped and counted, each way,
# rather than passed on with a checksum made valid by the translation.
corrupted_icmp_error_dropped_not_repaired() {
	lab_topology
	counters c0
	OUT=$($HOSTILE badcsum "$lan1" "$rt" "$inet" "$UDPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks bad "corrupted ICMP errors"
	[ "${G[drop_icmp_checksum]}" = 2 ] ||
		fail "drop_icmp_checksum grew by ${G[drop_icmp_checksum]}, not 2"
	[ "${F[good-lan-got]}" = 1 ] && [ "${F[good-inet-got]}" = 1 ] ||
		fail "the same errors with right checksums did not pass: $(lines lan:good) $(lines inet:good)"
}

# Protocols without ports, and ICMP that is neither an echo request nor
# an error about a mapping, cannot be translated: they are dropped and
# counted, never passed on with the LAN host's address (see README).
other_protocols_never_leave_with_internal_source() {
	lab_topology
	counters c0
	OUT=$($HOSTILE otherproto "$lan1" "$rt" "$inet" "$UDPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks other "other protocols"
	[ "${G[drop_protocol]}" = "${F[sent-out]}" ] ||
		fail "drop_protocol grew by ${G[drop_protocol]}, not ${F[sent-out]}"
}

# A LAN host that sends from the router's external address makes no
# mapping whose internal endpoint is the router, neither outbound nor
# through the hairpin path.
lan_host_cannot_borrow_external_address() {
	lab_topology
	counters c0
	OUT=$($HOSTILE spoof "$lan1" "$rt" "$inet" "$UDPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks spoof "packets from the external address"
	[ "${G[created]}" = 0 ] || fail "spoofed packets made ${G[created]} mappings"
	[ "${G[drop_spoofed]}" -ge 1 ] ||
		fail "the hairpinned one was not counted as spoofed"
	in_ns "$rt" "$CONENAT" -j mappings |
		jq -e --arg w $WAN 'all(.[]; .internal != $w)' >/dev/null ||
		fail "a mapping whose internal endpoint is $WAN"
}

# A pool address is not the router's own, so routing lets a LAN packet
# from it through; conenat drops it instead of passing it "as ours", and
# nothing from it reaches the internet but its mappings' traffic.
lan_host_cannot_borrow_pool_address() {
	LEAK_MATCH="ip saddr 10.0.0.0/8
	ip saddr 192.0.2.77 udp sport 5555" \
		nat_topology --address 192.0.2.77
	route_pool 192.0.2.77
	reflect "$inet" udp 198.51.100.10:3478
	ip -n "$lan1" addr add 192.0.2.77/32 dev eth0
	send "$lan1" udp -t 2 -b 192.0.2.77:5555 198.51.100.10:3478 &&
		fail "the reflector answered a borrowed pool address"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.drop_spoofed == 1' >/dev/null ||
		fail "not counted: $(in_ns "$rt" "$CONENAT" -j stats)"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "a mapping made: $(in_ns "$rt" "$CONENAT" mappings)"
}

# A port forward made with nf_nat (a DNAT rule, as OpenWrt's firewall
# makes them) keeps working beside conenat: the answers leave with the
# external address nf_nat gave them, which is not borrowing.
nft_dnat_forward_beside_conenat_answers() {
	need nft
	nat_topology
	in_ns "$rt" nft -f - <<-EOF
	table ip nat {
		chain pre {
			type nat hook prerouting priority dstnat;
			iifname "wan0" udp dport 6000 dnat to 10.0.1.2:5000
		}
	}
	EOF
	reflect "$lan1" udp 10.0.1.2:5000
	local m
	m=$(send "$inet" udp -b 198.51.100.20:7000 $WAN:6000 | mapped)
	[ "$m" = 198.51.100.20:7000 ] || fail "no answer through the DNAT rule: '$m'"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.drop_spoofed == 0' >/dev/null ||
		fail "answers counted as spoofed"
}

# Traffic between two outside hosts that the router routes back out of
# its external interface is not the LAN's: it keeps its source and makes
# no mapping.
wan_to_wan_transit_creates_nothing() {
	nat_topology
	ip -n "$inet" route add 100.64.0.0/24 via $WAN
	in_ns "$inet" tcpdump -i eth0 -Q in -n -U -c 1 -w "$TMPDIR/transit.pcap" \
		'udp and dst host 100.64.0.1' 2>"$TMPDIR/transit.err" &
	local pid=$!
	busywait 20000 grep -q listening "$TMPDIR/transit.err" ||
		fail "tcpdump did not start"
	send "$inet" udp -t 1 -b 198.51.100.10:6000 100.64.0.1:7000 || true
	busywait 10000 eval "! kill -0 $pid 2>/dev/null" ||
		fail "the transit packet did not come back to inet"
	tcpdump -n -r "$TMPDIR/transit.pcap" 2>/dev/null | tee "$TMPDIR/transit" |
		grep -q '198.51.100.10.6000 > 100.64.0.1.7000' ||
		fail "transit packet rewritten: $(cat "$TMPDIR/transit")"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "transit made a mapping: $(in_ns "$rt" "$CONENAT" mappings)"
}

# The router's sockets on ports of the range: a connected UDP socket, an
# established TCP connection and a UDP socket bound to wan0. A LAN host
# using the same ports gets other external ones, and each socket still
# gets its own traffic.
router_sockets_never_shadowed() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" tcp 198.51.100.10:8080
	in_ns "$inet" /usr/bin/python3 -c '
import socket, time
s = socket.create_server(("198.51.100.20", 8081))
c, _ = s.accept()
time.sleep(600)' &
	busywait 20000 eval "in_ns $inet ss -tln | grep -qF 198.51.100.20:8081" ||
		fail "TCP peer did not start"
	in_ns "$rt" /usr/bin/python3 -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("203.0.113.1", 25000))
u.connect(("198.51.100.20", 3478))
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"wan0")
d.bind(("0.0.0.0", 25002))
t = socket.create_connection(("198.51.100.20", 8081),
                             source_address=("203.0.113.1", 25001))
print("ready", flush=True)
for s in (u, d):
    s.settimeout(30)
    print("got", s.recv(100).decode(), flush=True)
time.sleep(600)' >"$TMPDIR/router.out" &
	busywait 20000 grep -q ready "$TMPDIR/router.out" ||
		fail "router sockets not made"
	local m p
	for p in 25000 25002; do
		m=$(send "$lan1" udp -b 10.0.1.2:$p 198.51.100.10:3478 | mapped)
		in_range "$m" 20000 29999 && [ "$m" != $WAN:$p ] ||
			fail "UDP $p of the LAN host mapped to $m, the router's port"
	done
	m=$(send "$lan1" tcp -b 10.0.1.2:25001 198.51.100.10:8080 | mapped)
	in_range "$m" 20000 29999 && [ "$m" != $WAN:25001 ] ||
		fail "TCP 25001 of the LAN host mapped to $m, the router's port"
	send "$inet" udp -t 1 -b 198.51.100.20:3478 $WAN:25000 >/dev/null || true
	send "$inet" udp -t 1 -b 198.51.100.20:3479 $WAN:25002 >/dev/null || true
	busywait 10000 eval "[ \$(grep -c '^got' $TMPDIR/router.out) = 2 ]" ||
		fail "router sockets lost their traffic: $(cat "$TMPDIR/router.out")"
	in_ns "$rt" ss -tn | grep -q "$WAN:25001 *198.51.100.20:8081" ||
		fail "the router's TCP connection is gone"
}

# conenat up says so when a range overlaps the ports the router's own
# connections take (net.ipv4.ip_local_port_range).
up_warns_when_range_overlaps_local_ports() {
	nat_topology
	in_ns "$rt" "$CONENAT" down
	in_ns "$rt" sysctl -qw net.ipv4.ip_local_port_range="24000 24999"
	local err
	err=$(in_ns "$rt" "$CONENAT" up wan0 2>&1 >/dev/null)
	echo "$err"
	grep -q "warning: .*overlap.*ip_local_port_range (24000-24999)" <<<"$err" ||
		fail "no warning about the overlap"
	in_ns "$rt" sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
	err=$(in_ns "$rt" "$CONENAT" set --ports 20000-29999 2>&1 >/dev/null)
	[ -z "$err" ] || fail "warned without an overlap: $err"
}

# A port forward goes to a LAN host: loopback, multicast, broadcast (the
# LAN's too), 0.0.0.0 and the router's own addresses are refused, naming
# the address and why, and change nothing.
port_forward_only_to_lan_hosts() {
	nat_topology
	local before a why err
	before=$(in_ns "$rt" "$CONENAT" -j show)
	while read -r a why; do
		err=$(in_ns "$rt" "$CONENAT" forward add udp 5000 to "$a" 2>&1) &&
			fail "forward to $a accepted"
		echo "$err"
		grep -qF "$why" <<<"$err" && grep -qF "$a" <<<"$err" ||
			fail "forward to $a: '$err' does not say '$why' and name it"
	done <<-EOF
	127.0.0.1 loopback
	224.0.0.5 multicast
	255.255.255.255 broadcast
	0.0.0.0 0.0.0.0/8
	10.0.1.1 an address of the router
	$WAN an address of the router
	10.0.1.255 a broadcast address
	EOF
	[ "$(in_ns "$rt" "$CONENAT" -j show)" = "$before" ] ||
		fail "a refused forward changed the configuration"
	in_ns "$rt" "$CONENAT" forward add udp 5000 to 10.0.1.2 ||
		fail "forward to a LAN host refused"
}
