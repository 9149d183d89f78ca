#!/usr/bin/env bash
# Downtime benchmark (issue 14 part 1): in the distro image (Debian 12, systemd, TCG), one VM per
# firmware, KEXECCTL_BENCH_REPS alternating rounds of (w) our reboot from the firmware-booted kernel
# (reported alone: under OVMF the first kexec after a firmware boot is slower for any tool), then
# (a) our reboot, load unchanged; (b) our reboot
# right after grub-set-default (refresh at shutdown); (c) Debian's C kexec-tools `kexec -l` +
# `systemctl kexec`; (d) coldreboot — then, SeaBIOS with an emulated POST wait, rounds of (a) and (d).
# Both host clocks (to the ready line, to the old kernel's last line) per kind; medians, n and the
# (a)/(c), (b)/(c), (a)/(d) ratios (test/vm/distro/downtime-report.mjs). Asserts no time.
# Env: KEXECCTL_BENCH_REPS (default 5), KEXECCTL_BENCH_FIRMWARE (default "seabios ovmf"),
#      KEXECCTL_BENCH_POST_REPS (default 3, 0 skips the POST variant), KEXECCTL_BENCH_POST_MS (default 15000);
#      experiments: KEXECCTL_BENCH_C_FLAGS (e.g. -s: C loads with kexec_file_load as ours does),
#      KEXECCTL_BENCH_C_FIRST=1 ((c) before (a), right after the firmware boot).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
reps=${KEXECCTL_BENCH_REPS:-5}
post_reps=${KEXECCTL_BENCH_POST_REPS:-3}
suites=''
for fw in ${KEXECCTL_BENCH_FIRMWARE:-seabios ovmf}; do suites="$suites systemd:$fw:bench"; done
[ "$post_reps" -gt 0 ] && suites="$suites systemd:seabios:bench-post"
KEXECCTL_DISTRO_SUITES="$suites" KEXECCTL_RESULTS='' exec bash "$repo/test/vm/distro/run.sh" \
  --reps "$reps" --post-reps "$post_reps" --post-ms "${KEXECCTL_BENCH_POST_MS:-15000}"
