#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot one VM under qemu -icount (guest time per instruction,
# one vCPU), run tests/bench/bench-guest.sh, and print its figures side by
# side, then the ratios that matter. JSON goes to build/bench/KVER.json.
#
#   tests/bench/run.sh [KVER]     BENCH_QUICK=1: tiny counts, to prove it
#                                 works (make check); BENCH_ICOUNT: shift
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:-6.12.117+deb12-amd64}
out=$top/build/bench
mkdir -p "$out"

"$top/tests/build-module.sh" "$kver" >/dev/null || exit 1
make -s -C "$top" tool nattest || exit 1
${CC:-gcc} -O2 -Wall -Wextra -Werror -o "$top/build/blast" \
	"$top/tests/bench/blast.c" || exit 1

export VM_ICOUNT=${BENCH_ICOUNT:-0} VM_MEM=${VM_MEM:-4G}
export VM_TIMEOUT=${VM_TIMEOUT:-3000} VM_ENV="BENCH_QUICK"
export BENCH_QUICK=${BENCH_QUICK:-}
"$top/tests/vm/run.sh" "$kver" "$top/tests/bench/bench-guest.sh" \
	"$top/build/$kver/conenat.ko" >"$out/$kver.log" 2>&1
rc=$?
grep '^BENCH ' "$out/$kver.log" >"$out/$kver.raw"
if [ $rc -ne 0 ] || ! grep -q '^BENCH done' "$out/$kver.raw"; then
	tail -30 "$out/$kver.log"
	echo "bench: the guest run failed (rc $rc), see $out/$kver.log"
	exit 1
fi

/usr/bin/python3 - "$out/$kver.raw" "$out/$kver.json" "$kver" <<'PY'
import json, sys

raw, dest, kver = sys.argv[1:4]
res = {}
for line in open(raw):
    f = line.split()
    if len(f) == 4:
        res.setdefault(f[1], {})[f[2]] = float(f[3])
configs = ["plain", "conenat", "masquerade", "masquerade+flowtable",
           "conenat+conntrack"]
ft = "masquerade+flowtable"
keys = [k for c in configs for k in res.get(c, {})]
keys = sorted(set(keys), key=keys.index)

print("kernel %s, guest time under qemu -icount (1 vCPU)" % kver)
print("%-26s" % "" + "".join("%21s" % c for c in configs))
for k in keys:
    row = [res.get(c, {}).get(k) for c in configs]
    print("%-26s" % k + "".join("%21s" % ("-" if v is None else "%.0f" % v)
                                 for v in row))

def ns(c, k="steady_pps"):
    return 1e9 / res[c][k]

plain = ns("plain")
added = {c: ns(c) - plain for c in configs[1:]}
# What making one mapping (or conntrack entry) adds to a packet's cost.
create = {c: ns(c, "new_pps") - ns(c) - (ns("plain", "new_pps") - plain)
          for c in configs[1:]}
# New flows per second the translation alone could make, its added cost
# per new-flow packet (lookup, creation, rewrite) being all the router
# did: the raw rates share the sender's and forwarding's cost, which
# bounds their ratio (see BENCHMARKS.md). conenat's, against @c's.
def new_capacity(c):
    return ((ns(c, "new_pps") - ns("plain", "new_pps")) /
            (ns("conenat", "new_pps") - ns("plain", "new_pps")))

ratios = {
    "added_ns_per_packet": added,
    "added_ns_per_new_flow": create,
    "conenat_vs_masquerade_added_cost":
        added["conenat"] / added["masquerade"],
    "conenat_vs_conntrack_new_rate":
        res["conenat"]["new_pps"] / res["masquerade"]["new_pps"],
    "conenat_vs_conntrack_new_capacity": new_capacity("masquerade"),
    # What a router user compares: the whole time per packet, as the
    # flowtable's can be below plain forwarding's.
    "conenat_vs_flowtable_per_packet": ns("conenat") / ns(ft),
    "conenat_vs_flowtable_new_capacity": new_capacity(ft),
    "conntrack_vs_conenat_creation_cost":
        create["masquerade"] / create["conenat"],
    "conenat_vs_conntrack_bytes_per_entry":
        res["conenat"]["slab_bytes_per_flow"] /
        max(res["masquerade"]["slab_bytes_per_flow"], 1),
}
pool = res["conenat"]
if "pool_scale_max_pps" in pool:
    ratios["conenat_pool_cost_max_vs_1000"] = (
        pool["pool_scale_1000_pps"] / pool["pool_scale_max_pps"])
scales = sorted(int(k.split("_")[1]) for k in res["conenat"]
                if k.startswith("scale_"))
if len(scales) > 1:
    lo, hi = scales[0], scales[-1]
    ratios["conenat_cost_%d_vs_%d" % (hi, lo)] = (
        res["conenat"]["scale_%d_pps" % lo] /
        res["conenat"]["scale_%d_pps" % hi])
print()
for c, a in added.items():
    print("added cost per packet, %-18s %8.0f ns" % (c, a))
print("conenat added cost / MASQUERADE added cost:  %.2f (goal <= 0.33)"
      % ratios["conenat_vs_masquerade_added_cost"])
for c, a in create.items():
    print("added cost per new flow, %-17s %8.0f ns" % (c, a))
print("conenat new mappings/s / conntrack new/s:    %.2f (raw, base cost shared)"
      % ratios["conenat_vs_conntrack_new_rate"])
print("conenat / conntrack new-flow capacity (NAT work only): %.2f "
      "(goal >= 2)" % ratios["conenat_vs_conntrack_new_capacity"])
print("conenat time per packet / MASQUERADE+flowtable's: %.3f (goal < 1)"
      % ratios["conenat_vs_flowtable_per_packet"])
print("conenat / MASQUERADE+flowtable new-flow capacity: %.2f"
      % ratios["conenat_vs_flowtable_new_capacity"])
print("conntrack entry cost / conenat mapping cost: %.2f"
      % ratios["conntrack_vs_conenat_creation_cost"])
print("conenat bytes per mapping / conntrack entry: %.2f"
      % ratios["conenat_vs_conntrack_bytes_per_entry"])
for k, v in ratios.items():
    if k.startswith("conenat_cost_"):
        print("conenat per-packet cost, %s:  %.3f (goal <= 1.10)" %
              (k[len("conenat_cost_"):].replace("_", " "), v))
if "conenat_pool_cost_max_vs_1000" in ratios:
    print("conenat per-packet cost, %d vs 1000 mappings (64-address pool): "
          "%.3f (goal <= 1.10)" % (pool["pool_scale_max_mappings"],
                                   ratios["conenat_pool_cost_max_vs_1000"]))
    print("conenat bytes per mapping at %d mappings (slab): %.0f "
          "(goal <= 128)" % (pool["pool_scale_max_mappings"],
                             pool["pool_slab_bytes_per_mapping"]))
if "idle_instances_slab_kb" in pool:
    print("%d idle instances (one per namespace): %d KiB of slab "
          "(goal < 8192)" % (pool["idle_instances"],
                             pool["idle_instances_slab_kb"]))
json.dump({"kernel": kver, "results": res, "ratios": ratios},
          open(dest, "w"), indent=1)

# The leak check: captured on the internet side, nothing with an internal
# source in any NAT configuration; plain forwarding's leaks prove that
# the capture sees them. And the flowtable must have taken flows, or its
# figures are MASQUERADE's.
bad = []
print()
for c in configs:
    n = res.get(c, {}).get("leaked_packets")
    print("leak check, %-22s %6s packets with an internal source"
          % (c, "-" if n is None else "%d" % n))
    if n is None:
        bad.append("%s: no leak check" % c)
    elif (n > 0) != (c == "plain"):
        bad.append("%s: %d packets with an internal source" % (c, n))
if not res.get(ft, {}).get("offloaded_flows"):
    bad.append("%s: no flow offloaded" % ft)
for b in bad:
    print("bench: FAIL: " + b)
sys.exit(1 if bad else 0)
PY
