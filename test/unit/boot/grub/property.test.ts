/**
 * Robustness: whatever the input, evaluateGrub returns (never throws) with diagnostics, in bounded
 * time. No timing assertions; vitest's generous timeout is the only clock.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateGrub } from '../../../../src/boot/grub/evaluate.js';
import { Lexer } from '../../../../src/boot/grub/lexer.js';
import type { GrubResult } from '../../../../src/boot/grub/types.js';
import { run } from './helpers.js';

const SLOW = 120_000;

const PIECES = [
  'menuentry ',
  'submenu ',
  'if ',
  'then ',
  'elif ',
  'else ',
  'fi',
  'function ',
  'while ',
  'do ',
  'done',
  'for ',
  ' in ',
  '{',
  '}',
  ';',
  '\n',
  '\r\n',
  "'",
  '"',
  '\\',
  '$',
  '${',
  '$1',
  'x',
  'default',
  '=',
  '>',
  '&',
  '|',
  '<',
  '[',
  ']',
  ' ',
  '\t',
  '#',
  'linux ',
  'initrd ',
  '/vmlinuz',
  'set ',
  'source ',
  'configfile ',
  '/boot/grub/grub.cfg',
  'load_env',
  'blscfg',
  'search --set=root --fs-uuid ',
  'return',
  'break',
  'true',
  'false',
  'export ',
  'unset ',
  'eval ',
  '0',
  '1>0',
];

function sane(r: GrubResult): void {
  expect(Array.isArray(r.menu)).toBe(true);
  expect(Array.isArray(r.diagnostics)).toBe(true);
  if (r.selection !== null) expect(r.selection.indexPath.length).toBeGreaterThan(0);
}

const grubish = fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }).map((a) => a.join(''));

describe('property: no input crashes or hangs the evaluator', () => {
  it(
    'random GRUB-ish scripts',
    () => {
      fc.assert(
        fc.property(grubish, (cfg) => {
          sane(run(cfg, {}, { limits: { maxSteps: 20_000 } }));
        }),
        { numRuns: 400 },
      );
    },
    SLOW,
  );

  it(
    'random unicode text',
    () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (cfg) => {
          sane(run(cfg, {}, { limits: { maxSteps: 20_000 } }));
        }),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it('the lexer always reaches eof', () => {
    fc.assert(
      fc.property(grubish, (text) => {
        const lx = new Lexer(text);
        let n = 0;
        while (lx.next().k !== 'eof') n++;
        expect(n).toBeLessThanOrEqual(text.length + 1);
      }),
      { numRuns: 300 },
    );
  });

  it(
    'truncated real configs from the corpus',
    () => {
      const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus/grub');
      const cfgs: string[] = [];
      const walk = (d: string): void => {
        for (const n of readdirSync(d)) {
          const p = join(d, n);
          if (statSync(p).isDirectory()) walk(p);
          else if (n === 'grub.cfg') cfgs.push(readFileSync(p, 'utf8'));
        }
      };
      if (existsSync(corpus)) walk(corpus);
      cfgs.push('menuentry a {\n linux /a ro\n initrd /i\n}\nsubmenu s {\n menuentry b { linux /b }\n}\n');
      fc.assert(
        fc.property(fc.constantFrom(...cfgs), fc.double({ min: 0, max: 1, noNaN: true }), (cfg, f) => {
          sane(run(cfg.slice(0, Math.floor(cfg.length * f))));
        }),
        { numRuns: 300 },
      );
    },
    SLOW,
  );
});

describe('hostile inputs end with diagnostics', () => {
  it('a GrubFs that throws is reported, not propagated', () => {
    const r = evaluateGrub({
      fs: {
        prefixDevice: 'hd0',
        readFile: (_d, p) => {
          if (p === '/boot/grub/grub.cfg') return 'source /x.cfg\nblscfg\nmenuentry a { linux /a }';
          throw new Error('EIO');
        },
        listDir: () => {
          throw new Error('EACCES');
        },
        search: () => null,
      },
      configPath: '/boot/grub/grub.cfg',
    });
    expect(r.selection?.titlePath).toBe('a');
    expect(r.diagnostics.filter((d) => /EIO|EACCES/.test(d.message)).length).toBeGreaterThanOrEqual(2);
  });

  it(
    'a 10 MB file of entries',
    () => {
      const one = "menuentry 'Linux x' --class gnu-linux { linux /vmlinuz root=/dev/sda1 ro quiet; initrd /initrd.img }\n";
      const cfg = one.repeat(Math.ceil((10 * 1024 * 1024) / one.length));
      const r = run(cfg);
      sane(r);
      expect(r.menu.length).toBeGreaterThan(0);
      expect(r.diagnostics.some((d) => /menu entries/.test(d.message))).toBe(true);
    },
    SLOW,
  );

  it(
    'a 10 MB file of garbage',
    () => {
      const cfg = '{ if \' then " $ } ; fi > & \n'.repeat(Math.ceil((10 * 1024 * 1024) / 30));
      const r = run(cfg);
      sane(r);
      expect(r.diagnostics.length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it.each([
    ['nested if', 'if true; then '.repeat(5000) + 'x=1' + '; fi'.repeat(5000)],
    ['nested braces', '{ '.repeat(20000) + '}'.repeat(20000)],
    ['nested submenus', 'submenu s { '.repeat(3000) + 'menuentry e { linux /k }' + ' }'.repeat(3000)],
    ['recursive function', 'function f { f; }\nf\nmenuentry a { linux /a }'],
    ['exponential function', 'function f { f; f; }\nf\nmenuentry a { linux /a }'],
    ['doubling string', 'x=ab\nwhile true; do x="$x$x"; done\nmenuentry a { linux /a }'],
    ['endless entries', 'while true; do menuentry e { linux /k }; done'],
    ['endless vars', 'n=a\nwhile true; do set "v$n=1"; n="$n$n"; done'],
    ['submenu defined in itself', 'function m { submenu s { m; menuentry e { linux /k } } }\nm'],
  ])(
    '%s',
    (_name, cfg) => {
      const r = run(cfg);
      sane(r);
      expect(r.diagnostics.length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'source loops and self-including configfile',
    () => {
      const files = {
        '/boot/grub/a.cfg': 'source /boot/grub/b.cfg\nmenuentry a { linux /a }',
        '/boot/grub/b.cfg': 'source /boot/grub/a.cfg',
        '/boot/grub/self.cfg': 'configfile /boot/grub/self.cfg\nmenuentry s { linux /s }',
      };
      const r1 = run('source /boot/grub/a.cfg', files);
      sane(r1);
      expect(r1.diagnostics.some((d) => /nesting limit/.test(d.message))).toBe(true);
      const r2 = run('configfile /boot/grub/self.cfg', files);
      sane(r2);
      expect(r2.selection?.titlePath).toBe('s');
      expect(r2.diagnostics.some((d) => /nesting limit/.test(d.message))).toBe(true);
      const r4 = run('menuentry again { configfile /boot/grub/grub.cfg }');
      sane(r4);
      expect(r4.selection?.entry.boot).toBeNull();
      expect(r4.diagnostics.some((d) => /nesting limit/.test(d.message))).toBe(true);
      const r3 = run('configfile /boot/grub/grub.cfg');
      sane(r3);
      expect(r3.selection).toBeNull();
    },
    SLOW,
  );
});
