# SPDX-License-Identifier: GPL-2.0
# Control plane: module lifecycle, configuration round trips, isolation
# between namespaces, and bad input. Sourced by run.sh.

TESTS=(
	module_loads_and_unloads
	up_show_down_round_trip
	config_is_per_namespace
	unload_with_configured_namespaces
	monitor_exits_when_module_unloads
	bad_input_keeps_previous_config
	per_host_limit_never_above_mapping_limit
	rfc_minimum_timeouts_enforced
	tool_without_module_gives_hint
	foreign_userns_refused
	netlink_hostile_requests_refused
	config_file_round_trip
	config_file_refused_changes_nothing
)

# ns_with_wan NSVAR: a namespace with a dummy "wan0" at 192.0.2.1/24.
ns_with_wan() {
	setup_ns "$1"
	local ns=${!1}
	ip -n "$ns" link add wan0 type dummy
	ip -n "$ns" addr add 192.0.2.1/24 dev wan0
	ip -n "$ns" link set wan0 up
}

show_json() {
	in_ns "$1" "$CONENAT" -j show
}

module_loads_and_unloads() {
	unload_module
	load_module
	module_loaded || fail "module not in /sys/module after insmod"
	"$CONENAT" version | grep -q "module $(cat /sys/module/conenat/version)" ||
		fail "tool does not see the module's genetlink family"
	unload_module
	! module_loaded || fail "module still loaded after rmmod"
	load_module
}

up_show_down_round_trip() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0 --ports 21000-21999
	local j
	j=$(show_json "$r")
	echo "$j"
	[ "$(jq -r .up <<<"$j")" = true ] || fail "show does not say up"
	[ "$(jq -r .interface <<<"$j")" = wan0 ] || fail "interface lost"
	[ "$(jq -r .external_address <<<"$j")" = 192.0.2.1 ] ||
		fail "external address is not the interface's"
	[ "$(jq -c '[.ranges[] | [.protocol, .min, .max]]' <<<"$j")" = \
	  '[["udp",21000,21999],["tcp",21000,21999],["icmp",21000,21999]]' ] ||
		fail "port ranges not as configured"
	in_ns "$r" "$CONENAT" show | grep -q "conenat .*: up" ||
		fail "human show does not say up"
	in_ns "$r" "$CONENAT" down
	[ "$(jq -r .up <<<"$(show_json "$r")")" = false ] ||
		fail "still up after down"
	expect_error "$r" 1 "not up in this namespace" down
	expect_error "$r" 1 "not up in this namespace" set --timeout-udp 300
	expect_error "$r" 1 "not up in this namespace" flush
}

config_is_per_namespace() {
	load_module
	ns_with_wan a
	ns_with_wan b
	setup_ns c
	in_ns "$a" "$CONENAT" up wan0 --ports 22000-22099
	in_ns "$b" "$CONENAT" up wan0 --ports udp:23000-23099
	[ "$(jq -r '.ranges[0].min' <<<"$(show_json "$a")")" = 22000 ] ||
		fail "namespace a lost its range"
	[ "$(jq -r '.ranges[] | select(.protocol=="udp") | .min' \
		<<<"$(show_json "$b")")" = 23000 ] ||
		fail "namespace b lost its range"
	[ "$(jq -r .up <<<"$(show_json "$c")")" = false ] ||
		fail "unconfigured namespace c sees an instance"
	in_ns "$a" "$CONENAT" down
	[ "$(jq -r .up <<<"$(show_json "$b")")" = true ] ||
		fail "down in a took b down"
}

unload_with_configured_namespaces() {
	load_module
	ns_with_wan a
	ns_with_wan b
	in_ns "$a" "$CONENAT" up wan0
	in_ns "$b" "$CONENAT" up wan0
	unload_module
	load_module
	[ "$(jq -r .up <<<"$(show_json "$a")")" = false ] ||
		fail "instance survived a module reload"
}

# expect_error NS EXITCODE PATTERN ARGS...: the tool fails as told.
expect_error() {
	local ns=$1 code=$2 pattern=$3 out rc
	shift 3
	out=$(in_ns "$ns" "$CONENAT" "$@" 2>&1) && rc=0 || rc=$?
	echo "conenat $*: exit $rc: $out"
	[ "$rc" = "$code" ] || fail "conenat $* exited $rc, not $code"
	grep -qi -- "$pattern" <<<"$out" ||
		fail "conenat $* said '$out', expected /$pattern/"
}

bad_input_keeps_previous_config() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0 --ports 24000-24999
	local before
	before=$(show_json "$r")
	expect_error "$r" 1 "below the RFC 4787 minimum" set --timeout-udp 60
	expect_error "$r" 2 "start is greater than end" set --ports 30000-20000
	expect_error "$r" 2 "invalid port" set --ports 0-100
	expect_error "$r" 2 "invalid port" set --ports 70000
	expect_error "$r" 2 "invalid port" set --ports 1000-70000
	expect_error "$r" 1 "given twice (--address)" \
		set --address 192.0.2.1,192.0.2.1
	expect_error "$r" 1 "must be unicast (--address)" \
		set --address 192.0.2.1,224.0.0.1
	expect_error "$r" 1 "must be unicast (--address)" set --address 0.0.0.0
	expect_error "$r" 1 "must be unicast (--address)" \
		set --address 255.255.255.255
	expect_error "$r" 1 "must not be loopback (--address)" \
		set --address 127.0.0.1
	expect_error "$r" 2 "invalid IPv4 address" set --address 192.0.2
	[ "$(show_json "$r")" = "$before" ] ||
		fail "configuration changed by refused input"
}

# ctrl_listener NS: a generic netlink socket (protocol 16) of NS is in
# nlctrl's multicast group, 16 (bit 15 of /proc/net/netlink's Groups).
ctrl_listener() {
	in_ns "$1" cat /proc/net/netlink | {
		while read -r _ eth _ groups _; do
			[ "$eth" = 16 ] && ((0x$groups & 0x8000)) && exit 0
		done
		exit 1
	}
}

# conenat monitor cannot outlive the module: unloading it (rmmod, a DKMS
# upgrade) drops every instance, and the monitor says so and exits 1.
monitor_exits_when_module_unloads() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0
	local pid rc
	in_ns "$r" "$CONENAT" monitor >"$TMPDIR/mon" 2>&1 &
	pid=$!
	busywait 10000 ctrl_listener "$r" || fail "the monitor did not start"
	unload_module
	busywait 10000 eval "! kill -0 $pid 2>/dev/null" ||
		fail "the monitor still runs after rmmod"
	wait $pid && rc=0 || rc=$?
	cat "$TMPDIR/mon"
	[ "$rc" = 1 ] || fail "the monitor exited $rc"
	[ "$(cat "$TMPDIR/mon")" = "conenat: the module was unloaded: its instances, mappings and forwards are gone" ] ||
		fail "the monitor said '$(cat "$TMPDIR/mon")'"
}

# --max-per-host follows a lower --max-mappings, unless given with it; a
# request for more than --max-mappings is refused, by the tool when it
# sees both, else by the module; so save and load round-trip.
per_host_limit_never_above_mapping_limit() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0 --max-mappings 1000
	[ "$(show_json "$r" | jq .max_per_host)" = 1000 ] ||
		fail "per-host limit $(show_json "$r" | jq .max_per_host) with 1000 mappings"
	in_ns "$r" "$CONENAT" set --max-mappings 500
	[ "$(show_json "$r" | jq .max_per_host)" = 500 ] ||
		fail "per-host limit $(show_json "$r" | jq .max_per_host) after 500 mappings"
	expect_error "$r" 1 "per-host limit is above the mapping limit" \
		set --max-per-host 600
	expect_error "$r" 2 "200 is above --max-mappings 100" \
		set --max-mappings 100 --max-per-host 200
	in_ns "$r" "$CONENAT" set --max-mappings 2000 --max-per-host 50
	in_ns "$r" "$CONENAT" save >"$TMPDIR/conf"
	in_ns "$r" "$CONENAT" down
	in_ns "$r" "$CONENAT" load "$TMPDIR/conf"
	[ "$(show_json "$r" | jq '[.max_mappings, .max_per_host]' -c)" = "[2000,50]" ] ||
		fail "limits after save and load: $(show_json "$r" | jq -c '[.max_mappings, .max_per_host]')"
}

rfc_minimum_timeouts_enforced() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0
	expect_error "$r" 1 "RFC 4787 minimum" set --timeout-udp 119
	expect_error "$r" 1 "RFC 5382 minimum" set --timeout-tcp-est 3600
	expect_error "$r" 1 "RFC 5382 minimum" set --timeout-tcp-trans 60
	expect_error "$r" 1 "RFC 5508 minimum" set --timeout-icmp 30
	[ "$(jq -r .timeouts.udp <<<"$(show_json "$r")")" = 300 ] ||
		fail "refused timeout changed the configuration"
	in_ns "$r" "$CONENAT" set --timeout-udp 5 --unsafe-timeouts
	[ "$(jq -r .timeouts.udp <<<"$(show_json "$r")")" = 5 ] ||
		fail "explicit test override was not applied"
}

tool_without_module_gives_hint() {
	unload_module
	local out rc
	out=$("$CONENAT" show 2>&1) && rc=0 || rc=$?
	load_module
	[ "$rc" = 1 ] || fail "exit code $rc without module"
	[ "$out" = "conenat: kernel module not loaded (try: modprobe conenat)" ] ||
		fail "unexpected message: $out"
}

# A process in a user namespace that does not own the network namespace
# cannot read or change conenat there: a clear error, nothing changed.
foreign_userns_refused() {
	need unshare
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0
	local before args out rc
	before=$(show_json "$r")
	for args in "set --timeout-udp 600" "down" "flush" \
		    "forward add udp 40000 to 10.0.1.2" "show" "save" "monitor"; do
		# shellcheck disable=SC2086
		out=$(in_ns "$r" timeout 10 unshare -U -r "$CONENAT" $args 2>&1) &&
			rc=0 || rc=$?
		echo "$args: exit $rc: $out"
		[ "$rc" = 1 ] || fail "'$args' from a foreign user namespace exited $rc"
		[ "$out" = "conenat: permission denied (need CAP_NET_ADMIN)" ] ||
			fail "'$args' said '$out'"
	done
	[ "$(show_json "$r")" = "$before" ] || fail "configuration changed"
}

# conenat save, down, conenat load: the same configuration and forwards.
config_file_round_trip() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0 --ports udp:30000-30999 --ports 40000-40100 \
		--timeout-udp 5 --unsafe-timeouts --holddown 7 --max-mappings 5000 \
		--max-per-host 50 --fwmark 0x42 --inbound-refresh on \
		--internal 10.0.1.0/24 --exclude 198.51.100.0/24 \
		--address 192.0.2.71,192.0.2.72
	in_ns "$r" "$CONENAT" forward add udp 25565 to 10.0.1.2
	in_ns "$r" "$CONENAT" forward add tcp 8443 to 10.0.1.3:443
	local show fwd
	show=$(show_json "$r")
	fwd=$(in_ns "$r" "$CONENAT" -j forward)
	in_ns "$r" "$CONENAT" save >"$TMPDIR/conf"
	cat "$TMPDIR/conf"
	in_ns "$r" "$CONENAT" down
	in_ns "$r" "$CONENAT" load "$TMPDIR/conf" || fail "load of a saved file failed"
	[ "$(show_json "$r")" = "$show" ] ||
		fail "configuration differs: $(show_json "$r"), was $show"
	[ "$(in_ns "$r" "$CONENAT" -j forward)" = "$fwd" ] || fail "forwards differ"
	# Loading it again while up changes nothing either.
	in_ns "$r" "$CONENAT" load "$TMPDIR/conf" || fail "second load failed"
	[ "$(show_json "$r")" = "$show" ] || fail "second load changed the configuration"
}

# A file the kernel refuses at any line leaves the running configuration,
# forwards included, as it was, and names the line.
config_file_refused_changes_nothing() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0 --timeout-udp 600
	in_ns "$r" "$CONENAT" forward add udp 25565 to 10.0.1.2
	local show fwd out rc
	show=$(show_json "$r")
	fwd=$(in_ns "$r" "$CONENAT" -j forward)
	cat >"$TMPDIR/conf" <<-E
		up wan0 --timeout-udp 900 --ports 21000-21999
		forward add udp 40000 to 10.0.1.5
		forward add udp 40001 to 10.0.1.5:40000
	E
	out=$(in_ns "$r" "$CONENAT" load "$TMPDIR/conf" 2>&1) && rc=0 || rc=$?
	echo "exit $rc: $out"
	[ "$rc" = 1 ] || fail "load of a conflicting file exited $rc"
	grep -qF "$TMPDIR/conf:3: refused" <<<"$out" || fail "the line is not named: $out"
	grep -qF "the internal endpoint has a forward already" <<<"$out" ||
		fail "the kernel's reason is not shown: $out"
	[ "$(show_json "$r")" = "$show" ] || fail "configuration changed: $(show_json "$r")"
	[ "$(in_ns "$r" "$CONENAT" -j forward)" = "$fwd" ] ||
		fail "forwards changed: $(in_ns "$r" "$CONENAT" -j forward)"
	# The same from down: it stays down.
	in_ns "$r" "$CONENAT" down
	! in_ns "$r" "$CONENAT" load "$TMPDIR/conf" 2>/dev/null || fail "load succeeded"
	[ "$(jq -r .up <<<"$(show_json "$r")")" = false ] || fail "a refused load left conenat up"
	# A syntax error sends nothing at all.
	printf 'up wan0\nforward add udp 99999 to 10.0.1.5\n' >"$TMPDIR/conf"
	out=$(in_ns "$r" "$CONENAT" load "$TMPDIR/conf" 2>&1) && rc=0 || rc=$?
	[ "$rc" = 2 ] && grep -qF "$TMPDIR/conf:2: invalid port" <<<"$out" ||
		fail "syntax error: exit $rc, '$out'"
	[ "$(jq -r .up <<<"$(show_json "$r")")" = false ] || fail "a bad file brought conenat up"
}

# Malformed requests (attributes out of range, of the wrong type or size,
# missing, given twice, unknown or reply-only) are each refused with an
# extack message, and leave the configuration and forwards as they were.
netlink_hostile_requests_refused() {
	load_module
	ns_with_wan r
	in_ns "$r" "$CONENAT" up wan0
	in_ns "$r" "$CONENAT" forward add udp 25565 to 10.0.1.2
	local show fwd
	show=$(show_json "$r")
	fwd=$(in_ns "$r" "$CONENAT" -j forward)
	in_ns "$r" /usr/bin/python3 "$TOP/tests/selftests/genl.py" hostile ||
		fail "a malformed request was accepted, or refused without a message"
	[ "$(show_json "$r")" = "$show" ] ||
		fail "configuration changed: $(show_json "$r"), was $show"
	[ "$(in_ns "$r" "$CONENAT" -j forward)" = "$fwd" ] ||
		fail "forwards changed: $(in_ns "$r" "$CONENAT" -j forward)"
}
