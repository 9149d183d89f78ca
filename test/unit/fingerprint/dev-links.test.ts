/**
 * Issue 14 on a real system: the plan resolves /dev/disk/by-uuid (and by-label, by-id, /dev/mapper)
 * links, which udev made. systemd-udevd before v254 (Debian 12 has 252) replaced every devlink of
 * a disk at each of its uevents (udev-node.c node_symlink → symlink_atomic: new inode, new times,
 * the directory's mtime moves), e.g. coldplug's "add" handled after kexec-load.service's plan, or a
 * "change" when a writer closes the disk. Nothing the plan read changed, so the shutdown check
 * must say unchanged; a link that now points elsewhere, or a new one, must still say changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, renameSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintHolds } from '../../../src/fingerprint/check.js';
import { RecordingRootFs } from '../../../src/fingerprint/recording-rootfs.js';
import { FINGERPRINT_FILE, writeFingerprint } from '../../../src/fingerprint/store.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { materializeFixture } from '../../helpers/fixture-root.js';

const SCRIPT = join(import.meta.dirname, '../../../kernel/kexecctl-unchanged');

function says(root: string): { shell: string; node: string; why: string } {
  const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'KEXECCTL_UNCHANGED_DEBUG=1', '/bin/sh', SCRIPT, '--root', root], {
    encoding: 'utf8',
  });
  const fp = join(root, FINGERPRINT_FILE);
  const node = existsSync(fp) && fingerprintHolds(readFileSync(fp, 'utf8')) ? 'unchanged' : 'changed';
  return { shell: r.status === 0 ? 'unchanged' : r.status === 1 ? 'changed' : `exit ${r.status}`, node, why: r.stderr };
}

/** The /dev links the plan met, fingerprinted as a boot-time load would. */
function load(root: string): string[] {
  // The fixture was just written: a plan "a minute later" keeps its files out of the racy window.
  const fs = new RecordingRootFs(root, { startedMs: Date.now() + 60_000 });
  resolveSystemPlan(fs);
  writeFingerprint(root, { root, notes: fs.notes, startedMs: fs.startedMs });
  return [...fs.notes.keys()].filter((p) => p.startsWith('/dev/') && lstatSync(join(root, p), { throwIfNoEntry: false })?.isSymbolicLink() === true);
}

/** What udev 252 does to a devlink at a uevent: the same target, through a temp link and a rename. */
function remake(root: string, link: string): void {
  const h = join(root, link);
  const target = readlinkSync(h);
  symlinkSync(target, `${h}.tmp`);
  renameSync(`${h}.tmp`, h);
  const later = new Date(Date.now() + 3000);
  utimesSync(join(h, '..'), later, later);
}

describe.each(['debian12-separate-boot', 'debian12-lvm'])('/dev links on %s', (fixture) => {
  it('udev remaking every link (new inodes and times, same targets) is no change', () => {
    const m = materializeFixture(fixture);
    try {
      const links = load(m.root);
      expect(links.length).toBeGreaterThan(1);
      const text = readFileSync(join(m.root, FINGERPRINT_FILE), 'utf8');
      expect(text).toMatch(/^R \S+\/dev\/disk\/by-uuid\/\S+ -> \S+$/m);
      expect(text).toMatch(/^L \d+ \d+ \S+\/dev\/disk\/by-uuid$/m);
      expect(says(m.root)).toEqual({ shell: 'unchanged', node: 'unchanged', why: '' });
      for (const l of links) remake(m.root, l);
      expect(says(m.root)).toEqual({ shell: 'unchanged', node: 'unchanged', why: '' });
    } finally {
      m.cleanup();
    }
  });

  it('a link that points elsewhere now is a change, and the journal line names it', () => {
    const m = materializeFixture(fixture);
    try {
      const [a, b] = load(m.root);
      expect(a !== undefined && b !== undefined).toBe(true);
      const ha = join(m.root, a as string);
      const other = readlinkSync(join(m.root, b as string));
      const before = readlinkSync(ha);
      expect(before).not.toBe(other);
      unlinkSync(ha);
      symlinkSync(other, ha);
      const r = says(m.root);
      expect([r.shell, r.node]).toEqual(['changed', 'changed']);
      expect(r.why).toBe(`kexecctl-unchanged: refresh needed: was: R ${ha} -> ${before}, now: R ${ha} -> ${other}\n`);
    } finally {
      m.cleanup();
    }
  });

  it('a new link in a listed /dev directory (another disk) is a change', () => {
    const m = materializeFixture(fixture);
    try {
      const [a] = load(m.root);
      const ha = join(m.root, a as string);
      symlinkSync(readlinkSync(ha), `${ha}-new`);
      const r = says(m.root);
      expect([r.shell, r.node]).toEqual(['changed', 'changed']);
    } finally {
      m.cleanup();
    }
  });
});
