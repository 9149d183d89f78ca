import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { listBootMenu } from '../../../src/plan/menu-listing.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { fakeBzImage } from '../../helpers/fake-kernel-image.js';
import { fakePe, text } from '../../helpers/fake-pe.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

const open: Materialized[] = [];
afterEach(() => {
  for (const m of open.splice(0)) m.cleanup();
});

function put(root: string, p: string, data: string | Uint8Array): void {
  mkdirSync(join(root, p, '..'), { recursive: true });
  writeFileSync(join(root, p), data);
  chmodSync(join(root, p), 0o644);
}

function uki(osrel: string, cmdline: string): Buffer {
  return fakePe([
    { name: '.osrel', data: text(osrel) },
    { name: '.cmdline', data: text(`${cmdline}\n`) },
    { name: '.initrd', data: text('070701') },
    { name: '.linux', data: fakeBzImage({ version: '6.12.1-arch1 (builder@arch) #1 SMP' }) },
  ]);
}

/** arch-sdboot (Type #1 entries, loader.conf "default arch-lts*") plus two Type #2 UKIs and a stray .efi. */
function sdboot(): { root: string; fs: RootFs } {
  const m = materializeFixture('arch-sdboot');
  open.push(m);
  put(m.root, '/boot/EFI/Linux/fedora-6.9.efi', uki('NAME="Fedora Linux"\nID=fedora\nVERSION="6.9"\n', 'root=/dev/vda uki=6.9'));
  put(m.root, '/boot/EFI/Linux/fedora-6.12+2-1.efi', uki('PRETTY_NAME="Fedora Linux 41"\nID=fedora\nVERSION="6.12"\n', 'root=/dev/vda uki=6.12'));
  put(m.root, '/boot/EFI/Linux/shell.efi', fakePe([{ name: '.text', data: text('x') }]));
  return { root: m.root, fs: new RootFs(m.root) };
}

describe('BLS Type #2 entries (EFI/Linux/*.efi)', () => {
  it('sorts UKIs (sort key from .osrel ID) before Type #1 entries without one, newest VERSION first, and lists them', () => {
    const f = sdboot();
    const l = listBootMenu(f.fs);
    expect(l.entries.map((e) => e.id)).toEqual([
      'fedora-6.12.efi',
      'fedora-6.9.efi',
      'arch.conf',
      'arch-lts.conf',
      'arch-lts-fallback.conf',
      'arch-fallback.conf',
    ]);
    expect(l.entries[0]).toMatchObject({
      title: 'Fedora Linux 41',
      kernel: '/boot/EFI/Linux/fedora-6.12+2-1.efi',
      cmdline: 'root=/dev/vda uki=6.12',
      initrd: [],
    });
    expect(l.entries[1]).toMatchObject({ title: 'Fedora Linux' });
    expect(l.warnings.join('\n')).toMatch(/shell\.efi: warning: not a UKI/);
  });

  it('loader.conf default globs match UKI ids; the plan loads the UKI with its own command line', () => {
    const f = sdboot();
    writeFileSync(join(f.root, 'boot/loader/loader.conf'), 'default fedora-6.9*\n');
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=true\n');
    expect(resolveSystemPlan(f.fs)).toMatchObject({
      action: 'load',
      kernel: '/boot/EFI/Linux/fedora-6.9.efi',
      initrd: [],
      cmdline: 'root=/dev/vda uki=6.9',
      entry: { id: 'fedora-6.9.efi' },
    });
  });

  it('LoaderEntryDefault and LoaderEntryOneShot name UKI ids', () => {
    const f = sdboot();
    writeFileSync(join(f.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=true\n');
    const efivar = (name: string, value: string): void =>
      put(
        f.root,
        `/sys/firmware/efi/efivars/${name}-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f`,
        Buffer.concat([Buffer.from([7, 0, 0, 0]), Buffer.from(`${value}\0`, 'utf16le')]),
      );
    efivar('LoaderEntryDefault', 'fedora-6.9.efi');
    expect(resolveSystemPlan(f.fs)).toMatchObject({ kernel: '/boot/EFI/Linux/fedora-6.9.efi', reason: expect.stringContaining('LoaderEntryDefault') });
    efivar('LoaderEntryOneShot', 'fedora-6.12.efi');
    expect(resolveSystemPlan(f.fs)).toMatchObject({ kernel: '/boot/EFI/Linux/fedora-6.12+2-1.efi', usedNextEntry: true });
  });

  it('a GRUB entry whose linux is a gzip-compressed kernel plans with the release read through the gzip stream', () => {
    const m = materializeFixture('debian12');
    open.push(m);
    for (const v of ['17', '18']) {
      const k = join(m.root, `boot/vmlinuz-6.1.0-${v}-amd64`);
      writeFileSync(k, gzipSync(readFileSync(k)));
    }
    const plan = resolveSystemPlan(new RootFs(m.root));
    // the fixture's grub.cfg default is the -17 kernel
    expect(plan).toMatchObject({ action: 'load', kernel: '/boot/vmlinuz-6.1.0-17-amd64' });
    expect(plan.warnings.join('\n')).not.toMatch(/kernel/i);
  });
});
