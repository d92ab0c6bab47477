# SPDX-License-Identifier: GPL-2.0
# What a namespace's NAT costs, and who pays: any user may own a network
# namespace (unshare -Urn) and with it CAP_NET_ADMIN there, so what an
# instance holds is charged to the memory cgroup of whoever brought it
# up, and its size is bounded for an unprivileged owner. Sourced by
# run.sh; uses nat.sh's topology and hostile.sh's floods.

# shellcheck source=hostile.sh
. "$(dirname "${BASH_SOURCE[0]}")/hostile.sh"

TESTS=(
	unprivileged_owner_cannot_raise_max_mappings
	instance_memory_charged_to_its_cgroup
	userns_mapping_limit_holds_across_namespaces
	twenty_owners_pin_little_memory
)

NOBODY=65534

# as_owner CMD...: run CMD as an unprivileged user, root of a new user
# and network namespace of its own (the namespace has only lo).
as_owner() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		unshare -Urn "$@"
}

# Unprivileged user namespaces, as Debian's kernels allow by default;
# the sysctl is Debian's (absent upstream, where they are always allowed).
allow_userns() {
	need setpriv
	need unshare
	local f=/proc/sys/kernel/unprivileged_userns_clone
	[ ! -e $f ] || echo 1 >$f
	as_owner true || skip "no unprivileged user namespaces here"
}

unprivileged_owner_cannot_raise_max_mappings() {
	allow_userns
	load_module
	local def out
	def=$(as_owner sh -c "\"$CONENAT\" up lo && \"$CONENAT\" -j show" |
		jq .max_mappings)
	echo "the default limit: $def"
	[ "$def" -gt 0 ] || fail "no default limit shown"
	out=$(as_owner "$CONENAT" up lo --max-mappings $((def + 1)) 2>&1) &&
		fail "an unprivileged owner raised max-mappings to $((def + 1))"
	echo "$out"
	[ "$out" = "conenat: max-mappings above the default needs CAP_NET_ADMIN in the initial user namespace" ] ||
		fail "refused with '$out'"
	out=$(as_owner sh -c "\"$CONENAT\" up lo &&
		\"$CONENAT\" set --max-mappings $((def + 1))" 2>&1) &&
		fail "an unprivileged owner raised max-mappings with set"
	echo "$out"
	[ "$out" = "conenat: max-mappings above the default needs CAP_NET_ADMIN in the initial user namespace" ] ||
		fail "set refused with '$out'"
	# Lower is allowed, and so is anything for the host's administrator.
	as_owner sh -c "\"$CONENAT\" up lo --max-mappings 1000 &&
		\"$CONENAT\" set --max-mappings 2000" ||
		fail "an unprivileged owner could not lower max-mappings"
	setup_ns r
	in_ns "$r" "$CONENAT" up lo --max-mappings $((def + 1)) ||
		fail "root could not raise max-mappings"
}

# cgroup_new VAR: a new memory cgroup, its directory in VAR.
cgroup_new() {
	local root=/sys/fs/cgroup dir
	if ! awk -v r=$root '$2 == r && $3 == "cgroup2" { f = 1 } END { exit !f }' \
		/proc/mounts; then
		mount -t cgroup2 none $root || skip "no cgroup2"
	fi
	grep -qw memory $root/cgroup.controllers || skip "no memory controller"
	echo +memory >$root/cgroup.subtree_control
	dir=$(mktemp -d $root/conenat-test.XXXXXX)
	printf -v "$1" %s "$dir"
}

# in_cgroup DIR CMD...: run CMD (a function too) in a subshell that is
# a member of cgroup DIR.
in_cgroup() {
	local dir=$1
	shift
	(echo $BASHPID >"$dir/cgroup.procs" && "$@")
}

# The table starts small and grows with its mappings: what they take,
# made in softirq, and the bucket arrays that grow for them, in the
# table's own work, are charged to the cgroup that brought it up.
instance_memory_charged_to_its_cgroup() {
	need_blast
	local cg m0 m1 n
	nat_topology
	cgroup_new cg
	in_ns "$rt" "$CONENAT" down
	in_cgroup "$cg" in_ns "$rt" "$CONENAT" up wan0 --ports udp:1024-65535 \
		--max-mappings 200000 --max-per-host 20000
	m0=$(cat "$cg/memory.current")
	echo "after up: $m0 bytes"
	discard
	in_ns "$lan1" "$BLAST" -n -c 20000 -s 10.0.1.2 -p 30000-49999 \
		198.51.100.10:9
	n=$(count_of)
	m1=$(cat "$cg/memory.current")
	echo "after $n mappings: $m1 bytes"
	[ "$n" -ge 15000 ] || fail "only $n mappings made"
	# At least the mappings (64 bytes each, one cache line), and two
	# indexes grown to 16384 buckets of 8 bytes or more (the last resize
	# comes at twice as many mappings as buckets).
	[ $((m1 - m0)) -ge $((n * 64 + (256 << 10))) ] ||
		fail "$n mappings made in softirq charged $((m1 - m0)) bytes"
	in_ns "$rt" "$CONENAT" down
	rmdir "$cg"
}

# owner_nat COUNT [HOLD [BIG [WAIT]]]: as an unprivileged owner, a NAT of
# its own: a router namespace with conenat up on a dummy wan0 and a LAN
# namespace behind it, made without the host's help. With BIG, the owner
# first asks for the largest table the module allows. blast sends COUNT
# datagrams from the LAN, each from a new port; prints "N M": the
# mappings made and refused_limit. With HOLD it stays until killed
# (kill_owners). With WAIT, it prints "ready PID" once its namespaces
# are made and waits for SIGUSR1 to PID before bringing conenat up; it
# then holds in the same way as it waited, with the same processes.
owner_nat() {
	as_owner bash -s "$CONENAT" "$BLAST" "$1" "${2:-}" "${3:-}" "${4:-}" \
		<<-'E'
	set -e
	conenat=$1 blast=$2 count=$3 hold=$4 big=$5 wait=$6
	ip link set lo up
	ip link add wan0 type dummy
	ip addr add 192.0.2.1/24 dev wan0
	ip link set wan0 up
	ip route add default dev wan0
	sysctl -qw net.ipv4.ip_forward=1
	unshare -n sleep 1000 &
	lan=$!
	until [ "$(readlink /proc/$lan/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do
		sleep 0.1
	done
	ip link add eth1 type veth peer name eth0 netns $lan
	ip addr add 10.0.1.1/24 dev eth1
	ip link set eth1 up
	nsenter -t $lan -n sh -c 'ip link set lo up &&
		ip addr add 10.0.1.2/24 dev eth0 && ip link set eth0 up &&
		ip route add default via 10.0.1.1'
	if [ -n "$wait" ]; then
		trap : USR1
		echo "ready $$"
		sleep 1000 &
		wait $! || kill $!
	fi
	if [ -n "$big" ] && "$conenat" up wan0 --max-mappings 16777216 \
		--max-per-host 20000 2>/dev/null; then
		echo "granted 16777216 mappings"
		exit 1
	fi
	"$conenat" up wan0 --max-per-host 20000
	nsenter -t $lan -n "$blast" -n -c "$count" -s 10.0.1.2 \
		-p 30000-49999 198.51.100.9:9 >/dev/null
	echo "$("$conenat" -j mappings | jq length)" \
		"$("$conenat" -j stats | jq .refused_limit)"
	[ -n "$hold" ] || kill $lan
	[ -z "$hold" ] || [ -n "$wait" ] || exec sleep 1000
	# The same processes as while it waited, for the cgroup's account.
	[ -z "$wait" ] || { sleep 1000 & wait; }
	E
}

kill_owners() {
	pkill -KILL -u $NOBODY || true
}

# A limit on the mappings of all namespaces owned by other user
# namespaces together, so that making more namespaces gains nothing; the
# host's own namespaces are not held by it.
userns_mapping_limit_holds_across_namespaces() {
	allow_userns
	need_blast
	load_module
	local param=/sys/module/conenat/parameters/userns_max_mappings
	local old a b
	old=$(cat $param)
	echo "default: $old"
	[ "$old" -gt 0 ] || fail "no default module-wide limit"
	echo 3000 >$param
	owner_nat 2000 hold >"$TMPDIR/a" &
	busywait 60000 grep -q . "$TMPDIR/a" || fail "owner A did not start"
	read -r a _ <"$TMPDIR/a"
	echo "A made $a mappings"
	[ "$(cat "$TMPDIR/a")" = "$a 0" ] && [ "$a" -ge 1000 ] ||
		fail "owner A: $(cat "$TMPDIR/a")"
	b=$(owner_nat 3000)
	echo "B while A holds $a: $b"
	[ "${b% *}" = $((3000 - a)) ] && [ "${b#* }" -gt 0 ] ||
		fail "owner B made and refused $b, with $((3000 - a)) left"
	# The host's own namespaces: their --max-mappings only.
	nat_topology
	discard
	in_ns "$lan1" "$BLAST" -n -c 2000 -s 10.0.1.2 -p 30000-49999 \
		198.51.100.10:9 >/dev/null
	[ "$(count_of)" -ge 1000 ] ||
		fail "the host's namespace made $(count_of) mappings"
	[ "$(in_ns "$rt" "$CONENAT" -j stats | jq .refused_limit)" = 0 ] ||
		fail "the host's namespace was refused mappings"
	# A's namespaces go, and with them its share.
	kill_owners
	busywait 30000 eval 'b=$(owner_nat 2000); [ "${b#* }" = 0 ]' ||
		fail "owner C after A left made and refused $b"
	echo "C after A left: $b"
	echo "$old" >$param
}

# In bytes; awk would print more than 2^31 as 2.4e+09 (mawk's %.6g).
mem_available() {
	echo $(($(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo) * 1024))
}

# What the issue this closes measured: 20 unprivileged owners, each
# asking for the largest table, took 1157 MB of a 2 GiB guest with
# idle instances. Now an owner pays for what it holds: 20 owners, each
# with a NAT of its own holding 1000 mappings, pin less than 64 MB of
# the guest, namespaces and all (their instances less than 32 MB of
# it, on a debug kernel too), and the kernel memory their instances
# take (measured apart from that of their bare namespaces, much of which
# is charged to no one, with or without conenat) is charged to the
# memory cgroup they run in.
twenty_owners_pin_little_memory() {
	allow_userns
	need_blast
	load_module
	local param=/sys/module/conenat/parameters/userns_max_mappings
	local cg old i a0 a1 a2 s1 s2 pinned slab
	old=$(cat $param)
	echo 100000 >$param
	cgroup_new cg
	echo $((1 << 30)) >"$cg/memory.max"
	settle_memory
	a0=$(mem_available)
	for i in $(seq 20); do
		in_cgroup "$cg" owner_nat 1000 hold big wait >"$TMPDIR/o$i" &
		busywait 60000 grep -q ready "$TMPDIR/o$i" ||
			fail "owner $i did not make its namespaces"
	done
	settle_memory
	a1=$(mem_available)
	s1=$(cgroup_slab "$cg")
	echo "20 owners' bare namespaces: $(((a0 - a1) >> 10)) KiB pinned"
	for i in $(seq 20); do
		kill -USR1 "$(sed -n 's/^ready //p' "$TMPDIR/o$i")"
	done
	for i in $(seq 20); do
		busywait 60000 grep -q '^[0-9]' "$TMPDIR/o$i" ||
			fail "owner $i did not bring conenat up"
		[ "$(sed 1d "$TMPDIR/o$i")" = "1000 0" ] ||
			fail "owner $i: $(sed 1d "$TMPDIR/o$i") (mappings, refused)"
	done
	settle_memory
	a2=$(mem_available)
	s2=$(cgroup_slab "$cg")
	pinned=$((a0 - a2))
	slab=$((s2 - s1))
	echo "with their 20 instances and 20000 mappings: $((pinned >> 10))" \
		"KiB pinned in all; $(((a1 - a2) >> 10)) KiB more, of which" \
		"$((slab >> 10)) KiB kernel objects charged to their cgroup"
	kill_owners
	wait 2>/dev/null
	busywait 10000 rmdir "$cg" || fail "cannot remove $cg"
	echo "$old" >$param
	# What the instances add, on any kernel; the table sized from the
	# limit took 50 to 70 MB here.
	[ $((a1 - a2)) -lt $((32 << 20)) ] ||
		fail "20 instances pinned $(((a1 - a2) >> 20)) MB"
	# And in all, namespaces included, where they cost what they cost
	# on a production kernel: a debug kernel's KASAN shadow and redzones
	# take 74 MB for the bare namespaces alone.
	if [ $((a0 - a1)) -lt $((48 << 20)) ]; then
		[ "$pinned" -lt $((64 << 20)) ] ||
			fail "20 owners pinned $((pinned >> 20)) MB"
	else
		echo "the bare namespaces took $(((a0 - a1) >> 20)) MB:" \
			"a debug kernel; the bound in all is not checked"
	fi
	# At least the mappings' own objects, whatever their size.
	[ "$slab" -ge $((20000 * 64)) ] ||
		fail "their cgroup was charged only $((slab >> 10)) KiB of slab"
}

# cgroup_slab DIR: the bytes of kernel objects charged to cgroup DIR.
cgroup_slab() {
	awk '$1 == "slab" { print $2 }' "$1/memory.stat"
}

settle_memory() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}
