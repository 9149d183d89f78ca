#!/usr/bin/env bash
# npm run bench: every benchmark, each printing its own medians and ratios.
# Benchmarks measure; they never assert timings. Set BENCH_ONLY=host,load,verify,grub,plan,startup,guest,distro to choose.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export KEXECCTL_TEST=1
[ -d dist ] || npm run -s build
only=",${BENCH_ONLY:-host,load,verify,grub,plan,startup,guest,distro},"
# The host benches run their own bundle of src (never the shared dist/, which a build may replace).
if [ -z "${BENCH_DIST:-}" ]; then
  BENCH_DIST=$(node bench/lib/build-dist.mjs) || exit 1
  trap 'rm -rf "$BENCH_DIST"' EXIT
fi
export BENCH_DIST
status=0
run() {
  local name=$1; shift
  case "$only" in *",$name,"*) ;; *) return 0 ;; esac
  [ -e "$2" ] || { echo "bench $name: not present ($2)"; return 0; }
  echo "==> bench $name"
  "$@" || { echo "bench $name: FAILED"; status=1; }
}
run host node bench/host.mjs
run load node bench/load.mjs
run verify node bench/verify.mjs
run grub node bench/grub.mjs
run plan node bench/plan.mjs
run startup node bench/startup.mjs
run guest bash bench/guest.sh
run distro bash bench/distro.sh
exit $status
