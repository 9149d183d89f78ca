#!/usr/bin/env bash
# Unit tier: vitest with a JSON report so run-all.sh can count the results.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
rc=$?
# Skipped and todo tests are never counted as passed; they are listed so that they stay visible.
# shellcheck disable=SC2016 # JavaScript template literals
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const failed = r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0);
console.log(`unit ${r.numPassedTests} ${failed}`);
const skipped = r.numPendingTests + r.numTodoTests;
if (skipped > 0) console.error(`unit: ${r.numPendingTests} skipped and ${r.numTodoTests} todo tests (not counted as passed)`);
' "$report" >>"${KEXECCTL_RESULTS:-/dev/null}" || echo "unit 0 1" >>"${KEXECCTL_RESULTS:-/dev/null}"
rm -f "$report"
exit $rc
