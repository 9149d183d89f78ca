#!/usr/bin/env node
/**
 * Runs every case of regexp-cases.txt through real GRUB (`grub-emu`, Debian package grub-emu) and
 * writes what GRUB did to regexp-cases.json: the status ($?) of `regexp`, the value of each
 * variable named by --set afterwards (null = unset, read from `set`'s listing), and the errors
 * GRUB printed. The unit test test/unit/boot/grub/regexp-grub-emu.test.ts checks our evaluator
 * against that file; only this script writes it, never our code.
 *
 * Usage: node test/grub-emu/run-regexp.mjs [--check]   (--check: fail if the JSON would change)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const casesFile = join(here, 'regexp-cases.txt');
const outFile = join(here, 'regexp-cases.json');

function grubEmuVersion() {
  try {
    return execFileSync('grub-emu', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    process.stderr.write('run-regexp: grub-emu not found (apt-get install grub-emu)\n');
    process.exit(1);
  }
}

const cases = readFileSync(casesFile, 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [sets, regexp, string] = l.split('\t');
    return { set: sets === '-' ? [] : sets.split(','), regexp, string };
  });

const varName = (spec) => spec.slice(spec.indexOf(':') + 1);
const lines = ['echo "@@BEGIN"'];
cases.forEach((c, i) => {
  const names = [...new Set(c.set.map(varName))];
  // GRUB's unset takes one name (kern/corecmd.c uses argv[0] only).
  for (const n of names) lines.push(`unset ${n}`);
  lines.push(`regexp ${c.set.map((s) => `--set='${s}' `).join('')}'${c.regexp}' '${c.string}'`);
  lines.push(`echo "@@ ${i} status $?"`, 'set', `echo "@@ ${i} end"`);
});
lines.push('echo "@@END"', 'halt', '');

const version = grubEmuVersion();
const dir = mkdtempSync(join(tmpdir(), 'kexecctl-grub-emu-'));
let out;
try {
  writeFileSync(join(dir, 'grub.cfg'), lines.join('\n'));
  writeFileSync(join(dir, 'device.map'), '');
  out = execFileSync('grub-emu', ['-d', dir, '-m', join(dir, 'device.map')], { encoding: 'utf8', timeout: 60_000, input: '' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
const body = text.slice(text.indexOf('@@BEGIN'), text.indexOf('@@END'));
if (!text.includes('@@END')) {
  process.stderr.write('run-regexp: grub-emu did not reach the end of the script\n');
  process.exit(1);
}
const results = cases.map((c, i) => {
  const block = body.slice(body.indexOf(i === 0 ? '@@BEGIN' : `@@ ${i - 1} end`));
  const upTo = block.slice(0, block.indexOf(`@@ ${i} end`)).split('\n');
  const statusAt = upTo.findIndex((l) => l.startsWith(`@@ ${i} status `));
  const status = Number(upTo[statusAt].slice(`@@ ${i} status `.length));
  const errors = upTo.slice(1, statusAt).filter((l) => l.startsWith('error: '));
  const listing = upTo.slice(statusAt + 1);
  const vars = {};
  for (const name of new Set(c.set.map(varName))) {
    const hit = listing.find((l) => l.startsWith(`${name}=`));
    vars[name] = hit === undefined ? null : hit.slice(name.length + 1);
  }
  return { ...c, status, vars, errors };
});
const raw = JSON.stringify({ producedBy: `${version}, test/grub-emu/run-regexp.mjs`, cases: results });
// Laid out as the repository's prettier lays JSON out, so `npm run lint` accepts the file as written.
const prettier = await import('prettier');
const json = await prettier.format(raw, { ...(await prettier.resolveConfig(outFile)), filepath: outFile });
if (process.argv.includes('--check')) {
  const old = readFileSync(outFile, 'utf8');
  if (old !== json) {
    process.stderr.write('run-regexp: regexp-cases.json differs from what grub-emu says now\n');
    process.exit(1);
  }
  process.stdout.write(`run-regexp: ${results.length} cases agree with ${version}\n`);
} else {
  writeFileSync(outFile, json);
  process.stdout.write(`run-regexp: wrote ${results.length} cases from ${version}\n`);
}
