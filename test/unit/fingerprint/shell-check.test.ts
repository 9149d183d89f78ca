/**
 * Issue 14: the shutdown check (kernel/kexecctl-unchanged, run here with /bin/sh against temp
 * roots) and node's own check must say "changed" whenever any one input of the plan, or the
 * state the refresh decided on, changes alone. A wrong "unchanged" would boot a stale kernel.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintHolds } from '../../../src/fingerprint/check.js';
import { RecordingRootFs, type Notes } from '../../../src/fingerprint/recording-rootfs.js';
import { FINGERPRINT_FILE, writeFingerprint } from '../../../src/fingerprint/store.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

const SCRIPT = join(import.meta.dirname, '../../../kernel/kexecctl-unchanged');
const MOUNTINFO = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro',
  '25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '26 22 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=1000k',
  '',
].join('\n');

const w = (root: string, p: string, text: string): void => {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), text);
};
/** Replace a file through a rename, as dpkg and our own records do. */
const replace = (root: string, p: string, text: string): void => {
  writeFileSync(join(root, `${p}.new`), text);
  renameSync(join(root, `${p}.new`), join(root, p));
};

type Root = { m: Materialized; root: string };

function makeRoot(fixture: string): Root {
  const m = materializeFixture(fixture);
  const root = m.root;
  w(root, '/proc/self/mountinfo', MOUNTINFO);
  w(root, '/sys/kernel/kexec_loaded', '1\n');
  w(root, '/run/kexecctl/loaded.json', '{"kernel":"/boot/vmlinuz-6.1.0-17-amd64","cmdline":"x"}\n');
  mkdirSync(join(root, 'etc/default/kexec.d'), { recursive: true });
  return { m, root };
}

function fingerprint(root: string): void {
  const fs = new RecordingRootFs(root);
  resolveSystemPlan(fs);
  const state: Notes = new Map([
    ['/run/kexecctl/loaded.json', new Set(['stat'] as const)],
    ['/sys/kernel/kexec_loaded', new Set(['stat', 'content'] as const)],
  ]);
  writeFingerprint(root, { root, notes: fs.notes, startedMs: fs.startedMs, state });
}

function shellSays(root: string, env: Record<string, string> = {}, args: string[] = []): 'unchanged' | 'changed' {
  const r = spawnSync('/bin/sh', [SCRIPT, '--root', root, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });
  if (r.status === 0) return 'unchanged';
  if (r.status === 1) return 'changed';
  throw new Error(`kexecctl-unchanged exited ${r.status}: ${r.stderr}`);
}
const nodeSays = (root: string): 'unchanged' | 'changed' =>
  existsSync(join(root, FINGERPRINT_FILE)) && fingerprintHolds(readFileSync(join(root, FINGERPRINT_FILE), 'utf8')) ? 'unchanged' : 'changed';

const K17 = '/boot/vmlinuz-6.1.0-17-amd64';
const I17 = '/boot/initrd.img-6.1.0-17-amd64';
const CASES: Array<[string, string, (root: string) => void]> = [
  ['grub.cfg grows (size)', 'debian12', (r) => appendFileSync(join(r, 'boot/grub/grub.cfg'), '\n')],
  ['grub.cfg mtime moves, same size and content', 'debian12', (r) => utimesSync(join(r, 'boot/grub/grub.cfg'), new Date(), new Date(Date.now() + 5000))],
  [
    'grub.cfg rewritten in place, same size, old mtime put back (only ctime tells)',
    'debian12',
    (r) => {
      const f = join(r, 'boot/grub/grub.cfg');
      const st = statSync(f);
      writeFileSync(f, readFileSync(f, 'utf8').replace('6.1.0-17', '6.1.0-18'));
      utimesSync(f, st.atime, st.mtime);
    },
  ],
  [
    'kernel replaced by a rename: same bytes, size and mtime, new inode',
    'debian12',
    (r) => {
      const f = join(r, K17);
      const st = statSync(f);
      copyFileSync(f, `${f}.tmp`);
      utimesSync(`${f}.tmp`, st.atime, st.mtime);
      renameSync(`${f}.tmp`, f);
    },
  ],
  ['kernel removed', 'debian12', (r) => unlinkSync(join(r, K17))],
  ['initrd removed', 'debian12', (r) => unlinkSync(join(r, I17))],
  ['file added to /etc/default/kexec.d', 'debian12', (r) => w(r, '/etc/default/kexec.d/10-local', 'APPEND="quiet"\n')],
  ['/etc/default/kexec edited', 'debian12', (r) => appendFileSync(join(r, 'etc/default/kexec'), 'LOAD_KEXEC=false\n')],
  [
    'grubenv edited in place (same 1024 bytes): grub-set-default',
    'debian12',
    (r) => {
      const f = join(r, 'boot/grub/grubenv');
      const t = readFileSync(f, 'latin1');
      const line = 'saved_entry=1\n';
      const at = t.indexOf('\n#') + 1; // the '#' padding after the variables
      writeFileSync(f, t.slice(0, at) + line + t.slice(at + line.length), 'latin1');
    },
  ],
  [
    '/proc/cmdline changed, same length',
    'debian12',
    (r) => writeFileSync(join(r, 'proc/cmdline'), readFileSync(join(r, 'proc/cmdline'), 'utf8').replace('quiet', 'QUIET')),
  ],
  ['custom.cfg appears next to grub.cfg', 'debian12', (r) => w(r, '/boot/grub/custom.cfg', 'set timeout=1\n')],
  ['/no-kexec-reboot created (coldreboot)', 'debian12', (r) => w(r, '/no-kexec-reboot', '')],
  ['a block device mount changes in mountinfo', 'debian12', (r) => writeFileSync(join(r, 'proc/self/mountinfo'), MOUNTINFO.replace('/dev/vda1', '/dev/vda2'))],
  [
    'load record rewritten (another load)',
    'debian12',
    (r) => replace(r, '/run/kexecctl/loaded.json', '{"kernel":"/boot/vmlinuz-6.1.0-17-amd64","cmdline":"x"}\n'),
  ],
  ['load record removed (kexec -u)', 'debian12', (r) => unlinkSync(join(r, 'run/kexecctl/loaded.json'))],
  ['kexec_loaded drops to 0 (unloaded by another tool)', 'debian12', (r) => writeFileSync(join(r, 'sys/kernel/kexec_loaded'), '0\n')],
  [
    '/vmlinuz symlink retargeted',
    'debian12-defaults',
    (r) => {
      unlinkSync(join(r, 'vmlinuz'));
      symlinkSync('boot/vmlinuz-6.1.0-17-amd64', join(r, 'vmlinuz'));
    },
  ],
  [
    'kernel behind /vmlinuz replaced by a rename',
    'debian12-defaults',
    (r) => replace(r, '/boot/vmlinuz-6.1.0-18-amd64', readFileSync(join(r, 'boot/vmlinuz-6.1.0-18-amd64'), 'latin1')),
  ],
];

describe('kexecctl-unchanged and fingerprintHolds', () => {
  const roots = new Map<string, Root>();
  const extra = ['baseline', 'tmpfs', 'intent', 'racy', 'shape'];
  beforeAll(async () => {
    for (const [name, fixture] of CASES) roots.set(name, makeRoot(fixture));
    for (const name of extra) roots.set(name, makeRoot('debian12'));
    // Inputs written less than the racy margin before a plan are never trusted: let them age.
    await new Promise((r) => setTimeout(r, 700));
  });
  afterAll(() => {
    for (const r of roots.values()) r.m.cleanup();
  });
  const rootOf = (name: string): string => (roots.get(name) as Root).root;

  it('says unchanged when nothing changed (both checks)', () => {
    const root = rootOf('baseline');
    fingerprint(root);
    expect(shellSays(root)).toBe('unchanged');
    expect(nodeSays(root)).toBe('unchanged');
  });

  it.each(CASES)('%s → changed', (name, _fixture, change) => {
    const root = rootOf(name);
    fingerprint(root);
    expect([shellSays(root), nodeSays(root)]).toEqual(['unchanged', 'unchanged']);
    change(root);
    expect([shellSays(root), nodeSays(root)]).toEqual(['changed', 'changed']);
  });

  it('ignores a tmpfs mount coming and going (parseMountinfo skips it too)', () => {
    const root = rootOf('tmpfs');
    fingerprint(root);
    appendFileSync(join(root, 'proc/self/mountinfo'), '90 22 0:50 / /run/user/0 rw - tmpfs tmpfs rw,size=100k\n');
    expect([shellSays(root), nodeSays(root)]).toEqual(['unchanged', 'unchanged']);
  });

  it('a racy input (changed just before the plan read it) is never trusted', () => {
    const root = rootOf('racy');
    appendFileSync(join(root, 'boot/grub/grub.cfg'), '\n');
    fingerprint(root);
    expect(readFileSync(join(root, FINGERPRINT_FILE), 'utf8')).toMatch(/^X racy .*grub\.cfg/m);
    expect([shellSays(root), nodeSays(root)]).toEqual(['changed', 'changed']);
  });

  it('a missing, truncated or unknown fingerprint says changed', () => {
    const root = rootOf('shape');
    rmSync(join(root, FINGERPRINT_FILE), { force: true });
    expect(shellSays(root)).toBe('changed');
    fingerprint(root);
    expect(shellSays(root)).toBe('unchanged');
    const text = readFileSync(join(root, FINGERPRINT_FILE), 'utf8');
    writeFileSync(join(root, FINGERPRINT_FILE), text.replace(/end\n$/, ''));
    expect([shellSays(root), nodeSays(root)]).toEqual(['changed', 'changed']);
    writeFileSync(join(root, FINGERPRINT_FILE), text.replace(/\nend\n$/, '\nZ what\nend\n'));
    expect([shellSays(root), nodeSays(root)]).toEqual(['changed', 'changed']);
    writeFileSync(join(root, FINGERPRINT_FILE), text);
    expect([shellSays(root), nodeSays(root)]).toEqual(['unchanged', 'unchanged']);
  });

  it('--at-shutdown puts the prepared intent in place only when a reboot is under way', () => {
    const root = rootOf('intent');
    fingerprint(root);
    w(root, '/run/kexecctl/intent.json', '{"schema":"kexecctl.last-kexec/1","mode":"kexec"}\n');
    const last = join(root, 'var/lib/kexecctl/last-kexec.json');
    expect(shellSays(root, {}, ['--at-shutdown'])).toBe('unchanged');
    expect(existsSync(last)).toBe(false);
    expect(shellSays(root, { RUNLEVEL: '6' }, ['--at-shutdown'])).toBe('unchanged');
    expect(readFileSync(last, 'utf8')).toBe('{"schema":"kexecctl.last-kexec/1","mode":"kexec"}\n');
  });
});
