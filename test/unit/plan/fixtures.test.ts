/**
 * Golden plans for every fixture root: resolveSystemPlan in-process, and the real CLI
 * (`kexecctl plan --root <fixture> --json`) on the bundled build. A missing expected-plan.json
 * fails: the golden is never produced from the code under test during an ordinary run.
 * `npm run goldens` (UPDATE_GOLDEN=1) rewrites them explicitly; review the diff and `git add` them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import type { KexecPlan } from '../../../src/plan/types.js';
import { bundleCli, type CliBundle } from '../../helpers/cli-bundle.js';
import { expectedPlanFile, fixtureNames, materializeFixture, stableWarnings, type Materialized } from '../../helpers/fixture-root.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const names = fixtureNames();
const roots = new Map<string, Materialized>();
let cli: CliBundle;

beforeAll(async () => {
  for (const n of names) roots.set(n, materializeFixture(n));
  cli = await bundleCli();
}, 60000);

afterAll(() => {
  for (const m of roots.values()) m.cleanup();
  cli?.cleanup();
});

const REGEN = 'run `npm run goldens` (UPDATE_GOLDEN=1), review the diff and git add it';

/** The golden for one fixture; a missing file is a failure, never a fresh write. */
function readGolden(name: string): unknown {
  const file = expectedPlanFile(name);
  if (!existsSync(file)) throw new Error(`missing golden ${file}: ${REGEN}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function stable(p: KexecPlan): KexecPlan {
  return { ...p, warnings: stableWarnings(p.warnings) };
}

describe('fixture roots', () => {
  it('has the distributions the issue asks for', () => {
    for (const n of [
      'debian12',
      'debian12-separate-boot',
      'ubuntu2204',
      'ubuntu2404',
      'fedora39',
      'rhel8',
      'rhel9',
      'opensuse',
      'arch-sdboot',
      'btrfs-subvol',
      // Storage layouts (issue 17): btrfs snapshots, ZFS, LVM, md RAID, LUKS.
      'opensuse-snapper',
      'proxmox-zfs',
      'ubuntu-zsys',
      'debian12-lvm',
      'debian12-mdraid',
      'debian12-luks',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('every golden is tracked by git (not left over from a local run)', async () => {
    const files = names.map((n) => relative(repoRoot, expectedPlanFile(n)));
    const r = await execa('git', ['ls-files', '--', ...files], { cwd: repoRoot, reject: false });
    if (r.exitCode !== 0) throw new Error(`git ls-files failed (${r.stderr.trim()}): this check needs a git checkout`);
    const tracked = new Set(r.stdout.split('\n').filter((l) => l !== ''));
    expect(
      files.filter((f) => !tracked.has(f)),
      `untracked goldens: ${REGEN}`,
    ).toEqual([]);
  });

  it.each(names)('%s: resolveSystemPlan matches expected-plan.json', (name) => {
    const m = roots.get(name) as Materialized;
    const plan = stable(resolveSystemPlan(new RootFs(m.root)));
    const file = expectedPlanFile(name);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
    expect(plan).toEqual(readGolden(name));
  });

  it.each(names)('%s: kexecctl plan --root --json prints the same plan', async (name) => {
    const m = roots.get(name) as Materialized;
    const r = await execa('node', [cli.kexecctl, 'plan', '--root', m.root, '--json'], { reject: false, env: { KEXECCTL_TEST: '1' } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const plan = stable(JSON.parse(r.stdout) as KexecPlan);
    expect(plan).toEqual(readGolden(name));
  });
});

/**
 * Storage layouts gone wrong (issue 17): a fixture root changed the way a real system drifts from
 * its grub.cfg. The plan must refuse with a message that names the cause, never probe its way to
 * some other kernel. Expected messages are written by hand from the fixture's grub.cfg and tables.
 */
describe('broken storage layouts', () => {
  const edit = (root: string, file: string, change: (text: string) => string): void => {
    const p = `${root}${file}`;
    writeFileSync(p, change(readFileSync(p, 'utf8')));
  };

  function planError(name: string, mutate: (root: string) => void): string {
    const m = materializeFixture(name);
    try {
      mutate(m.root);
      resolveSystemPlan(new RootFs(m.root));
    } catch (e) {
      return (e as Error).message;
    } finally {
      m.cleanup();
    }
    throw new Error(`${name}: a plan was made`);
  }

  it('ZFS: the entry names a dataset that is not mounted (renamed boot environment)', () => {
    const msg = planError('proxmox-zfs', (root) => edit(root, '/proc/self/mountinfo', (t) => t.replace(' rpool/ROOT/pve-1 ', ' rpool/ROOT/pve-2 ')));
    expect(msg).toBe(
      'GRUB entry "Proxmox VE GNU/Linux": kernel /ROOT/pve-1@/boot/vmlinuz-6.8.12-4-pve not found on hd0,gpt3 = dev:sda3 ' +
        '(ZFS pool rpool: rpool/ROOT/pve-2 at /, rpool at /rpool, rpool/ROOT at /rpool/ROOT, rpool/data at /rpool/data)',
    );
  });

  it('ZFS: the boot pool is not imported (no bpool dataset in mountinfo)', () => {
    const msg = planError('ubuntu-zsys', (root) =>
      edit(root, '/proc/self/mountinfo', (t) =>
        t
          .split('\n')
          .filter((l) => !l.includes(' bpool/'))
          .join('\n'),
      ),
    );
    expect(msg).toBe(
      'GRUB entry "Ubuntu 22.04.4 LTS": kernel /BOOT/ubuntu_8ae1cq@/vmlinuz-5.15.0-91-generic not found on hd0,gpt3 = dev:vda3 ' +
        '(ZFS pool bpool member: no dataset of the pool is mounted)',
    );
  });

  it('btrfs: the running snapshot was deleted (snapper removed the subvolume the root is mounted from)', () => {
    const msg = planError('opensuse-snapper', (root) =>
      edit(root, '/proc/self/mountinfo', (t) => t.replace('/@/.snapshots/42/snapshot / ', '/@/.snapshots/42/snapshot//deleted / ')),
    );
    expect(msg).toBe(
      '/boot/grub2/grub.cfg is on btrfs subvolume /@/.snapshots/42/snapshot (mounted at /), which was deleted since it was mounted: ' +
        'GRUB cannot read it, so what GRUB would boot is unknown: refusing to guess a kernel',
    );
  });

  it('btrfs: booted into a read-only snapshot from the GRUB menu, GRUB next boots the default subvolume, which is not known', () => {
    const msg = planError('opensuse-snapper', (root) => {
      edit(root, '/proc/self/mountinfo', (t) =>
        t
          .replace('/@/.snapshots/42/snapshot / rw', '/@/.snapshots/40/snapshot / ro')
          .replace('subvolid=312,subvol=/@/.snapshots/42/snapshot', 'subvolid=309,subvol=/@/.snapshots/40/snapshot'),
      );
      edit(root, '/proc/cmdline', (t) =>
        t.replace('root=UUID=b7c8d9e0-f1a2-4b3c-9d4e-5f60718293a4', 'root=UUID=b7c8d9e0-f1a2-4b3c-9d4e-5f60718293a4 rootflags=subvol=@/.snapshots/40/snapshot'),
      );
    });
    expect(msg).toBe(
      'GRUB entry "openSUSE Leap 15.5": kernel /boot/vmlinuz-5.14.21-150500.55.39-default not found on hd0,gpt2 = dev:nvme0n1p2 (btrfs mounted at ' +
        '/ from /@/.snapshots/40/snapshot, /.snapshots from /@/.snapshots, /boot/grub2/i386-pc from /@/boot/grub2/i386-pc, ' +
        '/boot/grub2/x86_64-efi from /@/boot/grub2/x86_64-efi, /home from /@/home, /var from /@/var; ' +
        'default subvolume: not mounted, or every mount names its subvolume)',
    );
  });

  it('kexecctl plan --root on a broken layout: one line on stderr, non-zero exit, no plan', async () => {
    const m = materializeFixture('ubuntu-zsys');
    try {
      edit(m.root, '/proc/self/mountinfo', (t) => t.replace(' bpool/BOOT/ubuntu_8ae1cq ', ' bpool/BOOT/ubuntu_0ld000 '));
      const r = await execa('node', [cli.kexecctl, 'plan', '--root', m.root, '--json'], { reject: false, env: { KEXECCTL_TEST: '1' } });
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('ZFS pool bpool: bpool/BOOT/ubuntu_0ld000 at /boot');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      m.cleanup();
    }
  });

  it('LVM: grub.cfg names a logical volume that is not present (stale lvmid, its fs not found by search)', () => {
    const stale = 'lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Gone00-0000-0000-0000-0000-0000-000000';
    const msg = planError('debian12-lvm', (root) =>
      edit(root, '/boot/grub/grub.cfg', (t) =>
        t
          .replaceAll('lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Wq8ZbN-2cRt-5vYx-7AaD-f9Gh-Jk3L-mNp6Qs', stale)
          .replaceAll('c4b3a291-0e1f-4a2b-8c3d-4e5f60718293', '00000000-0000-4000-8000-000000000000'),
      ),
    );
    expect(msg).toBe(
      `GRUB entry "Debian GNU/Linux": kernel /vmlinuz-6.1.0-18-amd64 not found on ${stale} ` +
        '(no LVM logical volume by that name under /dev/mapper, /dev/md, /dev/disk/by-id or /sys/block)',
    );
  });
});

/**
 * The hand-written goldens of the storage-layout fixtures against real GRUB: <fixture>/grub-emu.json
 * is what grub-emu 2.06 ran for the default entry of the fixture's grub.cfg
 * (test/fixtures/roots/_grub-emu/record.mjs). The plan must boot that entry, with that kernel path
 * (BOOT_IMAGE=), those arguments and initrds of the same names.
 */
describe('storage-layout goldens agree with grub-emu', () => {
  const recorded = names.filter((n) => existsSync(resolve(dirname(expectedPlanFile(n)), 'grub-emu.json')));

  it('every storage-layout fixture has a grub-emu record', () => {
    expect(recorded).toEqual(expect.arrayContaining(['debian12-luks', 'debian12-lvm', 'debian12-mdraid', 'opensuse-snapper', 'proxmox-zfs', 'ubuntu-zsys']));
  });

  it.each(recorded)('%s', (name) => {
    const emu = JSON.parse(readFileSync(resolve(dirname(expectedPlanFile(name)), 'grub-emu.json'), 'utf8')) as {
      producedBy: string;
      chosen: string;
      args: string[];
      initrd: string[];
    };
    const plan = readGolden(name) as KexecPlan;
    expect(emu.producedBy).toMatch(/^grub-emu \(GRUB\) 2\./);
    expect(plan.entry?.path).toBe(emu.chosen);
    expect(plan.cmdline).toBe(`BOOT_IMAGE=${emu.args.join(' ')}`);
    expect(plan.initrd.map((p) => p.slice(p.lastIndexOf('/')))).toEqual(emu.initrd.map((p) => p.slice(p.lastIndexOf('/'))));
    expect(plan.kernel?.slice(plan.kernel.lastIndexOf('/'))).toBe(emu.args[0]?.slice(emu.args[0].lastIndexOf('/')));
  });
});
