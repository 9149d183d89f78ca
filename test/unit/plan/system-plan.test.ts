import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { listBootMenu } from '../../../src/plan/menu-listing.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { materializeFixture, stableWarnings, type Materialized } from '../../helpers/fixture-root.js';

const open: Materialized[] = [];
afterEach(() => {
  for (const m of open.splice(0)) m.cleanup();
});
function fixture(name: string): { root: string; fs: RootFs; put(p: string, text: string): void } {
  const m = materializeFixture(name);
  open.push(m);
  return {
    root: m.root,
    fs: new RootFs(m.root),
    put: (p, text) => {
      mkdirSync(join(m.root, p, '..'), { recursive: true });
      writeFileSync(join(m.root, p), text);
    },
  };
}

describe('resolveSystemPlan rules', () => {
  it('skips when /no-kexec-reboot exists', () => {
    const f = fixture('debian12');
    f.put('/no-kexec-reboot', '');
    expect(resolveSystemPlan(f.fs)).toMatchObject({ action: 'skip', source: 'grub', kernel: null, reason: expect.stringContaining('/no-kexec-reboot') });
  });

  it('skips when a kexec.d part turns LOAD_KEXEC off, naming the file and line', () => {
    const f = fixture('debian12');
    f.put('/etc/default/kexec.d/90-off', '# maintenance\nLOAD_KEXEC=false\n');
    expect(resolveSystemPlan(f.fs)).toMatchObject({
      action: 'skip',
      reason: 'LOAD_KEXEC="false" (/etc/default/kexec.d/90-off:2), so no kernel is loaded for reboot',
    });
  });

  it('uses APPEND exactly, and warns about shell syntax without running it', () => {
    const f = fixture('debian12-defaults');
    f.put('/etc/default/kexec.d/50-append', 'APPEND="root=/dev/vda1 ro $(touch /tmp/pwned)"\n');
    const p = resolveSystemPlan(f.fs);
    expect(p.cmdline).toBe('root=/dev/vda1 ro $(touch /tmp/pwned)');
    expect(stableWarnings(p.warnings)).toEqual([
      '/etc/default/kexec.d/50-append:1: warning: APPEND: command substitution "$(...)" is not run; the value is used literally',
    ]);
  });

  it('warns that APPEND is ignored when the boot loader decides', () => {
    const f = fixture('debian12');
    appendFileSync(join(f.root, 'etc/default/kexec'), 'APPEND="quiet"\n');
    expect(resolveSystemPlan(f.fs).warnings).toContain("APPEND is ignored because USE_GRUB_CONFIG=true (the boot loader's command line is used)");
  });

  it('fails with the reason when the chosen kernel is missing', () => {
    const f = fixture('debian12');
    rmSync(join(f.root, 'boot/vmlinuz-6.1.0-17-amd64'));
    expect(() => resolveSystemPlan(f.fs)).toThrow(
      /GRUB entry "Advanced options for Debian GNU\/Linux>Debian GNU\/Linux, with Linux 6.1.0-17-amd64": kernel \/boot\/vmlinuz-6.1.0-17-amd64 not found/,
    );
  });

  it('fails when a KERNEL_IMAGE is not a kernel, and warns about missing modules', () => {
    const f = fixture('debian12-defaults');
    rmSync(join(f.root, 'lib/modules/6.1.0-18-amd64'), { recursive: true });
    expect(resolveSystemPlan(f.fs).warnings).toContain(
      '/lib/modules/6.1.0-18-amd64 is missing: the kernel /boot/vmlinuz-6.1.0-18-amd64 would boot without its modules',
    );
    f.put('/boot/vmlinuz-6.1.0-18-amd64', '#!/bin/sh\necho not a kernel\n');
    expect(() => resolveSystemPlan(f.fs)).toThrow(/not a kernel image/);
  });

  it('drops a missing default /initrd.img with a warning but refuses a configured one', () => {
    const f = fixture('debian12-defaults');
    rmSync(join(f.root, 'initrd.img'));
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\n');
    const p = resolveSystemPlan(f.fs);
    expect(p.initrd).toEqual([]);
    expect(p.warnings).toContain('initrd /initrd.img does not exist; loading the kernel without it');
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nINITRD=/initrd.img\n');
    expect(resolveSystemPlan(f.fs).initrd).toEqual([]);
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nINITRD=/boot/initrd.img-custom\n');
    expect(() => resolveSystemPlan(f.fs)).toThrow(/initrd \/boot\/initrd.img-custom does not exist/);
  });

  it('refuses to guess when USE_GRUB_CONFIG=true but there is no boot loader configuration', () => {
    const f = fixture('debian12');
    rmSync(join(f.root, 'boot/grub'), { recursive: true });
    expect(() => resolveSystemPlan(f.fs)).toThrow(/no grub.cfg .* refusing to guess/);
  });

  it('plans the kexec-load@ template with the running command line', () => {
    const f = fixture('arch-sdboot');
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=false\n');
    expect(resolveSystemPlan(f.fs, { instance: 'linux' })).toMatchObject({
      action: 'load',
      source: 'template',
      kernel: '/boot/vmlinuz-linux',
      initrd: ['/boot/initramfs-linux.img'],
      cmdline: 'BOOT_IMAGE=/boot/vmlinuz-linux root=PARTUUID=8c9d0e1f-2a3b-4c5d-9e6f-7a8b9c0d1e2f rw zswap.enabled=0 rootfstype=ext4 quiet',
    });
    expect(() => resolveSystemPlan(f.fs, { instance: '../etc' })).toThrow(/invalid kexec-load@ instance name/);
  });

  it("honours systemd-boot's one-shot EFI variable (bootctl set-oneshot)", () => {
    const f = fixture('arch-sdboot');
    const name = 'LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';
    f.put(`/sys/firmware/efi/efivars/${name}`, '');
    writeFileSync(join(f.root, 'sys/firmware/efi/efivars', name), Buffer.concat([Buffer.from([7, 0, 0, 0]), Buffer.from('arch.conf\0', 'utf16le')]));
    expect(resolveSystemPlan(f.fs)).toMatchObject({
      kernel: '/boot/vmlinuz-linux',
      initrd: ['/boot/intel-ucode.img', '/boot/initramfs-linux.img'],
      entry: { id: 'arch.conf' },
    });
  });
});

describe('defaults that are not a Linux entry', () => {
  it('refuses a GRUB default that chainloads (custom.cfg sourced by 41_custom)', () => {
    const f = fixture('debian12');
    f.put(
      '/boot/grub/custom.cfg',
      "menuentry 'Windows Boot Manager (on /dev/sda1)' --class windows $menuentry_id_option 'osprober-efi-1234' {\n\tinsmod chain\n\tchainloader /EFI/Microsoft/Boot/bootmgfw.efi\n}\nset default='Windows Boot Manager (on /dev/sda1)'\n",
    );
    expect(() => resolveSystemPlan(f.fs)).toThrow('GRUB\'s default entry "Windows Boot Manager (on /dev/sda1)" loads no Linux kernel (chainloader or similar)');
  });

  it('follows sd-boot "default @saved" through LoaderEntryLastBooted', () => {
    const f = fixture('arch-sdboot');
    writeFileSync(join(f.root, 'boot/loader/loader.conf'), 'default @saved\n');
    const name = 'LoaderEntryLastBooted-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';
    f.put(`/sys/firmware/efi/efivars/${name}`, '');
    writeFileSync(join(f.root, 'sys/firmware/efi/efivars', name), Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from('arch-fallback.conf\0', 'utf16le')]));
    expect(resolveSystemPlan(f.fs)).toMatchObject({
      entry: { id: 'arch-fallback.conf' },
      initrd: ['/boot/intel-ucode.img', '/boot/initramfs-linux-fallback.img'],
    });
  });
});

describe('grub.cfg found through an ESP stub', () => {
  it.each([
    ['ubuntu2404', 'boot/grub', 'boot/efi/EFI/ubuntu/grub.cfg', '/boot/vmlinuz-6.8.0-31-generic', '/boot/grub/grubenv'],
    ['rhel9', 'boot/grub2', 'boot/efi/EFI/redhat/grub.cfg', '/boot/vmlinuz-5.14.0-427.13.1.el9_4.x86_64', '/boot/grub2/grubenv'],
  ])("%s: follows the stub's search + configfile when there is no /boot/grub*/grub.cfg", async (name, dir, stubPath, kernel, grubenv) => {
    const { renameSync, readFileSync } = await import('node:fs');
    const f = fixture(name);
    renameSync(join(f.root, dir, 'grub.cfg'), join(f.root, dir, 'main.cfg'));
    const stub = join(f.root, stubPath);
    writeFileSync(stub, readFileSync(stub, 'utf8').replace('$prefix/grub.cfg', '$prefix/main.cfg'));
    const p = resolveSystemPlan(f.fs);
    expect(p).toMatchObject({ kernel, grubenv });
    expect(p.reason).toContain(`from /${stubPath}`);
  });
});

describe('listBootMenu', () => {
  it('shows the GRUB tree with the default marked inside its submenu', () => {
    const f = fixture('debian12');
    const m = listBootMenu(f.fs);
    expect(m.source).toBe('grub');
    expect(m.entries.map((e) => e.kind)).toEqual(['entry', 'submenu']);
    const sub = m.entries[1]?.children ?? [];
    expect(sub.map((e) => e.title)).toEqual([
      'Debian GNU/Linux, with Linux 6.1.0-18-amd64',
      'Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)',
      'Debian GNU/Linux, with Linux 6.1.0-17-amd64',
      'Debian GNU/Linux, with Linux 6.1.0-17-amd64 (recovery mode)',
    ]);
    expect(sub.map((e) => e.default)).toEqual([false, false, true, false]);
    expect(m.entries[0]?.default).toBe(false);
    expect(sub[3]).toMatchObject({
      kernel: '/boot/vmlinuz-6.1.0-17-amd64',
      initrd: ['/boot/initrd.img-6.1.0-17-amd64'],
      cmdline: expect.stringMatching(/ ro single$/),
    });
  });

  it('shows systemd-boot entries in sd-boot order', () => {
    const m = listBootMenu(fixture('arch-sdboot').fs);
    expect(m.entries.map((e) => `${e.default ? '*' : ''}${e.id}`)).toEqual(['arch.conf', '*arch-lts.conf', 'arch-lts-fallback.conf', 'arch-fallback.conf']);
  });

  it('lists Fedora BLS entries newest first by rpm version, rescue last', () => {
    const m = listBootMenu(fixture('fedora39').fs);
    expect(m.entries.map((e) => e.id.replace(/^[0-9a-f]{32}-/, '')).slice(0, 3)).toEqual(['6.10.11-100.fc39.x86_64', '6.9.12-100.fc39.x86_64', '0-rescue']);
    expect(m.entries[2]?.kernel).toBeNull();
  });
});
