import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../../src/plan/build-plan.js';
import type { BootChoice, FileFacts, KernelFacts } from '../../../src/plan/types.js';

const choice = (over: Partial<BootChoice> = {}): BootChoice => ({
  source: 'debian-default',
  reason: 'KERNEL_IMAGE=/vmlinuz',
  kernel: '/boot/vmlinuz-6.1.0-18-amd64',
  initrd: ['/boot/initrd.img-6.1.0-18-amd64'],
  cmdline: null,
  entry: null,
  usedNextEntry: false,
  grubenv: null,
  warnings: [],
  ...over,
});

const file = (path: string, over: Partial<FileFacts> = {}): FileFacts => ({ path, exists: true, isFile: true, uid: 0, mode: 0o100644, ...over });
const kernel = (over: Partial<KernelFacts> = {}): KernelFacts => ({
  ...file('/boot/vmlinuz-6.1.0-18-amd64'),
  image: { format: 'x86-bzimage', cmdlineSize: 2048, release: '6.1.0-18-amd64' },
  modulesPresent: true,
  ...over,
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  loadKexec: true,
  loadKexecWhy: 'LOAD_KEXEC="false"',
  noKexecReboot: false,
  append: '',
  procCmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=/dev/vda1 ro quiet\n',
  choice: choice(),
  kernelFacts: kernel(),
  initrdFacts: [file('/boot/initrd.img-6.1.0-18-amd64')],
  live: true,
  ...over,
});

describe('buildPlan', () => {
  it('reuses /proc/cmdline with BOOT_IMAGE pointing at the new kernel when APPEND is empty', () => {
    const p = buildPlan(input());
    expect(p).toMatchObject({
      action: 'load',
      kernel: '/boot/vmlinuz-6.1.0-18-amd64',
      initrd: ['/boot/initrd.img-6.1.0-18-amd64'],
      cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/vda1 ro quiet',
      warnings: [],
    });
  });

  it('uses APPEND exactly when set, and the boot loader line over APPEND', () => {
    expect(buildPlan(input({ append: 'root=/dev/sda1  ro' })).cmdline).toBe('root=/dev/sda1  ro');
    expect(buildPlan(input({ append: 'x', choice: choice({ source: 'grub', cmdline: 'BOOT_IMAGE=/k a' }) })).cmdline).toBe('BOOT_IMAGE=/k a');
  });

  it('skips for LOAD_KEXEC and /no-kexec-reboot, but the template ignores LOAD_KEXEC', () => {
    expect(buildPlan(input({ loadKexec: false }))).toMatchObject({ action: 'skip', reason: 'LOAD_KEXEC="false"', kernel: null, cmdline: null });
    expect(buildPlan(input({ noKexecReboot: true })).reason).toMatch(/no-kexec-reboot/);
    expect(buildPlan(input({ loadKexec: false, choice: choice({ source: 'template' }) })).action).toBe('load');
    expect(buildPlan(input({ noKexecReboot: true, choice: choice({ source: 'template' }) })).action).toBe('skip');
  });

  it('refuses a missing kernel, a non-kernel and an over-long command line', () => {
    expect(() => buildPlan(input({ kernelFacts: kernel({ exists: false, isFile: false }) }))).toThrow(/kernel \/boot\/vmlinuz-6.1.0-18-amd64 does not exist/);
    expect(() => buildPlan(input({ kernelFacts: kernel({ image: { error: 'kernel x is not a kernel image: it is empty' } }) }))).toThrow(/not a kernel image/);
    expect(() => buildPlan(input({ append: 'x'.repeat(2100) }))).toThrow(/command line too long/);
  });

  it("refuses missing initrds unless they were only Debian's default", () => {
    const missing = [file('/boot/initrd.img-6.1.0-18-amd64', { exists: false, isFile: false })];
    expect(() => buildPlan(input({ initrdFacts: missing }))).toThrow(/initrd \/boot\/initrd.img-6.1.0-18-amd64 does not exist/);
    const p = buildPlan(input({ initrdFacts: missing, choice: choice({ optionalInitrd: ['/boot/initrd.img-6.1.0-18-amd64'] }) }));
    expect(p.initrd).toEqual([]);
    expect(p.warnings[0]).toMatch(/does not exist; loading the kernel without it/);
  });

  it('refuses group/world-writable files; foreign owners are fatal only on the live system', () => {
    expect(() => buildPlan(input({ kernelFacts: kernel({ mode: 0o100666 }) }))).toThrow(/world-writable \(mode 0666\)/);
    expect(() => buildPlan(input({ initrdFacts: [file('/boot/initrd.img-6.1.0-18-amd64', { mode: 0o100664 })] }))).toThrow(/group-writable/);
    expect(() => buildPlan(input({ kernelFacts: kernel({ uid: 1000 }) }))).toThrow(/owned by uid 1000/);
    expect(buildPlan(input({ live: false, kernelFacts: kernel({ uid: 1000 }) })).warnings[0]).toMatch(/owned by uid 1000, not root/);
  });

  it('warns when the kernel has no /lib/modules directory', () => {
    expect(buildPlan(input({ kernelFacts: kernel({ modulesPresent: false }) })).warnings).toEqual([
      '/lib/modules/6.1.0-18-amd64 is missing: the kernel /boot/vmlinuz-6.1.0-18-amd64 would boot without its modules',
    ]);
  });
});
