/** `default` resolution (grub-semantics.md §2), next_entry/saved_entry, submenus, configfile. */
import { describe, expect, it } from 'vitest';
import { defaultIndex, menuentryEq, restAfterFirst } from '../../../../src/boot/grub/default-entry.js';
import { parseGrubNumber } from '../../../../src/boot/grub/number.js';
import { entryBoot, expandMenu } from '../../../../src/boot/grub/menu-expand.js';
import { selectPath } from '../../../../src/boot/grub/select.js';
import { chosen, kernelOf, run } from './helpers.js';

describe('GRUB numbers', () => {
  it.each([
    ['2', 2],
    [' 2', 2],
    ['2>1', 2],
    ['2 foo', 2],
    ['2foo', 2],
    ['010', 8],
    ['08', 0],
    ['0x1f', 31],
    ['1984 Linux', 1984],
  ])('%j -> %d', (s, n) => {
    expect(parseGrubNumber(s)).toMatchObject({ digits: true, value: n });
  });
  it.each(['', 'abc', '-1', ' x2'])('%j has no digits', (s) => {
    expect(parseGrubNumber(s).digits).toBe(false);
  });
});

const ENTRIES = [
  { title: 'Debian', id: 'debian' },
  { title: '1984 Linux', id: 'old' },
  { title: 'a>b', id: 'gt' },
  { title: 'Advanced', id: 'adv' },
];

describe('defaultIndex', () => {
  it.each([
    [undefined, 0, 0],
    ['1', 1, 1],
    ['2foo', 2, 0],
    ['010', 0, 0],
    ['3', 3, 3],
    ['9', 0, 0],
    ['old', 1, 1],
    ['1984 Linux', 0, 1],
    ['a>>b', 2, 2],
    ['Advanced>x', 3, 3],
    ['adv>1', 3, 3],
    ['1>2', 1, 0],
    ['', 0, 0],
    ['nothing', 0, 0],
    ['debian extra', 0, 0],
  ])('%j -> upstream %d, redhat %d', (val, up, rh) => {
    expect(defaultIndex(ENTRIES, val, 'upstream')).toBe(up);
    expect(defaultIndex(ENTRIES, val, 'redhat')).toBe(rh);
  });

  it('Red Hat matches ids against the first word of the value', () => {
    expect(defaultIndex(ENTRIES, 'old trailing words', 'redhat')).toBe(1);
  });

  it('menuentryEq and path splitting honour >> escapes', () => {
    expect(menuentryEq('a>b', 'a>>b')).toBe(true);
    expect(menuentryEq('a', 'a>b')).toBe(true);
    expect(menuentryEq('a>b', 'a>b')).toBe(false);
    expect(restAfterFirst('x>>y>z>w')).toBe('z>w');
    expect(restAfterFirst('x>>y')).toBeNull();
  });
});

const MENU = `
menuentry 'Top' --id top { linux /top }
submenu 'Advanced options' $menuentry_id_option adv {
  menuentry 'Kernel 2' --id k2 { linux /k2 }
  menuentry 'Kernel 1' --id k1 { linux /k1 }
}
menuentry 'Last' { linux /last }
`;

describe('selection through the script', () => {
  it.each([
    ['set default=0', 'Top'],
    ['set default=1', 'Advanced options>Kernel 2'],
    ['set default="1>1"', 'Advanced options>Kernel 1'],
    ['set default="adv>k1"', 'Advanced options>Kernel 1'],
    ['set default="Advanced options>Kernel 1"', 'Advanced options>Kernel 1'],
    ['set default="1>k1"', 'Advanced options>Kernel 1'],
    ['set default="Advanced options"', 'Advanced options>Kernel 2'],
    ['set default="adv>nothing"', 'Advanced options>Kernel 2'],
    ['set default="top>k1"', 'Top'],
    ['set default=2', 'Last'],
    ['set default=7', 'Top'],
    ['set default=Last\nset default=top', 'Top'],
  ])('%s -> %s', (set, want) => {
    const r = run(`menuentry_id_option=--id\n${set}\n${MENU}`);
    expect(r.selection?.titlePath).toBe(want);
  });

  it('last assignment wins, even after the entries, and selectPath agrees', () => {
    const r = run(`menuentry_id_option=--id\nset default=0\n${MENU}\nset default="adv>k1"`);
    expect(r.selection?.idPath).toBe('adv>k1');
    expect(r.selection?.indexPath).toEqual([1, 1]);
    const all = expandMenu(r).menu;
    expect(selectPath(all, r.defaultVar)?.idPath).toBe('adv>k1');
    expect(selectPath(all, '2')?.titlePath).toBe('Last');
  });

  it('a submenu body sees the rest of the path as $default', () => {
    const r = run('set default="s>x"\nsubmenu s { menuentry "d=$default" { linux /k } }');
    expect(chosen(r)).toBe('s>d=x');
  });

  it('submenus inherit only exported variables upstream, all on Red Hat', () => {
    const cfg = 'a=1\nb=2\nexport b\nsubmenu s { menuentry "$a$b" { linux /k } }';
    expect(chosen(run(cfg))).toBe('s>2');
    expect(chosen(run(cfg, {}, { flavor: 'redhat' }))).toBe('s>12');
  });

  it('the result is plain data: only the default path ran, and reading it runs nothing', () => {
    const cfg = `menuentry_id_option=--id\nexport menuentry_id_option\nset default=2\n${MENU}\nmenuentry odd { oddcmd; linux /odd }`;
    const r = run(cfg);
    expect(chosen(r)).toBe('Last');
    const before = JSON.stringify(r);
    expect(JSON.stringify(r)).toBe(before);
    const json = JSON.parse(before) as { menu: Record<string, unknown>[]; diagnostics: { message: string }[] };
    expect(json.menu[0]).toEqual({ kind: 'entry', title: 'Top', id: 'top', index: 0, origin: 'menuentry', users: null, classes: [] });
    expect(json.menu[1]).toEqual({ kind: 'submenu', title: 'Advanced options', id: 'adv', index: 1 });
    expect(json.menu[2]).toMatchObject({ id: 'Last', boot: { loader: 'linux', kernel: { path: '/last' } } });
    expect(json.diagnostics.some((d) => /oddcmd/.test(d.message))).toBe(false);
  });

  it('expandMenu runs every other body once, in menu order, and returns their diagnostics', () => {
    const cfg = `menuentry_id_option=--id\nexport menuentry_id_option\nset default=2\n${MENU}\nmenuentry odd { oddcmd; linux /odd }`;
    const r = run(cfg);
    const diagnostics = r.diagnostics.length;
    const all = expandMenu(r);
    const sub = all.menu[1];
    expect(all.menu[0]).toMatchObject({ id: 'top', boot: { kernel: { path: '/top' } } });
    expect(sub?.kind === 'submenu' ? sub.children.map((c) => [c.id, c.kind === 'entry' ? c.boot?.kernel.path : null]) : null).toEqual([
      ['k2', '/k2'],
      ['k1', '/k1'],
    ]);
    expect(all.menu[2]).toBe(r.selection?.entry);
    expect(all.diagnostics.filter((d) => /unknown command "oddcmd"/.test(d.message))).toHaveLength(1);
    expect(r.diagnostics).toHaveLength(diagnostics);
    expect(r.menu[0]).not.toHaveProperty('boot');
    expect(r.menu[1]).not.toHaveProperty('children');
    expect(expandMenu(r).diagnostics).toEqual(all.diagnostics);
  });

  it('entryBoot evaluates one entry by its index path; paths that name no entry give null', () => {
    const r = run(`menuentry_id_option=--id\nexport menuentry_id_option\n${MENU}\nmenuentry odd { oddcmd; linux /odd }`);
    expect(entryBoot(r, [1, 1])?.boot?.kernel.path).toBe('/k1');
    expect(entryBoot(r, [0])).toEqual({ boot: r.selection?.entry.boot, diagnostics: [] });
    const odd = entryBoot(r, [3]);
    expect(odd?.boot?.kernel.path).toBe('/odd');
    expect(odd?.diagnostics.map((d) => d.message)).toEqual(['unknown command "oddcmd" (treated as failing)']);
    expect(entryBoot(r, [3])?.diagnostics).toEqual([]);
    expect(entryBoot(r, [1])).toBeNull();
    expect(entryBoot(r, [0, 0])).toBeNull();
    expect(entryBoot(r, [9])).toBeNull();
    expect(entryBoot(r, [])).toBeNull();
  });

  it('an empty submenu boots nothing', () => {
    const r = run('submenu s { true }');
    expect(r.selection).toBeNull();
    expect(r.menu).toHaveLength(1);
  });
});

const HEADER = `if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi
menuentry_id_option=--id
${MENU}`;

const env = (vars: Record<string, string>): string =>
  `# GRUB Environment Block\n${Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('')}${'#'.repeat(40)}`;

describe('grubenv: saved_entry and one-shot next_entry', () => {
  it('saved_entry id path', () => {
    const r = run(HEADER, { '/boot/grub/grubenv': env({ saved_entry: 'adv>k1' }) });
    expect(r.selection?.idPath).toBe('adv>k1');
    expect(r.usedNextEntry).toBe(false);
    expect(r.env).toEqual({ saved_entry: 'adv>k1' });
  });

  it('next_entry wins once and is reported as consumed', () => {
    const r = run(HEADER, { '/boot/grub/grubenv': env({ saved_entry: 'adv>k1', next_entry: 'Last' }) });
    expect(chosen(r)).toBe('Last');
    expect(r.usedNextEntry).toBe(true);
    expect(r.savedEnvVars).toContain('next_entry');
  });

  it('next_entry is ignored without the header block', () => {
    const r = run(`load_env\nset default="\${saved_entry}"\n${MENU}`, {
      '/boot/grub/grubenv': env({ saved_entry: '2', next_entry: '0' }),
    });
    expect(chosen(r)).toBe('Last');
    expect(r.usedNextEntry).toBe(false);
  });

  it('no grubenv: saved_entry empty -> entry 0', () => {
    expect(chosen(run(HEADER))).toBe('Top');
  });

  it('load_env -f with a whitelist', () => {
    const r = run(`load_env -f /other/env kernelopts\nmenuentry "$kernelopts$x" { linux /k }`, {
      '/other/env': env({ kernelopts: 'root=/dev/sda1', x: 'no' }),
    });
    expect(chosen(r)).toBe('root=/dev/sda1');
  });
});

describe('source and configfile', () => {
  it('source shares variables and menu, in order', () => {
    const r = run('set v=1\nmenuentry a { linux /a }\nsource /boot/grub/more.cfg\nmenuentry "c$w" { linux /c }', {
      '/boot/grub/more.cfg': 'set w=2\nmenuentry "b$v" { linux /b }\nset default=2',
    });
    expect(r.menu.map((n) => n.title)).toEqual(['a', 'b1', 'c2']);
    expect(chosen(r)).toBe('c2');
  });

  it('configfile with entries replaces the menu (ESP stub)', () => {
    const r = run(
      'search --fs-uuid --set=dev 1234\nset prefix=($dev)/grub2\nexport prefix\nconfigfile $prefix/grub.cfg\nmenuentry never { linux /never }',
      { 'hd1:/grub2/grub.cfg': 'set default=1\nmenuentry a { linux /a }\nmenuentry b { linux /b }' },
      { disks: { hd1: { uuid: '1234' } } },
    );
    expect(r.menu.map((n) => n.title)).toEqual(['a', 'b']);
    expect(chosen(r)).toBe('b');
    expect(r.selection?.entry.boot?.kernel.device).toBe('hd0');
  });

  it('configfile without entries returns and its variables are dropped', () => {
    const r = run('configfile /boot/grub/vars.cfg\nmenuentry "x$v" { linux /k }', { '/boot/grub/vars.cfg': 'v=1' });
    expect(chosen(r)).toBe('x');
  });

  it('a source loop ends at the depth limit with a diagnostic', () => {
    const r = run('source /boot/grub/grub.cfg\nmenuentry a { linux /a }', {}, { limits: { maxSourceDepth: 8 } });
    expect(r.diagnostics.some((d) => /nesting limit/.test(d.message))).toBe(true);
    expect(chosen(r)).toBe('a');
  });

  it('a missing kernel path argument gives no boot spec', () => {
    expect(kernelOf(run('menuentry a { linux }'))).toBeNull();
  });
});
