/**
 * Shared by the run-*.mjs scripts: run a grub.cfg in real GRUB (`grub-emu` from Debian's grub-emu
 * package, normal mode with $prefix in a temporary directory), split its output into per-case
 * blocks, and write or check a fixture (laid out by the repository's prettier).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function grubEmuVersion() {
  try {
    return execFileSync('grub-emu', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    process.stderr.write('grub-emu not found (apt-get install grub-emu)\n');
    process.exit(1);
  }
}

/**
 * Runs `lines` (each case ends with `echo "@@ <i> end"`) with `setup(dir)` writing disk images;
 * returns, for each of `count` cases, the output lines of that case (ANSI codes removed).
 */
export function runCases(lines, count, setup = () => '') {
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-grub-emu-'));
  let out;
  try {
    writeFileSync(join(dir, 'grub.cfg'), ['echo "@@BEGIN"', ...lines, 'echo "@@END"', 'halt', ''].join('\n'));
    writeFileSync(join(dir, 'device.map'), setup(dir));
    out = execFileSync('grub-emu', ['-d', dir, '-m', join(dir, 'device.map')], { encoding: 'utf8', timeout: 60_000, input: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  if (!text.includes('@@END')) {
    process.stderr.write('grub-emu did not reach the end of the script\n');
    process.exit(1);
  }
  const body = text.slice(text.indexOf('@@BEGIN'), text.indexOf('@@END'));
  const blocks = [];
  for (let i = 0; i < count; i++) {
    const from = body.indexOf(i === 0 ? '@@BEGIN' : `@@ ${i - 1} end`);
    const to = body.indexOf(`@@ ${i} end`);
    blocks.push(body.slice(from, to).split('\n').slice(1));
  }
  return blocks;
}

/** Writes `data` to `file`, or with --check fails when the file says something else. */
export async function writeFixture(file, data, what) {
  const prettier = await import('prettier');
  const json = await prettier.format(JSON.stringify(data), { ...(await prettier.resolveConfig(file)), filepath: file });
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== json) {
      process.stderr.write(`${file} differs from what grub-emu says now\n`);
      process.exit(1);
    }
    process.stdout.write(`${what}: agrees with ${data.producedBy}\n`);
  } else {
    writeFileSync(file, json);
    process.stdout.write(`${what}: wrote ${file}\n`);
  }
}
