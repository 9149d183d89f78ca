#!/usr/bin/env bash
# Host benches tier (issue 14): runs the quick host benches of `npm run bench` (host, load, verify, plan,
# startup; never the guest or downtime ones) with one run each (BENCH_RUNS, default 1 here: CI's
# budget), so that a broken bench is noticed in CI. The figures are printed for the log, single
# runs, not medians: `npm run bench` gives the medians. No timing is asserted. No VM.
# Appends "bench-host <passed> <failed>" to $KEXECCTL_RESULTS.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if BENCH_ONLY=host,load,verify,plan,startup BENCH_RUNS=${BENCH_RUNS:-1} BENCH_RSS_RUNS=${BENCH_RSS_RUNS:-1} bash bench/run.sh; then
  echo "bench-host 1 0" >>"${KEXECCTL_RESULTS:-/dev/null}"
else
  echo "bench-host 0 1" >>"${KEXECCTL_RESULTS:-/dev/null}"
  exit 1
fi
