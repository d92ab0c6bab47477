#!/bin/bash
# Guest script for checking run.sh's splat detection: logs a fake kernel
# warning and exits 0; run.sh must still fail (exit 1).
echo "WARNING: test splat from tests/vm/selftest-splat.sh" >/dev/kmsg
exit 0
