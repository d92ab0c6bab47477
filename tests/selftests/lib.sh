# SPDX-License-Identifier: GPL-2.0
# Selftest library, sourced by the test files. Runs inside the VM guest.
#
# Each test is a shell function run by run_test in a subshell: a failing
# command or `fail` ends it, the namespaces it made are deleted on exit,
# exit code 4 means skipped. Output is TAP; summary prints the closing
# "N passed, N failed" line.

ksft_skip=4
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONENAT=${CONENAT:-$TOP/tools/conenat}
NATTEST=${NATTEST:-$TOP/build/nattest}
BLAST=${BLAST:-$TOP/build/blast}
PROBE="/usr/bin/python3 $TOP/tests/selftests/probe.py"
MODULE=${MODULE:?MODULE must name the conenat.ko to test}

_t=0 _pass=0 _fail=0 _skip=0
_ns_seq=0
_NS_LIST=()

# setup_ns VAR...: create a namespace with a unique name per VAR, lo up.
setup_ns() {
	local var name
	for var in "$@"; do
		name="cn${BASHPID}-$((++_ns_seq))-$var"
		ip netns add "$name" || return 1
		ip -n "$name" link set lo up
		_NS_LIST+=("$name")
		printf -v "$var" '%s' "$name"
	done
}

cleanup_ns() {
	local ns pid
	for ns in "${_NS_LIST[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	_NS_LIST=()
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit $ksft_skip
}

need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "$tool not installed"
	done
}

# The packet source of the floods (make nattest builds it too).
need_blast() {
	[ -x "$BLAST" ] || skip "no $BLAST (make nattest)"
}

# busywait MS CMD...: retry CMD every 100 ms until it succeeds or MS pass.
busywait() {
	local left=$1
	shift
	until "$@"; do
		((left -= 100)) || true
		((left > 0)) || return 1
		sleep 0.1
	done
}

# listen NS OUT PROBE-ARGS...: start "$PROBE PROBE-ARGS" (recv-error,
# recv-echo) in NS in the background, its output to OUT, and return once
# it listens, with its pid in $LISTENER.
listen() {
	local ns=$1 out=$2
	shift 2
	: >"$TMPDIR/ready"
	in_ns "$ns" $PROBE "$@" >"$out" 2>"$TMPDIR/ready" &
	LISTENER=$!
	busywait 10000 grep -q ready "$TMPDIR/ready" || fail "$1 did not start"
}

# watch_leaks NS: count what arrives in NS, an internet-side namespace,
# from an internal source: by default any of 10.0.0.0/8 (the LANs), else
# what LEAK_MATCH says, nft matches one rule per line. The rules sit at
# PRE_ROUTING before defrag, so every packet and fragment NS receives
# passes them. The test fails when it ends if any rule counted a packet:
# no packet may leave the NAT with an internal source address.
watch_leaks() {
	local ns=$1 match rules=
	need nft
	while IFS= read -r match; do
		[ -z "$match" ] ||
			rules+="$match counter add @seen { $_LEAK_KEY }"$'\n'
	done <<<"${LEAK_MATCH:-ip saddr 10.0.0.0/8}"
	in_ns "$ns" nft -f - <<-E
	table ip leakwatch {
		set seen {
			typeof $_LEAK_KEY
			size 16
			flags dynamic
		}
		chain in {
			type filter hook prerouting priority -500;
			$rules
		}
	}
	E
	_LEAK_NS=$ns
}

# What watch_leaks keeps of the first few leaks, to name them.
_LEAK_KEY="ip saddr . ip daddr . meta l4proto"

# The end of watch_leaks, run as a test exits: says what leaked.
leak_verdict() {
	local chain n
	[ -n "${_LEAK_NS:-}" ] || return 0
	if ! chain=$(in_ns "$_LEAK_NS" nft list chain ip leakwatch in); then
		echo "FAIL: the leak watch in $_LEAK_NS cannot be read"
		return 1
	fi
	n=$(sed -n 's/.* counter packets \([0-9]*\) .*/\1/p' <<<"$chain" |
		awk '{ n += $1 } END { print n + 0 }')
	[ "$n" -eq 0 ] && return 0
	echo "FAIL: $n packets reached the internet side from an internal source" \
		"(source . destination . protocol):"
	in_ns "$_LEAK_NS" nft list set ip leakwatch seen |
		awk '/elements/ { f = 1 } f { print } f && /}/ { exit }'
	return 1
}

# Run CMD in namespace NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

module_loaded() {
	[ -d /sys/module/conenat ]
}

load_module() {
	# insmod does not resolve dependencies; modprobe them from the host.
	modprobe nf_defrag_ipv4 || fail "modprobe nf_defrag_ipv4 failed"
	module_loaded || insmod "$MODULE" || fail "insmod $MODULE failed"
}

unload_module() {
	! module_loaded || rmmod conenat || fail "rmmod conenat failed"
}

# run_test NAME FUNC: run FUNC in a subshell and print its TAP line.
# A test still running after TEST_TIMEOUT seconds is killed and fails.
run_test() {
	local name=$1 func=$2 log rc pid dog start=$SECONDS
	log=$(mktemp)
	(
		TMPDIR=$(mktemp -d)
		export TMPDIR
		# The ERR trap is for the test's own commands, not the cleanup.
		trap 'rc=$?; trap - ERR; set +e; leak_verdict || rc=1
		      cleanup_ns; rm -rf "$TMPDIR"; exit $rc' EXIT
		# A command that fails outside a condition ends the test (set -e);
		# say which, as it may print nothing itself.
		trap '[ $BASH_SUBSHELL -gt 1 ] ||
		      echo "FAIL: \"$BASH_COMMAND\" exited $? (line $LINENO)" >&2' ERR
		set -eE
		"$func"
	) >"$log" 2>&1 &
	pid=$!
	(
		sleep "${TEST_TIMEOUT:-300}"
		echo "FAIL: timed out after ${TEST_TIMEOUT:-300} s" >>"$log"
		pkill -TERM -P "$pid"
		kill -TERM "$pid"
	) 2>/dev/null &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	_t=$((_t + 1))
	case $rc in
	0)
		_pass=$((_pass + 1))
		echo "ok $_t - $name"
		[ -z "${VERBOSE:-}" ] || sed 's/^/#   /' "$log"
		;;
	"$ksft_skip")
		_skip=$((_skip + 1))
		echo "ok $_t - $name # SKIP $(tail -n1 "$log")"
		;;
	*)
		_fail=$((_fail + 1))
		echo "not ok $_t - $name"
		sed 's/^/#   /' "$log"
		;;
	esac
	echo "# $name: $((SECONDS - start)) s"
	rm -f "$log"
}

summary() {
	echo "1..$_t"
	echo "# selftests: $_pass passed, $_fail failed, $_skip skipped"
	[ "$_fail" -eq 0 ]
}
