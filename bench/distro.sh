#!/usr/bin/env bash
# Downtime benchmark: in one guest per firmware, N x (reboot → kexec, coldreboot → firmware),
# host clock from the typed command to the new boot's ready line; medians and the kexec/cold ratio.
# Env: KEXECCTL_BENCH_REPS (default 5), KEXECCTL_BENCH_FIRMWARE (default "seabios ovmf").
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
reps=${KEXECCTL_BENCH_REPS:-5}
suites=''
for fw in ${KEXECCTL_BENCH_FIRMWARE:-seabios ovmf}; do suites="$suites systemd:$fw:bench"; done
KEXECCTL_DISTRO_SUITES="$suites" KEXECCTL_RESULTS='' exec bash "$repo/test/vm/distro/run.sh" --reps "$reps"
