import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeKexecDefaults, readKexecDefaults } from '../../../src/config/kexec-defaults.js';
import { RootFs } from '../../../src/host/rootfs.js';

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('mergeKexecDefaults', () => {
  it('uses Debian defaults for unset keys', () => {
    const { value } = mergeKexecDefaults([{ origin: '/etc/default/kexec', text: 'LOAD_KEXEC=true\n' }]);
    expect(value).toMatchObject({ loadKexec: true, kernelImage: '/vmlinuz', initrd: ['/initrd.img'], initrdDefaulted: true, append: '', useGrubConfig: false });
  });

  it('treats anything but "true" as false, with a warning', () => {
    const { value, diagnostics } = mergeKexecDefaults([{ origin: 'f', text: 'LOAD_KEXEC=yes\nUSE_GRUB_CONFIG=TRUE\n' }]);
    expect(value.loadKexec).toBe(false);
    expect(value.useGrubConfig).toBe(false);
    expect(diagnostics.map((d) => `${d.origin}:${d.line}`)).toEqual(['f:1', 'f:2']);
  });

  it('splits INITRD into several files, concatenated in order', () => {
    const { value } = mergeKexecDefaults([{ origin: 'f', text: 'INITRD="/boot/intel-ucode.img  /boot/initrd.img-6.1"\n' }]);
    expect(value.initrd).toEqual(['/boot/intel-ucode.img', '/boot/initrd.img-6.1']);
    expect(value.initrdDefaulted).toBe(false);
  });

  it('lets later files override earlier ones and records where', () => {
    const { value } = mergeKexecDefaults([
      { origin: 'a', text: 'LOAD_KEXEC=true\nAPPEND="quiet"\nINITRD=""\n' },
      { origin: 'b', text: '\nAPPEND="root=/dev/vda1 ro"\n' },
    ]);
    expect(value.append).toBe('root=/dev/vda1 ro');
    expect(value.initrd).toEqual([]);
    expect(value.initrdDefaulted).toBe(false);
    expect(value.origins.APPEND).toBe('b:2');
  });
});

describe('readKexecDefaults', () => {
  it('reads the main file then kexec.d in run-parts order, skipping invalid names', () => {
    const root = mkdtempSync(join(tmpdir(), 'kexec-defaults-'));
    tmp.push(root);
    mkdirSync(join(root, 'etc/default/kexec.d'), { recursive: true });
    writeFileSync(join(root, 'etc/default/kexec'), 'LOAD_KEXEC=false\nKERNEL_IMAGE=/boot/a\n');
    writeFileSync(join(root, 'etc/default/kexec.d/20-late'), 'KERNEL_IMAGE=/boot/c\n');
    writeFileSync(join(root, 'etc/default/kexec.d/10-early'), 'LOAD_KEXEC=true\nKERNEL_IMAGE=/boot/b\n');
    writeFileSync(join(root, 'etc/default/kexec.d/99-ignored.conf'), 'KERNEL_IMAGE=/boot/wrong\n');
    writeFileSync(join(root, 'etc/default/kexec.d/30-backup~'), 'KERNEL_IMAGE=/boot/wrong\n');
    const { value } = readKexecDefaults(new RootFs(root));
    expect(value.files).toEqual(['/etc/default/kexec', '/etc/default/kexec.d/10-early', '/etc/default/kexec.d/20-late']);
    expect(value.loadKexec).toBe(true);
    expect(value.kernelImage).toBe('/boot/c');
  });

  it('reports nothing loaded when no file exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'kexec-defaults-'));
    tmp.push(root);
    const { value } = readKexecDefaults(new RootFs(root));
    expect(value.files).toEqual([]);
    expect(value.loadKexec).toBe(false);
  });
});

describe('shipped etc-defaults/kexec', () => {
  it('parses cleanly to Debian-compatible values', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../etc-defaults/kexec', import.meta.url), 'utf8');
    const { value, diagnostics } = mergeKexecDefaults([{ origin: '/etc/default/kexec', text }]);
    expect(diagnostics).toEqual([]);
    expect(value).toMatchObject({ loadKexec: true, kernelImage: '/vmlinuz', initrd: ['/initrd.img'], initrdDefaulted: true, append: '', useGrubConfig: false });
    expect(Object.keys(value.origins).sort()).toEqual(['APPEND', 'INITRD', 'KERNEL_IMAGE', 'LOAD_KEXEC', 'USE_GRUB_CONFIG']);
  });
});
