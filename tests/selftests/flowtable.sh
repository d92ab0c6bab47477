# SPDX-License-Identifier: GPL-2.0
# conenat next to a software flowtable, as OpenWrt's "software flow
# offloading" sets it up: conntrack loaded, every forwarded TCP and UDP
# flow offered to the flowtable. A flowtable transmits offloaded packets
# from its ingress hook, past POST_ROUTING, so a flow conenat translates
# must never be offloaded. Sourced by run.sh; uses nat.sh's topology.

# shellcheck source=nat.sh
. "$(dirname "${BASH_SOURCE[0]}")/nat.sh"

TESTS=(
	flowtable_udp_keeps_translation
	flowtable_tcp_iperf3_keeps_translation
	flowtable_inbound_first_udp_keeps_translation
	flowtable_inbound_first_tcp_keeps_translation
	flowtable_hairpin_keeps_translation
	flowtable_offloads_untranslated_flows
)

# flowtable_topology [UP_OPTIONS...]: nat.sh's topology with the flowtable
# on every router interface and conntrack tracking the router's traffic.
flowtable_topology() {
	need nft conntrack
	nat_topology "$@"
	in_ns "$rt" nft -f - <<-EOF
	table inet fw {
		flowtable ft {
			hook ingress priority 0
			devices = { eth1, eth2, wan0 }
		}
		chain forward {
			type filter hook forward priority filter; policy accept;
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	EOF
}

# offloaded: the number of conntrack entries the flowtable holds.
offloaded() {
	in_ns "$rt" conntrack -L 2>/dev/null | grep -c OFFLOAD || true
}

# udp_flow NS SRC DST N: N datagrams of one flow, each answered by the
# reflector at DST with one mapping; prints that mapping.
udp_flow() {
	local ns=$1 src=$2 dst=$3 n=$4 out i dsts=()
	for ((i = 0; i < n; i++)); do
		dsts+=("$dst")
	done
	out=$(send "$ns" udp -b "$src" "${dsts[@]}") ||
		fail "$src to $dst: only $(grep -c ' mapped ' <<<"$out") of $n answered"
	[ "$(grep -c ' mapped ' <<<"$out")" = "$n" ] ||
		fail "$src to $dst: not every datagram was answered"
	mapped <<<"$out"
}

flowtable_udp_keeps_translation() {
	flowtable_topology
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(udp_flow "$lan1" 10.0.1.2:4000 198.51.100.10:3478 20)
	[ "$(wc -l <<<"$m")" = 1 ] || fail "one flow saw several sources: $m"
	in_range "$m" 20000 29999 || fail "the reflector saw $m"
}

# iperf3 as a router user runs it: a bulk TCP transfer to the internet.
flowtable_tcp_iperf3_keeps_translation() {
	need iperf3
	flowtable_topology
	in_ns "$inet" iperf3 -s -1 -B 198.51.100.10 -J >"$TMPDIR/server.json" &
	local pid=$!
	busywait 20000 eval "in_ns $inet ss -tln | grep -qF 198.51.100.10:5201" ||
		fail "iperf3 server did not start"
	in_ns "$lan1" iperf3 -c 198.51.100.10 -t 3 -J >"$TMPDIR/client.json" ||
		fail "iperf3 failed: $(jq -r .error "$TMPDIR/client.json")"
	wait $pid || true
	jq -e '.end.sum_received.bytes > 100000' "$TMPDIR/client.json" \
		>/dev/null || fail "iperf3 moved too little"
	jq -r '.start.connected[0].remote_host' "$TMPDIR/server.json" |
		grep -qx $WAN || fail "the server saw the client as \
$(jq -r '.start.connected[0].remote_host' "$TMPDIR/server.json")"
}

# A remote host starts the flow through a port forward; the LAN host's
# answers leave through the router's LAN ingress, where an offloaded
# flow would bypass conenat.
flowtable_inbound_first_udp_keeps_translation() {
	flowtable_topology
	in_ns "$rt" "$CONENAT" forward add udp 25565 to 10.0.1.2:5000
	reflect "$lan1" udp 10.0.1.2:5000
	local m
	m=$(udp_flow "$inet" 198.51.100.20:7000 $WAN:25565 20)
	[ "$m" = 198.51.100.20:7000 ] || fail "the LAN host saw $m"
}

flowtable_inbound_first_tcp_keeps_translation() {
	need iperf3
	flowtable_topology
	in_ns "$rt" "$CONENAT" forward add tcp 5201 to 10.0.1.2:5201
	in_ns "$lan1" iperf3 -s -1 -B 10.0.1.2 >/dev/null 2>&1 &
	busywait 20000 eval "in_ns $lan1 ss -tln | grep -qF 10.0.1.2:5201" ||
		fail "iperf3 server did not start"
	# -R: the LAN host sends the bulk of the data.
	in_ns "$inet" iperf3 -c $WAN -B 198.51.100.20 -R -t 3 -J \
		>"$TMPDIR/client.json" ||
		fail "iperf3 failed: $(jq -r .error "$TMPDIR/client.json")"
	jq -e '.end.sum_received.bytes > 100000' "$TMPDIR/client.json" \
		>/dev/null || fail "iperf3 moved too little"
}

# Hairpinned flows are translated at both ends: none may be offloaded
# either, or the answers would go to the router's own address.
flowtable_hairpin_keeps_translation() {
	flowtable_topology
	hairpin_setup udp 5000
	local m1 m
	m1=$(udp_flow "$lan1" 10.0.1.2:4000 198.51.100.10:3478 1)
	m=$(udp_flow "$lan1" 10.0.1.2:4000 "$HAIRPIN_B" 20)
	[ "$m" = "$m1" ] || fail "lan2 saw $m, not lan1's mapping $m1"
}

# The check that keeps conenat's flows out is narrow: a flow conenat does
# not translate (here: to an excluded destination, with a route back) is
# offloaded as usual.
flowtable_offloads_untranslated_flows() {
	LEAK_MATCH="ip saddr 10.0.0.0/8 ip daddr != 192.0.2.0/24" \
		flowtable_topology --exclude 192.0.2.0/24
	ip -n "$inet" route add 10.0.0.0/8 via $WAN
	reflect "$inet" udp 192.0.2.10:3479
	reflect "$inet" udp 198.51.100.10:3478
	local m
	m=$(udp_flow "$lan1" 10.0.1.2:4001 192.0.2.10:3479 20)
	[ "$m" = 10.0.1.2:4001 ] || fail "excluded destination saw $m"
	udp_flow "$lan1" 10.0.1.2:4000 198.51.100.10:3478 20 >/dev/null
	in_ns "$rt" conntrack -L 2>/dev/null | tee "$TMPDIR/ct"
	grep -q 'dst=192.0.2.10 .*OFFLOAD' "$TMPDIR/ct" ||
		fail "the untranslated flow was not offloaded"
	! grep -q 'dst=198.51.100.10 .*OFFLOAD' "$TMPDIR/ct" ||
		fail "a translated flow was offloaded"
}
