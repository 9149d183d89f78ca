// Tallies one scenarios.mjs run for run.sh (the distro tier): only anchored lines count.
//   "KXD PLAN <tag> <name>,<name>,..."      the checks this suite will report, printed first
//   "KXD RESULT PASS|FAIL <tag>:<name>[ <detail>]"
// A planned check that never reported, a second report of one name, a PASS for an unplanned name,
// a missing or second PLAN line, or a non-zero exit of scenarios.mjs each count as one failure,
// so a crash or a partial run cannot pass. Text elsewhere in a line (guest output, a detail that
// mentions PASS) is never counted.
// Usage: node results.mjs RESULTS_FILE EXIT_STATUS   prints "<passed> <failed>", then one
//        "problem: ..." line per failure that is not a FAIL line.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const PLAN = /^KXD PLAN (\S+) (\S+)$/;
const RESULT = /^KXD RESULT (PASS|FAIL) (\S+?):(\S+)(?: .*)?$/;

/** @returns {{ passed: number, failed: number, problems: string[] }} */
export function tally(text, exitStatus) {
  const problems = [];
  let plan = null;
  let tag = null;
  let failLines = 0;
  const seen = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const p = PLAN.exec(line);
    if (p) {
      if (plan !== null) problems.push('a second KXD PLAN line');
      else {
        tag = p[1];
        plan = p[2].split(',');
      }
      continue;
    }
    const r = RESULT.exec(line);
    if (!r) continue;
    const [, verdict, rtag, name] = r;
    if (verdict === 'FAIL') {
      failLines++;
      continue;
    }
    if (plan === null) {
      problems.push(`PASS ${rtag}:${name} before any KXD PLAN line`);
      continue;
    }
    if (rtag !== tag) {
      problems.push(`PASS ${rtag}:${name} under another tag than the plan's ${tag}`);
      continue;
    }
    if (!plan.includes(name)) {
      problems.push(`PASS for ${name}, which is not in the plan`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`${name} reported twice`);
      continue;
    }
    seen.set(name, true);
  }
  if (plan === null) problems.push('no KXD PLAN line: scenarios.mjs did not start its checks');
  const reportedFail = new Set(
    text
      .split('\n')
      .map((l) => RESULT.exec(l.replace(/\r$/, '')))
      .filter((m) => m !== null && m[1] === 'FAIL')
      .map((m) => m[3]),
  );
  for (const name of plan ?? []) {
    if (!seen.has(name) && !reportedFail.has(name)) problems.push(`${name} planned but never reported`);
  }
  // scenarios.mjs exits 1 when a check failed; any other non-zero exit without a FAIL line is a crash.
  if (exitStatus !== 0 && failLines === 0) problems.push(`scenarios.mjs exited ${exitStatus} without a FAIL line (crashed?)`);
  return { passed: seen.size, failed: failLines + problems.length, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, status] = process.argv.slice(2);
  if (file === undefined || status === undefined || !/^\d+$/.test(status)) {
    console.error('usage: node results.mjs RESULTS_FILE EXIT_STATUS');
    process.exit(2);
  }
  const t = tally(readFileSync(file, 'utf8'), Number(status));
  console.log(`${t.passed} ${t.failed}`);
  for (const p of t.problems) console.log(`problem: ${p}`);
}
