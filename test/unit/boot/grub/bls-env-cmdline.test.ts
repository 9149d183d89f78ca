/** grubenv parsing, BLS (blscfg) rules, loader capture and GRUB's command-line quoting. */
import { describe, expect, it } from 'vitest';
import { blsAll, blsFirst, parseBlsEntry } from '../../../../src/boot/grub/bls-entry.js';
import { expandBlsValue } from '../../../../src/boot/grub/blscfg.js';
import { grubCmdline } from '../../../../src/boot/grub/cmdline.js';
import { parseGrubenv } from '../../../../src/boot/grub/grubenv.js';
import { blsIdCompare, rpmvercmp, splitNvr } from '../../../../src/boot/grub/rpmvercmp.js';
import type { BootSpec } from '../../../../src/boot/grub/types.js';
import { argsOf, chosen, run } from './helpers.js';

const SIG = '# GRUB Environment Block\n';

describe('grubenv', () => {
  it('parses names, escapes, comments; later duplicates win', () => {
    const r = parseGrubenv(`${SIG}a=1\nb=x\\\\y\\\nz\n#pad\na=2\n${'#'.repeat(30)}`, 'env');
    expect(r.value).toEqual({ a: '2', b: 'x\\y\nz' });
    expect(r.diagnostics).toEqual([]);
  });
  it('rejects a file without the signature', () => {
    const r = parseGrubenv('saved_entry=1\n', 'env');
    expect(r.value).toEqual({});
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', line: 1 });
  });
  it('stops at a line without = and ignores a final unterminated line', () => {
    expect(parseGrubenv(`${SIG}a=1\nnonsense\nb=2\n`, 'e').value).toEqual({ a: '1' });
    expect(parseGrubenv(`${SIG}a=1\nb=2`, 'e').value).toEqual({ a: '1' });
  });
  it('CRLF is not special in grubenv (the CR stays in the value)', () => {
    expect(parseGrubenv(`${SIG}a=1\r\n`, 'e').value).toEqual({ a: '1\r' });
  });
});

describe('BLS entries', () => {
  it('key up to the first space, first options line, blank line stops', () => {
    const e = parseBlsEntry('title  Fedora 39\n\tlinux\t/vmlinuz-6\ngrub_arg\tx y\noptions a b\noptions c\ninitrd /i1\n\ninitrd /i2\n', 'x').value;
    expect(blsFirst(e, 'title')).toBe('Fedora 39');
    expect(blsFirst(e, 'linux')).toBe('/vmlinuz-6');
    expect(blsFirst(e, 'grub_arg\tx')).toBe('y');
    expect(blsFirst(e, 'options')).toBe('a b');
    expect(blsAll(e, 'initrd')).toEqual(['/i1']);
  });
  it('tab separates only when the line has no space', () => {
    const e = parseBlsEntry('linux\t/vmlinuz-6\n', 'x').value;
    expect(blsFirst(e, 'linux')).toBe('/vmlinuz-6');
  });
  it('expands variables at blscfg time, each followed by a space; unknown vanish', () => {
    const vars: Record<string, string> = { kernelopts: 'root=/dev/sda ro', tuned_params: '' };
    expect(expandBlsValue('$kernelopts $tuned_params $nope quiet', (n) => vars[n])).toBe('root=/dev/sda ro     quiet');
  });
  it('rpm vercmp and NVR ordering of file names', () => {
    expect(rpmvercmp('5.18.0', '0')).toBe(1);
    expect(rpmvercmp('1.0~rc1', '1.0')).toBe(-1);
    expect(rpmvercmp('1.0a', '1.0')).toBe(1);
    expect(rpmvercmp('010', '10')).toBe(0);
    expect(rpmvercmp('6.10.0', '6.9.0')).toBe(1);
    expect(splitNvr('mid-6.5.0-300.fc39.x86_64')).toEqual(['mid', '6.5.0', '300.fc39.x86_64']);
    expect(splitNvr('mid-5.18.0')).toEqual(['mid', '5.18.0', '']);
    expect(blsIdCompare('mid-6.10.0-1.fc40.x86_64', 'mid-6.9.0-1.fc40.x86_64')).toBe(1);
    expect(blsIdCompare('mid-0-rescue', 'mid-6.9.0-1.fc40.x86_64')).toBe(-1);
  });
});

const entryFile = (title: string, ver: string, extra = ''): string =>
  `title ${title}\nversion ${ver}\nlinux /vmlinuz-${ver}\ninitrd /initramfs-${ver}.img\noptions $kernelopts\n${extra}`;

describe('blscfg', () => {
  const files = {
    '/loader/entries/mid-6.9.0-1.fc40.x86_64.conf': entryFile('F 6.9', '6.9.0-1.fc40.x86_64'),
    '/loader/entries/mid-6.10.0-1.fc40.x86_64.conf': entryFile('F 6.10', '6.10.0-1.fc40.x86_64'),
    '/loader/entries/mid-0-rescue.conf': entryFile('Rescue', '0-rescue'),
    '/loader/entries/.hidden.conf': entryFile('Hidden', '9'),
    '/loader/entries/notes.txt': entryFile('Txt', '9'),
    '/loader/entries/nolinux.conf': 'title No linux\n',
  };

  it('creates entries newest first with file-name ids and expanded options', () => {
    const r = run('set kernelopts="root=/dev/vda2 ro"\nmenuentry static { linux /s }\nblscfg\nset default=1', files, { flavor: 'redhat' });
    expect(r.menu.map((n) => n.id)).toEqual(['static', 'mid-6.10.0-1.fc40.x86_64', 'mid-6.9.0-1.fc40.x86_64', 'mid-0-rescue']);
    const boot = r.selection?.entry.boot;
    expect(r.selection?.entry.origin).toBe('bls:mid-6.10.0-1.fc40.x86_64');
    // The body blscfg writes for the entry: load_video, set gfxpayload, insmod gzio, then linux on line 4.
    expect(boot?.kernel).toEqual({
      device: 'hd0',
      path: '/vmlinuz-6.10.0-1.fc40.x86_64',
      written: '(hd0)/vmlinuz-6.10.0-1.fc40.x86_64',
      at: 'bls:mid-6.10.0-1.fc40.x86_64:4',
    });
    expect(boot?.args).toEqual(['root=/dev/vda2', 'ro']);
    expect(grubCmdline(boot as BootSpec)).toBe('BOOT_IMAGE=(hd0)/vmlinuz-6.10.0-1.fc40.x86_64 root=/dev/vda2 ro');
  });

  it('saved_entry = BLS id; kernelopts from grubenv; early_initrd prepended', () => {
    const r = run(
      'load_env\nset default="${saved_entry}"\nblscfg',
      { ...files, '/boot/grub/grubenv': `${SIG}saved_entry=mid-6.9.0-1.fc40.x86_64\nkernelopts=root=UUID=x rw\nearly_initrd=ucode.img\n` },
      { flavor: 'redhat' },
    );
    expect(chosen(r)).toBe('F 6.9');
    expect(argsOf(r)).toEqual(['root=UUID=x', 'rw']);
    expect(r.selection?.entry.boot?.initrds.map((f) => f.path)).toEqual(['/ucode.img', '/initramfs-6.9.0-1.fc40.x86_64.img']);
  });

  it('options are expanded when blscfg runs, not later', () => {
    const r = run('set kernelopts=early\nblscfg\nset kernelopts=late', files, { flavor: 'redhat' });
    expect(argsOf(r)).toEqual(['early']);
  });

  it('without an options line the entry uses $default_kernelopts', () => {
    const r = run('set default_kernelopts="root=/dev/x"\nblscfg', { '/loader/entries/a-1-1.conf': 'title A\nlinux /vmlinuz-1\n' });
    expect(argsOf(r)).toEqual(['root=/dev/x']);
  });

  it('falls back to /boot/loader/entries and honours $blsdir', () => {
    const boot = { '/boot/loader/entries/a-1-1.conf': entryFile('Boot dir', '1-1') };
    expect(chosen(run('blscfg', boot))).toBe('Boot dir');
    const custom = { '/custom/a-2-2.conf': entryFile('Custom', '2-2'), ...boot };
    expect(chosen(run('set blsdir=/custom\nblscfg', custom))).toBe('Custom');
  });
});

describe('loader capture', () => {
  it('last linux wins and resets initrds; initrd loads several files in order', () => {
    const r = run('menuentry x {\n linux /old a\n initrd /old.img\n linux16 /new b\n initrd16 /ucode.img /initrd.img\n}');
    const boot = r.selection?.entry.boot;
    expect(boot?.loader).toBe('linux16');
    expect(boot?.kernel.path).toBe('/new');
    expect(boot?.initrds.map((f) => f.path)).toEqual(['/ucode.img', '/initrd.img']);
  });

  it('linuxefi/initrdefi and device prefixes', () => {
    const r = run('menuentry x { linuxefi (hd1,gpt2)/vmlinuz q; initrdefi ($root)/i }');
    const boot = r.selection?.entry.boot;
    expect(boot?.kernel).toEqual({ device: 'hd1,gpt2', path: '/vmlinuz', written: '(hd1,gpt2)/vmlinuz', at: '/boot/grub/grub.cfg:1' });
    expect(boot?.initrds[0]).toEqual({ device: 'hd0', path: '/i', written: '(hd0)/i', at: '/boot/grub/grub.cfg:1' });
  });

  it('multiboot with modules', () => {
    const r = run('menuentry xen { multiboot /xen.gz dom0_mem=1G\n module /vmlinuz root=/dev/x\n module --nounzip /initrd.img }');
    const boot = r.selection?.entry.boot as BootSpec;
    expect(boot.loader).toBe('multiboot');
    expect(boot.modules?.map((m) => [m.file.path, ...m.args])).toEqual([['/vmlinuz', 'root=/dev/x'], ['/initrd.img']]);
    expect(grubCmdline(boot)).toBe('dom0_mem=1G');
  });

  it('records --class, --users and --unrestricted', () => {
    const r = run("menuentry 'a' --class debian --class=os --users alice { linux /a }\nmenuentry 'b' --unrestricted { linux /b }");
    expect(r.menu[0]).toMatchObject({ classes: ['debian', 'os'], users: 'alice' });
    expect(r.menu[1]).toMatchObject({ users: '' });
  });

  it('without $menuentry_id_option the id is the title', () => {
    const r = run("menuentry 'T' $menuentry_id_option 'tid' { linux /k }");
    expect(r.selection?.idPath).toBe('T');
  });
});

describe('grubCmdline', () => {
  const spec = (written: string, args: string[]): BootSpec => ({
    loader: 'linux',
    kernel: { device: 'hd0', path: written, written },
    args,
    initrds: [],
  });
  it.each([
    [['ro', 'quiet'], 'BOOT_IMAGE=/vmlinuz ro quiet'],
    [['a b'], 'BOOT_IMAGE=/vmlinuz "a b"'],
    [['x="y z"'], 'BOOT_IMAGE=/vmlinuz "x=\\"y z\\""'],
    [["it's", 'back\\slash'], "BOOT_IMAGE=/vmlinuz it\\'s back\\\\slash"],
    [[], 'BOOT_IMAGE=/vmlinuz'],
  ])('%j', (args, want) => {
    expect(grubCmdline(spec('/vmlinuz', args))).toBe(want);
  });
  it('quotes the image name too', () => {
    expect(grubCmdline(spec('/my kernel', ['ro']))).toBe('BOOT_IMAGE="/my kernel" ro');
  });
});
