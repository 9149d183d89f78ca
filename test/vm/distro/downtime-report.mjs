// Summarises downtime lines "<kind> <firmware> <init> <ready_ms> [<jump_ms>]" (scenarios.mjs writes
// the first four fields, scenario-bench.mjs all five): median [n] per kind, init and firmware, for
// both clocks (typed command → new boot's ready line; typed command → the old kernel's last line
// before the kexec jump or the firmware reset), and the issue 14 ratios. Prints; asserts nothing.
// Kinds: w-after-firmware, a-unchanged, b-refresh, c-debian, d-cold (the bench, issue 14 part 1); c-load-only (C
// `kexec -l` alone, guest clock, not part of (c)'s downtime); kexec, cold, ... (the test suites).
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const [kind, fw, init, ready, jump] = l.split(/\s+/);
    return { kind, fw, init, ready: Number(ready), jump: jump === undefined ? NaN : Number(jump) };
  });
/** Median of the finite values, or NaN when there are none. */
function median(xs) {
  const s = xs.filter(Number.isFinite).sort((p, q) => p - q);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const sec = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—');
const ratio = (p, q) => (Number.isFinite(p) && Number.isFinite(q) && q > 0 ? (p / q).toFixed(2) : '—');

const groups = new Map();
for (const r of rows) {
  const k = `${r.init} ${r.fw}`;
  if (!groups.has(k)) groups.set(k, {});
  (groups.get(k)[r.kind] ??= []).push(r);
}
console.log(
  'downtime, host clock, median [n]: typed command → new boot\'s ready line (ready); → old kernel\'s last line, "kexec_core: Starting new kernel" or "reboot: Restarting system" (jump)',
);
for (const [k, kinds] of groups) {
  console.log(`  ${k}`);
  const med = {};
  for (const [kind, rs] of Object.entries(kinds)) {
    med[kind] = { ready: median(rs.map((r) => r.ready)), jump: median(rs.map((r) => r.jump)) };
    const nJump = rs.filter((r) => Number.isFinite(r.jump)).length;
    const jump = nJump ? `, jump ${sec(med[kind].jump)} [${nJump}]` : '';
    const what = kind === 'c-load-only' ? 'C kexec -l alone, guest clock' : 'ready';
    console.log(`    ${kind.padEnd(16)} ${what} ${sec(med[kind].ready)} [${rs.length}]${jump}  (${rs.map((r) => sec(r.ready)).join(' ')})`);
  }
  const { 'a-unchanged': A, 'b-refresh': B, 'c-debian': C, 'd-cold': D, kexec: K, cold: CD } = med;
  for (const clock of ['ready', 'jump']) {
    const parts = [];
    if (A && C) parts.push(`(a)/(c) ${ratio(A[clock], C[clock])} [target ≤ 1.02]`);
    if (B && C) parts.push(`(b)/(c) ${ratio(B[clock], C[clock])} [target ≤ 1.10]`);
    if (A && D) parts.push(`(a)/(d) ${ratio(A[clock], D[clock])}`);
    if (K && CD && clock === 'ready') parts.push(`kexec/cold ${ratio(K.ready, CD.ready)}`);
    if (parts.length) console.log(`    ${clock.padEnd(5)} ratios: ${parts.join(', ')}`);
  }
}
