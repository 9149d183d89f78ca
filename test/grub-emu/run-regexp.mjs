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
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grubEmuVersion, runCases, writeFixture } from './grub-emu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cases = readFileSync(join(here, 'regexp-cases.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [sets, regexp, string] = l.split('\t');
    return { set: sets === '-' ? [] : sets.split(','), regexp, string };
  });

const varName = (spec) => spec.slice(spec.indexOf(':') + 1);
const lines = [];
cases.forEach((c, i) => {
  // GRUB's unset takes one name (kern/corecmd.c uses argv[0] only).
  for (const n of new Set(c.set.map(varName))) lines.push(`unset ${n}`);
  lines.push(`regexp ${c.set.map((s) => `--set='${s}' `).join('')}'${c.regexp}' '${c.string}'`);
  lines.push(`echo "@@ ${i} status $?"`, 'set', `echo "@@ ${i} end"`);
});

const version = grubEmuVersion();
const blocks = runCases(lines, cases.length);
const results = cases.map((c, i) => {
  const block = blocks[i];
  const statusAt = block.findIndex((l) => l.startsWith(`@@ ${i} status `));
  const status = Number(block[statusAt].slice(`@@ ${i} status `.length));
  const errors = block.slice(0, statusAt).filter((l) => l.startsWith('error: '));
  const vars = {};
  for (const name of new Set(c.set.map(varName))) {
    const hit = block.slice(statusAt + 1).find((l) => l.startsWith(`${name}=`));
    vars[name] = hit === undefined ? null : hit.slice(name.length + 1);
  }
  return { ...c, status, vars, errors };
});
await writeFixture(join(here, 'regexp-cases.json'), { producedBy: `${version}, test/grub-emu/run-regexp.mjs`, cases: results }, 'run-regexp');
