#!/usr/bin/env bash
# Runs every test tier: static checks, unit tests, then the QEMU tiers.
# Each tier appends "<tier> <passed> <failed>" to $KEXECCTL_RESULTS; the last line printed is
# the total as "total: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export KEXECCTL_RESULTS="${KEXECCTL_RESULTS:-$(mktemp)}"
: >"$KEXECCTL_RESULTS"
status=0
step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "==> $name"
  if "$@"; then echo "==> $name: ok ($((SECONDS - t0))s)"; else echo "==> $name: FAILED ($((SECONDS - t0))s)"; status=1; fi
}
step typecheck npm run -s typecheck
step lint npm run -s lint
step build npm run -s build
# A tier that ends without appending its counts (crashed, or skipped itself) fails the run.
counted() {
  local name=$1 before after; shift
  before=$(wc -l <"$KEXECCTL_RESULTS")
  step "$name" "$@"
  after=$(wc -l <"$KEXECCTL_RESULTS")
  if [ "$after" -le "$before" ]; then
    echo "==> $name: reported no counts to \$KEXECCTL_RESULTS"
    echo "$name 0 1" >>"$KEXECCTL_RESULTS"
    status=1
  fi
}
counted unit bash test/unit-tier.sh
for tier in test/tiers.d/*.sh; do
  [ -e "$tier" ] || continue
  counted "$(basename "$tier" .sh)" bash "$tier"
done
passed=0; failed=0
while read -r name p f; do
  echo "tier $name: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done <"$KEXECCTL_RESULTS"
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "total: $passed passed, $failed failed"
exit "$status"
