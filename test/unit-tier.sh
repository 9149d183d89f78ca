#!/usr/bin/env bash
# Unit tier: vitest with a JSON report so run-all.sh can count the results.
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
rc=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`unit ${r.numPassedTests} ${r.numFailedTests + (r.numTotalTestSuites && r.success === false && r.numFailedTests === 0 ? 1 : 0)}`);
' "$report" >>"${KEXECCTL_RESULTS:-/dev/null}" || echo "unit 0 1" >>"${KEXECCTL_RESULTS:-/dev/null}"
rm -f "$report"
exit $rc
