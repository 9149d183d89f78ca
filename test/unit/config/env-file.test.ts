import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/config/env-file.js';
import { runPartsOrder } from '../../../src/config/run-parts.js';

describe('parseEnvFile', () => {
  it('parses values like dotenv and never expands shell syntax', () => {
    const text = ['# comment', 'A=1', 'export B="x y" # trailing', 'C=$(reboot)', 'D=`id`', 'E=${HOME}/x', "F='$LITERAL'", 'G=$1'].join('\n');
    const { value, diagnostics } = parseEnvFile(text, '/etc/default/x');
    expect(value.values).toMatchObject({ A: '1', B: 'x y', C: '$(reboot)', E: '${HOME}/x', F: '$LITERAL' });
    expect(value.lines).toMatchObject({ A: 2, B: 3, C: 4 });
    const where = diagnostics.map((d) => `${d.origin}:${d.line}:${d.message}`);
    expect(where.some((w) => w.startsWith('/etc/default/x:4:C: command substitution'))).toBe(true);
    expect(where.some((w) => w.startsWith('/etc/default/x:5:D: backticks'))).toBe(true);
    expect(where.some((w) => w.startsWith('/etc/default/x:6:E: "$VAR"'))).toBe(true);
    expect(where.some((w) => w.startsWith('/etc/default/x:8:G: "$VAR"'))).toBe(true);
    expect(where.some((w) => w.includes(':7:'))).toBe(false);
  });

  it('warns about unknown keys and non-assignment lines with their line', () => {
    const { diagnostics } = parseEnvFile('A=1\nif [ -x /bin/true ]; then\nZ=2\n', 'f', { knownKeys: ['A'] });
    expect(diagnostics).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining('not a KEY=value line') }),
      expect.objectContaining({ line: 3, message: 'unknown key Z, ignored' }),
    ]);
  });

  it('skips the continuation lines of a multi-line quoted value', () => {
    const { value, diagnostics } = parseEnvFile('A="one\ntwo three\n"\nB=2\n', 'f', { knownKeys: ['A', 'B'] });
    expect(value.values['A']).toBe('one\ntwo three\n');
    expect(value.lines['B']).toBe(4);
    expect(diagnostics).toEqual([]);
  });
});

describe('runPartsOrder', () => {
  it('keeps [A-Za-z0-9_-] names in C-locale order and skips the rest', () => {
    const r = runPartsOrder(['b', 'a.conf', '10-x', 'B', 'foo~', '.hidden', '_u', 'x.dpkg-old', '9']);
    expect(r.accepted).toEqual(['10-x', '9', 'B', '_u', 'b']);
    expect(r.skipped).toContain('a.conf');
    expect(r.skipped).toContain('foo~');
  });
});

describe('one meaning for every reader (issue 9 §3)', () => {
  it('a line reported as ignored is not used: KEY: value, KEY = value, a.b=c', () => {
    const text = ['LOAD_KEXEC: true', 'APPEND = quiet', 'a.b=c', 'KERNEL_IMAGE=/boot/vmlinuz'].join('\n');
    const { value, diagnostics } = parseEnvFile(text, '/etc/default/kexec');
    expect(value.values).toEqual({ KERNEL_IMAGE: '/boot/vmlinuz' });
    expect(diagnostics.map((d) => [d.line, d.message.split(':')[0]])).toEqual([
      [1, 'not a shell assignment (NAME=value, no blank before "="), ignored'],
      [2, 'not a shell assignment (NAME=value, no blank before "="), ignored'],
      [3, 'not a shell assignment (NAME=value, no blank before "="), ignored'],
    ]);
  });
  it('a rejected line inside a file does not shift the values of the accepted ones', () => {
    const { value } = parseEnvFile('X: 1\nA="two\nlines"\nB=3\n', 'f');
    expect(value.values).toEqual({ A: 'two\nlines', B: '3' });
    expect(value.lines).toEqual({ A: 2, B: 4 });
  });
});
