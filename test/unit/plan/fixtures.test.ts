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
import { listBootMenu } from '../../../src/plan/menu-listing.js';
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
    // The grub.cfg line that loads the kernel (108), the device, and what is missing (file:line, issue 17 "Bad input").
    expect(msg).toBe(
      '/boot/grub/grub.cfg:108: GRUB entry "Proxmox VE GNU/Linux": kernel /ROOT/pve-1@/boot/vmlinuz-6.8.12-4-pve not found on hd0,gpt3 = dev:sda3: ' +
        'ZFS dataset rpool/ROOT/pve-1 is not mounted (mounted: rpool/ROOT/pve-2 at /, rpool at /rpool, rpool/ROOT at /rpool/ROOT, rpool/data at /rpool/data): ' +
        'refusing to guess a kernel',
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
      '/boot/grub/grub.cfg:152: GRUB entry "Ubuntu 22.04.4 LTS": kernel /BOOT/ubuntu_8ae1cq@/vmlinuz-5.15.0-91-generic not found on hd0,gpt3 = dev:vda3: ' +
        'ZFS dataset bpool/BOOT/ubuntu_8ae1cq is not mounted: no dataset of pool bpool is (is the pool imported?): refusing to guess a kernel',
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

  it('btrfs: the default entry boots a snapper snapshot that snapper has since deleted', () => {
    // grub-btrfs style: absolute paths from the top level; the fixture's /.snapshots has 41/info.xml only, no 40.
    const entry = [
      "menuentry 'openSUSE Leap 15.5 (snapshot 40)' --id snap40 {", // grub.cfg:218 (the fixture's grub.cfg has 217 lines)
      '  search --no-floppy --fs-uuid --set=root --hint=hd0,gpt2 b7c8d9e0-f1a2-4b3c-9d4e-5f60718293a4', // 219
      '  linuxefi /@/.snapshots/40/snapshot/boot/vmlinuz-5.14.21-150500.55.36-default rootflags=subvol=@/.snapshots/40/snapshot', // 220
      '}',
      'set default=snap40',
      '',
    ].join('\n');
    const msg = planError('opensuse-snapper', (root) => edit(root, '/boot/grub2/grub.cfg', (t) => t + entry));
    expect(msg).toBe(
      '/boot/grub2/grub.cfg:220: GRUB entry "openSUSE Leap 15.5 (snapshot 40)": kernel /@/.snapshots/40/snapshot/boot/vmlinuz-5.14.21-150500.55.36-default ' +
        'not found on hd0,gpt2 = dev:nvme0n1p2: snapper snapshot 40 (/@/.snapshots/40/snapshot) does not exist: it was deleted after the menu was written: ' +
        'refusing to guess a kernel',
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
      expect(r.stderr.trim()).toBe(
        'kexecctl: /boot/grub/grub.cfg:152: GRUB entry "Ubuntu 22.04.4 LTS": kernel /BOOT/ubuntu_8ae1cq@/vmlinuz-5.15.0-91-generic not found on ' +
          'hd0,gpt3 = dev:vda3: ZFS dataset bpool/BOOT/ubuntu_8ae1cq is not mounted (mounted: bpool/BOOT/ubuntu_0ld000 at /boot): refusing to guess a kernel',
      );
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
      `/boot/grub/grub.cfg:110: GRUB entry "Debian GNU/Linux": kernel /vmlinuz-6.1.0-18-amd64 not found on ${stale}: ` +
        'no LVM logical volume with uuid Gone00-0000-0000-0000-0000-0000-000000 in a volume group with uuid Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd ' +
        'is active on this machine: refusing to guess a kernel',
    );
  });

  it('LVM: (lvm/VG-LV) names a logical volume that is not active (renamed LV, search finds no fs)', () => {
    const msg = planError('debian12-lvm', (root) =>
      edit(root, '/boot/grub/grub.cfg', (t) =>
        t
          .replaceAll("set root='lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Wq8ZbN-2cRt-5vYx-7AaD-f9Gh-Jk3L-mNp6Qs'", "set root='lvm/debian--vg-oldboot'")
          .replaceAll('c4b3a291-0e1f-4a2b-8c3d-4e5f60718293', '00000000-0000-4000-8000-000000000000'),
      ),
    );
    expect(msg).toBe(
      '/boot/grub/grub.cfg:110: GRUB entry "Debian GNU/Linux": kernel /vmlinuz-6.1.0-18-amd64 not found on lvm/debian--vg-oldboot: ' +
        'LVM logical volume debian-vg/oldboot is not active on this machine: refusing to guess a kernel',
    );
  });

  it('kexecctl list on a broken layout: each entry whose LV is gone is a warning at its linux and initrd lines', () => {
    const m = materializeFixture('debian12-lvm');
    try {
      edit(m.root, '/boot/grub/grub.cfg', (t) =>
        t
          .replaceAll("set root='lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Wq8ZbN-2cRt-5vYx-7AaD-f9Gh-Jk3L-mNp6Qs'", "set root='lvm/debian--vg-oldboot'")
          .replaceAll('c4b3a291-0e1f-4a2b-8c3d-4e5f60718293', '00000000-0000-4000-8000-000000000000'),
      );
      const listing = listBootMenu(new RootFs(m.root));
      const why = 'LVM logical volume debian-vg/oldboot is not active on this machine';
      // The default entry (grub.cfg:110/112), then the advanced submenu's four entries (6.1.0-18 normal and recovery, 6.1.0-17 both).
      const rows: [number, string][] = [
        [110, 'linux /vmlinuz-6.1.0-18-amd64'],
        [112, 'initrd /initrd.img-6.1.0-18-amd64'],
        [129, 'linux /vmlinuz-6.1.0-18-amd64'],
        [131, 'initrd /initrd.img-6.1.0-18-amd64'],
        [147, 'linux /vmlinuz-6.1.0-18-amd64'],
        [149, 'initrd /initrd.img-6.1.0-18-amd64'],
        [165, 'linux /vmlinuz-6.1.0-17-amd64'],
        [167, 'initrd /initrd.img-6.1.0-17-amd64'],
        [183, 'linux /vmlinuz-6.1.0-17-amd64'],
        [185, 'initrd /initrd.img-6.1.0-17-amd64'],
      ];
      // Each entry's failed `search --fs-uuid` (lines 105, 124, 142, 160, 178) warns too.
      const searches = listing.warnings.filter((w) => w.includes(': warning: search --fs-uuid 00000000-0000-4000-8000-000000000000: no such device'));
      expect(searches).toHaveLength(5);
      expect(listing.warnings.filter((w) => !searches.includes(w))).toEqual(
        rows.map(([line, what]) => `/boot/grub/grub.cfg:${line}: warning: ${what} (on lvm/debian--vg-oldboot): ${why}`),
      );
      expect(listing.entries[0]?.kernel).toBeNull();
    } finally {
      m.cleanup();
    }
  });

  it('md: grub.cfg names an array that is not assembled (stale mduuid, its fs not found by search)', () => {
    const msg = planError('debian12-mdraid', (root) =>
      edit(root, '/boot/grub/grub.cfg', (t) =>
        t
          .replaceAll('4d6b8c1f2e3a4b5c6d7e8f9a0b1c2d3e', '00112233445566778899aabbccddeeff')
          .replaceAll('0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', '00000000-0000-4000-8000-000000000000'),
      ),
    );
    expect(msg).toBe(
      '/boot/grub/grub.cfg:114: GRUB entry "Debian GNU/Linux": kernel /vmlinuz-6.1.0-18-amd64 not found on mduuid/00112233445566778899aabbccddeeff: ' +
        'no md RAID array with uuid 00112233445566778899aabbccddeeff is assembled on this machine: refusing to guess a kernel',
    );
  });

  it('LUKS: grub.cfg names an encrypted volume that is not open (stale cryptouuid, its fs not found by search)', () => {
    const msg = planError('debian12-luks', (root) =>
      edit(root, '/boot/grub/grub.cfg', (t) =>
        t
          .replaceAll('3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b', '0badc0de0badc0de0badc0de0badc0de')
          .replaceAll('e7d6c5b4-a392-4817-b6f5-e4d3c2b1a090', '00000000-0000-4000-8000-000000000000'),
      ),
    );
    expect(msg).toBe(
      '/boot/grub/grub.cfg:120: GRUB entry "Debian GNU/Linux": kernel /boot/vmlinuz-6.1.0-18-amd64 not found on cryptouuid/0badc0de0badc0de0badc0de0badc0de: ' +
        'no LUKS volume with uuid 0badc0de0badc0de0badc0de0badc0de is open on this machine (cryptsetup has not mapped it): refusing to guess a kernel',
    );
  });
});

/**
 * A grub.cfg whose evaluation depends on something we cannot know (GrubResult.uncertain): the
 * plan refuses with the first such line and exit 2 instead of planning a kernel GRUB may not boot.
 */
describe('uncertain GRUB evaluation', () => {
  const prepend = (root: string, lines: string): void => {
    const p = `${root}/boot/grub/grub.cfg`;
    writeFileSync(p, lines + readFileSync(p, 'utf8'));
  };

  it('an unsupported command on the way to the default: refused, naming file:line and the command', () => {
    const m = materializeFixture('debian12');
    try {
      prepend(m.root, 'if cpuid -l; then set default=1; fi\n');
      let err: unknown = null;
      try {
        resolveSystemPlan(new RootFs(m.root));
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({
        code: 'EPLANUNCERTAIN',
        exitCode: 2,
        message:
          '/boot/grub/grub.cfg:1: cpuid is not evaluated: CPU feature tests are not evaluated (treated as failing): ' +
          'what GRUB would boot from /boot/grub/grub.cfg is not known: refusing to guess a kernel',
      });
    } finally {
      m.cleanup();
    }
  });

  it('kexecctl plan: one line on stderr, exit 2, no plan; a probe the device table cannot answer counts too', async () => {
    const m = materializeFixture('debian12');
    try {
      prepend(m.root, 'probe --set=pm --partmap ($root)\nif cpuid -l; then set default=1; fi\n');
      const r = await execa('node', [cli.kexecctl, 'plan', '--root', m.root, '--json'], { reject: false, env: { KEXECCTL_TEST: '1' } });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^kexecctl: \/boot\/grub\/grub\.cfg:1: probe --partmap \(.*\): which partition table holds it is not known \(no \/dev\/disk\/by-partuuid link names it\) \(treated as failing\) \(and 1 more\): /,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      m.cleanup();
    }
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
