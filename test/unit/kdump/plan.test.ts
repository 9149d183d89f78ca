import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KDUMP_DEFAULTS, type KdumpSysconfig } from '../../../src/config/sysconfig-kdump.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { captureCmdline, isCaptureCmdline, KDUMP_TRIGGER } from '../../../src/kdump/cmdline-edit.js';
import { readKdumpPlan } from '../../../src/kdump/control.js';
import { buildKdumpPlan, interpretKexecArgs } from '../../../src/kdump/plan.js';
import { runKdumpPlan } from '../../../src/cli/kdumpctl/plan.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/kdump');

describe('kdump plan fixtures (Fedora, RHEL, Debian)', () => {
  for (const name of readdirSync(FIXTURES)) {
    it(`${name}: kdumpctl plan --root --json`, () => {
      const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Record<string, unknown>;
      let out = '';
      expect(runKdumpPlan({ root: join(FIXTURES, name), json: true }, (s) => (out += s))).toBe(0);
      const got = JSON.parse(out) as Record<string, unknown>;
      expect({ kernel: got['kernel'], initrd: got['initrd'], cmdline: got['cmdline'], syscall: got['syscall'], warnings: got['warnings'] }).toEqual(expected);
    });
  }
});

const files = (...present: string[]) => ({ isFile: (p: string) => present.includes(p) });
const cfg = (over: Partial<KdumpSysconfig> = {}): KdumpSysconfig => ({ ...KDUMP_DEFAULTS, ...over });

describe('buildKdumpPlan', () => {
  it('uses KDUMP_KERNELVER, KDUMP_BOOTDIR, KDUMP_IMG and KDUMP_IMG_EXT for the kernel path', () => {
    const p = buildKdumpPlan({
      config: cfg({ kernelVer: '6.9.1', bootDir: '/efi', img: 'bzImage', imgExt: '.signed' }),
      osrelease: '6.1.0\n',
      procCmdline: 'root=/dev/sda1',
      files: files('/efi/bzImage-6.9.1.signed'),
    });
    expect(p.kernel).toBe('/efi/bzImage-6.9.1.signed');
    expect(p.release).toBe('6.9.1');
    expect(p.initrd).toEqual([]);
    expect(p.warnings[0]).toMatch(/no initrd found for 6.9.1/);
  });
  it('prefers the dedicated kdump initrd, then /var/lib/kdump, then Debian, then Red Hat', () => {
    const base = { config: cfg(), osrelease: 'R', procCmdline: 'root=x' };
    const all = ['/boot/vmlinuz-R', '/boot/initramfs-Rkdump.img', '/var/lib/kdump/initramfs-Rkdump.img', '/boot/initrd.img-R', '/boot/initramfs-R.img'];
    for (let i = 1; i < all.length; i++) {
      expect(buildKdumpPlan({ ...base, files: files(all[0] as string, ...all.slice(i)) }).initrd).toEqual([all[i]]);
    }
  });
  it('fails clearly without a release or a kernel', () => {
    expect(() => buildKdumpPlan({ config: cfg(), osrelease: null, procCmdline: '', files: files() })).toThrow(
      /KDUMP_KERNELVER is empty and \/proc\/sys\/kernel\/osrelease is unreadable/,
    );
    expect(() => buildKdumpPlan({ config: cfg(), osrelease: 'R', procCmdline: '', files: files() })).toThrow(/crash kernel \/boot\/vmlinuz-R not found/);
  });
  it('starts from KDUMP_COMMANDLINE when set, else /proc/cmdline', () => {
    const f = files('/boot/vmlinuz-R');
    expect(buildKdumpPlan({ config: cfg({ commandline: 'root=/dev/b ro' }), osrelease: 'R', procCmdline: 'root=/dev/a', files: f }).cmdline).toBe(
      `root=/dev/b ro ${KDUMP_TRIGGER}`,
    );
    expect(buildKdumpPlan({ config: cfg(), osrelease: 'R', procCmdline: 'root=/dev/a quiet\n', files: f }).cmdline).toBe(`root=/dev/a quiet ${KDUMP_TRIGGER}`);
  });
  it('reads the running release under --root', () => {
    const fx = new RootFs(join(FIXTURES, 'debian12'));
    expect(readKdumpPlan(fx).plan.release).toBe('6.1.0-27-amd64');
  });
});

describe('capture command line', () => {
  it('removes crashkernel= and panic_on_warn, removal keys both bare and key=value, appends in order, then the trigger', () => {
    const r = captureCmdline({
      base: 'BOOT_IMAGE=/v root=UUID=1 crashkernel=1G-4G:192M panic_on_warn=1 panic_on_warn quiet hugepages=4 hugepages slub-debug=F',
      remove: ['quiet', 'hugepages', 'slub_debug'],
      append: 'irqpoll nr_cpus=1 reset_devices',
    });
    expect(r.cmdline).toBe(`BOOT_IMAGE=/v root=UUID=1 irqpoll nr_cpus=1 reset_devices ${KDUMP_TRIGGER}`);
    expect(r.warnings).toEqual([]);
  });
  it('keeps root= even when asked to remove it, and says so', () => {
    const r = captureCmdline({ base: 'root=/dev/vda ro', remove: ['root', 'ro'], append: '' });
    expect(r.cmdline).toBe(`root=/dev/vda ${KDUMP_TRIGGER}`);
    expect(r.warnings[0]).toMatch(/names root=, which is kept/);
  });
  it('keeps quoted values intact and never duplicates the trigger', () => {
    const r = captureCmdline({ base: `root=/dev/vda "acpi_osi=Linux x" ${KDUMP_TRIGGER}`, remove: [], append: `foo="a b" ${KDUMP_TRIGGER}` });
    expect(r.cmdline).toBe(`root=/dev/vda "acpi_osi=Linux x" foo="a b" ${KDUMP_TRIGGER}`);
  });
  it('warns when there is no root=', () => {
    expect(captureCmdline({ base: 'quiet', remove: [], append: '' }).warnings[0]).toMatch(/no root= parameter/);
  });
  it('recognises the trigger in /proc/cmdline', () => {
    expect(isCaptureCmdline(`root=/dev/vda ${KDUMP_TRIGGER}\n`)).toBe(true);
    expect(isCaptureCmdline('root=/dev/vda kexecctl.kdump=no')).toBe(false);
  });
});

describe('KEXEC_ARGS', () => {
  it('honours -s, -c, -a, -d and warns on anything else', () => {
    expect(interpretKexecArgs(['-c', '-d'], undefined)).toEqual({ syscall: 'kexec_load', debug: true, warnings: [] });
    expect(interpretKexecArgs(['--elf32-core-headers', '-c'], undefined).warnings).toEqual([]);
    expect(interpretKexecArgs([], 'off').syscall).toBe('kexec_load');
    expect(interpretKexecArgs(['-a'], 'off').syscall).toBe('auto');
    expect(interpretKexecArgs([], undefined).syscall).toBe('auto');
    const w = interpretKexecArgs(['--reuse-cmdline', '-s'], undefined);
    expect(w.syscall).toBe('kexec_file_load');
    expect(w.warnings[0]).toMatch(/"--reuse-cmdline" is not supported/);
  });
});
