# SPDX-License-Identifier: GPL-2.0
# ICMP errors through the NAT (RFC 5508, RFC 5382 REQ-9), checked at the
# endpoints. Sourced by run.sh.
#
#   lan1 10.0.1.2 --- 10.0.1.1 rt 203.0.113.1 --- 203.0.113.2 r2
#     r2 198.51.100.1 --- 198.51.100.2 r3 192.0.2.1 --- 192.0.2.10 dst
#
# Three routers after the NAT, so traceroute has hops to show; with
# PMTU=1280 the r2-r3 link has MTU 1280.

TESTS=(
	traceroute_udp_shows_hops_beyond_nat
	traceroute_icmp_shows_hops_beyond_nat
	traceroute_tcp_shows_hops_beyond_nat
	tracepath_learns_pmtu_through_nat
	tcp_transfer_learns_pmtu_1280
	error_with_8_byte_quote_reaches_lan_host
	lan_host_error_names_external_endpoint
	router_error_names_external_endpoint
	unmatched_error_dropped_and_nothing_refreshed
)

icmp_topology() {
	setup_ns lan1 rt r2 r3 dst
	ip -n "$rt" link add eth1 type veth peer name eth0 netns "$lan1"
	ip -n "$rt" link add wan0 type veth peer name eth0 netns "$r2"
	ip -n "$r2" link add eth1 type veth peer name eth0 netns "$r3"
	ip -n "$r3" link add eth1 type veth peer name eth0 netns "$dst"
	ip -n "$lan1" addr add 10.0.1.2/24 dev eth0
	ip -n "$rt" addr add 10.0.1.1/24 dev eth1
	ip -n "$rt" addr add 203.0.113.1/24 dev wan0
	ip -n "$r2" addr add 203.0.113.2/24 dev eth0
	ip -n "$r2" addr add 198.51.100.1/24 dev eth1
	ip -n "$r3" addr add 198.51.100.2/24 dev eth0
	ip -n "$r3" addr add 192.0.2.1/24 dev eth1
	ip -n "$dst" addr add 192.0.2.10/24 dev eth0
	if [ -n "${PMTU:-}" ]; then
		ip -n "$r2" link set eth1 mtu "$PMTU"
		ip -n "$r3" link set eth0 mtu "$PMTU"
	fi
	local ns dev
	for ns in "$lan1" "$rt" "$r2" "$r3" "$dst"; do
		for dev in eth0 eth1 wan0; do
			ip -n "$ns" link set "$dev" up 2>/dev/null || true
		done
		# Every probe answered: no ICMP rate limit in the test.
		in_ns "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0
	done
	ip -n "$lan1" route add default via 10.0.1.1
	ip -n "$rt" route add default via 203.0.113.2
	ip -n "$r2" route add default via 198.51.100.2
	ip -n "$r3" route add 203.0.113.0/24 via 198.51.100.1
	ip -n "$dst" route add default via 192.0.2.1
	for ns in "$rt" "$r2" "$r3"; do
		in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	watch_leaks "$r2"
	load_module
	in_ns "$rt" "$CONENAT" up wan0 "$@"
}

# hops OUTPUT: the hop addresses of traceroute output, one line.
hops() {
	awk '$1 ~ /^[0-9]+$/ { printf "%s ", $2 }' <<<"$1"
}

# traceroute_shows_hops [OPTION]: traceroute from the LAN sees every hop.
traceroute_shows_hops() {
	need traceroute
	icmp_topology
	local out want="10.0.1.1 203.0.113.2 198.51.100.2 192.0.2.10 "
	out=$(in_ns "$lan1" traceroute -n -q 1 -w 3 -m 6 "$@" 192.0.2.10)
	echo "$out"
	[ "$(hops "$out")" = "$want" ] ||
		fail "hops '$(hops "$out")', want '$want'"
}

traceroute_udp_shows_hops_beyond_nat() {
	traceroute_shows_hops
}

traceroute_icmp_shows_hops_beyond_nat() {
	traceroute_shows_hops -I
}

traceroute_tcp_shows_hops_beyond_nat() {
	traceroute_shows_hops -T -p 8080
}

tracepath_learns_pmtu_through_nat() {
	need tracepath
	PMTU=1280 icmp_topology
	local out
	out=$(in_ns "$lan1" tracepath -n -m 6 192.0.2.10)
	echo "$out"
	grep -q ' 203\.0\.113\.2 ' <<<"$out" || fail "hop 203.0.113.2 missing"
	grep -q ' 198\.51\.100\.2 ' <<<"$out" || fail "hop 198.51.100.2 missing"
	grep -q 'pmtu 1280' <<<"$out" || fail "path MTU 1280 not learned"
	grep -q 'reached' <<<"$out" || fail "destination not reached"
}

# PMTU discovery (RFC 5508 REQ-3): the LAN host's full-size segments are
# too big for the 1280 link; only the translated fragmentation-needed
# errors let the transfer finish.
tcp_transfer_learns_pmtu_1280() {
	need socat sha256sum timeout
	PMTU=1280 icmp_topology
	head -c 2M /dev/urandom >"$TMPDIR/src"
	in_ns "$dst" socat -u TCP-LISTEN:5001,bind=192.0.2.10,reuseaddr \
		OPEN:"$TMPDIR/dst",creat,trunc &
	local srv=$!
	busywait 20000 eval "in_ns $dst ss -tln | grep -q :5001" ||
		fail "the listener did not start"
	timeout 60 ip netns exec "$lan1" socat -u FILE:"$TMPDIR/src" \
		TCP:192.0.2.10:5001 || fail "transfer did not finish"
	wait $srv
	[ "$(sha256sum <"$TMPDIR/dst")" = "$(sha256sum <"$TMPDIR/src")" ] ||
		fail "transfer corrupted"
	in_ns "$lan1" ip route get 192.0.2.10 | tee /dev/stderr |
		grep -q 'mtu 1280' || fail "LAN host did not learn PMTU 1280"
}

# ext_port PROTO PORT: the external port of 10.0.1.2:PORT.
ext_port() {
	in_ns "$rt" "$CONENAT" -j mappings "$1" from 10.0.1.2 |
		jq -r ".[] | select(.internal_port == $2) | .external_port"
}

# quote_error PROTO: an error from dst that quotes only the first 8 bytes
# of the transport header reaches the LAN host, outer and quote rewritten.
quote_error() {
	local proto=$1 m out
	if [ "$proto" = udp ]; then
		in_ns "$lan1" $PROBE send-udp 4000 192.0.2.10:3478 64
	else
		in_ns "$lan1" socat -u /dev/null \
			TCP:192.0.2.10:3478,bind=10.0.1.2:4000,reuseaddr,connect-timeout=1 \
			2>/dev/null || true
	fi
	m=$(ext_port "$proto" 4000)
	[ -n "$m" ] || fail "no $proto mapping for 10.0.1.2:4000"
	listen "$lan1" "$TMPDIR/got" recv-error 3 5
	in_ns "$dst" $PROBE send-error 203.0.113.1 3 4 "$proto" \
		"203.0.113.1:$m" 192.0.2.10:3478 8
	wait $LISTENER || fail "no $proto error reached the LAN host"
	out=$(cat "$TMPDIR/got")
	echo "$out"
	[ "$out" = "192.0.2.10 > 10.0.1.2 quote 10.0.1.2:4000 > 192.0.2.10:3478 ip ok icmp ok quote-ip ok" ] ||
		fail "$proto error not translated right"
}

error_with_8_byte_quote_reaches_lan_host() {
	icmp_topology
	quote_error udp
	quote_error tcp
	in_ns "$rt" "$CONENAT" stats | grep -E 'translated|icmp'
}

# error_about_inbound TYPE TTL: lan1 gets a mapping for port 4000, then
# dst sends to it with TTL and waits for an ICMP error of TYPE, which must
# come from the external address and quote the external endpoint.
error_about_inbound() {
	local type=$1 ttl=$2 m out
	icmp_topology
	in_ns "$lan1" $PROBE send-udp 4000 192.0.2.10:3478 64
	m=$(ext_port udp 4000)
	[ -n "$m" ] || fail "no mapping"
	listen "$dst" "$TMPDIR/got" recv-error "$type" 5
	in_ns "$dst" $PROBE send-udp 3478 "203.0.113.1:$m" "$ttl"
	wait $LISTENER || fail "no ICMP error of type $type reached the remote host"
	out=$(cat "$TMPDIR/got")
	echo "$out"
	[ "$out" = "203.0.113.1 > 192.0.2.10 quote 192.0.2.10:3478 > 203.0.113.1:$m ip ok icmp ok quote-ip ok" ] ||
		fail "the error shows the inside of the NAT"
}

# RFC 5508 REQ-4: a LAN host's port unreachable about an inbound datagram
# (nothing listens on 10.0.1.2:4000 any more) leaves with the external
# endpoint in the quote, and the external address as its source.
lan_host_error_names_external_endpoint() {
	error_about_inbound 3 64
}

# The router's own time exceeded about an inbound datagram it translated
# quotes the external endpoint the remote host sent to. TTL 3: r3 and r2
# take one each, and it expires at rt.
router_error_names_external_endpoint() {
	error_about_inbound 11 3
}

# An error about a port of the range without a mapping is dropped and
# counted; an error about a mapping does not refresh it, and none creates
# or removes one.
unmatched_error_dropped_and_nothing_refreshed() {
	icmp_topology
	in_ns "$lan1" $PROBE send-udp 4000 192.0.2.10:3478 64
	local m free before after
	m=$(ext_port udp 4000)
	[ -n "$m" ] || fail "no mapping"
	free=$((m == 29999 ? 20000 : m + 1))
	listen "$lan1" "$TMPDIR/got" recv-error 3 3
	in_ns "$dst" $PROBE send-error 203.0.113.1 3 3 udp \
		"203.0.113.1:$free" 192.0.2.10:3478 8
	! wait $LISTENER || fail "error about unmapped port $free delivered: $(cat "$TMPDIR/got")"
	in_ns "$rt" "$CONENAT" -j stats | jq -e '.drop_icmp_unmatched == 1' \
		>/dev/null || fail "drop not counted"
	before=$(in_ns "$rt" "$CONENAT" -j mappings | jq '.[0].expires')
	sleep 2
	in_ns "$dst" $PROBE send-error 203.0.113.1 3 3 udp \
		"203.0.113.1:$m" 192.0.2.10:3478 8
	after=$(in_ns "$rt" "$CONENAT" -j mappings | jq '.[0].expires')
	echo "expires before $before s, after $after s"
	[ "$after" -lt "$before" ] || fail "an ICMP error refreshed the mapping"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 1 ] ||
		fail "ICMP errors changed the mappings"
}
