#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest entry point: run.sh MODULE [TEST_FILE...]
# Runs every test of the given files (default: all) against MODULE, or
# only those named in ONLY (space-separated), for debugging; with VERBOSE
# set, passing tests show their output too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export MODULE=$1
shift
# shellcheck source=lib.sh
. "$here/lib.sh"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(control nat icmp flowtable hostile harden memory stress)

# What the tests run, built on the host (the guest's root is read-only).
missing=0
for need in "$MODULE:tests/build-module.sh $(uname -r)" \
	"$CONENAT:make -C tools" "$NATTEST:make nattest"; do
	[ -e "${need%%:*}" ] && continue
	echo "run.sh: missing ${need%%:*}: build it with '${need#*:}'" >&2
	missing=1
done
[ "$missing" = 0 ] || { echo "Bail out! missing programs"; exit 2; }

echo "TAP version 13"
echo "# kernel $(uname -r)"
for f in "${files[@]}"; do
	TESTS=()
	# shellcheck disable=SC1090
	. "$here/$f.sh"
	for t in "${TESTS[@]}"; do
		[ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $t "* ]] || continue
		run_test "$t" "$t"
	done
done
unload_module 2>/dev/null
summary
