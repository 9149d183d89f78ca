/** Lexer/parser behaviour through the evaluator: quoting, separators, braces, CRLF, errors. */
import { describe, expect, it } from 'vitest';
import { Lexer } from '../../../../src/boot/grub/lexer.js';
import { parseScript } from '../../../../src/boot/grub/parser.js';
import { argsOf, chosen, kernelOf, run } from './helpers.js';

const entry = (body: string): string => `menuentry 'e' {\n${body}\n}\n`;

describe('quoting and expansion', () => {
  it.each([
    ["linux /k 'a b' c", ['a b', 'c']],
    ['linux /k "a $x b"', ['a 1 2 b']],
    ['linux /k $x', ['1', '2']],
    ['linux /k a$x', ['a1', '2']],
    ['linux /k ${x}z', ['1', '2z']],
    ['linux /k $unset', []],
    ['linux /k "$unset"', ['']],
    ["linux /k ''", ['']],
    ['linux /k a\\ b', ['a b']],
    ['linux /k "a\\"b" \'c\\d\'', ['a"b', 'c\\d']],
    ['linux /k "\\$x" \\$x', ['$x', '$x']],
    ['linux /k $ a$', ['$', 'a$']],
    ['linux /k $1 $#', ['e', '1']],
    ['linux /k a#b #comment', ['a#b']],
    ['linux /k a\\\n b', ['a', 'b']],
  ])('%s', (line, args) => {
    const r = run(`set x="1 2"\n${entry(line)}`);
    expect(argsOf(r)).toEqual(args);
  });

  it('drops the backslash of \\x20 upstream and keeps it on Red Hat', () => {
    const cfg = entry('linux /k inst.stage2=hd:LABEL=CentOS\\x207');
    expect(argsOf(run(cfg))).toEqual(['inst.stage2=hd:LABEL=CentOSx207']);
    expect(argsOf(run(cfg, {}, { flavor: 'redhat' }))).toEqual(['inst.stage2=hd:LABEL=CentOS\\x207']);
  });
});

describe('layout', () => {
  it.each([
    ['menuentry "x" {linux /vmlinux;}'],
    ['menuentry "x" {linux /vmlinux}'],
    ['menuentry "x" { linux /vmlinux ; }'],
    ["menuentry 'x'{\nlinux /vmlinux\n}"],
    ['menuentry "x" {\r\n  linux /vmlinux\r\n}\r\n'],
    ['menuentry "x" {\n linux /vmlinux\n }'],
    ['set a=1; set b=2; menuentry "x" { linux /vmlinux; }'],
    ['if true; then menuentry "x" { linux /vmlinux; }; fi'],
    ['if true\nthen\n\nmenuentry "x" {\nlinux /vmlinux\n}\nfi'],
  ])('%j', (cfg) => {
    const r = run(cfg);
    expect(chosen(r)).toBe('x');
    expect(kernelOf(r)).toBe('/vmlinux');
  });

  it('accepts a file without a trailing newline', () => {
    expect(kernelOf(run('set default=1\nmenuentry a { linux /a }\nmenuentry b { linux /b }'))).toBe('/b');
  });

  it("rejects '; ;' like GRUB and keeps going on the next line", () => {
    const r = run('if true; then t4=4; ;fi\nt5=5\nmenuentry "$t4$t5" { linux /k }');
    expect(chosen(r)).toBe('5');
    expect(r.diagnostics.some((d) => d.severity === 'error' && d.line === 1)).toBe(true);
  });

  it('treats unquoted > and & as syntax errors, as GRUB does', () => {
    const r = run('set default=1>0\nmenuentry a { linux /a }\nmenuentry b { linux /b }');
    expect(r.defaultVar).toBeNull();
    expect(r.diagnostics[0]?.message).toMatch(/unexpected ">"/);
  });

  it('reports an unterminated quote with a line number and never throws', () => {
    const r = run("menuentry a { linux /a }\nset x='oops\n");
    expect(chosen(r)).toBe('a');
    expect(r.diagnostics.some((d) => /unterminated/.test(d.message) && d.line === 2)).toBe(true);
  });

  it('keywords are only keywords when bare', () => {
    const r = run('menuentry "if" { linux /k "fi" then }');
    expect(argsOf(r)).toEqual(['fi', 'then']);
  });

  it('lexes words, separators and braces', () => {
    const lx = new Lexer("a 'b c'{d;}\n");
    const kinds: string[] = [];
    for (let t = lx.next(); t.k !== 'eof'; t = lx.next()) kinds.push(t.k);
    expect(kinds).toEqual(['word', 'word', 'lbrace', 'word', 'semi', 'rbrace', 'nl']);
  });

  it('limits nesting depth with a diagnostic', () => {
    const deep = 'if true; then '.repeat(300) + 'x=1' + '; fi'.repeat(300);
    const p = parseScript(deep, { origin: 't', maxDepth: 50 });
    expect(p.value).toEqual([]);
    expect(p.diagnostics[0]?.message).toMatch(/nesting too deep/);
  });
});

describe('commands', () => {
  it('[ ] and [ $unset ] are true, [ -n "" ] false', () => {
    const r = run('if [ ]; then a=1; fi\nif [ $nope ]; then b=2; fi\nif [ -n "" ]; then c=3; fi\nmenuentry "$a$b$c" { linux /k }');
    expect(chosen(r)).toBe('12');
  });

  it.each([
    ['[ a = a ]', true],
    ['[ a != a ]', false],
    ['[ 10 -gt 9 ]', true],
    ['[ x$v = xy ]', true],
    ['[ ! -z "$v" ]', true],
    ['[ a = b -o b = b ]', true],
    ['[ a = a -a b = c ]', false],
    ['[ -s /boot/grub/grubenv ]', true],
    ['[ -s /boot/grub/missing ]', false],
    ['[ -d /boot/grub ]', true],
    ['[ -f /boot/grub ]', false],
    ['test -e /boot/grub/grubenv', true],
    ['[ a = a', false],
  ])('%s -> %s', (cond, want) => {
    const r = run(`v=y\nif ${cond}; then t=yes; else t=no; fi\nmenuentry "$t" { linux /k }`, { '/boot/grub/grubenv': 'x' });
    expect(chosen(r)).toBe(want ? 'yes' : 'no');
  });

  it('functions get positional parameters and set globals', () => {
    const r = run('function f { p="$1 $2 $10"; }\nf a b 3 4 5 6 7 8 9 j\nmenuentry x { linux /k $p }');
    expect(argsOf(r)).toEqual(['a', 'b', 'j']);
  });

  it('return, for and while loops are bounded and work', () => {
    const cfg =
      'function f { return 3; }\nf\ns=$?\nfor i in a b c; do l="$l$i"; if [ $i = b ]; then break; fi; done\n' +
      'n=0\nwhile [ $n != 3 ]; do if [ $n = 0 ]; then n=1; elif [ $n = 1 ]; then n=2; else n=3; fi; done\n' +
      'menuentry "$s$l$n" { linux /k }';
    expect(chosen(run(cfg))).toBe('3ab3');
  });

  it('an endless loop stops at the step limit with a diagnostic', () => {
    const r = run('while true; do x=1; done\nmenuentry a { linux /a }', {}, { limits: { maxSteps: 5000 } });
    expect(r.diagnostics.some((d) => /step limit/.test(d.message))).toBe(true);
  });

  it('search --set and aliases; a failed search leaves the variable alone', () => {
    const r = run(
      "set root='hd0,msdos1'\nsearch --no-floppy --fs-uuid --set=root --hint-bios=hd1 ABCD-EF01\n" +
        'search.fs_label BOOT bdev\nsearch --label --set=other NOPE\nsearch nothing\n' +
        'menuentry "$root $bdev $other" { linux /k; initrd /a ($bdev)/b }',
      {},
      { disks: { hd1: { uuid: 'abcd-ef01' }, hd2: { label: 'BOOT' } } },
    );
    expect(chosen(r)).toBe('hd1 hd2 ');
    const boot = r.selection?.entry.boot;
    expect(boot?.kernel).toEqual({ device: 'hd1', path: '/k', written: '/k', at: '/boot/grub/grub.cfg:6' });
    expect(boot?.initrds.map((f) => `${f.device}:${f.path}`)).toEqual(['hd1:/a', 'hd2:/b']);
    expect(r.diagnostics.some((d) => /unspecified search type/.test(d.message))).toBe(true);
  });
});
