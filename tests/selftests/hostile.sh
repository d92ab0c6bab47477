# SPDX-License-Identifier: GPL-2.0
# Hostile and malformed traffic, floods and exhaustion. Nothing crashes
# (a splat fails the VM run), every drop is counted by its reason, nothing
# leaks to the other side, and the mappings that exist keep working.
# Packets are crafted by hostile.py, which sniffs what arrives at lan1 and
# inet; floods come from blast. Sourced by run.sh; uses nat.sh's topology.

# shellcheck source=nat.sh
. "$(dirname "${BASH_SOURCE[0]}")/nat.sh"

TESTS=(
	truncated_headers_dropped_and_counted
	bad_ip_headers_dropped_before_nat
	ip_options_translated_both_ways
	nested_icmp_errors_not_translated
	icmp_error_about_later_fragment_dropped
	lone_later_fragments_go_nowhere
	zero_length_udp_translated
	tcp_every_flag_combination_harmless
	inbound_flood_creates_nothing
	outbound_flood_stops_at_limits
	global_limit_holds_under_two_senders
	tcp_ack_spray_held_to_its_host
	dump_complete_under_churn
)

HOSTILE="/usr/bin/python3 $TOP/tests/selftests/hostile.py"

# Filled by grown, ipgrown and facts.
declare -A G IG F

# reflectors NS PROTO ADDR:PORT...: reflect on each, wait until all
# listen.
reflectors() {
	local ns=$1 proto=$2 ep any
	shift 2
	for ep in "$@"; do
		in_ns "$ns" "$NATTEST" reflect "$proto" "$ep" >/dev/null 2>&1 &
	done
	any=$(IFS='|' && echo "$*")
	busywait 20000 eval "[ \$(in_ns $ns ss -ln | grep -cE ' ($any) ') = $# ]" ||
		fail "$proto reflectors on $* did not start"
}

# lab_topology [UP_OPTIONS...]: nat_topology with the mappings hostile.py
# works with, all of lan1: UDP 10.0.1.2:4000 (external port UDPEXT), TCP
# 10.0.1.2:4001 (TCPEXT), ICMP echo identifier 4242 (ICMPEXT).
lab_topology() {
	nat_topology "$@"
	reflectors "$inet" udp 198.51.100.10:3478
	reflectors "$inet" tcp 198.51.100.10:8080 198.51.100.20:8080
	send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 >/dev/null
	send "$lan1" tcp -b 10.0.1.2:4001 198.51.100.10:8080 >/dev/null
	in_ns "$lan1" ping -n -q -c 1 -W 5 -e 4242 198.51.100.10 >/dev/null ||
		fail "lan1's ping got no reply"
	read -r UDPEXT TCPEXT ICMPEXT _ <<<"$(lan1_ext_ports)"
	[ "$UDPEXT" != null ] && [ "$TCPEXT" != null ] &&
		[ "$ICMPEXT" != null ] ||
		fail "lan1's mappings not made: $(in_ns "$rt" "$CONENAT" mappings)"
	echo "mappings: udp $UDPEXT tcp $TCPEXT icmp $ICMPEXT"
}

# lan1_ext_ports: "UDP TCP ICMP", the external ports of lan1's mappings of
# lab_topology, null for a missing one; then how many mappings there are.
lan1_ext_ports() {
	in_ns "$rt" "$CONENAT" -j mappings | jq -r '
		def ext(p; i): [.[] | select(.protocol == p and
			.internal == "10.0.1.2" and .internal_port == i) |
			.external_port][0];
		"\(ext("udp"; 4000)) \(ext("tcp"; 4001)) \(ext("icmp"; 4242)) \(length)"'
}

# ext_port PROTO PORT: the external port of lan1's mapping of PORT.
ext_port() {
	in_ns "$rt" "$CONENAT" -j mappings "$1" from 10.0.1.2 |
		jq -r --argjson p "$2" '.[] | select(.internal_port == $p) |
			.external_port'
}

# mappings_intact: lan1's three mappings carry traffic as before, with
# their external ports, and they are still the only ones.
mappings_intact() {
	local m now
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = "$WAN:$UDPEXT" ] ||
		fail "UDP mapping $WAN:$UDPEXT broken afterwards: now '$m'"
	m=$(send "$lan1" tcp -b 10.0.1.2:4001 198.51.100.20:8080 | mapped)
	[ "$m" = "$WAN:$TCPEXT" ] ||
		fail "TCP mapping $WAN:$TCPEXT broken afterwards: now '$m'"
	in_ns "$lan1" ping -n -q -c 1 -W 5 -e 4242 198.51.100.10 >/dev/null ||
		fail "ICMP echo mapping broken afterwards: no reply"
	now=$(lan1_ext_ports)
	[ "$now" = "$UDPEXT $TCPEXT $ICMPEXT 3" ] ||
		fail "mappings changed: ext ports and count '$now', were '$UDPEXT $TCPEXT $ICMPEXT 3': $(in_ns "$rt" "$CONENAT" mappings)"
}

# facts: F[KEY]=VALUE for each line "KEY VALUE..." hostile.py printed
# (in $OUT).
facts() {
	local k v
	F=()
	while read -r k v; do
		[ -z "$k" ] || F[$k]=$v
	done <<<"$OUT"
}

# lines PREFIX: hostile.py's lines starting with PREFIX.
lines() {
	grep "^$1" <<<"$OUT" || echo "(none)"
}

# counters NAME: save conenat's counters as snapshot NAME.
counters() {
	in_ns "$rt" "$CONENAT" -j stats >"$TMPDIR/$1"
}

# grown FROM TO: G[COUNTER]=growth between two snapshots; print the
# counters that changed.
grown() {
	local k v changed=""
	G=()
	while read -r k v; do
		G[$k]=$v
		[ "$v" = 0 ] || changed+=" $k +$v"
	done <<<"$(jq -rn --slurpfile a "$TMPDIR/$1" --slurpfile b "$TMPDIR/$2" \
		'$b[0] | to_entries[] | "\(.key) \(.value - $a[0][.key])"')"
	echo "counters:$changed"
}

# ipstats NS NAME: save the IP layer's counters of NS as snapshot NAME.
ipstats() {
	in_ns "$1" nstat -asz >"$TMPDIR/$2"
}

# ipgrown FROM TO: IG[COUNTER]=growth of nstat's counters.
ipgrown() {
	local k v _
	IG=()
	while read -r k v _; do
		IG[$k]=$((-v))
	done <"$TMPDIR/$1"
	while read -r k v _; do
		IG[$k]=$((${IG[$k]:-0} + v))
	done <"$TMPDIR/$2"
}

# snapshot N: conenat's counters and the router's IP layer's, as cN, iN.
snapshot() {
	counters "c$1"
	ipstats "$rt" "i$1"
}

# growth: G[] and IG[], what grew from snapshot 0 to snapshot 1.
growth() {
	grown c0 c1
	ipgrown i0 i1
}

# no_leaks [PHASE [WHAT]]: hostile.py saw nothing but its markers arrive
# at lan1 and inet (in PHASE).
no_leaks() {
	local name=${1:+$1-} what=${2:-packets}
	[ "${F[${name}lan-got]}" = 0 ] ||
		fail "$what reached lan1: $(lines lan:)"
	[ "${F[${name}inet-got]}" = 0 ] ||
		fail "$what left the router: $(lines inet:)"
}

# only_markers_translated [EXTRA]: by G, nothing was translated but
# hostile.py's markers (one each way per settle) and EXTRA inbound
# packets, and no mapping was made.
only_markers_translated() {
	local n=${F[markers]} extra=${1:-0}
	[ "${G[translated_in]}" = $((n + extra)) ] ||
		fail "$((G[translated_in] - n - extra)) hostile packets translated inbound"
	[ "${G[translated_out]}" = "$n" ] ||
		fail "$((G[translated_out] - n)) hostile packets translated outbound"
	[ "${G[created]}" = 0 ] ||
		fail "hostile packets created ${G[created]} mappings"
}

# Transport headers cut short by the IPv4 total length (the IPv4 header
# itself valid): UDP, TCP, ICMP echo, and ICMP errors cut in their quoted
# IPv4 header or in the 8 bytes after it (RFC 792), inbound to the
# mappings' external ports and outbound from lan1. Each is dropped and
# counted as malformed; the outbound ones make no mapping.
truncated_headers_dropped_and_counted() {
	lab_topology
	counters c0
	OUT=$($HOSTILE truncated "$lan1" "$rt" "$inet" "$UDPEXT" "$TCPEXT" \
		"$ICMPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks "" "truncated packets"
	local sent=$((F[sent-in] + F[sent-out]))
	[ "${G[drop_malformed]}" = "$sent" ] ||
		fail "$sent truncated packets sent, drop_malformed counted ${G[drop_malformed]}"
	only_markers_translated
	mappings_intact
}

# IHL below 5, total length past the end of the packet or below its
# header: the kernel's IP layer drops these before netfilter (RFC 1812
# 5.2.2), both ways, and counts them; conenat never sees them.
bad_ip_headers_dropped_before_nat() {
	need nstat
	lab_topology
	snapshot 0
	OUT=$($HOSTILE badip "$lan1" "$rt" "$inet" "$UDPEXT")
	echo "$OUT"
	snapshot 1
	growth
	facts
	no_leaks "" "packets with bad IPv4 headers"
	echo "router's IP layer: ${IG[IpInHdrErrors]} header errors, ${IG[IpExtInTruncatedPkts]} truncated"
	[ "${IG[IpInHdrErrors]}" = "${F[expect-hdrerrors]}" ] ||
		fail "IP layer counted ${IG[IpInHdrErrors]} header errors, want ${F[expect-hdrerrors]}"
	[ "${IG[IpExtInTruncatedPkts]}" = "${F[expect-truncated]}" ] ||
		fail "IP layer counted ${IG[IpExtInTruncatedPkts]} truncated, want ${F[expect-truncated]}"
	[ "${G[drop_malformed]}" = 0 ] ||
		fail "conenat saw ${G[drop_malformed]} packets the IP layer should have dropped"
	only_markers_translated
	mappings_intact
}

# UDP with IP options (NOPs and record route, IHL 6, 11 and 15) both
# ways: the transport header is found past the options, the remote sees
# the mapped source port, and the answers reach lan1 intact, options and
# all (RFC 791).
ip_options_translated_both_ways() {
	nat_topology
	OUT=$($HOSTILE options "$lan1" "$rt" "$inet")
	echo "$OUT"
	local m ihl n
	m=$WAN:$(ext_port udp 4100)
	in_range "$m" 20000 29999 || fail "10.0.1.2:4100 got no mapping: '$m'"
	for ihl in 6 11 15; do
		n=$(((ihl - 5) * 4))
		[[ $OUT == *"out $ihl from $m intact options $n "* ]] ||
			fail "IHL $ihl outbound: remote did not get it intact from $m with $n bytes of options: $(lines "out $ihl ")"
		[[ $OUT == *"in $ihl from 198.51.100.10:7100 intact options $n "* ]] ||
			fail "IHL $ihl inbound: lan1 did not get the answer intact with $n bytes of options: $(lines "in $ihl ")"
	done
}

# An ICMP error quoting an ICMP error, two and three deep, some with the
# echo mapping's identifier where an echo has it: no error is sent about
# an error (RFC 1122 3.2.2), so none is about a mapping and none may reach
# a LAN host. A plain error about the UDP mapping, sent after them, does
# (RFC 5508 REQ-3).
nested_icmp_errors_not_translated() {
	lab_topology
	counters c0
	OUT=$($HOSTILE nested "$lan1" "$rt" "$inet" "$UDPEXT" "$ICMPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks nested "ICMP errors quoting ICMP errors"
	[[ ${F[control-lan-got]} == 1 &&
		$OUT == *"lan:control 198.51.100.10 > 10.0.1.2 icmp type 3 code 3 "* ]] ||
		fail "the plain ICMP error about $WAN:$UDPEXT did not reach lan1: $(lines lan:control)"
	only_markers_translated 1
	mappings_intact
}

# An ICMP error quoting a later fragment names no port, so no mapping:
# dropped and counted as unmatched, for UDP, TCP and ICMP echo, with and
# without more fragments, up to the last offset. The same error about a
# first fragment reaches lan1 (RFC 5508 REQ-3).
icmp_error_about_later_fragment_dropped() {
	lab_topology
	counters c0
	OUT=$($HOSTILE fragquote "$lan1" "$rt" "$inet" "$UDPEXT" "$TCPEXT" \
		"$ICMPEXT")
	echo "$OUT"
	counters c1
	grown c0 c1
	facts
	no_leaks later "ICMP errors about later fragments"
	[ "${G[drop_icmp_unmatched]}" = "${F[sent-in]}" ] ||
		fail "${F[sent-in]} errors about later fragments sent, drop_icmp_unmatched counted ${G[drop_icmp_unmatched]}"
	[ "${F[first-lan-got]}" = 1 ] ||
		fail "the error about a first fragment did not reach lan1"
	only_markers_translated 1
}

# A later fragment whose first one never comes, both ways, for UDP, TCP
# and ICMP, with and without more fragments: defragmentation holds it
# until the reassembly timeout (1 s here) and drops it; nothing reaches
# the other side, nothing makes a mapping, conenat never sees it.
lone_later_fragments_go_nowhere() {
	need nstat
	lab_topology
	in_ns "$rt" sysctl -qw net.ipv4.ipfrag_time=1
	snapshot 0
	OUT=$($HOSTILE lonefrag "$lan1" "$rt" "$inet" "$UDPEXT" 3)
	echo "$OUT"
	snapshot 1
	growth
	facts
	no_leaks held "lone fragments"
	no_leaks expired "lone fragments"
	local sent=$((F[sent-in] + F[sent-out]))
	echo "router: ${IG[IpReasmReqds]} fragments to reassemble, ${IG[IpReasmTimeout]} timed out"
	[ "${IG[IpReasmReqds]}" = "$sent" ] ||
		fail "${IG[IpReasmReqds]} of $sent fragments reached reassembly"
	[ "${IG[IpReasmTimeout]}" = "${F[queues]}" ] ||
		fail "${IG[IpReasmTimeout]} of ${F[queues]} reassembly queues timed out"
	[ "${G[drop_fragment]}" = 0 ] ||
		fail "conenat saw ${G[drop_fragment]} fragments"
	only_markers_translated
	mappings_intact
}

# An empty UDP datagram is translated like any other (RFC 768: length 8):
# the remote gets 0 bytes from the mapped port, and lan1 the empty answer.
# Without a checksum (0) it stays without one; one that computes to 0
# after translation is sent as 0xffff (RFC 768).
zero_length_udp_translated() {
	nat_topology
	OUT=$($HOSTILE zerolen "$lan1" "$rt" "$inet")
	echo "$OUT"
	local m0 m1
	m0=$WAN:$(ext_port udp 4200)
	m1=$WAN:$(ext_port udp 4201)
	in_range "$m0" 20000 29999 || fail "10.0.1.2:4200 got no mapping: '$m0'"
	[[ $OUT == *"plain from $m0 len 0"* ]] ||
		fail "remote did not get an empty datagram from $m0: $(lines plain)"
	[[ $OUT == *"reply from 198.51.100.10:7200 len 0"* ]] ||
		fail "lan1 did not get the remote's empty answer: $(lines reply)"
	[[ $OUT == *"nocsum from $m1 len 0 csum 0000"* ]] ||
		fail "datagram without checksum not passed on without one from $m1: $(lines nocsum)"
	[[ $OUT == *"zerosum from $WAN:24202 len 0 csum ffff valid"* ]] ||
		fail "translated checksum 0 not sent as ffff: $(lines zerosum)"
}

# TCP segments with each of the 256 flag bytes (SYN+FIN, SYN+RST, none,
# all...). Inbound to the TCP mapping, all reach lan1 with valid
# checksums (endpoint-independent filtering, RFC 5382 REQ-3); inbound to
# a port of the range without a mapping, none gets anywhere nor draws an
# answer (RFC 7857 section 2), each is counted; outbound from the mapped
# endpoint, all reach the remote from the mapping. No mapping is made.
tcp_every_flag_combination_harmless() {
	lab_topology
	local unmapped=29999
	[ "$TCPEXT" != $unmapped ] || unmapped=29998
	counters c0
	OUT=$($HOSTILE tcpflags "$lan1" "$rt" "$inet" "$UDPEXT" "$TCPEXT" \
		$unmapped)
	echo "$OUT"
	counters c1
	grown c0 c1
	[[ $OUT == *"in-mapped got 256 flags 256 badcsum 0"* ]] ||
		fail "inbound to $WAN:$TCPEXT: $(lines in-mapped), want all 256 flag bytes at lan1, checksums valid"
	[[ $OUT == *"in-unmapped leaked 0"* ]] ||
		fail "inbound to unmapped $WAN:$unmapped: $(lines in-unmapped)"
	[ "${G[drop_unsolicited]}" = 256 ] ||
		fail "256 segments to $WAN:$unmapped, drop_unsolicited counted ${G[drop_unsolicited]}"
	[[ $OUT == *"out got 256 flags 256 badcsum 0"* ]] ||
		fail "outbound from 10.0.1.2:4001: $(lines "out got"), want all 256 flag bytes at the remote from $WAN:$TCPEXT"
	[[ $OUT == *"out leaked 0"* ]] ||
		fail "internal address leaked: $(lines out)"
	[ "${G[created]}" = 0 ] || fail "${G[created]} mappings made"
	mappings_intact
}

# settle_counter NAME: wait until conenat's counter NAME stops growing
# (the router has handled the packets sent so far).
settle_counter() {
	local last=-1 now
	now=$(in_ns "$rt" "$CONENAT" -j stats | jq ".$1")
	while [ "$now" != "$last" ]; do
		sleep 0.5
		last=$now
		now=$(in_ns "$rt" "$CONENAT" -j stats | jq ".$1")
	done
}

# slab_objects CACHE: objects in use in a slab cache.
slab_objects() {
	if [ -r "/sys/kernel/slab/$1/objects" ]; then
		cut -d' ' -f1 <"/sys/kernel/slab/$1/objects"
	else
		awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
	fi
}

# An inbound flood to random ports of the range: UDP from blast (many
# source addresses and ports) and SYNs. No mapping is made (RFC 7857
# section 2, RFC 6888 REQ-11), every packet the router received is
# counted as unsolicited, none reaches lan1, conenat's slab cache does
# not grow, and the mapping that exists keeps working.
inbound_flood_creates_nothing() {
	need_blast
	need nstat
	nat_topology
	reflectors "$inet" udp 198.51.100.10:3478
	local m p sent=0 syn objs0 objs1 slack=0 shared=""
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	in_range "$m" 20000 29999 || fail "no mapping: '$m'"
	snapshot 0
	ipstats "$lan1" l0
	objs0=$(slab_objects conenat_mapping)
	for p in $(shuf -i 20000-29999 -n 11 | grep -vx "${m##*:}" | head -n 10); do
		in_ns "$inet" "$BLAST" -c 2000 -s 198.51.100.10+4 -p 1024-65535 \
			"$WAN:$p" >/dev/null
		sent=$((sent + 2000))
	done
	syn=$($HOSTILE synflood "$inet" 5000 "${m##*:}")
	sent=$((sent + ${syn#sent }))
	settle_counter drop_unsolicited
	snapshot 1
	ipstats "$lan1" l1
	objs1=$(slab_objects conenat_mapping)
	growth
	local recv=${IG[IpInReceives]}
	ipgrown l0 l1
	# A 64-byte mapping shares its slab cache with the kernel's other
	# 64-byte accounted objects, which come and go meanwhile: then only
	# a growth near one object per packet tells that the flood
	# allocated, and 1000 is far from the $sent packets.
	if [ -L /sys/kernel/slab/conenat_mapping ]; then
		shared=" (merged into $(readlink /sys/kernel/slab/conenat_mapping))"
		slack=1000
	fi
	echo "sent $sent (${syn#sent } SYNs), router received $recv, drop_unsolicited +${G[drop_unsolicited]}; conenat_mapping objects $objs0 -> $objs1$shared"
	[ "${G[created]}" = 0 ] ||
		fail "the flood created ${G[created]} mappings"
	[ "$(in_ns "$rt" "$CONENAT" -j mappings | jq length)" = 1 ] ||
		fail "mappings: $(in_ns "$rt" "$CONENAT" mappings)"
	[ "$recv" -ge $((sent / 2)) ] ||
		fail "only $recv of $sent packets reached the router"
	[ "${G[drop_unsolicited]}" = "$recv" ] ||
		fail "router received $recv packets, drop_unsolicited counted ${G[drop_unsolicited]}"
	[ "${IG[IpInReceives]}" = 0 ] ||
		fail "${IG[IpInReceives]} packets reached lan1"
	[ -n "$objs0" ] || fail "no conenat_mapping slab cache"
	[ "$objs1" -le $((objs0 + slack)) ] ||
		fail "conenat_mapping slab grew from $objs0 to $objs1 objects$shared"
	# The mapping still works, for a stranger too.
	reflectors "$lan1" udp 10.0.1.2:4000
	[ "$(send "$inet" udp -b 192.0.2.10:9999 "$m" | mapped)" = 192.0.2.10:9999 ] ||
		fail "mapping $m does not work after the flood"
}

# flood NS ADDR: from ADDR, datagrams each from a new source port (blast
# -n), again and again until $TMPDIR/stop exists or NS is gone.
flood() {
	while [ ! -e "$TMPDIR/stop" ] &&
		in_ns "$1" "$BLAST" -n -c 20000 -s "$2" -p 30000-49999 \
			198.51.100.10:9 >/dev/null; do
		:
	done
}

# count_of [ADDR]: how many mappings, of ADDR or in all.
count_of() {
	in_ns "$rt" "$CONENAT" -j mappings ${1:+from "$1"} | jq length
}

# discard: a sink on 198.51.100.10:9, so that the floods draw no port
# unreachable errors back.
discard() {
	need socat
	in_ns "$inet" socat -u UDP-RECV:9,bind=198.51.100.10 /dev/null &
	busywait 20000 eval "in_ns $inet ss -uln | grep -qF '198.51.100.10:9 '" ||
		fail "discard sink did not start"
}

# watch_count: the module's mapping count, polled by hostile.py until
# $TMPDIR/stop exists, into $TMPDIR/watch as "max N samples K".
watch_count() {
	$HOSTILE watch "$rt" "$TMPDIR/stop" 240 >"$TMPDIR/watch" &
	WATCH=$!
}

# watched_max LIMIT: the count the module reported never exceeded LIMIT.
# Called after the listed mappings were checked against LIMIT.
watched_max() {
	wait "$WATCH"
	local max samples
	read -r _ max _ samples <"$TMPDIR/watch"
	echo "mapping count: max $max in $samples samples"
	[ "$samples" -gt 0 ] || fail "mapping count never read"
	[ "$max" -le "$1" ] ||
		fail "module reported $max mappings (CONENAT_A_MAPPINGS), over the limit of $1, though no more than $1 were ever listed"
}

# One LAN host floods new source ports, then another: the per-host limit
# stops the first at 400 mappings, the global one both at 500, and both
# refusals are counted (RFC 6888 REQ-5; no mapping is evicted, REQ-11).
# The mappings made before the flood keep working during and after it,
# and the router answers a ping during it.
outbound_flood_stops_at_limits() {
	need_blast
	nat_topology --max-mappings 500 --max-per-host 400
	reflectors "$inet" udp 198.51.100.10:3478
	discard
	local p1 p2 m f1 f2 out
	p1=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	p2=$(send "$lan2" udp -b 10.0.2.2:4000 198.51.100.10:3478 | mapped)
	in_range "$p1" 20000 29999 && in_range "$p2" 20000 29999 ||
		fail "no mappings before the flood: '$p1' '$p2'"
	counters c0
	watch_count
	flood "$lan1" 10.0.1.2 &
	f1=$!
	busywait 120000 eval '[ "$(count_of 10.0.1.2)" -ge 400 ]' ||
		fail "lan1 never reached its 400 mappings: $(count_of 10.0.1.2)"
	out=$(in_ns "$lan1" ping -n -q -c 3 -i 0.5 -W 10 10.0.1.1) ||
		fail "router did not answer a ping during the flood: $out"
	echo "$out"
	m=$(send "$lan1" udp -t 10 -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = "$p1" ] ||
		fail "lan1's mapping $p1 made before the flood: '$m' during it"
	[ "$(count_of 10.0.1.2)" = 400 ] ||
		fail "lan1 has $(count_of 10.0.1.2) mappings, over its limit of 400"
	flood "$lan2" 10.0.2.2 &
	f2=$!
	busywait 120000 eval '[ "$(count_of)" -ge 500 ]' ||
		fail "the mappings never reached 500: $(count_of)"
	m=$(send "$lan2" udp -t 10 -b 10.0.2.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = "$p2" ] ||
		fail "lan2's mapping $p2 made before the flood: '$m' during it"
	sleep 2
	touch "$TMPDIR/stop"
	wait $f1 $f2
	counters c1
	grown c0 c1
	[ "$(count_of)" = 500 ] || fail "$(count_of) mappings, limit 500"
	[ "$(count_of 10.0.1.2)" = 400 ] ||
		fail "lan1 has $(count_of 10.0.1.2) mappings, limit 400"
	[ "${G[created]}" = 498 ] ||
		fail "${G[created]} mappings created, 498 fit the limits"
	[ "${G[refused_host]}" -ge 1 ] || fail "per-host refusals not counted"
	[ "${G[refused_limit]}" -ge 1 ] || fail "global refusals not counted"
	m=$(send "$lan1" udp -b 10.0.1.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = "$p1" ] || fail "lan1's mapping $p1 after the flood: '$m'"
	m=$(send "$lan2" udp -b 10.0.2.2:4000 198.51.100.10:3478 | mapped)
	[ "$m" = "$p2" ] || fail "lan2's mapping $p2 after the flood: '$m'"
	watched_max 500
}

# on_go NS CMD...: run CMD in NS in the background once a line comes on
# the FIFO $TMPDIR/go (held open on fd 3); $TMPDIR/go.N exists when it
# waits, N counting from 1.
on_go() {
	local ns=$1
	shift
	((++GO))
	in_ns "$ns" bash -c ': >"$0.$1"; read -r _ <"$0"; shift; exec "$@"' \
		"$TMPDIR/go" $GO "$@" &
}

# Two LAN hosts, four addresses each, ask for new mappings at once, from
# both CPUs: the global limit holds exactly, in the mappings listed, the
# created counter and the count the module reports all along; every
# packet forwarded out either made a mapping or was refused and counted.
global_limit_holds_under_two_senders() {
	need_blast
	need nstat
	nat_topology --max-mappings 5000 --max-per-host 5000
	discard
	local p1 p2 made refused
	mkfifo "$TMPDIR/go"
	exec 3<>"$TMPDIR/go"
	GO=0
	on_go "$lan1" "$BLAST" -n -c 8000 -s 10.0.1.2+4 -p 30000-31999 \
		198.51.100.10:9
	p1=$!
	on_go "$lan2" "$BLAST" -n -c 8000 -s 10.0.2.2+4 -p 30000-31999 \
		198.51.100.10:9
	p2=$!
	busywait 20000 eval '[ -e "$TMPDIR/go.1" ] && [ -e "$TMPDIR/go.2" ]' ||
		fail "senders did not start"
	snapshot 0
	watch_count
	sleep 0.5
	printf '\n\n' >&3
	wait $p1 || fail "lan1's blast failed"
	wait $p2 || fail "lan2's blast failed"
	settle_counter refused_limit
	touch "$TMPDIR/stop"
	snapshot 1
	growth
	made=${G[created]}
	refused=$((G[refused_limit] + G[refused_ports] + G[refused_host] +
		G[refused_nomem]))
	p1=$(count_of 10.0.1.2)
	p2=$(count_of 10.0.2.2)
	echo "forwarded ${IG[IpForwDatagrams]}, created $made, refused $refused; first addresses of lan1 $p1, lan2 $p2"
	[ "$made" = 5000 ] || fail "$made mappings created, limit 5000"
	[ "$(count_of)" = 5000 ] || fail "$(count_of) mappings listed, limit 5000"
	[ "${G[refused_limit]}" -ge 1 ] || fail "refusals not counted"
	[ $((made + refused)) = "${IG[IpForwDatagrams]}" ] ||
		fail "${IG[IpForwDatagrams]} packets forwarded, $made made a mapping, $refused refused: $((IG[IpForwDatagrams] - made - refused)) unaccounted"
	[ "$p1" -ge 1 ] && [ "$p2" -ge 1 ] || fail "a sender got no mapping"
	watched_max 5000
}

# third_host WHEN: 10.0.2.3 sends 5000 datagrams to the sink 192.0.2.192;
# prints how many inet counted and in how long (a figure, not a check).
third_host() {
	local out n0 n1
	n0=$(in_ns "$inet" nft -j list counter ip spray third | jq '.nftables[1].counter.packets')
	out=$(in_ns "$lan2" "$BLAST" -c 5000 -s 10.0.2.3 -p 7000-7099 192.0.2.192:9)
	sleep 1
	n1=$(in_ns "$inet" nft -j list counter ip spray third | jq '.nftables[1].counter.packets')
	echo "third host, $1: $((n1 - n0)) of 5000 datagrams arrived; $out"
	THIRD=$((n1 - n0))
}

# A LAN host spraying bare ACKs from four ports to 100000 remote
# endpoints is held to its connection limits: at most
# --max-conns-per-mapping per mapping, --max-conns-per-host in all, the
# rest counted as refused_conns and tcp_untracked. Another host's TCP
# connection is still tracked, although the sprayer asked for more
# connections than --max-mappings (the bound of all of them), and a third
# host's traffic crosses the router during the spray (its packet rates
# before and during are printed; the GC's walk of one mapping is bounded
# by the per-mapping limit).
tcp_ack_spray_held_to_its_host() {
	need_blast
	nat_topology --max-mappings 3000 --max-conns-per-host 2500 \
		--max-conns-per-mapping 1000
	# The sprayed endpoints and the third host's sink lead nowhere: no
	# RST or ICMP error comes back.
	ip -n "$inet" route add blackhole 192.0.2.128/25
	in_ns "$inet" nft add table ip spray
	in_ns "$inet" nft add counter ip spray third
	in_ns "$inet" nft add chain ip spray in \
		'{ type filter hook prerouting priority 0; }'
	in_ns "$inet" nft add rule ip spray in ip daddr 192.0.2.192 counter name third
	ip -n "$lan2" addr add 10.0.2.3/24 dev eth0
	reflectors "$inet" tcp 198.51.100.10:8080
	local spray conns per total m c
	counters c0
	third_host "before the spray"
	in_ns "$lan1" "$BLAST" -a -c 100000 -s 10.0.1.2 -p 5000-5003 \
		192.0.2.128+4:1-25000 >"$TMPDIR/spray" &
	spray=$!
	third_host "during the spray"
	[ "$THIRD" -gt 0 ] || fail "no datagram of the third host crossed during the spray"
	wait $spray || fail "the spray failed"
	cat "$TMPDIR/spray"
	m=$(send "$lan2" tcp -b 10.0.2.2:6000 198.51.100.10:8080 | mapped)
	in_range "$m" 20000 29999 || fail "lan2's connection mapped to '$m'"
	counters c1
	grown c0 c1
	conns=$(in_ns "$rt" "$CONENAT" -j mappings)
	per=$(jq -c '[.[] | select(.internal == "10.0.1.2") | .connections] | sort' <<<"$conns")
	total=$(jq '[.[] | select(.internal == "10.0.1.2") | .connections] | add' <<<"$conns")
	c=$(jq '[.[] | select(.internal == "10.0.2.2" and .internal_port == 6000) | .connections] | add' <<<"$conns")
	echo "sprayer's connections per mapping $per, $total in all; lan2's $c; refused_conns ${G[refused_conns]:-none}, tcp_untracked ${G[tcp_untracked]:-0}"
	[ "$c" = 1 ] || fail "lan2's connection is not tracked: $c connections"
	[ "$total" = 2500 ] ||
		fail "the sprayer has $total connections, its host's limit is 2500"
	jq -e 'all(. <= 1000)' <<<"$per" >/dev/null ||
		fail "a mapping has more than 1000 connections: $per"
	[ "${G[refused_conns]:-0}" -ge 1 ] || fail "refused connections not counted"
}

# churn: add and delete a port forward, again and again, until
# $TMPDIR/stop exists: each links or unlinks a mapping in the table.
churn() {
	while [ ! -e "$TMPDIR/stop" ]; do
		in_ns "$rt" "$CONENAT" forward add udp 41000 to 10.0.1.2:41000
		in_ns "$rt" "$CONENAT" forward del udp 41000
	done
}

# A mapping dump is complete under any churn: while lan1 makes and
# expires mappings as fast as it can (UDP, one-second timeout, no
# hold-down) and a port forward comes and goes, every one of 10 dumps
# (conenat -j mappings) completes and lists each of lan2's 600 TCP
# mappings once, and no outside port twice; genl.py's dump, read part by
# part with a forward added between parts, is not flagged
# NLM_F_DUMP_INTR. The configuration is unchanged.
dump_complete_under_churn() {
	need_blast
	need jq
	nat_topology --timeout-udp 1 --unsafe-timeouts --holddown 0
	discard
	ip -n "$inet" route add blackhole 192.0.2.192/26
	in_ns "$lan2" "$BLAST" -a -c 600 -s 10.0.2.2 -p 7000-7599 \
		192.0.2.192:9 >/dev/null
	busywait 20000 eval '[ "$(count_of 10.0.2.2)" = 600 ]' ||
		fail "600 ACKs from new ports made $(count_of 10.0.2.2) mappings"
	local genl="/usr/bin/python3 $TOP/tests/selftests/genl.py"
	local out show c f i n=0 c0 c1
	out=$(in_ns "$rt" $genl dump)
	echo "quiet: $out"
	[[ $out = *"entries 600 interrupted no" ]] ||
		fail "a dump with no change: $out, not 600 entries unflagged"
	out=$(in_ns "$rt" $genl dump change)
	echo "changed: $out"
	[[ $out = "parts "[3-9]*" entries 60"[01]" interrupted no" ]] ||
		fail "a dump spanning a change: $out, not 600 entries unflagged"
	show=$(in_ns "$rt" "$CONENAT" -j show | jq -c 'del(.mapping_count)')
	c0=$(in_ns "$rt" "$CONENAT" -j stats | jq '.created + .expired')
	churn &
	c=$!
	flood "$lan1" 10.0.1.2 &
	f=$!
	for i in $(seq 10); do
		out=$(in_ns "$rt" "$CONENAT" -j mappings 2>&1) ||
			fail "dump $i during changes failed: $out"
		n=$((n + 1))
		# Each of lan2's mappings once, and no outside port twice.
		out=$(jq -c '[length, ([.[] | "\(.protocol) \(.external_port)"] |
			unique | length),
			([.[] | select(.internal == "10.0.2.2")] | length)]' <<<"$out")
		echo "dump $i: [listed, distinct ports, lan2's]: $out"
		[ "$(jq '.[2]' <<<"$out")" = 600 ] ||
			fail "dump $i during changes lost or repeated lan2's mappings"
		[ "$(jq '.[0] == .[1]' <<<"$out")" = true ] ||
			fail "dump $i during changes listed a port twice"
	done
	touch "$TMPDIR/stop"
	wait $c $f
	c1=$(in_ns "$rt" "$CONENAT" -j stats | jq '.created + .expired')
	echo "$n of 10 dumps completed while $((c1 - c0)) mappings were made or expired"
	[ $((c1 - c0)) -ge 1000 ] ||
		fail "only $((c1 - c0)) mappings made or expired: no churn"
	out=$(in_ns "$rt" "$CONENAT" -j show | jq -c 'del(.mapping_count)')
	[ "$out" = "$show" ] || fail "configuration changed: $out, was $show"
}
