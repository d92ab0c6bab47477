#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of make bench: bench-guest.sh MODULE
#
# One topology, five configurations run one after the other on the same
# boot, and for each the workloads of BENCHMARKS.md and a leak check.
# Prints one line per figure, "BENCH CONFIG KEY VALUE", for
# tests/bench/run.sh to tabulate.
# Times are CLOCK_MONOTONIC, i.e. guest time, which under qemu -icount
# advances per instruction executed.
#
#   lan 10.0.1.2 (sources 10.0.0.0/16) --- rt --- inet 198.51.100.10
#                                              (198.51.100.99: blackhole)
set -eu
MODULE=$1
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CONENAT=$TOP/tools/conenat
BLAST=$TOP/build/blast
QUICK=${BENCH_QUICK:-}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Packet counts; QUICK only proves that every step works.
# POOL_MAX: the most mappings, over a pool of 64 external addresses (one
# address holds at most 64512 per protocol), for the 1M scale step and
# the GC run. IDLE: namespaces with an idle instance each.
if [ -n "$QUICK" ]; then
	STEADY=2000 NEW=2000 SCALES="1000" IPERF=1 POOL_MAX=4096 IDLE=20
else
	STEADY=100000 NEW=50000 SCALES="1000 10000 60000" IPERF=5
	POOL_MAX=1048576 IDLE=1000
fi
# 256 sources of 4096 ports each: 1048576 flows.
POOL_SRC=10.0.4.0+256 POOL_PORTS=1024-5119
SINK=198.51.100.99:9

say() { echo "BENCH $CONFIG $1 $2"; }
ns() { ip netns exec "$@"; }

topology() {
	ip netns add lan
	ip netns add rt
	ip netns add inet
	local n
	for n in lan rt inet; do ip -n $n link set lo up; done
	ip -n rt link add eth1 type veth peer name eth0 netns lan
	ip -n rt link add wan0 type veth peer name eth0 netns inet
	ip -n lan addr add 10.0.1.2/16 dev eth0
	ip -n rt addr add 10.0.0.1/16 dev eth1
	ip -n rt addr add 203.0.113.1/24 dev wan0
	ip -n inet addr add 203.0.113.2/24 dev eth0
	ip -n inet addr add 198.51.100.10/32 dev lo
	for n in lan rt inet; do
		ip -n $n link set eth0 up 2>/dev/null || true
	done
	ip -n rt link set eth1 up
	ip -n rt link set wan0 up
	ip -n lan route add default via 10.0.0.1
	ip -n rt route add default via 203.0.113.2
	# Replies in plain forwarding; with NAT they go to 203.0.113.1.
	ip -n inet route add 10.0.0.0/16 via 203.0.113.1
	ip -n inet route add blackhole 198.51.100.99
	ns rt sysctl -qw net.ipv4.ip_forward=1
	ns rt sysctl -qw net.ipv4.conf.all.rp_filter=0
	ns rt sysctl -qw net.ipv4.conf.eth1.rp_filter=0
}

# blast ARGS: run the source in lan, print its packets per second.
blast() {
	ns lan "$BLAST" "$@" $SINK | awk '{ print $6 }'
}

slab_kb() {
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# The workloads of one configuration.
workloads() {
	local pps before after n
	blast -c 2000 -s 10.0.1.2 -p 1024-1279 >/dev/null	# warm up
	pps=$(blast -c $STEADY -s 10.0.1.2 -p 1024-1279)
	say steady_pps "$pps"

	before=$(slab_kb)
	pps=$(blast -n -c $NEW -s 10.0.2.0 -p 1024-65535)
	after=$(slab_kb)
	say new_pps "$pps"
	say slab_bytes_per_flow $(((after - before) * 1024 / NEW))

	for n in $SCALES; do
		# exactly n live flows, then traffic over all of them
		reset_state
		blast -n -c "$n" -s 10.0.3.0 -p 1024-$((1023 + n)) >/dev/null
		pps=$(blast -c $STEADY -s 10.0.3.0 -p 1024-$((1023 + n)))
		say "scale_${n}_pps" "$pps"
	done
	reset_state

	ns inet iperf3 -s -1 -B 198.51.100.10 >/dev/null 2>&1 &
	sleep 0.5
	# Parsed once iperf3 is done, so that jq does not share the vCPU
	# with the transfer.
	ns lan iperf3 -J -t $IPERF -c 198.51.100.10 >"${TMPDIR:-/tmp}/iperf3.json"
	say tcp_mbps "$(jq '.end.sum_received.bits_per_second / 1e6 | floor' \
		"${TMPDIR:-/tmp}/iperf3.json")"
	wait
}

# 64 external addresses, comma-separated.
pool() {
	local i
	for i in $(seq 64 127); do printf '203.0.113.%d,' $i; done | sed 's/,$//'
}

# conenat only: per-packet cost with 1000 and with POOL_MAX live mappings,
# both over the same pool, and the memory per mapping at POOL_MAX.
pool_scale() {
	local before after n pps
	ns rt "$CONENAT" set --address "$(pool)"
	reset_state
	blast -n -c 1000 -s 10.0.4.0 -p 1024-2023 >/dev/null
	say pool_scale_1000_pps "$(blast -c $STEADY -s 10.0.4.0 -p 1024-2023)"
	reset_state
	sleep 1	# let RCU free the flushed mappings
	before=$(slab_kb)
	blast -n -c $POOL_MAX -s $POOL_SRC -p $POOL_PORTS >/dev/null
	after=$(slab_kb)
	n=$(ns rt "$CONENAT" -j show | jq .mapping_count)
	say pool_scale_max_mappings "$n"
	say pool_slab_bytes_per_mapping $(((after - before) * 1024 / n))
	pps=$(blast -c $STEADY -s $POOL_SRC -p $POOL_PORTS)
	say pool_scale_max_pps "$pps"
	reset_state
	ns rt "$CONENAT" set --address none
}

# What reaches the internet side with an internal source, as captured
# there, while steady and new UDP flows and a TCP stream go through:
# apart from the workloads, so that the capture costs them nothing.
# Plain forwarding leaks everything, which shows that the check sees it.
leak_check() {
	local cap=${TMPDIR:-/tmp}/leak.pcap err=${TMPDIR:-/tmp}/leak.err
	local dump srv i
	# Not through ns(): $! must be tcpdump, which ip netns exec becomes.
	ip netns exec inet tcpdump -i eth0 -n -U -w "$cap" 'src net 10.0.0.0/8' \
		2>"$err" &
	dump=$!
	for i in $(seq 100); do
		! grep -q listening "$err" || break
		sleep 0.1
	done
	blast -c 5000 -s 10.0.1.2 -p 1024-1279 >/dev/null
	blast -n -c 2000 -s 10.0.5.0 -p 1024-65535 >/dev/null
	ns inet iperf3 -s -1 -B 198.51.100.10 >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	ns lan iperf3 -t 1 -c 198.51.100.10 >/dev/null
	wait $srv
	# Not before conntrack is loaded: conntrack -L would load it.
	[ ! -d /sys/module/nf_conntrack ] ||
		say offloaded_flows "$(ns rt conntrack -L 2>/dev/null |
			grep -c OFFLOAD)"
	sleep 0.5
	kill -INT $dump
	wait $dump || true
	say leaked_packets "$(tcpdump -r "$cap" -n 2>/dev/null | wc -l)"
	reset_state
}

reset_state() {
	case $CONFIG in
	conenat*) ns rt "$CONENAT" flush ;;
	masquerade*) ns rt conntrack -F >/dev/null 2>&1 ;;
	esac
	case $CONFIG in
	*conntrack) ns rt conntrack -F >/dev/null 2>&1 ;;
	esac
	return 0
}

conenat_up() {
	ns rt "$CONENAT" up wan0 --ports 1024-65535 --max-per-host 1048576 \
		--max-mappings 1048576 "$@"
}

# GC: POOL_MAX mappings expire together; the longest single GC run, from
# ftrace's function_graph filtered to the GC function alone, so nothing
# else is instrumented and its callees run at full speed.
gc_longest() {
	local t=/sys/kernel/tracing max i
	mountpoint -q $t || mount -t tracefs nodev $t
	ns rt "$CONENAT" down
	conenat_up --timeout-udp 2 --holddown 0 --unsafe-timeouts \
		--address "$(pool)"
	echo 0 >$t/tracing_on
	echo conenat_gc_work >$t/set_ftrace_filter
	echo function_graph >$t/current_tracer
	echo 32768 >$t/buffer_size_kb
	echo >$t/trace
	echo 1 >$t/tracing_on
	blast -n -c $POOL_MAX -s $POOL_SRC -p $POOL_PORTS >/dev/null
	# Busy, as a router is: the GC work is deferrable, and an idle
	# guest CPU would not wake up for it. Until all have expired.
	for i in $(seq 60); do
		timeout 2 sh -c 'while :; do :; done' || true
		[ "$(ns rt "$CONENAT" -j stats | jq .expired)" -lt $POOL_MAX ] ||
			break
	done
	echo 0 >$t/tracing_on
	max=$(grep -o '[0-9.]\+ us' $t/trace | sort -n | tail -1)
	echo nop >$t/current_tracer
	echo >$t/set_ftrace_filter
	say gc_longest_us "${max% us}"
	say gc_expired "$(ns rt "$CONENAT" -j stats | jq .expired)"
}

# IDLE namespaces, each with an idle instance on lo: the slab memory
# the instances take together, over what the namespaces take without.
idle_instances() {
	local i before after
	for i in $(seq $IDLE); do ip netns add idle$i; done
	sleep 1
	before=$(slab_kb)
	for i in $(seq $IDLE); do
		nsenter --net=/run/netns/idle$i "$CONENAT" up lo
	done
	sleep 1
	after=$(slab_kb)
	say idle_instances "$IDLE"
	say idle_instances_slab_kb $((after - before))
	for i in $(seq $IDLE); do ip netns del idle$i; done
}

modprobe -q veth
[ -d /sys/module/nf_conntrack ] && { echo "BENCH error nf_conntrack already loaded"; exit 1; }
topology

CONFIG=plain
workloads
leak_check

CONFIG=conenat
modprobe nf_defrag_ipv4
insmod "$MODULE"
conenat_up
workloads
leak_check
say mapping_objsize "$(cat /sys/kernel/slab/conenat_mapping/object_size)"
ns rt "$CONENAT" down

CONFIG=masquerade
ns rt nft -f - <<'E'
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "wan0" meta l4proto { tcp, udp } masquerade to :1024-65535
		oifname "wan0" masquerade
	}
}
E
# A global limit, writable from the initial namespace only (read-only in
# others since 6.x); the nat table above loaded conntrack.
sysctl -qw net.netfilter.nf_conntrack_max=1000000
workloads
leak_check
say conntrack_objsize "$(cat /sys/kernel/slab/nf_conntrack/object_size)"

# OpenWrt's software flow offloading: from their second packet (UDP) or
# once established (TCP), flows go from the flowtable's ingress hook
# straight to the output device, NAT applied, past the IP stack.
CONFIG=masquerade+flowtable
ns rt nft -f - <<'E'
table inet filter {
	flowtable ft {
		hook ingress priority 0
		devices = { eth1, wan0 }
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		meta l4proto { tcp, udp } flow add @ft
	}
}
E
reset_state
workloads
leak_check
ns rt nft delete table inet filter
ns rt nft delete table ip nat

CONFIG=conenat+conntrack
conenat_up --fwmark 0x10
ns rt nft -f - <<'E'
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "eth1" accept
		meta mark 0x10 accept
	}
}
E
reset_state
workloads
leak_check
ns rt nft delete table inet filter
ns rt "$CONENAT" down

# Last, so that a million mappings made and freed do not change the
# memory the other configurations start from.
CONFIG=conenat
conenat_up
pool_scale
gc_longest
idle_instances
echo "BENCH done"
