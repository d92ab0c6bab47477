# SPDX-License-Identifier: GPL-2.0
# Lifecycle under load: module reloads, configuration changes and the
# external interface going away while traffic flows and mappings exist.
# A leak or a use-after-free shows up as a splat in dmesg (a slab cache
# destroyed with objects left, a WARN, an oops), which fails the VM run;
# each test also checks that translation still works at the end. Sourced
# by run.sh; uses nat.sh's topology.

# shellcheck source=nat.sh
. "$(dirname "${BASH_SOURCE[0]}")/nat.sh"

# Each of these does hundreds of operations under emulation: give them
# more than the default five minutes before the runner calls them hung.
TEST_TIMEOUT=${STRESS_TIMEOUT:-900}

TESTS=(
	reload_module_under_traffic
	reconfigure_under_traffic
	delete_interface_under_traffic
	many_configured_namespaces
	commands_run_while_another_namespace_flushes
)

# pin_hook_keys: keep an IPv4 netfilter hook at each hook conenat uses
# (PRE_ROUTING, FORWARD, POST_ROUTING; LOCAL_OUT for defrag) in a
# namespace of its own for the test. Registering the first hook of a kind
# flips a static key, which patches kernel text; under QEMU TCG with two
# vCPUs, hundreds of such patches while packets flow trip an int3 oops at
# the patched jump (in ip_rcv(), in ip_forward(): the same run passes
# with one vCPU, and the site is the jump, not conenat code). With the keys held on,
# the loops below exercise conenat, not QEMU's cross-modifying code.
pin_hook_keys() {
	need nft
	setup_ns pin
	in_ns "$pin" nft -f - <<-'E'
	table ip pin {
		chain pre { type filter hook prerouting priority 0; }
		chain forwarding { type filter hook forward priority 0; }
		chain out { type filter hook output priority 0; }
		chain post { type filter hook postrouting priority 0; }
	}
	E
}

# traffic: UDP from many ports, TCP and pings from lan1 and lan2 to inet,
# until the test ends (cleanup kills every process of the namespaces).
traffic() {
	reflect "$inet" udp 198.51.100.10:3478
	in_ns "$inet" socat -u TCP-LISTEN:5001,bind=198.51.100.10,reuseaddr,fork \
		/dev/null &
	local ns
	for ns in "$lan1" "$lan2"; do
		in_ns "$ns" ping -q -i 0.01 198.51.100.10 >/dev/null 2>&1 &
		in_ns "$ns" bash -c 'while :; do
			for p in $(seq 5000 5050); do
				echo x | socat -u - UDP:198.51.100.10:3478,sourceport=$p 2>/dev/null
			done
			head -c 100000 /dev/zero | socat -u - TCP:198.51.100.10:5001 2>/dev/null
		done' >/dev/null 2>&1 &
	done
	busywait 10000 eval "[ \"\$(in_ns $rt $CONENAT -j mappings 2>/dev/null | jq length)\" -gt 5 ]" ||
		fail "traffic made no mappings"
}

# still_translates: a fresh mapping works end to end. The traffic may
# crowd out one datagram or its answer: send up to three; a mapping, once
# made, answers each of them with the same port.
# guard_wan: the rule an operator keeps for the times nothing translates
# (module unloaded, instance down): after conenat's POST_ROUTING hook,
# drop what would still leave wan0 from a LAN address. The tests that
# remove the NAT on purpose need it, or the leak watch sees the router
# route the LAN untranslated meanwhile, as any router without NAT would.
guard_wan() {
	in_ns "$rt" nft -f - <<-'E'
	table ip guard {
		chain post {
			type filter hook postrouting priority 300;
			oifname "wan0" ip saddr 10.0.0.0/8 drop
		}
	}
	E
}

still_translates() {
	local m i
	for i in 1 2 3; do
		m=$(send "$lan1" udp -b 10.0.1.2:4999 198.51.100.10:3478 | mapped)
		[ -z "$m" ] || break
	done
	in_range "$m" 20000 29999 && return
	in_ns "$rt" "$CONENAT" -s show
	in_ns "$rt" "$CONENAT" mappings
	fail "translation broken afterwards: 10.0.1.2:4999 mapped to '$m'"
}

reload_module_under_traffic() {
	need socat
	pin_hook_keys
	nat_topology
	guard_wan
	traffic
	local i
	for i in $(seq 50); do
		rmmod conenat || fail "rmmod $i failed"
		insmod "$MODULE" || fail "insmod $i failed"
		in_ns "$rt" "$CONENAT" up wan0
	done
	still_translates
}

reconfigure_under_traffic() {
	need socat
	pin_hook_keys
	nat_topology
	guard_wan
	traffic
	local i
	for i in $(seq 20); do
		in_ns "$rt" "$CONENAT" set --ports 2$((i % 10))000-2$((i % 10))999
		in_ns "$rt" "$CONENAT" flush
		in_ns "$rt" "$CONENAT" set --timeout-udp $((300 + i)) \
			--max-mappings $((1000 + i)) --inbound-refresh on
		in_ns "$rt" "$CONENAT" forward add udp 40000 to 10.0.2.2:6000
		in_ns "$rt" "$CONENAT" forward del udp 40000
		in_ns "$rt" "$CONENAT" down
		in_ns "$rt" "$CONENAT" up wan0
	done
	still_translates
}

delete_interface_under_traffic() {
	need socat
	pin_hook_keys
	nat_topology
	traffic
	local i
	for i in $(seq 20); do
		ip -n "$rt" link del wan0
		add_wan $WAN
	done
	still_translates
}

# 60 namespaces each with an instance and a mapping, then the module goes
# while they exist, then the namespaces go. (Each costs 1.5 s under
# emulation; 60 are enough to tell a per-namespace leak from noise.)
many_configured_namespaces() {
	pin_hook_keys
	load_module
	local i n names=()
	# Few commands per namespace: under emulation, each costs 0.1 s.
	printf '%s\n' 'link add wan0 type dummy' \
		'addr add 192.0.2.1/24 dev wan0' 'link set wan0 up' >"$TMPDIR/ip"
	printf '%s\n' 'up wan0 --max-mappings 4096' \
		'forward add udp 25565 to 10.0.1.2' >"$TMPDIR/conf"
	for i in $(seq 60); do
		setup_ns n
		ip -n "$n" -batch "$TMPDIR/ip"
		in_ns "$n" "$CONENAT" load "$TMPDIR/conf"
		names+=("$n")
	done
	[ "$(in_ns "${names[59]}" "$CONENAT" -j mappings | jq length)" = 1 ] ||
		fail "the last namespace has no forward mapping"
	# Half go away configured, with a mapping each: the namespace's exit
	# frees them. The rest are still up at rmmod, whose module exit frees
	# theirs; a mapping either forgot stays in conenat_mapping's slab
	# cache, and its destruction at rmmod warns, which fails the run.
	for n in "${names[@]:0:30}"; do
		ip netns del "$n"
	done
	rmmod conenat || fail "rmmod with 30 configured namespaces failed"
	insmod "$MODULE"
	for n in "${names[@]:30}"; do
		[ "$(in_ns "$n" "$CONENAT" -j show | jq .up)" = false ] ||
			fail "$n still up after the module was reloaded"
	done
}

# busy_loop NS OUT: conenat show in NS again and again, until
# $TMPDIR/stop exists, one line in OUT with the time each one returned.
busy_loop() {
	while [ ! -e "$TMPDIR/stop" ]; do
		in_ns "$1" "$CONENAT" -j show >/dev/null ||
			fail "conenat show in $1 failed"
		date +%s.%N >>"$2"
	done
}

# The family runs requests in parallel (parallel_ops): while the router
# flushes a million mappings, holding its namespace's lock the while, a
# conenat command in another namespace gets its answer, again and again.
# With one lock for the family (genetlink's own), none would return until
# the flush had.
commands_run_while_another_namespace_flushes() {
	need_blast
	local pool i t0 t1 during n
	# 256 hosts of 4096 ports each, paired with 64 addresses.
	pool=$(for i in $(seq 64 127); do printf '203.0.113.%d,' $i; done)
	nat_topology --ports 1024-65535 --max-mappings 1048576 \
		--address "${pool%,}"
	ip -n "$inet" route add blackhole 192.0.2.192/26
	ip -n "$rt" route add 10.0.4.0/22 via 10.0.1.2
	in_ns "$lan1" "$BLAST" -n -c 1048576 -s 10.0.4.0+256 \
		-p 1024-5119 192.0.2.192:9
	n=$(in_ns "$rt" "$CONENAT" -j show | jq .mapping_count)
	echo "mappings before the flush: $n"
	[ "$n" -ge 1000000 ] || fail "only $n mappings made"
	setup_ns other
	ip -n "$other" link add wan0 type dummy
	in_ns "$other" "$CONENAT" up wan0
	busy_loop "$other" "$TMPDIR/done" &
	busywait 20000 eval '[ -s "$TMPDIR/done" ]' ||
		fail "conenat show in another namespace never returned"
	t0=$(date +%s.%N)
	in_ns "$rt" "$CONENAT" flush
	t1=$(date +%s.%N)
	touch "$TMPDIR/stop"
	wait
	during=$(awk -v a="$t0" -v b="$t1" '$1 > a && $1 < b' "$TMPDIR/done" | wc -l)
	echo "the flush took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s; $during commands in the other namespace returned meanwhile"
	[ "$(in_ns "$rt" "$CONENAT" -j show | jq .mapping_count)" = 0 ] ||
		fail "mappings left after the flush"
	[ "$during" -ge 5 ] ||
		fail "only $during commands of another namespace returned during the flush"
}
