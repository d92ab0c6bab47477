# SPDX-License-Identifier: GPL-2.0
# The NAT engine, checked at the endpoints. Sourced by run.sh.
#
#   lan1 10.0.1.2 --- 10.0.1.1 eth1 \
#                                     rt  wan0 203.0.113.1 --- 203.0.113.2 inet
#   lan2 10.0.2.2 --- 10.0.2.1 eth2 /                          198.51.100.10
#                                                              198.51.100.20
#                                                              192.0.2.10
#
# inet plays every internet host: reflectors on its addresses tell each
# sender the source address:port they saw (nattest reflect).

TESTS=(
	works_without_conntrack
	eim_same_mapping_for_three_destinations
	eif_stranger_reaches_mapping
	port_preservation
	distinct_ports_for_same_source_port
	router_service_outside_range_not_shadowed
	router_own_traffic_untouched
	icmp_echo_same_id_from_two_hosts
	tcp_mapping_is_endpoint_independent
	tcp_bulk_transfer_intact
	tcp_closing_one_connection_keeps_the_others
	tcp_mapping_expires_after_fin
	tcp_mapping_expires_after_rst
	hairpin_udp_between_lan_hosts
	hairpin_tcp_between_lan_hosts
	hairpin_leaves_router_services_alone
	hairpin_icmp_echo_between_lan_hosts
	hairpin_icmp_error_reaches_sender
	refused_mapping_answers_admin_prohibited
	unsolicited_inbound_gets_no_answer
	tcp_simultaneous_open_works
	udp_fragments_cross_both_ways
	interface_recreated_keeps_working
	up_before_interface_exists
	address_change_followed
	interface_down_up_keeps_mappings
	selective_translation_by_prefix
	port_forward_reaches_internal_host
	port_forward_is_the_endpoints_mapping
	port_forward_conflicts_refused
	port_forward_follows_address
	load_refused_keeps_mappings
	flush_static_removes_forwards
	explicit_address_used_for_mappings
	address_pool_pairs_each_host
	mapping_expires_after_timeout
	port_exhaustion_keeps_live_mappings
	freed_port_held_down_before_reuse
	per_host_limit_refuses_new_mappings
	mappings_stats_and_flush
	monitor_reports_new_and_expired
	fwmark_marks_inbound_translated
	conntrack_sees_inside_view
	rfc5780_discovery_reports_full_cone
	rfc5780_discovery_sees_masquerade_filtering
)

WAN=203.0.113.1
RANGE=20000-29999

# add_wan ADDR: rt's wan0 with ADDR/24, to inet's eth0 (203.0.113.2), up,
# and rt's default route through it; also after wan0 was deleted.
add_wan() {
	ip -n "$rt" link add wan0 type veth peer name eth0 netns "$inet"
	ip -n "$rt" addr add "$1"/24 dev wan0
	ip -n "$inet" addr add 203.0.113.2/24 dev eth0
	ip -n "$rt" link set wan0 up
	ip -n "$inet" link set eth0 up
	ip -n "$rt" route add default via 203.0.113.2
}

nat_topology() {
	setup_ns lan1 lan2 rt inet
	ip -n "$rt" link add eth1 type veth peer name eth0 netns "$lan1"
	ip -n "$rt" link add eth2 type veth peer name eth0 netns "$lan2"
	ip -n "$rt" addr add 10.0.1.1/24 dev eth1
	ip -n "$rt" addr add 10.0.2.1/24 dev eth2
	ip -n "$lan1" addr add 10.0.1.2/24 dev eth0
	ip -n "$lan2" addr add 10.0.2.2/24 dev eth0
	local a
	for a in 198.51.100.10 198.51.100.20 192.0.2.10; do
		ip -n "$inet" addr add $a/32 dev lo
	done
	local ns
	for ns in "$lan1" "$lan2"; do
		ip -n "$ns" link set eth0 up
	done
	ip -n "$rt" link set eth1 up
	ip -n "$rt" link set eth2 up
	ip -n "$lan1" route add default via 10.0.1.1
	ip -n "$lan2" route add default via 10.0.2.1
	add_wan $WAN
	watch_leaks "$inet"
	in_ns "$rt" sysctl -qw net.ipv4.ip_forward=1
	load_module
	in_ns "$rt" "$CONENAT" up wan0 "$@"
}

# reflect NS udp|tcp ADDR:PORT: start a reflector, wait until it listens
# (long: under emulation, with traffic running, a start can take seconds).
reflect() {
	local ns=$1 proto=$2 ep=$3 opt
	in_ns "$ns" "$NATTEST" reflect "$proto" "$ep" >/dev/null 2>&1 &
	[ "$proto" = udp ] && opt=-uln || opt=-tln
	busywait 20000 eval "in_ns $ns ss $opt | grep -qF '$ep'" ||
		fail "$proto reflector on $ep did not start"
}

# send NS udp|tcp ARGS...: nattest send, output to stdout.
send() {
	local ns=$1
	shift
	in_ns "$ns" "$NATTEST" send "$@"
}

# The external endpoint a reflector reported, from nattest's output.
mapped() {
	awk '/ mapped /{ print $3 }' | sort -u
}

# one_mapping OUT N: N answers in nattest output OUT, all of one external
# endpoint inside the range (endpoint-independent mapping).
one_mapping() {
	local m
	echo "$1"
	[ "$(grep -c ' mapped ' <<<"$1")" = "$2" ] || fail "a destination did not answer"
	m=$(mapped <<<"$1")
	[ "$(wc -l <<<"$m")" = 1 ] || fail "destinations saw different mappings: $m"
	in_range "$m" 20000 29999 || fail "mapping $m outside $WAN:$RANGE"
}

in_range() { # in_range ADDR:PORT LO HI
	local port=${1##*:}
	[ "${1%:*}" = $WAN ] && [ "$port" -ge "$2" ] && [ "$port" -le "$3" ]
}

# Translation needs no conntrack: with nf_conntrack a module, it is not
# loaded by conenat; built in (the debug kernel), it tracks nothing in the
# router's namespace.
works_without_conntrack() {
	local builtin=false m
	! grep -q '/nf_conntrack.ko' "/lib/modules/$(uname -r)/modules.builtin" ||
		builtin=true
	$builtin || [ ! -d /sys/module/nf_conntrack ] ||
		skip "nf_conntrack is loaded already (test order)"
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "mapped to '$m', not $WAN:$RANGE"
	if $builtin; then
		need conntrack
		m=$(in_ns "$rt" conntrack -L 2>/dev/null) ||
			fail "conntrack -L failed in the router's namespace"
		[ -z "$m" ] || fail "conntrack tracked flows: $m"
	else
		[ ! -d /sys/module/nf_conntrack ] || fail "conenat pulled in conntrack"
	fi
}

eim_same_mapping_for_three_destinations() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" udp 198.51.100.20:3478
	reflect "$inet" udp 192.0.2.10:3479
	one_mapping "$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 \
		198.51.100.20:3478 192.0.2.10:3479)" 3
}

eif_stranger_reaches_mapping() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local out=$TMPDIR/eif.out m pid
	send "$lan1" udp -t 10 -r 1 -b 10.0.1.2:4000 198.51.100.10:3478 >"$out" &
	pid=$!
	busywait 5000 grep -q ' mapped ' "$out" || fail "no mapping"
	m=$(mapped <"$out")
	# A host the LAN host never talked to, from another address and port.
	send "$inet" udp -t 1 -b 192.0.2.10:9999 "$m" >/dev/null 2>&1 || true
	wait $pid || true
	cat "$out"
	grep -q 'recv from 192.0.2.10:9999' "$out" ||
		fail "stranger 192.0.2.10:9999 did not reach the LAN host via $m"
}

port_preservation() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:25000 198.51.100.10:3478 | mapped)
	[ "$m" = $WAN:25000 ] || fail "internal port 25000 became $m"
}

distinct_ports_for_same_source_port() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	ip -n "$lan1" addr add 10.0.1.3/24 dev eth0
	local all="" src
	for src in 10.0.1.2 10.0.1.3; do
		all+=$(send "$lan1" udp -b $src:25001 198.51.100.10:3478 | mapped)$'\n'
	done
	all+=$(send "$lan2" udp -b 10.0.2.2:25001 198.51.100.10:3478 | mapped)
	echo "$all"
	[ "$(sort -u <<<"$all" | grep -c .)" = 3 ] ||
		fail "three internal endpoints share an external port: $all"
	for m in $all; do
		in_range "$m" 20000 29999 || fail "$m outside $WAN:$RANGE"
	done
}

# CVE-2021-3773 pattern: a LAN host using the port of a router service
# must not capture the service's inbound traffic.
router_service_outside_range_not_shadowed() {
	nat_topology
	reflect "$rt" udp $WAN:53
	reflect "$inet" udp 198.51.100.10:3478
	local m out
	m=$(send "$lan1" udp -b 10.0.1.2:53 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "LAN port 53 mapped to $m"
	out=$(send "$inet" udp -b 192.0.2.10:5353 $WAN:53)
	[ "$(mapped <<<"$out")" = 192.0.2.10:5353 ] ||
		fail "router service on $WAN:53 did not answer: $out"
}

router_own_traffic_untouched() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$rt" udp -b $WAN:40000 198.51.100.10:3478 | mapped)
	[ "$m" = $WAN:40000 ] || fail "router's own packet rewritten to $m"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "router's own traffic created a mapping"
}

icmp_echo_same_id_from_two_hosts() {
	nat_topology
	need ping
	local p1 p2
	in_ns "$lan1" ping -n -q -c 3 -i 0.3 -e 4242 198.51.100.10 &
	p1=$!
	in_ns "$lan2" ping -n -q -c 3 -i 0.3 -e 4242 198.51.100.10 &
	p2=$!
	wait $p1 || fail "lan1's ping with id 4242 got no replies"
	wait $p2 || fail "lan2's ping with id 4242 got no replies"
	local ids
	ids=$(in_ns "$rt" "$CONENAT" -j mappings icmp |
		jq -r '.[] | "\(.internal) \(.internal_port) \(.external_port)"')
	echo "$ids"
	[ "$(grep -c ' 4242 ' <<<"$ids")" = 2 ] || fail "not two ICMP mappings"
	[ "$(awk '{print $3}' <<<"$ids" | sort -u | wc -l)" = 2 ] ||
		fail "both hosts got the same external identifier"
}

tcp_mapping_is_endpoint_independent() {
	nat_topology
	reflect "$inet" tcp 198.51.100.10:8080
	reflect "$inet" tcp 192.0.2.10:8081
	# Two connections from one internal endpoint, one after the other.
	one_mapping "$(send "$lan1" tcp -b 10.0.1.2:4001 198.51.100.10:8080 \
		192.0.2.10:8081)" 2
}

tcp_bulk_transfer_intact() {
	nat_topology
	need socat sha256sum
	head -c 8M /dev/urandom >"$TMPDIR/src"
	in_ns "$inet" socat -u TCP-LISTEN:5001,bind=198.51.100.10,reuseaddr \
		OPEN:"$TMPDIR/up",creat,trunc &
	local up=$!
	in_ns "$inet" socat -u FILE:"$TMPDIR/src" \
		TCP-LISTEN:5002,bind=198.51.100.10,reuseaddr &
	busywait 20000 eval "in_ns $inet ss -tln | grep -q :5002" ||
		fail "the listener did not start"
	in_ns "$lan1" socat -u FILE:"$TMPDIR/src" TCP:198.51.100.10:5001
	in_ns "$lan1" socat -u TCP:198.51.100.10:5002 OPEN:"$TMPDIR/down",creat,trunc
	wait $up
	local want
	want=$(sha256sum <"$TMPDIR/src")
	[ "$(sha256sum <"$TMPDIR/up")" = "$want" ] || fail "upload corrupted"
	[ "$(sha256sum <"$TMPDIR/down")" = "$want" ] || fail "download corrupted"
	in_ns "$rt" "$CONENAT" stats | grep -E 'translated|drop'
}

# tcp_conns: the TCP mapping of 10.0.1.2:4001 as "STATE CONNECTIONS".
tcp_conns() {
	in_ns "$rt" "$CONENAT" -j mappings tcp from 10.0.1.2 |
		jq -r '.[] | select(.internal_port == 4001) |
			"\(.state) \(.connections)"'
}

# Two connections share the mapping of 10.0.1.2:4001. One ends with a FIN
# exchange; the other, established and silent for longer than the
# transitory timeout, must still get its late data through the mapping.
tcp_closing_one_connection_keeps_the_others() {
	need socat
	nat_topology --timeout-tcp-trans 2 --timeout-tcp-est 600 \
		--unsafe-timeouts
	in_ns "$inet" socat TCP-LISTEN:8080,bind=198.51.100.10,reuseaddr \
		SYSTEM:'sleep 9; echo late-data' &
	in_ns "$inet" socat TCP-LISTEN:8081,bind=192.0.2.10,reuseaddr \
		SYSTEM:'echo bye' &
	busywait 20000 eval "in_ns $inet ss -tln | grep -q 192.0.2.10:8081" ||
		fail "the listener did not start"
	in_ns "$lan1" socat -u \
		TCP:198.51.100.10:8080,bind=10.0.1.2:4001,reuseaddr \
		OPEN:"$TMPDIR/a",creat,trunc &
	local a=$!
	busywait 5000 eval '[ "$(tcp_conns)" = "established 1" ]' ||
		fail "first connection not established: $(tcp_conns)"
	in_ns "$lan1" socat -u \
		TCP:192.0.2.10:8081,bind=10.0.1.2:4001,reuseaddr \
		OPEN:"$TMPDIR/b",creat,trunc
	grep -qx bye "$TMPDIR/b" || fail "second connection got no data"
	# The closed one is reaped after 2 s; the established one stays.
	busywait 6000 eval '[ "$(tcp_conns)" = "established 1" ]' ||
		fail "closed connection not reaped: $(tcp_conns)"
	wait $a || fail "first connection failed"
	grep -qx late-data "$TMPDIR/a" ||
		fail "late data lost: the FIN of one connection ended the mapping"
}

# tcp_expires_after_close HOW: one connection, closed by HOW (fin or rst),
# leaves a mapping that expires after the 2 s transitory timeout.
tcp_expires_after_close() {
	nat_topology --timeout-tcp-trans 2 --timeout-tcp-est 600 \
		--unsafe-timeouts
	in_ns "$inet" /usr/bin/python3 -c '
import socket, sys
s = socket.create_server(("198.51.100.10", 8080))
c, _ = s.accept()
c.recv(16)
' &
	busywait 20000 eval "in_ns $inet ss -tln | grep -q 198.51.100.10:8080" ||
		fail "the listener did not start"
	in_ns "$lan1" /usr/bin/python3 -c '
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.1.2", 4001))
s.connect(("198.51.100.10", 8080))
s.send(b"hello")
time.sleep(0.5)
if sys.argv[1] == "rst":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
' "$1"
	local state
	state=$(tcp_conns)
	echo "after close: $state"
	[ -n "$state" ] || fail "mapping gone at once, not after the transitory timeout"
	busywait 8000 eval '[ -z "$(tcp_conns)" ]' ||
		fail "mapping of a closed connection still there: $(tcp_conns)"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.expired >= 1' >/dev/null ||
		fail "expiry not counted"
}

tcp_mapping_expires_after_fin() {
	tcp_expires_after_close fin
}

tcp_mapping_expires_after_rst() {
	tcp_expires_after_close rst
}

# hairpin_setup PROTO PORT: lan2 gets a mapping for 10.0.2.2:PORT (printed)
# by reaching inet, then serves a reflector there.
hairpin_setup() {
	local proto=$1 port=$2 ep=198.51.100.10:3478
	[ "$proto" = udp ] || ep=198.51.100.10:8080
	reflect "$inet" "$proto" "$ep"
	HAIRPIN_B=$(send "$lan2" "$proto" -b "10.0.2.2:$port" "$ep" | mapped)
	[ -n "$HAIRPIN_B" ] || fail "lan2 got no mapping"
	reflect "$lan2" "$proto" "10.0.2.2:$port"
}

# hairpin PROTO: lan1 reaches lan2 through lan2's external endpoint and
# lan2 sees lan1's external endpoint as the source (RFC 4787 REQ-9/9a,
# RFC 5382 REQ-8), the same one a remote host sees.
hairpin() {
	local proto=$1 port=5000 ep=198.51.100.10:3478 seen want
	[ "$proto" = udp ] || { port=5001; ep=198.51.100.10:8080; }
	nat_topology
	hairpin_setup "$proto" $port
	in_range "$HAIRPIN_B" 20000 29999 || fail "lan2 mapped to $HAIRPIN_B"
	want=$(send "$lan1" "$proto" -b 10.0.1.2:4000 "$ep" | mapped)
	seen=$(send "$lan1" "$proto" -b 10.0.1.2:4000 "$HAIRPIN_B" | mapped)
	echo "lan1 is $want outside; lan2 saw $seen through $HAIRPIN_B"
	[ -n "$seen" ] || fail "lan1 did not reach lan2 through $HAIRPIN_B"
	[ "$seen" = "$want" ] ||
		fail "lan2 saw $seen, not lan1's external endpoint $want"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.hairpinned >= 2' >/dev/null ||
		fail "hairpinned packets not counted"
}

hairpin_udp_between_lan_hosts() {
	hairpin udp
}

hairpin_tcp_between_lan_hosts() {
	hairpin tcp
}

# The router's own service on the external address stays reachable from
# the LAN: only ports with a mapping hairpin.
hairpin_leaves_router_services_alone() {
	nat_topology
	reflect "$rt" udp 203.0.113.1:25000
	local seen
	seen=$(send "$lan1" udp -b 10.0.1.2:4000 203.0.113.1:25000 | mapped)
	[ "$seen" = 10.0.1.2:4000 ] ||
		fail "router service saw $seen, not the LAN host itself"
}

# ICMP echo: the identifier is both ports. lan1's echo request to lan2's
# external identifier reaches lan2 from lan1's external address and
# identifier, and lan2's reply comes back to lan1 the same way.
hairpin_icmp_echo_between_lan_hosts() {
	nat_topology
	need ping
	in_ns "$lan2" ping -n -q -c 1 -e 4242 198.51.100.10 >/dev/null ||
		fail "lan2's ping got no reply"
	local b a got seen
	b=$(in_ns "$rt" "$CONENAT" -j mappings icmp from 10.0.2.2 |
		jq -r '.[0].external_port')
	[ "$b" != null ] || fail "lan2 got no ICMP mapping"
	listen "$lan2" "$TMPDIR/seen" recv-echo 10
	got=$(in_ns "$lan1" $PROBE echo $WAN "$b" 5) ||
		fail "lan1's echo request to $WAN id $b got no reply: $got"
	wait $LISTENER || fail "lan2 got no echo request"
	seen=$(cat "$TMPDIR/seen")
	a=$(in_ns "$rt" "$CONENAT" -j mappings icmp from 10.0.1.2 |
		jq -r '.[0].external_port')
	echo "lan1 is $WAN id $a outside; lan2 saw: $seen; lan1 got: $got"
	[ "$seen" = "request from $WAN id $a" ] ||
		fail "lan2 saw '$seen', not lan1's external $WAN id $a"
	[ "$got" = "reply from $WAN id $b" ] ||
		fail "lan1 got '$got', not the reply from $WAN id $b"
}

# RFC 5508 REQ-7: lan2's port unreachable about a hairpinned datagram
# reaches lan1 from lan2's external address, about lan2's external
# endpoint, so lan1's socket learns of it.
hairpin_icmp_error_reaches_sender() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	# A mapping for lan2's port 5000, where nothing listens afterwards.
	local b got
	b=$(send "$lan2" udp -b 10.0.2.2:5000 198.51.100.10:3478 | mapped)
	in_range "$b" 20000 29999 || fail "lan2 got no mapping: '$b'"
	listen "$lan1" "$TMPDIR/err" recv-error 3 10
	got=$(in_ns "$lan1" $PROBE udp-ask 10.0.1.2:4000 "$b" 3)
	wait $LISTENER || fail "lan1 got no ICMP error"
	local a
	a=$(in_ns "$rt" "$CONENAT" -j mappings udp from 10.0.1.2 |
		jq -r '.[0] | "\(.external):\(.external_port)"')
	echo "udp-ask: $got; error: $(cat "$TMPDIR/err")"
	[ "$got" = ECONNREFUSED ] || fail "lan1's socket saw '$got', not ECONNREFUSED"
	grep -qx "$WAN > 10.0.1.2 quote 10.0.1.2:4000 > $b ip ok icmp ok quote-ip ok" \
		"$TMPDIR/err" || fail "error not from and about lan2's external $b (lan1 is $a)"
}

# RFC 5508 REQ-8, RFC 6888 REQ-4: a packet that cannot get a mapping is
# answered with ICMP destination unreachable, code 13, so the LAN host's
# socket fails at once instead of timing out; live mappings keep working.
refused_mapping_answers_admin_prohibited() {
	nat_topology --max-per-host 1
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" tcp 198.51.100.10:8080
	local live got
	live=$(send "$lan1" udp -b 10.0.1.2:5001 198.51.100.10:3478 | mapped)
	got=$(in_ns "$lan1" $PROBE udp-ask 10.0.1.2:5002 198.51.100.10:3478 3)
	[ "$got" = EHOSTUNREACH ] ||
		fail "refused UDP socket saw '$got', not EHOSTUNREACH (ICMP 3/13)"
	got=$(in_ns "$lan1" $PROBE tcp-connect 10.0.1.2:5003 198.51.100.10:8080 3)
	[ "$got" = EHOSTUNREACH ] ||
		fail "refused TCP connect saw '$got', not EHOSTUNREACH (ICMP 3/13)"
	[ "$(send "$lan1" udp -b 10.0.1.2:5001 198.51.100.10:3478 | mapped)" = "$live" ] ||
		fail "the live mapping changed"
}

# RFC 7857 section 2: an unsolicited SYN or datagram to a port of the
# ranges without a mapping gets no answer and creates nothing; the
# router's own sockets, inside the ranges or not, still answer.
unsolicited_inbound_gets_no_answer() {
	nat_topology
	reflect "$rt" tcp 203.0.113.1:25001
	reflect "$rt" tcp 203.0.113.1:8022
	local got tcp udp
	got=$(in_ns "$inet" $PROBE tcp-connect 198.51.100.10:6000 203.0.113.1:25000 2)
	[ "$got" = timeout ] || fail "unsolicited SYN answered: $got"
	tcp=$(in_ns "$rt" "$CONENAT" -j stats | jq .drop_unsolicited)
	got=$(in_ns "$inet" $PROBE udp-ask 198.51.100.10:6001 203.0.113.1:25000 2)
	[ "$got" = timeout ] || fail "unsolicited datagram answered: $got"
	udp=$(in_ns "$rt" "$CONENAT" -j stats | jq .drop_unsolicited)
	echo "drop_unsolicited: $tcp after the SYNs, $udp after the datagram"
	[ "$tcp" -ge 1 ] && [ "$udp" -gt "$tcp" ] || fail "drops not counted"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "unsolicited packets created mappings"
	got=$(in_ns "$inet" $PROBE tcp-connect 198.51.100.10:6002 203.0.113.1:25001 3)
	[ "$got" = connected ] || fail "router socket inside the range: $got"
	got=$(in_ns "$inet" $PROBE tcp-connect 198.51.100.10:6003 203.0.113.1:8022 3)
	[ "$got" = connected ] || fail "router socket outside the range: $got"
	got=$(in_ns "$inet" $PROBE tcp-connect 198.51.100.10:6004 203.0.113.1:8023 3)
	[ "$got" = ECONNREFUSED ] ||
		fail "port outside the range not left to the router: $got"
}

# RFC 5382 REQ-2: simultaneous open. The LAN host's SYNs are dropped at
# the remote host, so the remote's SYN crosses them through the mapping
# (port 24000 is preserved) and both connects succeed.
tcp_simultaneous_open_works() {
	need nft
	nat_topology
	in_ns "$inet" nft -f - <<-'E'
	table inet t {
		chain in {
			type filter hook input priority 0;
			tcp dport 5000 tcp flags & (syn | ack) == syn drop
		}
	}
	E
	in_ns "$lan1" $PROBE tcp-connect 10.0.1.2:24000 198.51.100.10:5000 10 \
		>"$TMPDIR/lan" &
	local pid=$! got
	busywait 5000 eval "in_ns $rt $CONENAT mappings tcp | grep -q ':24000 -> 203.0.113.1:24000'" ||
		fail "no mapping with port 24000 preserved"
	got=$(in_ns "$inet" $PROBE tcp-connect 198.51.100.10:5000 203.0.113.1:24000 5)
	wait $pid
	echo "remote: $got, LAN host: $(cat "$TMPDIR/lan")"
	[ "$got" = connected ] || fail "remote side: $got"
	[ "$(cat "$TMPDIR/lan")" = connected ] || fail "LAN side: $(cat "$TMPDIR/lan")"
}

# RFC 4787 REQ-14: datagrams of several fragments cross both ways, also
# when the fragments arrive last one first.
udp_fragments_cross_both_ways() {
	nat_topology
	in_ns "$inet" $PROBE udp-echo 198.51.100.10:7000 &
	busywait 20000 eval "in_ns $inet ss -uln | grep -q 198.51.100.10:7000" ||
		fail "the echo server did not start"
	local got m
	got=$(in_ns "$lan1" $PROBE udp-big 10.0.1.2:4000 198.51.100.10:7000 6000 5)
	[ "$got" = intact ] || fail "6000-byte datagram round trip: $got"
	m=$(in_ns "$rt" "$CONENAT" -j mappings udp |
		jq -r '.[] | select(.internal_port == 4000) | "\(.external):\(.external_port)"')
	[ -n "$m" ] || fail "no mapping"
	# Out of order, inbound: the LAN host gets it whole.
	in_ns "$lan1" $PROBE udp-recv-big 10.0.1.2:4000 5000 20 >"$TMPDIR/in" &
	local pid=$!
	busywait 20000 eval "in_ns $lan1 ss -uln | grep -q 10.0.1.2:4000" ||
		fail "the LAN receiver did not start"
	in_ns "$inet" $PROBE send-frags 192.0.2.10:7001 "$m" 5000
	wait $pid || fail "reversed fragments did not reach the LAN host"
	[ "$(cat "$TMPDIR/in")" = "intact 192.0.2.10:7001" ] ||
		fail "inbound: $(cat "$TMPDIR/in")"
	# Out of order, outbound: the remote host gets it from the mapping.
	in_ns "$inet" $PROBE udp-recv-big 198.51.100.10:7002 5000 20 >"$TMPDIR/out" &
	pid=$!
	busywait 20000 eval "in_ns $inet ss -uln | grep -q 198.51.100.10:7002" ||
		fail "the remote receiver did not start"
	in_ns "$lan1" $PROBE send-frags 10.0.1.2:4000 198.51.100.10:7002 5000
	wait $pid || fail "reversed fragments did not reach the remote host"
	[ "$(cat "$TMPDIR/out")" = "intact $m" ] ||
		fail "outbound: $(cat "$TMPDIR/out"), want from $m"
}

# The PPPoE reconnect case: the external interface is deleted and created
# again under the same name (a new ifindex) with another address.
# Mappings of the old address go, and translation resumes on the new one
# with no `conenat up`.
interface_recreated_keeps_working() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "no mapping before: $m"
	ip -n "$rt" link del wan0
	busywait 5000 eval "[ \"\$(in_ns $rt $CONENAT -j mappings | jq length)\" = 0 ]" ||
		fail "mappings of the deleted interface kept"
	add_wan 203.0.113.7
	in_ns "$rt" "$CONENAT" -j show | jq -e '.external_address == "203.0.113.7"' \
		>/dev/null || fail "new interface not followed: $(in_ns "$rt" "$CONENAT" -j show)"
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	echo "after: $m"
	[ "${m%:*}" = 203.0.113.7 ] || fail "not translated to the new address: '$m'"
}

# Boot before the WAN (a PPPoE link that comes up later): conenat up
# works before the interface exists, show says it waits, and translation
# starts when the interface appears, with no second conenat up.
up_before_interface_exists() {
	nat_topology
	in_ns "$rt" "$CONENAT" down
	ip -n "$rt" link del wan0
	in_ns "$rt" "$CONENAT" up wan0 2>"$TMPDIR/err" ||
		fail "up before the interface exists: $(cat "$TMPDIR/err")"
	grep -qx "conenat: warning: there is no interface wan0 (yet): NAT waits for it" \
		"$TMPDIR/err" || fail "no warning: $(cat "$TMPDIR/err")"
	in_ns "$rt" "$CONENAT" show | grep -qx "  interface wan0: waiting for it to appear" ||
		fail "show: $(in_ns "$rt" "$CONENAT" show)"
	reflect "$inet" udp 198.51.100.10:3478
	add_wan $WAN
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	echo "once wan0 is there: $m"
	in_range "$m" 20000 29999 ||
		fail "not translated once the interface appeared: '$m'"
}

# The address changes on the same interface: mappings of the old one are
# flushed, new ones use the new one, and with no address nothing leaves.
address_change_followed() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "${m%:*}" = 203.0.113.1 ] || fail "mapping before: $m"
	ip -n "$rt" addr del 203.0.113.1/24 dev wan0
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "mappings of the removed address kept"
	ip -n "$rt" route add 203.0.113.0/24 dev wan0
	ip -n "$rt" route add default via 203.0.113.2 dev wan0 onlink 2>/dev/null || true
	! send "$lan1" udp -t 1 -b 10.0.1.2:4001 198.51.100.10:3478 >/dev/null ||
		fail "a packet left while the interface had no address"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.drop_noaddr >= 1' >/dev/null ||
		fail "drop without address not counted"
	ip -n "$rt" addr add 203.0.113.9/24 dev wan0
	ip -n "$rt" route replace default via 203.0.113.2 dev wan0
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "${m%:*}" = 203.0.113.9 ] || fail "new address not used: '$m'"
}

# RFC 6888 REQ-6: translate only given internal prefixes, and never to
# excluded destinations; the rest is routed with its own source address
# (so only the translated prefix is watched for leaks).
selective_translation_by_prefix() {
	LEAK_MATCH="ip saddr 10.0.1.0/24 ip daddr != 192.0.2.0/24" \
		nat_topology --internal 10.0.1.0/24 --exclude 192.0.2.0/24
	ip -n "$inet" route add 10.0.0.0/8 via $WAN
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" udp 192.0.2.10:3479
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "internal prefix not translated: $m"
	m=$(send "$lan2" udp -b 10.0.2.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = 10.0.2.2:4000 ] || fail "source outside --internal translated: $m"
	m=$(send "$lan1" udp -b 10.0.1.2:4001 192.0.2.10:3479 | mapped)
	[ "$m" = 10.0.1.2:4001 ] || fail "excluded destination translated: $m"
	in_ns "$rt" "$CONENAT" -j show |
		jq -e '.internal == ["10.0.1.0/24"] and .exclude == ["192.0.2.0/24"]' \
		>/dev/null || fail "show: $(in_ns "$rt" "$CONENAT" -j show)"
	in_ns "$rt" "$CONENAT" set --internal none --exclude none
	m=$(send "$lan2" udp -b 10.0.2.2:4002 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "--internal none did not clear: $m"
}

# Port forwards: a remote host that never heard from the LAN host reaches
# it through the forward; the LAN host's own packets leave from the
# forward's port; the forward is listed as static and survives a flush.
port_forward_reaches_internal_host() {
	nat_topology
	# 25565 lies inside the dynamic range: the forward reserves it.
	in_ns "$rt" "$CONENAT" forward add udp 25565 to 10.0.1.2:5000
	in_ns "$rt" "$CONENAT" forward add tcp 8443 to 10.0.1.2:443
	reflect "$lan1" udp 10.0.1.2:5000
	reflect "$lan1" tcp 10.0.1.2:443
	local m
	m=$(send "$inet" udp -b 198.51.100.20:7000 203.0.113.1:25565 | mapped)
	[ "$m" = 198.51.100.20:7000 ] || fail "UDP forward: the LAN host saw '$m'"
	m=$(send "$inet" tcp -b 198.51.100.20:7001 203.0.113.1:8443 | mapped)
	[ "$m" = 198.51.100.20:7001 ] || fail "TCP forward: the LAN host saw '$m'"
	in_ns "$rt" "$CONENAT" mappings | tee /dev/stderr |
		grep -q '^udp 10.0.1.2:5000 -> 203.0.113.1:25565 static$' ||
		fail "forward not listed as a static mapping"
	in_ns "$rt" "$CONENAT" flush
	m=$(send "$inet" udp -b 198.51.100.20:7002 203.0.113.1:25565 | mapped)
	[ "$m" = 198.51.100.20:7002 ] || fail "forward lost in a flush"
	in_ns "$rt" "$CONENAT" -j forward |
		jq -e 'length == 2 and (.[] | select(.protocol == "udp") |
			.external_port == 25565 and .internal == "10.0.1.2" and
			.internal_port == 5000)' >/dev/null ||
		fail "forward list: $(in_ns "$rt" "$CONENAT" -j forward)"
}

# The forward is the internal endpoint's mapping: it sends from 5000 and
# a remote host sees the forward's port (endpoint-independent mapping).
port_forward_is_the_endpoints_mapping() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	# A dynamic mapping first; the forward replaces it.
	send "$lan1" udp -b 10.0.1.2:5000 198.51.100.10:3478 >/dev/null
	in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.1.2:5000
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:5000 198.51.100.10:3478 | mapped)
	[ "$m" = 203.0.113.1:40000 ] || fail "outbound from the forward's endpoint left as $m"
	in_ns "$rt" "$CONENAT" forward del udp 40000
	m=$(send "$lan1" udp -b 10.0.1.2:5000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "after del, not a dynamic mapping: $m"
}

# forward_error ARGS... EXPECTED: the tool fails with EXPECTED on stderr.
forward_error() {
	local want=${*: -1} got
	set -- "${@:1:$#-1}"
	got=$(in_ns "$rt" "$CONENAT" forward "$@" 2>&1) &&
		fail "forward $* succeeded"
	echo "forward $*: $got"
	[ "$got" = "$want" ] || fail "forward $*: '$got', want '$want'"
}

port_forward_conflicts_refused() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.1.2:5000
	# lan2's dynamic mapping keeps its port 25001; a forward cannot take it.
	[ "$(send "$lan2" udp -b 10.0.2.2:25001 198.51.100.10:3478 | mapped)" = \
		203.0.113.1:25001 ] || fail "port 25001 not preserved"
	forward_error add udp 25001 to 10.0.1.3 \
		"conenat: the external port is in use, by a mapping or a router socket (udp 25001 to 10.0.1.3:25001)"
	forward_error add udp 40000 to 10.0.1.3:5000 \
		"conenat: the external port has a forward already (udp 40000 to 10.0.1.3:5000; there is udp 40000 to 10.0.1.2:5000)"
	forward_error add udp 40001 to 10.0.1.2:5000 \
		"conenat: the internal endpoint has a forward already (udp 40001 to 10.0.1.2:5000; there is udp 40000 to 10.0.1.2:5000)"
	forward_error add icmp 40002 to 10.0.1.2 "conenat: forward: only udp and tcp ports can be forwarded
Usage: conenat [-j | -p] [-s] forward [list]
       conenat [-j | -p] [-s] forward add PROTO PORT to ADDR[:PORT]
       conenat [-j | -p] [-s] forward del PROTO PORT
Try 'conenat help' for more information."
	forward_error del tcp 40000 "conenat: no such port forward"
	reflect "$rt" udp 203.0.113.1:40005
	forward_error add udp 40005 to 10.0.1.2:6000 \
		"conenat: the external port is in use, by a mapping or a router socket (udp 40005 to 10.0.1.2:6000)"
	[ "$(in_ns "$rt" "$CONENAT" -j forward | jq length)" = 1 ] ||
		fail "refused forwards changed the configuration"
}

# The mappings, without their expiry (which runs down while we look).
mapping_list() {
	in_ns "$rt" "$CONENAT" -j mappings |
		jq -c 'map([.protocol, .internal, .internal_port, .external_port]) | sort'
}

# load is one request, applied whole or not at all: a file whose forward
# the module refuses leaves the configuration, the forwards and every
# mapping as they were, although its up line changes the ranges, which
# would flush the mappings.
load_refused_keeps_mappings() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$rt" udp 203.0.113.1:40005
	in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.1.2:5000
	local m show fwd maps out rc port
	m=$(send "$lan2" udp -b 10.0.2.2:25001 198.51.100.10:3478 | mapped)
	[ "$m" = $WAN:25001 ] || fail "port 25001 not preserved: '$m'"
	show=$(in_ns "$rt" "$CONENAT" -j show)
	fwd=$(in_ns "$rt" "$CONENAT" -j forward)
	maps=$(mapping_list)
	echo "mappings: $maps"
	# Port 25001 is lan2's mapping's, port 40005 a router socket's.
	for port in 25001 40005; do
		cat >"$TMPDIR/conf" <<-E
			up wan0 --ports udp:21000-21999
			forward add udp 40001 to 10.0.1.3

			forward add udp $port to 10.0.1.4
		E
		out=$(in_ns "$rt" "$CONENAT" load "$TMPDIR/conf" 2>&1) &&
			rc=0 || rc=$?
		echo "port $port: exit $rc: $out"
		[ "$rc" = 1 ] || fail "load of a forward on port $port exited $rc"
		grep -qF "$TMPDIR/conf:4: refused, nothing changed" <<<"$out" ||
			fail "the forward's line is not named: $out"
		grep -qF "the external port is in use" <<<"$out" ||
			fail "the module's reason is not shown: $out"
		[ "$(in_ns "$rt" "$CONENAT" -j show)" = "$show" ] ||
			fail "configuration changed: $(in_ns "$rt" "$CONENAT" -j show)"
		[ "$(in_ns "$rt" "$CONENAT" -j forward)" = "$fwd" ] ||
			fail "forwards changed: $(in_ns "$rt" "$CONENAT" -j forward)"
		[ "$(mapping_list)" = "$maps" ] ||
			fail "mappings changed: $(mapping_list), were $maps"
	done
	m=$(send "$lan2" udp -b 10.0.2.2:25001 198.51.100.10:3478 | mapped)
	[ "$m" = $WAN:25001 ] || fail "lan2's mapping moved to '$m'"
	# Without the refused line the file applies, whole.
	sed -i '$d' "$TMPDIR/conf"
	in_ns "$rt" "$CONENAT" load "$TMPDIR/conf"
	[ "$(in_ns "$rt" "$CONENAT" -j forward | jq -c 'map(.external_port)')" = "[40001]" ] ||
		fail "forwards after load: $(in_ns "$rt" "$CONENAT" -j forward)"
	m=$(send "$lan2" udp -b 10.0.2.2:25001 198.51.100.10:3478 | mapped)
	in_range "$m" 21000 21999 || fail "lan2 mapped to '$m' after the new ranges"
}

# A new external address: the forward is made again there.
port_forward_follows_address() {
	nat_topology
	in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.1.2:5000
	reflect "$lan1" udp 10.0.1.2:5000
	ip -n "$rt" addr del 203.0.113.1/24 dev wan0
	ip -n "$rt" addr add 203.0.113.9/24 dev wan0
	ip -n "$rt" route replace default via 203.0.113.2
	local m
	m=$(send "$inet" udp -b 198.51.100.20:7000 203.0.113.9:40000 | mapped)
	[ "$m" = 198.51.100.20:7000 ] || fail "forward not on the new address: '$m'"
}

# flush keeps the forwards; flush static removes them, mapping and all.
flush_static_removes_forwards() {
	nat_topology
	in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.1.2:5000
	in_ns "$rt" "$CONENAT" forward add tcp 40001 to 10.0.1.2:5001
	reflect "$lan1" udp 10.0.1.2:5000
	in_ns "$rt" "$CONENAT" flush
	[ "$(in_ns "$rt" "$CONENAT" -j forward | jq length)" = 2 ] ||
		fail "flush removed forwards"
	in_ns "$rt" "$CONENAT" flush tcp static
	in_ns "$rt" "$CONENAT" -j forward | jq -e 'length == 1 and
		.[0].protocol == "udp"' >/dev/null || fail "flush tcp static: $(
		in_ns "$rt" "$CONENAT" -j forward)"
	[ "$(send "$inet" udp -b 198.51.100.20:7000 $WAN:40000 | mapped)" = \
		198.51.100.20:7000 ] || fail "the UDP forward went with flush tcp static"
	in_ns "$rt" "$CONENAT" flush static
	[ "$(in_ns "$rt" "$CONENAT" -j forward | jq length)" = 0 ] ||
		fail "flush static left forwards"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "flush static left mappings: $(in_ns "$rt" "$CONENAT" mappings)"
	! send "$inet" udp -t 1 -b 198.51.100.20:7001 $WAN:40000 >/dev/null 2>&1 ||
		fail "the removed forward still delivers"
}

# route_pool ADDR...: inet routes these external addresses to rt.
route_pool() {
	local a
	for a in "$@"; do
		ip -n "$inet" route add "$a"/32 via $WAN
	done
}

# conenat up --address: mappings use the given address, not the
# interface's, and remote hosts reach them there; a change of the
# interface's address leaves them alone.
explicit_address_used_for_mappings() {
	nat_topology --address 192.0.2.77
	route_pool 192.0.2.77
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$lan1" udp 10.0.1.2:4000
	local m got
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "${m%:*}" = 192.0.2.77 ] || fail "mapped to '$m', not 192.0.2.77"
	got=$(send "$inet" udp -b 198.51.100.20:7000 "$m" | mapped)
	[ "$got" = 198.51.100.20:7000 ] || fail "a stranger did not reach $m: '$got'"
	in_ns "$rt" "$CONENAT" -j show | jq -e '.address_pool == ["192.0.2.77"]' \
		>/dev/null || fail "show: $(in_ns "$rt" "$CONENAT" -j show)"
	# 203.0.113.9 becomes wan0's primary address.
	in_ns "$rt" sysctl -qw net.ipv4.conf.wan0.promote_secondaries=1
	ip -n "$rt" addr add 203.0.113.9/24 dev wan0
	ip -n "$rt" addr del $WAN/24 dev wan0
	ip -n "$rt" route replace default via 203.0.113.2
	ip -n "$inet" route replace 192.0.2.77/32 via 203.0.113.9
	in_ns "$rt" "$CONENAT" -j show | jq -e '.external_address == "203.0.113.9"' \
		>/dev/null || fail "the interface's new address not seen"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" -ge 1 ] ||
		fail "an interface address change flushed the pool's mappings"
	got=$(send "$inet" udp -b 198.51.100.20:7001 "$m" | mapped)
	[ "$got" = 198.51.100.20:7001 ] || fail "$m lost after the address change"
}

# RFC 4787 REQ-2: with a pool, each internal host keeps one external
# address for all its mappings; the pool's addresses all get used;
# changing the pool flushes. Hairpinning works on pool addresses.
address_pool_pairs_each_host() {
	local pool=192.0.2.71,192.0.2.72,192.0.2.73,192.0.2.74 i a
	nat_topology --address $pool
	route_pool ${pool//,/ }
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" udp 192.0.2.10:3479
	# 16 hosts on lan1, four ports each, to two destinations.
	for i in $(seq 10 25); do
		ip -n "$lan1" addr add 10.0.1.$i/24 dev eth0
	done
	local all="" m
	for i in $(seq 10 25); do
		m=$(send "$lan1" udp -b 10.0.1.$i:4000 198.51.100.10:3478 192.0.2.10:3479 |
			mapped)
		m+=$'
'$(send "$lan1" udp -b 10.0.1.$i:4001 198.51.100.10:3478 | mapped)
		m+=$'
'$(send "$lan1" udp -b 10.0.1.$i:4002 192.0.2.10:3479 | mapped)
		a=$(sed 's/:.*//' <<<"$m" | sort -u)
		[ "$(wc -l <<<"$a")" = 1 ] || fail "10.0.1.$i used several addresses: $m"
		[[ ",$pool," == *",$a,"* ]] || fail "10.0.1.$i used $a, not a pool address"
		all+="$a"$'
'
	done
	echo "addresses used: $(grep . <<<"$all" | sort | uniq -c | tr -s '\n ' ' ')"
	[ "$(sort -u <<<"$all" | grep -c .)" -ge 3 ] ||
		fail "16 hosts used fewer than 3 of the 4 addresses"
	# Hairpinning on a pool address.
	local b seen want
	hairpin_setup udp 5000
	[[ ",$pool," == *",${HAIRPIN_B%:*},"* ]] || fail "lan2 mapped to $HAIRPIN_B"
	want=$(send "$lan1" udp -b 10.0.1.2:4100 198.51.100.10:3478 | mapped)
	seen=$(send "$lan1" udp -b 10.0.1.2:4100 "$HAIRPIN_B" | mapped)
	[ "$seen" = "$want" ] || fail "hairpin via $HAIRPIN_B: lan2 saw '$seen', not $want"
	in_ns "$rt" "$CONENAT" set --address 192.0.2.71
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "a pool change kept old mappings"
	m=$(send "$lan1" udp -b 10.0.1.12:4000 198.51.100.10:3478 | mapped)
	[ "${m%:*}" = 192.0.2.71 ] || fail "after the change, mapped to '$m'"
	in_ns "$rt" "$CONENAT" set --address none
	m=$(send "$lan1" udp -b 10.0.1.12:4000 198.51.100.10:3478 | mapped)
	[ "${m%:*}" = $WAN ] || fail "address none: mapped to '$m', not $WAN"
}

# Link down and up keeps the address, so mappings stay and keep working.
interface_down_up_keeps_mappings() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m again
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "no mapping: $m"
	ip -n "$rt" link set wan0 down
	ip -n "$rt" link set wan0 up
	# The kernel dropped the routes through the link while it was down.
	ip -n "$rt" route replace default via 203.0.113.2
	again=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "$again" = "$m" ] || fail "mapping changed across down/up: $m -> $again"
}

mapping_expires_after_timeout() {
	nat_topology --timeout-udp 2 --holddown 0 --unsafe-timeouts
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ -n "$m" ] || fail "no mapping"
	busywait 8000 eval "[ \"\$(in_ns $rt $CONENAT -j mappings | jq length)\" = 0 ]" ||
		fail "mapping still listed after its 2 s timeout"
	# Lookups ignore it at once; the GC collects and counts it within ~1 s.
	busywait 5000 eval "in_ns $rt $CONENAT -j stats | jq -e '.expired >= 1' >/dev/null" ||
		fail "expiry not counted"
	# Gone for real: a stranger's packet no longer gets in.
	in_ns "$lan1" "$NATTEST" send udp -t 3 -r 1 -b 10.0.1.2:4001 \
		198.51.100.10:3478 >"$TMPDIR/out" &
	local pid=$!
	busywait 20000 grep -q mapped "$TMPDIR/out" ||
		fail "the listener did not start"
	send "$inet" udp -t 1 -b 192.0.2.10:9999 "$m" >/dev/null 2>&1 || true
	! wait $pid || fail "packet to the expired mapping $m still delivered"
}

port_exhaustion_keeps_live_mappings() {
	nat_topology --ports 20000-20003
	reflect "$inet" udp 198.51.100.10:3478
	local i all=""
	for i in 1 2 3 4; do
		all+=$(send "$lan1" udp -b 10.0.1.2:500$i 198.51.100.10:3478 | mapped)$'\n'
	done
	[ "$(sort -u <<<"$all" | grep -c .)" = 4 ] || fail "4 ports not all used: $all"
	! send "$lan1" udp -t 1 -b 10.0.1.2:5005 198.51.100.10:3478 ||
		fail "a fifth mapping was made from a 4-port range"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.refused_ports >= 1' >/dev/null ||
		fail "refusal not counted"
	local again=""
	for i in 1 2 3 4; do
		again+=$(send "$lan1" udp -b 10.0.1.2:500$i 198.51.100.10:3478 | mapped)$'\n'
	done
	[ "$again" = "$all" ] || fail "live mappings changed: $all -> $again"
}

# RFC 6888 REQ-8: an expired mapping's port is not given to another host
# before the hold-down time has passed.
freed_port_held_down_before_reuse() {
	nat_topology --ports 20000-20000 --timeout-udp 1 --holddown 4 \
		--unsafe-timeouts
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:5001 198.51.100.10:3478 | mapped)
	[ "$m" = $WAN:20000 ] || fail "first mapping got '$m'"
	busywait 5000 eval "[ \"\$(in_ns $rt $CONENAT -j mappings | jq length)\" = 0 ]" ||
		fail "mapping did not expire"
	! send "$lan2" udp -t 1 -b 10.0.2.2:5002 198.51.100.10:3478 ||
		fail "port 20000 reused by another host during its hold-down"
	busywait 10000 eval "send $lan2 udp -t 1 -b 10.0.2.2:5002 198.51.100.10:3478 >$TMPDIR/m" ||
		fail "port 20000 never free again after the hold-down"
	[ "$(mapped <"$TMPDIR/m")" = $WAN:20000 ] || fail "got $(cat "$TMPDIR/m")"
}

per_host_limit_refuses_new_mappings() {
	nat_topology --max-per-host 2
	reflect "$inet" udp 198.51.100.10:3478
	send "$lan1" udp -b 10.0.1.2:5001 198.51.100.10:3478 >/dev/null
	send "$lan1" udp -b 10.0.1.2:5002 198.51.100.10:3478 >/dev/null
	! send "$lan1" udp -t 1 -b 10.0.1.2:5003 198.51.100.10:3478 ||
		fail "third mapping allowed with --max-per-host 2"
	send "$lan2" udp -b 10.0.2.2:5003 198.51.100.10:3478 >/dev/null ||
		fail "another host was refused too"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.refused_host >= 1' >/dev/null ||
		fail "refusal not counted"
}

mappings_stats_and_flush() {
	nat_topology
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" tcp 198.51.100.10:8080
	send "$lan1" udp -b 10.0.1.2:25002 198.51.100.10:3478 >/dev/null
	send "$lan2" tcp -b 10.0.2.2:25003 198.51.100.10:8080 >/dev/null
	local j
	j=$(in_ns "$rt" "$CONENAT" -j mappings)
	echo "$j"
	jq -e 'any(.[]; .protocol=="udp" and .internal=="10.0.1.2" and
		.internal_port==25002 and .external=="203.0.113.1" and
		.external_port==25002 and .expires > 0)' <<<"$j" >/dev/null ||
		fail "UDP mapping not listed right"
	jq -e 'any(.[]; .protocol=="tcp" and .internal=="10.0.2.2" and
		.state != null)' <<<"$j" >/dev/null || fail "TCP mapping not listed"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings udp | jq length)" = 1 ] ||
		fail "protocol filter"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings from 10.0.2.2 | jq length)" = 1 ] ||
		fail "address filter"
	in_ns "$rt" "$CONENAT" mappings | grep -q 'udp 10.0.1.2:25002 -> 203.0.113.1:25002' ||
		fail "human listing"
	in_ns "$rt" "$CONENAT" -j stats |
		jq -e '.created == 2 and .translated_out >= 2 and .translated_in >= 2' ||
		fail "stats do not add up"
	in_ns "$rt" "$CONENAT" flush udp
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq -r '.[].protocol')" = tcp ] ||
		fail "flush udp did not leave exactly the TCP mapping"
	in_ns "$rt" "$CONENAT" flush
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 0 ] ||
		fail "flush left mappings"
}

# conenat monitor prints each mapping as it is made and as it expires,
# in words and as JSON lines.
monitor_reports_new_and_expired() {
	nat_topology --timeout-udp 2 --holddown 0 --unsafe-timeouts
	reflect "$inet" udp 198.51.100.10:3478
	in_ns "$rt" "$CONENAT" monitor >"$TMPDIR/mon" &
	in_ns "$rt" "$CONENAT" -j monitor >"$TMPDIR/json" &
	sleep 1
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ -n "$m" ] || fail "no mapping"
	busywait 10000 grep -q '^expired' "$TMPDIR/mon" ||
		fail "no expiry reported: $(cat "$TMPDIR/mon")"
	busywait 5000 eval "[ \$(wc -l <'$TMPDIR/json') = 2 ]" ||
		fail "JSON events: $(cat "$TMPDIR/json")"
	cat "$TMPDIR/mon" "$TMPDIR/json"
	[ "$(cat "$TMPDIR/mon")" = "new udp 10.0.1.2:4000 -> $m
expired udp 10.0.1.2:4000 -> $m" ] || fail "events: $(cat "$TMPDIR/mon")"
	jq -se --arg a "${m%:*}" --argjson p "${m##*:}" '
		[.[].event] == ["new", "expired"] and
		all(.[]; .protocol == "udp" and .internal == "10.0.1.2" and
			.internal_port == 4000 and .external == $a and
			.external_port == $p)' "$TMPDIR/json" >/dev/null ||
		fail "JSON events: $(cat "$TMPDIR/json")"
}

fwmark_marks_inbound_translated() {
	nat_topology --fwmark 0x42
	need iptables
	reflect "$inet" udp 198.51.100.10:3478
	# Count at the LAN host's router port what carries the mark.
	in_ns "$rt" iptables -A FORWARD -o eth1 -m mark --mark 0x42 -j ACCEPT
	send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 >/dev/null
	local n
	n=$(in_ns "$rt" iptables -vnxL FORWARD | awk '/mark match 0x42/{print $1}')
	[ "${n:-0}" -ge 1 ] || fail "reply not marked 0x42 (count ${n:-none})"
}

conntrack_sees_inside_view() {
	need conntrack iptables
	nat_topology
	modprobe nf_conntrack
	in_ns "$rt" iptables -P FORWARD DROP
	in_ns "$rt" iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	in_ns "$rt" iptables -A FORWARD -i eth+ -o wan0 -j ACCEPT
	reflect "$inet" udp 198.51.100.10:3478
	reflect "$inet" tcp 198.51.100.10:8080
	local m
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "UDP through a stateful firewall: '$m'"
	m=$(send "$lan1" tcp -b 10.0.1.2:4001 198.51.100.10:8080 | mapped)
	in_range "$m" 20000 29999 || fail "TCP through a stateful firewall: '$m'"
	in_ns "$rt" conntrack -L 2>/dev/null | tee "$TMPDIR/ct"
	grep -q 'src=10.0.1.2 dst=198.51.100.10 .*sport=4000' "$TMPDIR/ct" ||
		fail "conntrack does not show the inside view"
	! grep -q "dst=$WAN" "$TMPDIR/ct" || fail "conntrack saw the outside view"
}

# coturn as an RFC 5780 STUN server on two addresses, answering
# CHANGE-REQUEST from the alternate address and port (3479). -n: Debian's
# /etc/turnserver.conf says no-rfc5780.
start_stun_server() {
	in_ns "$inet" turnserver -n -S -z --no-cli --no-tls --no-dtls \
		-L 198.51.100.10 -L 198.51.100.20 --log-file stdout \
		--pidfile "$TMPDIR/turn.pid" --userdb "$TMPDIR/turndb" \
		>"$TMPDIR/turn.log" 2>&1 &
	busywait 10000 eval "in_ns $inet ss -uln | grep -q 198.51.100.20:3479" ||
		fail "turnserver did not start: $(tail -5 "$TMPDIR/turn.log")"
}

# discover OPTIONS: turnutils_natdiscovery from lan1 against the server of
# start_stun_server. It sends each request once: when not even the first
# was answered (seen under load), there is no finding, so ask once more.
discover() {
	local out i
	for i in 1 2; do
		out=$(in_ns "$lan1" timeout 60 turnutils_natdiscovery "$@" \
			198.51.100.10 2>&1) || true
		grep -q "NAT with" <<<"$out" && break
		echo "# discovery $i found nothing: $out" >&2
	done
	echo "$out"
}

# coturn's RFC 5780 NAT behaviour discovery, run from behind conenat.
rfc5780_discovery_reports_full_cone() {
	need turnserver turnutils_natdiscovery
	nat_topology
	start_stun_server
	local out
	out=$(discover -m -f)
	echo "$out"
	grep -q "NAT with Endpoint Independent Mapping" <<<"$out" ||
		fail "discovery did not report Endpoint Independent Mapping"
	grep -q "NAT with Endpoint Independent Filtering" <<<"$out" ||
		fail "discovery did not report Endpoint Independent Filtering"
}

# The same discovery through the kernel's MASQUERADE: proves the check above
# can tell full cone from the per-endpoint filtering conenat replaces.
rfc5780_discovery_sees_masquerade_filtering() {
	need turnserver turnutils_natdiscovery nft
	nat_topology
	in_ns "$rt" "$CONENAT" down
	in_ns "$rt" nft add table ip nat
	in_ns "$rt" nft add chain ip nat post \
		'{ type nat hook postrouting priority 100; }'
	in_ns "$rt" nft add rule ip nat post oifname wan0 masquerade
	start_stun_server
	local out
	out=$(discover -f)
	echo "$out"
	grep -q "NAT with Address and Port Dependent Filtering" <<<"$out" ||
		fail "discovery did not see MASQUERADE's filtering"
}
