/**
 * Loader commands and GrubFs.explain (issue 17): when the storage says why a file GRUB would load
 * cannot be read (an LV not active, a ZFS dataset not mounted), the evaluator warns at the
 * grub.cfg line that names it, and every loaded file records that line (GrubFile.at). Entry
 * bodies report the file that defined them, not the file the script ended in.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGrub } from '../../../../src/boot/grub/evaluate.js';
import { expandMenu } from '../../../../src/boot/grub/menu-expand.js';
import type { GrubFs } from '../../../../src/boot/grub/types.js';
import { memFs } from './mem-fs.js';

/** memFs whose `explain` says that anything on lvm/vg-gone, and (hd0)/gone.img, is missing. */
function explaining(files: Record<string, string>): GrubFs & { asked: string[] } {
  const asked: string[] = [];
  return {
    ...memFs(files),
    asked,
    explain(device, path) {
      asked.push(`(${device})${path}`);
      if (device === 'lvm/vg-gone') return 'LVM logical volume vg/gone is not active on this machine';
      return path === '/gone.img' ? 'ZFS dataset rpool/x is not mounted' : null;
    },
  };
}

const CFG = [
  'set root=lvm/vg-gone', // 1
  'menuentry gone {', // 2
  '  linux /vmlinuz-1 root=/dev/vg/gone', // 3
  '  initrd /initrd-1 (hd0)/gone.img', // 4
  '}', // 5
  'menuentry fine {', // 6
  '  linux (hd0)/vmlinuz-2', // 7
  '}', // 8
].join('\n');

describe('loader commands with GrubFs.explain', () => {
  it('warn at the line that names a file the storage cannot provide, and record that line on each file', () => {
    const fs = explaining({ '/boot/grub/grub.cfg': CFG, '/vmlinuz-2': 'k' });
    const r = evaluateGrub({ fs, configPath: '/boot/grub/grub.cfg' });
    expect(r.diagnostics).toEqual([
      {
        severity: 'warning',
        origin: '/boot/grub/grub.cfg',
        line: 3,
        message: 'linux /vmlinuz-1 (on lvm/vg-gone): LVM logical volume vg/gone is not active on this machine',
      },
      {
        severity: 'warning',
        origin: '/boot/grub/grub.cfg',
        line: 4,
        message: 'initrd /initrd-1 (on lvm/vg-gone): LVM logical volume vg/gone is not active on this machine',
      },
      { severity: 'warning', origin: '/boot/grub/grub.cfg', line: 4, message: 'initrd (hd0)/gone.img: ZFS dataset rpool/x is not mounted' },
    ]);
    const boot = r.selection?.entry.boot;
    expect(boot?.kernel).toEqual({ device: 'lvm/vg-gone', path: '/vmlinuz-1', written: '/vmlinuz-1', at: '/boot/grub/grub.cfg:3' });
    expect(boot?.initrds.map((f) => f.at)).toEqual(['/boot/grub/grub.cfg:4', '/boot/grub/grub.cfg:4']);
    // Only the default entry's body ran; `kexecctl list` runs the others, and a fine file says nothing.
    const all = expandMenu(r);
    expect(fs.asked).toContain('(hd0)/vmlinuz-2');
    expect(all.diagnostics).toHaveLength(3);
  });

  it('without explain (or with nothing to say) loader commands stay silent', () => {
    const r = evaluateGrub({ fs: memFs({ '/boot/grub/grub.cfg': CFG }), configPath: '/boot/grub/grub.cfg' });
    expect(r.diagnostics).toEqual([]);
    expect(r.selection?.entry.boot?.kernel.at).toBe('/boot/grub/grub.cfg:3');
  });

  it('an explain that throws is a diagnostic, not a crash', () => {
    const fs: GrubFs = {
      ...memFs({ '/boot/grub/grub.cfg': 'menuentry x { linux /k }' }),
      explain() {
        throw new Error('EIO');
      },
    };
    const r = evaluateGrub({ fs, configPath: '/boot/grub/grub.cfg' });
    expect(r.selection?.entry.boot?.kernel.path).toBe('/k');
    expect(r.diagnostics).toEqual([{ severity: 'error', origin: '/boot/grub/grub.cfg', line: 1, message: 'reading (hd0)/k: EIO' }]);
  });
});

describe('diagnostics of entry bodies', () => {
  it('name the file that defined the entry (a sourced custom.cfg), with its line numbers', () => {
    const fs = explaining({
      '/boot/grub/grub.cfg': 'source /boot/grub/custom.cfg\nset timeout=5\n',
      '/boot/grub/custom.cfg': '# custom entries\nmenuentry custom {\n  linux (lvm/vg-gone)/vmlinuz\n}\n',
    });
    const r = evaluateGrub({ fs, configPath: '/boot/grub/grub.cfg' });
    expect(r.diagnostics.map((d) => `${d.origin}:${String(d.line)}`)).toEqual(['/boot/grub/custom.cfg:3']);
    expect(r.selection?.entry.boot?.kernel.at).toBe('/boot/grub/custom.cfg:3');
  });
});
