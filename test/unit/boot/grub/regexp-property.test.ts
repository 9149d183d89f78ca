/** regexp and probe on arbitrary input: always a status, never an exception (hostile configs). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { probeCommand } from '../../../../src/boot/grub/probe-cmd.js';
import { regexpCommand } from '../../../../src/boot/grub/regexp-cmd.js';
import { memFs } from './mem-fs.js';
import { fakeShell } from './fake-shell.js';

const ereChars = fc.constantFrom(..."ab()[]{}|*+?.^$\\-,:=0123456789wsb<>'`".split(''), '[:digit:]', '[:x:]', '[.a.]', '[=b=]');
const pattern = fc.array(ereChars, { maxLength: 24 }).map((a) => a.join(''));

describe('regexp and probe never throw', () => {
  it('regexp: any pattern, any string, any --set', () => {
    fc.assert(
      fc.property(pattern, fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), (re, text, sets) => {
        const sh = fakeShell();
        const status = regexpCommand(sh, [...sets.map((s) => `--set=${s}`), re, text]);
        expect([0, 1, 18]).toContain(status);
      }),
      { numRuns: 2000 },
    );
  });
  it('probe: any arguments', () => {
    const fs = { ...memFs({}), probe: () => null };
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('--fs', '-u', '--set', '-s', '--', '(hd0)', 'hd0,gpt1', '--part-uuid', '-fl'), fc.string({ maxLength: 8 })), {
          maxLength: 5,
        }),
        (args) => {
          const status = probeCommand(fakeShell(fs), args);
          expect([0, 1, 12, 18]).toContain(status);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
