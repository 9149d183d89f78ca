#!/usr/bin/env bash
# Guest benchmark (npm run bench): inside a QEMU guest, our `kexec -l` vs Debian's C kexec-tools
# `kexec -s -l`, and our `kexec -c -l` vs C `kexec -c -l`, on the same kernel/initrd/cmdline, BENCH_GUEST_RUNS (default 7) alternating runs each;
# prints medians and the ratio (ours / C). Uses test/vm/lib; measures, never asserts timings.
set -euo pipefail
trap 'echo "$0: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
export KEXECCTL_TEST=1 # host side only; the guest's environment does not carry it
# shellcheck source=../test/vm/lib/vm.sh
. test/vm/lib/vm.sh
# shellcheck source=../test/vm/guest/build.sh
. test/vm/guest/build.sh
trap 'kx_qemu_stop' EXIT
kx_need_pkgs qemu-system-x86 busybox-static cpio zstd kmod
[ -f dist/kexec.js ] || npm run -s build
kx_kernel_fetch
WORK="$KX_CACHE/runs/bench-guest"
rm -rf "$WORK"
mkdir -p "$WORK"
kxg_build "$WORK" bench
runs=${BENCH_GUEST_RUNS:-7}
LOG="$WORK/console.log"
kx_qemu_start --name guest-bench --kernel "$KX_KERNEL" --initrd "$WORK/initrd.img" --serial "$LOG" \
  --mem 2048 --append "console=ttyS0 panic=-1 kxt.stage=bench kxt.runs=$runs"
kx_wait_for "$LOG" '^KXT DONE' $((120 + runs * 40)) || echo "bench guest: timed out (see $LOG)"
kx_qemu_wait_exit 20 || kx_qemu_stop
clean=$(tr -d '\r' <"$LOG")
grep -E '^KXT (LOG|RESULT) ' <<<"$clean" | sed 's/^KXT /  /' || true
echo "guest bench ($runs runs each, TCG guest, initrd $((KXG_BASE_SIZE / 1048576)) MiB):"
awk '$1 == "KXT" && $2 == "BENCH" && $3 == "ratio" {printf "  median ratio kexecctl / kexec-tools (kexec_file_load, -s): %s\n", $4; next}
     $1 == "KXT" && $2 == "BENCH" && $3 == "ratio-c" {printf "  median ratio kexecctl / kexec-tools (kexec_load, -c): %s\n", $4; next}
     $1 == "KXT" && $2 == "BENCH" && $3 == "ratio-gz" {printf "  median ratio kexecctl / kexec-tools (gzip'"'"'ed bzImage, kexec_file_load): %s\n", $4; next}
     $1 == "KXT" && $2 == "BENCH" && $3 == "own-vs-c" {printf "  kexecctl minus node startup: %s ms = %s x kexec-tools\n", $4, $5; next}
     $1 == "KXT" && $2 == "BENCH" {printf "  %-12s median %8s ms  (min %s, max %s, n=%s)\n", $3, $4, $5, $6, $7}' <<<"$clean"
grep -q '^KXT BENCH ratio' <<<"$clean"
