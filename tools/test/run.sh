#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the conenat tool against fake_kernel.so (an LD_PRELOAD stand-in for
# the module) and checks its output, exit status and requests. TAP output.
#
#   tools/test/run.sh TOOL FAKE_SO
#
# RUNNER: qemu-user, for a TOOL and FAKE_SO of another architecture
# (make check-cross); the fake goes into the emulated program's
# environment, not the emulator's.
set -u

tool=$1
fake=$2
if [ -n "${RUNNER:-}" ]; then
	exec_tool=("$RUNNER" -E "LD_PRELOAD=$fake" "$tool")
else
	exec_tool=(env "LD_PRELOAD=$fake" "$tool")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# run STATE ARGS...: the tool with the fake module in STATE
run() {
	local state=$1
	shift
	rm -f "$tmp/log"
	FAKE_STATE=$state FAKE_LOG=$tmp/log "${exec_tool[@]}" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}

# expect NAME RC FILE: compare rc and FILE (out, err or log) with stdin
expect() {
	local name=$1 rc=$2 file=$3 diff
	diff=$(diff -u - "$tmp/$file")
	if [ "$(cat "$tmp/rc")" = "$rc" ] && [ -z "$diff" ]; then
		ok 0 "$name"
	else
		ok 1 "$name"
		echo "# exit status $(cat "$tmp/rc"), expected $rc"
		printf '%s\n' "$diff" | sed 's/^/# /'
	fi
}

empty() {
	[ -s "$tmp/$1" ] && ok 1 "$2: $1 is not empty" || ok 0 "$2: $1 is empty"
}

run up show
expect "show, up" 0 out <<'E'
conenat 0.1.0: up
  interface wan0 (index 3), external address 192.0.2.1
  ports udp 20000-29999 40000, tcp 20000-29999, icmp 20000-29999
  timeouts udp 300s, tcp established 7440s, tcp transitory 240s, icmp 60s, hold-down 120s
  limits 524288 mappings, 4096 per host; 12 mappings now
  tcp connections 16384 per host, 1024 per mapping
  fwmark none, inbound refresh off
  translate only from 10.0.1.0/24, 10.0.9.7/32
  address pool (one per host) 198.51.100.7, 203.0.113.1
E
empty err "show, up"
expect "show sends GET with ack" 0 log <<'E'
cmd 1 flags 0x5:
E

run up -j show
expect "show -j, up" 0 out <<'E'
{"version":"0.1.0","up":true,"interface":"wan0","ifindex":3,"external_address":"192.0.2.1","ranges":[{"protocol":"udp","min":20000,"max":29999},{"protocol":"tcp","min":20000,"max":29999},{"protocol":"icmp","min":20000,"max":29999},{"protocol":"udp","min":40000,"max":40000}],"timeouts":{"udp":300,"tcp_established":7440,"tcp_transitory":240,"icmp":60},"holddown":120,"max_mappings":524288,"max_per_host":4096,"max_conns_per_host":16384,"max_conns_per_mapping":1024,"fwmark":0,"inbound_refresh":false,"internal":["10.0.1.0/24","10.0.9.7/32"],"exclude":[],"address_pool":["198.51.100.7","203.0.113.1"],"mapping_count":12}
E

run down show
expect "show, down" 0 out <<'E'
conenat 0.1.0: down
E
run down -p show
expect "show -p, down" 0 out <<'E'
{
  "version": "0.1.0",
  "up": false
}
E

run up version
expect "version" 0 out <<'E'
conenat tool 0.1.0
conenat module 0.1.0
E
run nomodule -j version
expect "version -j without module" 0 out <<'E'
{"tool":"0.1.0","module":null}
E

run nomodule show
expect "show without module" 1 err <<'E'
conenat: kernel module not loaded (try: modprobe conenat)
E
empty out "show without module"

run up mappings
expect "mappings, sorted, over two datagrams" 0 out <<'E'
udp 10.0.1.2:5001 -> 192.0.2.1:20003 expires 0s
udp 10.0.1.10:5000 -> 192.0.2.1:20001 expires 299s
tcp 10.0.1.2:41000 -> 192.0.2.1:20417 expires 7431s established conns 3
icmp 10.0.1.2:7 -> 192.0.2.1:20002 expires 1s
E
expect "mappings sends a dump without filters" 0 log <<'E'
cmd 5 flags 0x301:
E

run up mappings tcp from 10.0.1.2
# 21 is CONENAT_A_INT_ADDR, 10.0.1.2 in network order read as a u32
expect "mappings filters" 0 log <<'E'
cmd 5 flags 0x301: 20=6 21=10.0.1.2
E

run up -j mappings
expect "mappings -j" 0 out <<'E'
[{"protocol":"udp","internal":"10.0.1.2","internal_port":5001,"external":"192.0.2.1","external_port":20003,"expires":0},{"protocol":"udp","internal":"10.0.1.10","internal_port":5000,"external":"192.0.2.1","external_port":20001,"expires":299},{"protocol":"tcp","internal":"10.0.1.2","internal_port":41000,"external":"192.0.2.1","external_port":20417,"expires":7431,"state":"established","connections":3},{"protocol":"icmp","internal":"10.0.1.2","internal_port":7,"external":"192.0.2.1","external_port":20002,"expires":1}]
E

run intr mappings
expect "interrupted dump is retried" 0 out <<'E'
udp 10.0.1.2:5001 -> 192.0.2.1:20003 expires 0s
udp 10.0.1.10:5000 -> 192.0.2.1:20001 expires 299s
tcp 10.0.1.2:41000 -> 192.0.2.1:20417 expires 7431s established conns 3
icmp 10.0.1.2:7 -> 192.0.2.1:20002 expires 1s
E
expect "interrupted dump is sent twice" 0 log <<'E'
cmd 5 flags 0x301:
cmd 5 flags 0x301:
E

run intr-always mappings
expect "dump interrupted every time" 1 err <<'E'
conenat: the mapping table kept changing during the dump; try again
E
empty out "dump interrupted every time"

run up stats
expect "stats in enum order, unknown as stat_N" 0 out <<'E'
translated_out       5000001000
translated_in        2000
created              3000
expired              4000
refused_ports        5000
refused_limit        6000
refused_host         7000
refused_nomem        8000
drop_noaddr          9000
drop_malformed       10000
drop_unwritable      11000
drop_fragment        12000
tcp_untracked        13000
drop_icmp_unmatched  14000
hairpinned           15000
drop_noroute         16000
drop_unsolicited     17000
drop_icmp_checksum   18000
drop_protocol        19000
drop_spoofed         20000
refused_conns        21000
stat_23              77
E
run up -j stats
expect "stats -j" 0 out <<'E'
{"translated_out":5000001000,"translated_in":2000,"created":3000,"expired":4000,"refused_ports":5000,"refused_limit":6000,"refused_host":7000,"refused_nomem":8000,"drop_noaddr":9000,"drop_malformed":10000,"drop_unwritable":11000,"drop_fragment":12000,"tcp_untracked":13000,"drop_icmp_unmatched":14000,"hairpinned":15000,"drop_noroute":16000,"drop_unsolicited":17000,"drop_icmp_checksum":18000,"drop_protocol":19000,"drop_spoofed":20000,"refused_conns":21000,"stat_23":77}
E

# up and set then ask for the configuration (cmd 1) to compare its
# ranges with net.ipv4.ip_local_port_range.
run up up wan0
expect "up sends only the interface" 0 log <<'E'
cmd 2 flags 0x5: 3='wan0'
cmd 1 flags 0x5:
E
empty out "up"

run up up wan0 --ports 1000-2000 --ports=tcp:3000 --timeout-udp 2m \
	--timeout-tcp-est=3h --timeout-tcp-trans 240s --timeout-icmp 1d \
	--holddown 0 --max-mappings 100 --max-per-host 0x10 --fwmark 0xff \
	--inbound-refresh on --unsafe-timeouts
expect "up sends every option" 0 log <<'E'
cmd 2 flags 0x5: 3='wan0' 6{ 7{ 1=17 2=1000 3=2000 } 7{ 1=6 2=1000 3=2000 } 7{ 1=1 2=1000 3=2000 } 7{ 1=6 2=3000 3=3000 } } 8=120 9=10800 10=240 11=86400 12=0 13=100 14=16 15=255 16=1 17=flag
cmd 1 flags 0x5:
E

run up set --internal 10.0.1.0/24,10.0.9.7 --exclude=none
# 23/24 are CONENAT_A_INTERNAL/EXCLUDE, 25 CONENAT_A_PREFIX; addresses in
# network order read as u32
expect "set sends prefix lists, none as an empty list" 0 log <<'E'
cmd 3 flags 0x5: 23{ 25{ 1=10.0.1.0 2=24 } 25{ 1=10.0.9.7 2=32 } } 24{ }
cmd 1 flags 0x5:
E
run up set --internal 10.0.1.1/24
expect "a prefix with host bits is a usage error" 2 err <<'E'
conenat: --internal: prefix '10.0.1.1/24' has address bits set past /24
E
run up set --internal 10.0.1.0/24,bad
expect "a bad prefix in a list is a usage error" 2 err <<'E'
conenat: --internal: invalid prefix 'bad' (expected A.B.C.D/LEN)
E

run up set --inbound-refresh off dev wan1
expect "set sends only what is given" 0 log <<'E'
cmd 3 flags 0x5: 3='wan1' 16=0
cmd 1 flags 0x5:
E
run up set --timeout-udp 600
expect "set without interface" 0 log <<'E'
cmd 3 flags 0x5: 8=600
cmd 1 flags 0x5:
E

run up down
expect "down" 0 log <<'E'
cmd 4 flags 0x5:
E
run up flush
expect "flush" 0 log <<'E'
cmd 6 flags 0x5:
E
run up flush icmp
expect "flush icmp" 0 log <<'E'
cmd 6 flags 0x5: 20=1
E
run up flush static
# 28 is CONENAT_A_STATIC
expect "flush static asks for the forwards too" 0 log <<'E'
cmd 6 flags 0x5: 28=flag
E
run up flush udp static
expect "flush udp static" 0 log <<'E'
cmd 6 flags 0x5: 20=17 28=flag
E
run up flush static udp
expect "flush: the protocol comes first" 2 err <<'E'
conenat: flush: unexpected argument 'udp'
Usage: conenat [-j | -p] [-s] flush [PROTO] [static]
Try 'conenat help' for more information.
E

run up set --address 198.51.100.7,203.0.113.1
# 27 is CONENAT_A_ADDRS, 5 CONENAT_A_EXT_ADDR (network order read as u32)
expect "set sends the address pool" 0 log <<'E'
cmd 3 flags 0x5: 27{ 5=198.51.100.7 5=203.0.113.1 }
cmd 1 flags 0x5:
E
run up set --address none
expect "address none clears the pool" 0 log <<'E'
cmd 3 flags 0x5: 27{ }
cmd 1 flags 0x5:
E
run up set --address 198.51.100.7,198.51.100.300
expect "a bad pool address is a usage error" 2 err <<'E'
conenat: --address: invalid IPv4 address '198.51.100.300'
E

run einval up wan0 --timeout-udp 5
expect "kernel error: extack message and the option" 1 err <<'E'
conenat: UDP timeout is below the RFC 4787 minimum of 120 s (--timeout-udp)
E
run einval down
expect "kernel error without attribute" 1 err <<'E'
conenat: UDP timeout is below the RFC 4787 minimum of 120 s
E
run eperm up wan0
expect "permission denied" 1 err <<'E'
conenat: permission denied (need CAP_NET_ADMIN)
E
run eperm show
expect "permission denied for show" 1 err <<'E'
conenat: permission denied (need CAP_NET_ADMIN)
E
run eperm-why up wan0 --max-mappings 2000000
expect "permission denied, and the module says why" 1 err <<'E'
conenat: max-mappings above the default needs CAP_NET_ADMIN in the initial user namespace
E

# 8/9 are FORWARD_ADD/DEL, 19 CONENAT_A_MAPPING; in it 1 PROTO, 5 EXT_PORT,
# 2 INT_ADDR, 3 INT_PORT
run up forward add udp 40000 to 10.0.1.2:5000
expect "forward add" 0 log <<'E'
cmd 8 flags 0x5: 19{ 1=17 5=40000 2=10.0.1.2 3=5000 }
E
run up forward add tcp 8443 to 10.0.1.2
expect "forward add, internal port defaults to the external one" 0 log <<'E'
cmd 8 flags 0x5: 19{ 1=6 5=8443 2=10.0.1.2 3=8443 }
E
run up forward del udp 40000
expect "forward del" 0 log <<'E'
cmd 9 flags 0x5: 19{ 1=17 5=40000 }
E
run up forward
expect "forward lists the forwards" 0 out <<'E'
udp 40000 to 10.0.1.2:5000
tcp 8443 to 10.0.1.3:443
E
run up -j forward list
expect "forward list -j" 0 out <<'E'
[{"protocol":"udp","external_port":40000,"internal":"10.0.1.2","internal_port":5000},{"protocol":"tcp","external_port":8443,"internal":"10.0.1.3","internal_port":443}]
E
run up forward add udp 40000 10.0.1.2
expect "forward add without 'to'" 2 err <<'E'
conenat: forward: 'add' needs 'to ADDR[:PORT]'
Usage: conenat [-j | -p] [-s] forward [list]
       conenat [-j | -p] [-s] forward add PROTO PORT to ADDR[:PORT]
       conenat [-j | -p] [-s] forward del PROTO PORT
Try 'conenat help' for more information.
E
run up forward add udp 40000 to 10.0.1.300:5000
expect "forward to a bad address" 2 err <<'E'
conenat: invalid IPv4 address '10.0.1.300'
E
run up forward add sctp 40000 to 10.0.1.2
expect "forward of a bad protocol" 2 err <<'E'
conenat: unknown protocol 'sctp' (expected udp, tcp or icmp)
E
run up forward del udp
expect "forward del without a port" 2 err <<'E'
conenat: forward: 'del' needs a protocol and a port
Usage: conenat [-j | -p] [-s] forward [list]
       conenat [-j | -p] [-s] forward add PROTO PORT to ADDR[:PORT]
       conenat [-j | -p] [-s] forward del PROTO PORT
Try 'conenat help' for more information.
E

# Usage errors: nothing reaches the kernel.
run up up eth0 --ports 30000-20000
expect "bad range" 2 err <<'E'
conenat: --ports: invalid port range '30000-20000': start is greater than end
E
[ -e "$tmp/log" ] && ok 1 "bad range: nothing sent" || ok 0 "bad range: nothing sent"
run up up eth0 --ports 70000
expect "bad port" 2 err <<'E'
conenat: --ports: invalid port '70000' (expected 1-65535)
E
run up up eth0 --ports 1-2 --ports 3 --ports 4 --ports 5 --ports 6 \
	--ports 7 --ports 8 --ports 9 --ports udp:10
expect "too many ranges" 2 err <<'E'
conenat: too many port ranges for udp (at most 8)
E
run up up
expect "up without interface" 2 err <<'E'
conenat: up: missing interface name
Usage: conenat [-j | -p] [-s] up IFNAME [OPTIONS]
Try 'conenat help' for more information.
E
run up up eth0 eth1
expect "up with two interfaces" 2 err <<'E'
conenat: up: unexpected argument 'eth1'
Usage: conenat [-j | -p] [-s] up IFNAME [OPTIONS]
Try 'conenat help' for more information.
E
run up up 0123456789abcdef
expect "interface name too long" 2 err <<'E'
conenat: invalid interface name '0123456789abcdef' (expected 1-15 characters)
E
run up set --timeout-udp
expect "option without value" 2 err <<'E'
conenat: set: option '--timeout-udp' needs a value
Usage: conenat [-j | -p] [-s] set [OPTIONS] [dev IFNAME]
Try 'conenat help' for more information.
E
run up set --timeout-udp 5x
expect "bad duration" 2 err <<'E'
conenat: --timeout-udp: invalid duration '5x' (expected seconds, or a number with suffix s, m, h or d)
E
run up set --frob 1
expect "unknown option" 2 err <<'E'
conenat: set: unknown option '--frob'
Usage: conenat [-j | -p] [-s] set [OPTIONS] [dev IFNAME]
Try 'conenat help' for more information.
E
run up set --unsafe-timeouts=1
expect "flag with a value" 2 err <<'E'
conenat: set: option '--unsafe-timeouts' takes no value
Usage: conenat [-j | -p] [-s] set [OPTIONS] [dev IFNAME]
Try 'conenat help' for more information.
E
run up set --inbound-refresh yes
expect "bad on/off" 2 err <<'E'
conenat: --inbound-refresh: invalid value 'yes' (expected on or off)
E
run up set --max-mappings 4294967296
expect "number too large" 2 err <<'E'
conenat: --max-mappings: invalid number '4294967296' (at most 4294967295)
E
run up mappings sctp
expect "mappings, unknown word" 2 err <<'E'
conenat: mappings: unexpected argument 'sctp'
Usage: conenat [-j | -p] [-s] mappings [PROTO] [from ADDR]
Try 'conenat help' for more information.
E
run up mappings from 10.0.1
expect "mappings, bad address" 2 err <<'E'
conenat: invalid IPv4 address '10.0.1'
E
run up flush sctp
expect "flush, unknown protocol" 2 err <<'E'
conenat: unknown protocol 'sctp' (expected udp, tcp or icmp)
E
run up show -j
expect "global option after the command" 2 err <<'E'
conenat: show: option '-j' goes before the command
Usage: conenat [-j | -p] [-s] show
Try 'conenat help' for more information.
E
run up frob
expect "unknown command" 2 err <<'E'
conenat: unknown command 'frob'
Try 'conenat help' for more information.
E
run up -x show
expect "unknown global option" 2 err <<'E'
conenat: unknown option '-x'
Try 'conenat help' for more information.
E
run up monitor
expect "monitor without an events group (an older module)" 1 err <<'E'
conenat: the module sends no events (too old)
E

# save and load
run up save
expect "save prints the whole configuration" 0 out <<'E'
# conenat 0.1.0 configuration, from conenat save; apply with conenat load FILE
up wan0 --ports udp:20000-29999 --ports tcp:20000-29999 --ports icmp:20000-29999 --ports udp:40000-40000 --timeout-udp 300 --timeout-tcp-est 7440 --timeout-tcp-trans 240 --timeout-icmp 60 --holddown 120 --max-mappings 524288 --max-per-host 4096 --max-conns-per-host 16384 --max-conns-per-mapping 1024 --fwmark 0 --inbound-refresh off --internal 10.0.1.0/24,10.0.9.7/32 --exclude none --address 198.51.100.7,203.0.113.1
forward add udp 40000 to 10.0.1.2:5000
forward add tcp 8443 to 10.0.1.3:443
E
cp "$tmp/out" "$tmp/saved.conf"
run down save
expect "save while down" 1 err <<'E'
conenat: conenat is not up: nothing to save
E
run up load "$tmp/saved.conf"
# One request: the configuration and every forward of the file.
expect "load of a saved file: one up with everything" 0 log <<'E'
cmd 2 flags 0x5: 3='wan0' 6{ 7{ 1=17 2=20000 3=29999 } 7{ 1=6 2=20000 3=29999 } 7{ 1=1 2=20000 3=29999 } 7{ 1=17 2=40000 3=40000 } } 8=300 9=7440 10=240 11=60 12=120 13=524288 14=4096 29=16384 30=1024 15=0 16=0 23{ 25{ 1=10.0.1.0 2=24 } 25{ 1=10.0.9.7 2=32 } } 24{ } 27{ 5=198.51.100.7 5=203.0.113.1 } 26{ 19{ 1=17 5=40000 2=10.0.1.2 3=5000 } 19{ 1=6 5=8443 2=10.0.1.3 3=443 } }
E
cat >"$tmp/new.conf" <<'C'
# comments and blank lines are fine

up wan0 --timeout-udp 10m	# a comment after options
forward add udp 40001 to 10.0.1.4
C
run up load "$tmp/new.conf"
expect "load: the file's forwards replace the running ones" 0 log <<'E'
cmd 2 flags 0x5: 3='wan0' 8=600 26{ 19{ 1=17 5=40001 2=10.0.1.4 3=40001 } }
E
printf 'up wan0\n' >"$tmp/none.conf"
run up load "$tmp/none.conf"
expect "load: a file without forwards removes them all" 0 log <<'E'
cmd 2 flags 0x5: 3='wan0' 26{ }
E
printf 'up wan0 --timeout-udp 10m\nforward add udp 40000 to 10.0.1.2:5000\n\nforward add udp 40001 to 10.0.1.4\n' >"$tmp/two.conf"
run busy load "$tmp/two.conf"
expect "load: the forward the module refuses is named by its line" 1 err <<E
conenat: $tmp/two.conf:4: refused, nothing changed:
conenat: the external port is in use, by a mapping or a router socket
E
[ "$(grep -c . "$tmp/log")" = 1 ]
ok $? "load: a refusal sends nothing more (the module changed nothing)"
run einval load "$tmp/two.conf"
expect "load: a refused option is named by the up line" 1 err <<E
conenat: $tmp/two.conf:1: refused, nothing changed:
conenat: UDP timeout is below the RFC 4787 minimum of 120 s (--timeout-udp)
E

printf 'up wan0\nforward add udp 40001 to 10.0.1.4\nup wan1 --fwmark x\n' >"$tmp/bad.conf"
run up load "$tmp/bad.conf"
expect "load: a second up line is refused before anything is sent" 2 err <<E
conenat: $tmp/bad.conf:3: a second 'up' line (the first is line 1)
E
empty log "load of a bad file"
printf 'up wan0\nforward add udp 70000 to 10.0.1.4\n' >"$tmp/bad.conf"
run up load "$tmp/bad.conf"
expect "load: a bad value names its line" 2 err <<E
conenat: $tmp/bad.conf:2: invalid port '70000' (expected 1-65535)
E
printf 'up wan0 --frob 1\n' >"$tmp/bad.conf"
run up load "$tmp/bad.conf"
expect "load: an unknown option names its line" 2 err <<E
conenat: $tmp/bad.conf:1: unknown option '--frob'
E
printf 'forward add udp 1 to 10.0.1.4\nflush\n' >"$tmp/bad.conf"
run up load "$tmp/bad.conf"
expect "load: only up and forward add lines" 2 err <<E
conenat: $tmp/bad.conf:2: expected 'up IFNAME [OPTIONS]' or 'forward add ...'
E
printf '# nothing\n' >"$tmp/bad.conf"
run up load "$tmp/bad.conf"
expect "load: a file without up" 2 err <<E
conenat: $tmp/bad.conf: no 'up' line
E
run up load "$tmp/missing.conf"
expect "load: a missing file" 1 err <<E
conenat: $tmp/missing.conf: No such file or directory
E

# A forward that collides with one: the tool names the one in the way.
run exists forward add udp 40000 to 10.0.1.9:7
expect "a colliding forward names the forward in the way" 1 err <<'E'
conenat: the external port has a forward already (udp 40000 to 10.0.1.9:7; there is udp 40000 to 10.0.1.2:5000)
E

# An interface that does not exist yet is waited for, and the tool says so.
run waiting show
grep -qx '  interface ppp0: waiting for it to appear' "$tmp/out"
ok $? "show: waiting for the interface"
run waiting up ppp0
[ "$(cat "$tmp/rc")" = 0 ] &&
	grep -qx 'conenat: warning: there is no interface ppp0 (yet): NAT waits for it' "$tmp/err"
ok $? "up of an interface that does not exist yet: a warning, exit 0"
run up up wan0
! grep -q 'no interface' "$tmp/err"
ok $? "up of an interface that exists: no such warning"

# What the tool can tell is wrong is a usage error, named, and nothing is sent.
run up up wan0 --timeout-udp 0
expect "a zero timeout" 2 err <<'E'
conenat: --timeout-udp: 0 s is out of range (1 s to 7 days)
E
empty log "a zero timeout"
run up set --holddown 8d
expect "a hold-down above a week" 2 err <<'E'
conenat: --holddown: 691200 s is out of range (0 s to 7 days)
E
run up set --max-per-host 0
expect "a zero limit" 2 err <<'E'
conenat: --max-per-host: 0 is out of range (at least 1)
E
run up set --max-conns-per-mapping 65536
expect "a per-mapping connection limit out of range" 2 err <<'E'
conenat: --max-conns-per-mapping: 65536 is out of range (1 to 65535)
E
run up set --max-conns-per-host 0
expect "a zero connection limit" 2 err <<'E'
conenat: --max-conns-per-host: 0 is out of range (at least 1)
E
run up set --max-conns-per-host 500 --max-conns-per-mapping 100
expect "set sends the connection limits" 0 log <<'E'
cmd 3 flags 0x5: 29=500 30=100
cmd 1 flags 0x5:
E
run up set --max-mappings 100 --max-per-host 200
expect "a per-host limit above the limit given with it" 2 err <<'E'
conenat: --max-per-host: 200 is above --max-mappings 100
E
empty log "a per-host limit above the limit given with it"
run up up wan0 --ports udp:1000-2000 --ports 1500-2500
expect "overlapping ranges of one protocol" 2 err <<'E'
conenat: --ports: udp ranges 1000-2000 and 1500-2500 overlap
E
empty log "overlapping ranges of one protocol"
run up up wan0 --ports udp:1000-2000 --ports tcp:1500-2500
[ "$(cat "$tmp/rc")" = 0 ] && ! grep -q ranges "$tmp/err"
ok $? "ranges of two protocols may overlap"
run up forward add icmp 7 to 10.0.1.2
expect "an ICMP forward" 2 err <<'E'
conenat: forward: only udp and tcp ports can be forwarded
Usage: conenat [-j | -p] [-s] forward [list]
       conenat [-j | -p] [-s] forward add PROTO PORT to ADDR[:PORT]
       conenat [-j | -p] [-s] forward del PROTO PORT
Try 'conenat help' for more information.
E
empty log "an ICMP forward"

# iproute2 habits: unique prefixes, help per command, -s
run up sh
expect "a unique prefix names the command" 0 log <<'E'
cmd 1 flags 0x5:
E
run up f
expect "an ambiguous prefix lists the candidates" 2 err <<'E'
conenat: 'f' is ambiguous: flush forward
Try 'conenat help' for more information.
E
run up forward help
expect "help of one command" 0 out <<'E'
Usage: conenat [-j | -p] [-s] forward [list]
       conenat [-j | -p] [-s] forward add PROTO PORT to ADDR[:PORT]
       conenat [-j | -p] [-s] forward del PROTO PORT

  list, add or remove port forwards
E
run up help fl
expect "help of one command, by prefix" 0 out <<'E'
Usage: conenat [-j | -p] [-s] flush [PROTO] [static]

  drop the dynamic mappings; with static, the port forwards too
E
run up help up
grep -q '^  --address ADDR,...|none$' "$tmp/out"
ok $? "help up lists the options of up"
for args in help "help up" "help forward" "help flush" "up --help"; do
	# shellcheck disable=SC2086
	run up $args
	! awk 'length($0) > 80 { bad = 1 } END { exit !bad }' "$tmp/out" &&
		[ -s "$tmp/out" ]
	ok $? "$args: fits 80 columns"
done
for h in -h --help; do
	run up up $h
	[ "$(cat "$tmp/rc")" = 0 ] && ! [ -s "$tmp/log" ] &&
		grep -q '^Usage: conenat \[-j | -p\] \[-s\] up IFNAME \[OPTIONS\]$' "$tmp/out"
	ok $? "up $h: the help of up, never an interface named $h"
	run up set --timeout-udp 600 $h
	[ "$(cat "$tmp/rc")" = 0 ] && ! [ -s "$tmp/log" ] &&
		grep -q '^Usage: conenat \[-j | -p\] \[-s\] set ' "$tmp/out"
	ok $? "set ... $h: the help of set, nothing sent"
done
for v in -V --version; do
	run up $v
	expect "$v: the versions" 0 out <<'E'
conenat tool 0.1.0
conenat module 0.1.0
E
done
run up -jV
expect "-jV: the versions as JSON" 0 out <<'E'
{"tool":"0.1.0","module":"0.1.0"}
E
# The man page names the tool's version.
run nomodule -j version
[ "$(sed -n 's/^\.TH CONENAT 8 "[0-9-]*" "conenat \([^"]*\)".*/\1/p' \
	"$(dirname "$0")/../conenat.8")" = "$(jq -r .tool "$tmp/out")" ]
ok $? "the man page's .TH has the date and the tool's version"

# completions WORD...: what bash completion offers for the last WORD
completions() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_conenat; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$(dirname "$0")/../conenat.bash-completion" conenat "$@"
}
[ "$(completions --v)" = --version ] && completions - | grep -qx -- -V
ok $? "completion offers -V and --version"
# want WORDS... -- EXPECTED...: completion of WORDS offers EXPECTED, in order
want() {
	local words=() got
	while [ "$1" != -- ]; do
		words+=("$1")
		shift
	done
	shift
	got=$(completions "${words[@]}" | tr '\n' ' ')
	[ "$got" = "$* " ] && ok 0 "completion of '${words[*]}'" ||
		{ ok 1 "completion of '${words[*]}'"; echo "# got '$got', want '$* '"; }
}
want forward "" -- list add del
want forward add "" -- udp tcp
want forward del t -- tcp
want forward add udp 40000 "" -- to
want fo "" -- list add del
want help fl -- flush
want up wan0 --inbound-refresh=o -- --inbound-refresh=on --inbound-refresh=off
want set --ports=t -- --ports=tcp:
want up wan0 --inbound-refresh "" -- on off
run up -s show
grep -q '^  counters$' "$tmp/out" && grep -q '^    drop_unsolicited  *17000$' "$tmp/out"
ok $? "-s show: the counters after the configuration"
run up -js show
jq -e '.stats.created == 3000 and .up' "$tmp/out" >/dev/null
ok $? "-js show: a stats object in the JSON"

run up
[ "$(cat "$tmp/rc")" = 2 ] && grep -q '^Usage: conenat' "$tmp/err" && ! [ -s "$tmp/out" ]
ok $? "no command: usage on stderr, exit 2"
for h in help -h --help; do
	run up $h
	[ "$(cat "$tmp/rc")" = 0 ] && grep -q '^Usage: conenat' "$tmp/out" && ! [ -s "$tmp/err" ]
	ok $? "$h: usage on stdout, exit 0"
done

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
