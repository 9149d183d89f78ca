import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { parseKdumpTools } from '../../../src/config/kdump-tools.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { capture, TARGET_MOUNT } from '../../../src/kdump/capture.js';
import { buildDumpPlan } from '../../../src/kdump/dump-plan.js';
import type { Runner } from '../../../src/kdump/save-dump.js';
import { buildCore } from './synthetic-core.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kdump-capture-'));
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'boom', tsNsec: 1n }] }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function recorder(codes: Record<string, number> = {}): { run: Runner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (argv) => {
      calls.push([...argv]);
      return codes[argv[0] ?? ''] ?? 0;
    },
  };
}
const go = (conf: string, run: Runner, tools: string | null = null) =>
  capture({
    fs: new RootFs(root),
    plan: buildDumpPlan({ conf: parseKdumpConf(conf).value, tools: tools === null ? null : parseKdumpTools(tools).value, makedumpfile: null }),
    run,
    log: () => undefined,
    host: 'h',
    now: new Date(2026, 0, 1),
    vmcore: '/proc/vmcore',
  });

describe('capture', () => {
  it('kdump_pre, save on the root fs, kdump_post with status 0, then final_action', async () => {
    const r = recorder();
    const c = await go('path /var/crash\nkdump_pre /bin/pre a\nkdump_post /bin/post\nfinal_action poweroff', r.run);
    expect(c.ok).toBe(true);
    expect(c.action).toBe('poweroff');
    expect(r.calls).toEqual([
      ['/bin/pre', 'a'],
      ['/bin/post', '0'],
    ]);
    expect(readdirSync(join(root, 'var/crash'))).toEqual(['h-2026-01-01-00:00:00']);
  });
  it('a failing kdump_pre skips the dump and runs the final action', async () => {
    const r = recorder({ '/bin/pre': 1 });
    const c = await go('kdump_pre /bin/pre\nfinal_action halt', r.run);
    expect(c).toMatchObject({ ok: false, saved: null, action: 'halt' });
  });
  it('mounts a UUID= target with mount -t <fs>; a failed mount runs failure_action', async () => {
    const r = recorder({ mount: 32 });
    const c = await go('ext4 UUID=1234-abcd\npath /dumps\nfailure_action poweroff\nkdump_post /bin/post', r.run);
    expect(r.calls[0]).toEqual(['mount', '-t', 'ext4', 'UUID=1234-abcd', join(root, TARGET_MOUNT)]);
    expect(r.calls[1]).toEqual(['/bin/post', '1']);
    expect(c).toMatchObject({ ok: false, action: 'poweroff', error: expect.stringMatching(/exited with status 32/) });
  });
  it('dump_to_rootfs saves on the root file system after the target failed', async () => {
    const r = recorder({ mount: 1 });
    const c = await go('nfs srv:/export\nfailure_action dump_to_rootfs\nfinal_action halt', r.run);
    expect(r.calls[0]).toEqual(['mount', '-t', 'nfs', '-o', 'nolock', 'srv:/export', join(root, TARGET_MOUNT)]);
    expect(c.ok).toBe(true);
    expect(c.action).toBe('halt');
    expect(readdirSync(join(root, 'var/crash', 'h-2026-01-01-00:00:00')).sort()).toEqual(['vmcore', 'vmcore-dmesg.txt']);
  });
  it('KDUMP_FAIL_CMD runs instead of failure_action', async () => {
    const r = recorder({ mount: 1 });
    const c = await go('', r.run, 'NFS=srv:/x\nKDUMP_FAIL_CMD="/usr/bin/logger dump failed"');
    expect(r.calls[1]).toEqual(['/usr/bin/logger', 'dump', 'failed']);
    expect(c.action).toBe('reboot');
  });
});

describe('capture to an ssh target (scp, as kdump.sh does for core_collector scp)', () => {
  const SSH_OPTS = ['-i', '/root/.ssh/kdump_id_rsa', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
  it('mkdir, the locally extracted dmesg, /proc/vmcore as vmcore-incomplete, rename', async () => {
    const r = recorder();
    const c = await go('ssh kdump@10.0.2.2\npath /srv/crash\nkdump_post /bin/post', r.run);
    const d = '/srv/crash/h-2026-01-01-00:00:00';
    expect(r.calls).toEqual([
      ['ssh', ...SSH_OPTS, 'kdump@10.0.2.2', `mkdir -p '${d}'`],
      ['scp', '-q', ...SSH_OPTS, join(root, 'run/kexecctl/kdump-ssh/h-2026-01-01-00:00:00/vmcore-dmesg.txt'), `kdump@10.0.2.2:${d}/vmcore-dmesg.txt`],
      ['scp', '-q', ...SSH_OPTS, join(root, 'proc/vmcore'), `kdump@10.0.2.2:${d}/vmcore-incomplete`],
      ['ssh', ...SSH_OPTS, 'kdump@10.0.2.2', `mv '${d}/vmcore-incomplete' '${d}/vmcore'`],
      ['/bin/post', '0'],
    ]);
    expect(c).toMatchObject({ ok: true, remote: `kdump@10.0.2.2:${d}/vmcore` });
  });
  it('an unreachable server (ssh exits 255) runs failure_action', async () => {
    const r = recorder({ ssh: 255 });
    const c = await go('ssh kdump@10.0.2.2\nfailure_action halt', r.run);
    expect(r.calls).toHaveLength(1);
    expect(c).toMatchObject({ ok: false, action: 'halt', error: 'ssh exited with status 255' });
  });
});
