/**
 * regexp in scripts: the GRUB manual's description ("Test if regular expression REGEXP matches
 * STRING ... If option --set is given, store NUMBERth matched subexpression in variable VAR.
 * Subexpressions are numbered in order of their opening parentheses starting from 1. NUMBER
 * defaults to 1.") and regexp.c's status, through the whole evaluator (lexer quoting, `if`, $?).
 */
import { describe, expect, it } from 'vitest';
import { compileEre, execEre } from '../../../../src/boot/grub/ere-match.js';
import { parseEre } from '../../../../src/boot/grub/ere-parse.js';
import { argsOf, chosen, run } from './helpers.js';

const entry = (v: string): string => `menuentry "Linux ${v}" { linux /vmlinuz-${v} }\n`;

describe('regexp in a script', () => {
  it('derives a kernel version and picks the entry it names', () => {
    const r = run(
      `set k=vmlinuz-6.1.0-13-amd64\nif regexp --set=1:ver '^vmlinuz-(.*)$' "$k"; then set default="Linux $ver"; fi\n${entry('5.10.0-1')}${entry('6.1.0-13-amd64')}`,
    );
    expect(chosen(r)).toBe('Linux 6.1.0-13-amd64');
    expect(r.diagnostics).toEqual([]);
  });
  it('a failed match leaves $? = 1 and runs the else branch', () => {
    const r = run(`if regexp 'efi$' pc; then set default=1; else set default=0; fi\n${entry('a')}${entry('b')}`);
    expect(chosen(r)).toBe('Linux a');
  });
  it('an invalid pattern is false with a warning at file:line, never a crash', () => {
    const r = run(`\nif regexp --set=v '([0-9]+' 1.2; then set default=1; fi\n${entry('a')}${entry('b')}`);
    expect(chosen(r)).toBe('Linux a');
    expect(r.diagnostics).toEqual([
      { severity: 'warning', origin: '/boot/grub/grub.cfg', line: 2, message: "regexp '([0-9]+' is invalid: Unmatched ( or \\( (treated as not matching)" },
    ]);
  });
  it('wrong argument counts are GRUB errors (status 18) at file:line', () => {
    const r = run(`regexp onlyone\nmenuentry "s=$?" { linux /k }\n`);
    expect(chosen(r)).toBe('s=18');
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', line: 1, message: 'regexp: two arguments expected' });
  });
  it('groups feed a kernel command line', () => {
    const r = run(`regexp --set=1:d --set=2:p '^\\(([^)]+)\\)(/.*)$' '(hd0,gpt2)/boot/vmlinuz'\nmenuentry x { linux /k dev=$d path=$p }\n`);
    expect(argsOf(r)).toEqual(['dev=hd0,gpt2', 'path=/boot/vmlinuz']);
  });
});

describe('ERE syntax errors carry glibc regerror() texts', () => {
  it.each([
    ['(', 'Unmatched ( or \\('],
    ['*a', 'Invalid preceding regular expression'],
    ['a{1', 'Unmatched \\{'],
    ['x{2,1}', 'Invalid content of \\{\\}'],
    ['a\\', 'Trailing backslash'],
    ['[a', 'Unmatched [, [^, [:, [., or [='],
    ['[[:foo:]]', 'Invalid character class name'],
    ['[z-a]', 'Invalid range end'],
    ['[[.ab.]]', 'Invalid collation character'],
    ['\\1(a)', 'Invalid back reference'],
    ['a{99999}', 'Regular expression too big'],
  ])('%s: %s', (re, message) => {
    expect(parseEre(re)).toEqual({ ok: false, message });
  });
});

describe('matching is bounded', () => {
  it('a catastrophic-backtracking pattern ends quickly (NFA simulation)', () => {
    const c = compileEre('(a*)*b');
    if (!c.ok) throw new Error(c.message);
    const t0 = Date.now();
    expect(execEre(c.value, 'a'.repeat(5000)).match).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('a pattern nested deeper than the stack allows is refused, not a crash', () => {
    expect(compileEre(`${'('.repeat(200_000)}a${')'.repeat(200_000)}`)).toEqual({
      ok: false,
      message: 'pattern nested too deeply to evaluate',
      unsupported: true,
    });
  });
  it('a program over the size bound is refused, not run', () => {
    expect(compileEre('(a{1000}){1000}')).toMatchObject({ ok: false, unsupported: true });
  });
  it('matches UTF-8 bytes as GRUB does (C locale): "." is one byte', () => {
    const c = compileEre('^..$');
    if (!c.ok) throw new Error(c.message);
    expect(execEre(c.value, 'é').match).toEqual(['é']);
  });
});
