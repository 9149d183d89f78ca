// Summarises downtime lines "<kind> <firmware> <init> <ms>": median per kind, and kexec/cold ratios.
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const [kind, fw, init, ms] = l.split(/\s+/);
    return { kind, fw, init, ms: Number(ms) };
  });
const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const groups = new Map();
for (const r of rows) {
  const k = `${r.init} ${r.fw}`;
  if (!groups.has(k)) groups.set(k, {});
  (groups.get(k)[r.kind] ??= []).push(r.ms);
}
console.log("downtime (host clock, command typed → new boot's ready line), median [n]:");
for (const [k, kinds] of groups) {
  const parts = Object.entries(kinds).map(([kind, xs]) => `${kind} ${(median(xs) / 1000).toFixed(1)} s [${xs.length}]`);
  const ratio = kinds.kexec && kinds.cold ? `  kexec/cold = ${(median(kinds.kexec) / median(kinds.cold)).toFixed(2)}` : '';
  console.log(`  ${k.padEnd(18)} ${parts.join(', ')}${ratio}`);
}
