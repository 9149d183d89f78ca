/**
 * regexp against real GRUB: test/grub-emu/regexp-cases.json was written by grub-emu 2.06
 * (test/grub-emu/run-regexp.mjs), not by our code. Every case must give GRUB's status and
 * variables, except the documented divergences below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { regexpCommand } from '../../../../src/boot/grub/regexp-cmd.js';
import { fakeShell } from './fake-shell.js';

type Case = { set: string[]; regexp: string; string: string; status: number; vars: Record<string, string | null>; errors: string[] };
const fixture = JSON.parse(readFileSync(new URL('../../../grub-emu/regexp-cases.json', import.meta.url), 'utf8')) as { producedBy: string; cases: Case[] };

/** Patterns we do not evaluate (a warning, status 1), with the reason. */
const DIVERGES: Record<string, string> = { '(a)\\1': 'back-references are not evaluated' };

const argv = (c: Case): string[] => [...c.set.map((s) => `--set=${s}`), c.regexp, c.string];

describe(`regexp agrees with ${fixture.producedBy}`, () => {
  it('has the cases run-regexp.mjs wrote', () => {
    expect(fixture.producedBy).toMatch(/^grub-emu \(GRUB\) 2\.06/);
    expect(fixture.cases.length).toBeGreaterThan(90);
  });
  for (const c of fixture.cases) {
    if (DIVERGES[c.regexp] !== undefined) continue;
    it(`regexp ${c.set.map((s) => `--set=${s} `).join('')}'${c.regexp}' '${c.string}'`, () => {
      const sh = fakeShell(null, Object.fromEntries(Object.keys(c.vars).map((k) => [k, 'before'])));
      for (const k of Object.keys(c.vars)) sh.vars.delete(k);
      const status = regexpCommand(sh, argv(c));
      expect(status).toBe(c.status);
      const got = Object.fromEntries(Object.keys(c.vars).map((k) => [k, sh.vars.get(k) ?? null]));
      expect(got).toEqual(c.vars);
      // GRUB prints an error exactly when we report one (warnings for what GRUB keeps silent).
      expect(sh.diags.filter((d) => d.severity === 'error').length).toBe(c.errors.filter((e) => !/unrecognized number/.test(e)).length);
    });
  }
  it.each(Object.entries(DIVERGES))('%s: not evaluated, warns and is false (%s)', (re) => {
    const c = fixture.cases.find((x) => x.regexp === re) as Case;
    expect(c.status).toBe(0);
    const sh = fakeShell();
    expect(regexpCommand(sh, argv(c))).toBe(1);
    expect(sh.diags).toEqual([{ severity: 'warning', message: expect.stringMatching(/cannot be evaluated: back-references/) as unknown }]);
  });
});
