/**
 * The two formatters must agree byte for byte with the tools the shutdown check runs: coreutils
 * `cksum` and `stat -c` (their output is the expected value here, never ours), and the list of
 * virtual file systems the check skips in mountinfo must be parseMountinfo's own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cksumFields } from '../../../src/fingerprint/cksum.js';
import { lineFor, mountinfoBlockLines } from '../../../src/fingerprint/check.js';
import { VIRTUAL } from '../../../src/host/mounts.js';

const SCRIPT = join(import.meta.dirname, '../../../kernel/kexecctl-unchanged');

describe('cksum', () => {
  it.each([
    ['empty', ''],
    ['one byte', 'a'],
    ['a line', 'hello world\n'],
    ['300 bytes', 'x'.repeat(300)],
    ['70,000 bytes (3-byte length)', 'y'.repeat(70000)],
  ])('%s: same CRC and size as coreutils cksum', (_n, s) => {
    expect(cksumFields(Buffer.from(s))).toBe(execFileSync('cksum', { input: s }).toString().trim());
  });
});

describe('stat lines', () => {
  it('F and T lines are what stat -c prints (file, directory, symlink, device)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-fp-fmt-'));
    try {
      writeFileSync(join(dir, 'a file'), 'x');
      symlinkSync('a file', join(dir, 'link'));
      for (const p of [join(dir, 'a file'), dir, join(dir, 'link'), '/dev/null']) {
        const full = execFileSync('stat', ['-c', '%d %i %f %s %.9Y %.9Z %n', '--', p]).toString().trim();
        const type = execFileSync('stat', ['-c', '%f %t %T %n', '--', p]).toString().trim();
        expect(lineFor('F', p)).toBe(`F ${full}`);
        expect(lineFor('T', p)).toBe(`T ${type}`);
      }
      expect(lineFor('A', join(dir, 'absent'))).toBe(`A ${join(dir, 'absent')}`);
      expect(lineFor('A', join(dir, 'link'))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('link lines', () => {
  it.each([
    ['a plain link', 'link', '../../vda'],
    ['spaces and quotes in name and target', "by label it's", "../x y'z"],
    ['udev escapes', 'distro\\x20root', '../../vda1'],
  ])("%s: R line is what stat -c 'R %%N' prints with QUOTING_STYLE=literal, as the script runs it", (_n, name, target) => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-fp-fmt-'));
    try {
      const p = join(dir, name);
      symlinkSync(target, p);
      const env = { PATH: '/usr/bin:/bin', LC_ALL: 'C', QUOTING_STYLE: 'literal' };
      expect(lineFor('R', p)).toBe(execFileSync('stat', ['-c', 'R %N', '--', p], { env }).toString().trimEnd());
      expect(lineFor('R', dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mountinfo filter', () => {
  it("the shell script skips exactly parseMountinfo's virtual file system types", () => {
    const script = readFileSync(SCRIPT, 'utf8');
    const m = /^\s*(proc \| [^)]*)\) ;;$/m.exec(script);
    expect(m).not.toBeNull();
    expect(new Set((m?.[1] ?? '').split(' | '))).toEqual(VIRTUAL);
  });

  it('keeps block and unknown lines, drops virtual ones and an unterminated tail', () => {
    const text =
      '1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:5 / /run rw - tmpfs tmpfs rw\n3 1 0:40 / /z rw - zfs rpool/ROOT rw\nbroken line\n4 1 8:2 / /x rw - ext4 /dev/sda2 rw';
    expect(mountinfoBlockLines(text)).toBe('1 0 8:1 / / rw - ext4 /dev/sda1 rw\n3 1 0:40 / /z rw - zfs rpool/ROOT rw\nbroken line\n');
  });
});
