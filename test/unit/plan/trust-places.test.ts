/** Issue 12, security: owner/mode of the files that decide what boots, and where the planned files live. */
import { chmodSync, copyFileSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { configProblem, userWritableDir } from '../../../src/plan/trust-places.js';
import { materializeFixture } from '../../helpers/fixture-root.js';

describe('owner and mode of what decides the boot (issue 12)', () => {
  it('pure rules: group/other-writable always, a foreign owner on the running system', () => {
    expect(configProblem({ path: '/boot/grub/grub.cfg', uid: 0, mode: 0o100644 }, true)).toBeNull();
    expect(configProblem({ path: '/boot/grub/grub.cfg', uid: 0, mode: 0o100664 }, true)).toBe(
      '/boot/grub/grub.cfg is writable by its group (mode 0664), and it decides what boots: chmod go-w /boot/grub/grub.cfg',
    );
    expect(configProblem({ path: '/etc/default/kexec', uid: 1000, mode: 0o100644 }, true)).toBe(
      '/etc/default/kexec is owned by uid 1000, not root, and it decides what boots: chown root: /etc/default/kexec',
    );
    expect(configProblem({ path: '/etc/default/kexec', uid: 1000, mode: 0o100644 }, false)).toBeNull();
    expect(userWritableDir([{ path: '/boot', uid: 0, mode: 0o40755 }], true)).toBeNull();
    expect(userWritableDir([{ path: '/tmp', uid: 0, mode: 0o41777 }], true)).toBe('/tmp is writable by others (mode 1777)');
    expect(
      userWritableDir(
        [
          { path: '/home', uid: 0, mode: 0o40755 },
          { path: '/home/u', uid: 1000, mode: 0o40755 },
        ],
        true,
      ),
    ).toBe('/home/u is owned by uid 1000');
  });

  it('the plan warns about a group-writable grub.cfg, a world-writable grubenv and /etc/default/kexec, naming each', () => {
    const m = materializeFixture('debian12');
    try {
      const before = resolveSystemPlan(new RootFs(m.root)).warnings;
      expect(before.filter((w) => w.includes('decides what boots'))).toEqual([]);
      chmodSync(join(m.root, 'boot/grub/grub.cfg'), 0o664);
      chmodSync(join(m.root, 'boot/grub/grubenv'), 0o666);
      chmodSync(join(m.root, 'etc/default/kexec'), 0o646);
      const w = resolveSystemPlan(new RootFs(m.root)).warnings.filter((x) => x.includes('decides what boots'));
      expect(w).toEqual([
        '/etc/default/kexec is writable by others (mode 0646), and it decides what boots: chmod go-w /etc/default/kexec',
        '/boot/grub/grub.cfg is writable by its group (mode 0664), and it decides what boots: chmod go-w /boot/grub/grub.cfg',
        '/boot/grub/grubenv is writable by others (mode 0666), and it decides what boots: chmod go-w /boot/grub/grubenv',
      ]);
    } finally {
      m.cleanup();
    }
  });

  it('a kernel reached through a symlink out of /boot into a world-writable directory is flagged', () => {
    const m = materializeFixture('debian12');
    try {
      writeFileSync(join(m.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nKERNEL_IMAGE=/vmlinuz\nINITRD=""\n');
      const ok = resolveSystemPlan(new RootFs(m.root));
      expect(ok.warnings.join('\n')).not.toContain('a user can write');
      mkdirSync(join(m.root, 'srv/drop'), { recursive: true });
      chmodSync(join(m.root, 'srv/drop'), 0o1777);
      copyFileSync(realpathSync(join(m.root, 'vmlinuz')), join(m.root, 'srv/drop/vmlinuz'));
      chmodSync(join(m.root, 'srv/drop/vmlinuz'), 0o644);
      rmSync(join(m.root, 'vmlinuz'));
      symlinkSync('srv/drop/vmlinuz', join(m.root, 'vmlinuz'));
      const bad = resolveSystemPlan(new RootFs(m.root));
      expect(bad.warnings).toContain(
        'kernel /srv/drop/vmlinuz lies in a place a user can write (/srv/drop is writable by others (mode 1777)): that user could replace what the next reboot boots (allowed when planning another root; loading it would be refused)',
      );
    } finally {
      m.cleanup();
    }
  });
});

describe('kdumpctl plan: owner and mode of /etc/sysconfig/kdump and /etc/kdump.conf (issue 12)', () => {
  it('a group-writable /etc/kdump.conf is a warning naming it', async () => {
    const { mkdtempSync, cpSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { runKdumpPlan } = await import('../../../src/cli/kdumpctl/plan.js');
    const { fakeBzImage } = await import('../../helpers/fake-kernel-image.js');
    const dir = mkdtempSync(join(tmpdir(), 'kdump-trust-'));
    const root = join(dir, 'root');
    try {
      cpSync(join(import.meta.dirname, '../../fixtures/kdump/debian12'), root, { recursive: true });
      writeFileSync(join(root, 'boot/vmlinuz-6.1.0-27-amd64'), fakeBzImage({ version: '6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP' }));
      writeFileSync(join(root, 'etc/kdump.conf'), 'path /var/crash\n');
      const warnings = (): string[] => {
        let out = '';
        runKdumpPlan({ root, json: true }, (s) => (out += s));
        return (JSON.parse(out) as { warnings: string[] }).warnings.filter((w) => w.includes('decides what boots'));
      };
      chmodSync(join(root, 'etc/kdump.conf'), 0o644);
      expect(warnings()).toEqual([]);
      chmodSync(join(root, 'etc/kdump.conf'), 0o664);
      expect(warnings()).toEqual(['warning: /etc/kdump.conf is writable by its group (mode 0664), and it decides what boots: chmod go-w /etc/kdump.conf']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
