/**
 * docs/grub-commands.md is the table of every GRUB command and what the evaluator does with it.
 * This test reads that table and runs each command through the evaluator: the page cannot drift
 * from the code, and a command added to the evaluator must be added to the page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRUB_COMMANDS } from '../../../../src/boot/grub/commands.js';
import { run } from './helpers.js';

const doc = readFileSync(new URL('../../../../docs/grub-commands.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `([^`]+)` \| (evaluated|no-op|unsupported) \|/gm)].map((m) => ({ name: m[1] as string, status: m[2] as string }));

/** Runs `name ARGS` at the top level; $? is read back through a menu entry title. */
function runCommand(name: string, args = 'x y') {
  const r = run(`${name} ${args}\nmenuentry "status=$?" { linux /k }\n`);
  return { status: r.menu[0]?.title, diagnostics: r.diagnostics };
}

describe('docs/grub-commands.md matches the evaluator', () => {
  it('lists each command once, and every command the evaluator knows', () => {
    const names = rows.map((r) => r.name);
    expect(names.length).toBeGreaterThan(100);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(GRUB_COMMANDS).filter((c) => !names.includes(c))).toEqual([]);
    expect(doc.match(/^\| `/gm)?.length).toBe(rows.length);
  });
  for (const { name, status } of rows) {
    it(`${name}: ${status}`, () => {
      expect(Object.hasOwn(GRUB_COMMANDS, name)).toBe(true);
      const got = runCommand(name, name === 'eval' ? 'true' : 'x y');
      const notEvaluated = got.diagnostics.filter((d) => /is not evaluated|unknown command/.test(d.message));
      if (status === 'no-op') {
        expect(got).toEqual({ status: 'status=0', diagnostics: [] });
      } else if (status === 'unsupported') {
        expect(got.status).toBe('status=1');
        expect(notEvaluated).toEqual([{ severity: 'warning', origin: '/boot/grub/grub.cfg', line: 1, message: expect.stringContaining(name) as unknown }]);
      } else {
        expect(name === 'btrfs-mount-subvol' ? [] : notEvaluated).toEqual([]);
      }
    });
  }
});

describe('commands added with the audit', () => {
  it('increment/decrement as Red Hat increment.c (08_fallback_counting)', () => {
    const cfg = `set boot_counter=0\ndecrement boot_counter\nset d=0x10\nincrement d\nmenuentry "$boot_counter $d" { linux /k }\n`;
    expect(run(cfg).menu[0]?.title).toBe('-1 17');
    expect(run('increment nosuch\nmenuentry "s=$?" { linux /k }\n').diagnostics[0]).toMatchObject({
      severity: 'error',
      line: 1,
      message: 'increment: No such variable "nosuch"',
    });
  });
  it('btrfs-mount-subvol over a GRUB module directory is harmless; elsewhere it warns', () => {
    expect(runCommand('btrfs-mount-subvol', '($root) /boot/grub2/x86_64-efi @/boot/grub2/x86_64-efi')).toEqual({ status: 'status=0', diagnostics: [] });
    const other = runCommand('btrfs-mount-subvol', '($root) /boot @/boot');
    expect(other.status).toBe('status=1');
    expect(other.diagnostics).toMatchObject([{ severity: 'warning', line: 1 }]);
  });
  it('unset removes its first argument only, as GRUB does', () => {
    expect(run('set a=1\nset b=2\nunset a b\nmenuentry "[$a][$b]" { linux /k }\n').menu[0]?.title).toBe('[][2]');
  });
});

describe('GrubResult.uncertain: outcomes we could not know (so a plan can refuse instead of guessing)', () => {
  it('records unsupported commands and probe without device facts, with file:line', () => {
    const r = run(`loopback loop /x.iso\nprobe --set=u --fs-uuid (hd9,gpt1)\nmenuentry a { linux /vmlinuz-$u }\n`);
    expect(r.uncertain).toEqual([
      '/boot/grub/grub.cfg:1: loopback is not evaluated: files inside a loop-mounted image (ISO boot) are not read (treated as failing)',
      '/boot/grub/grub.cfg:2: probe --fs-uuid (hd9,gpt1): no device information here (treated as failing)',
    ]);
    expect(r.selection?.entry.boot?.kernel.path).toBe('/vmlinuz-');
  });
  it('an invalid regexp is false in GRUB too: a warning, not uncertain', () => {
    const r = run(`regexp '(' x\nmenuentry a { linux /k }\n`);
    expect(r.uncertain).toEqual([]);
    expect(r.diagnostics).toMatchObject([{ severity: 'warning', line: 1 }]);
  });
  it('a regexp we cannot evaluate (back-reference) is uncertain', () => {
    expect(run(`regexp '(a)\\1' aa\nmenuentry a { linux /k }\n`).uncertain).toHaveLength(1);
  });
});
