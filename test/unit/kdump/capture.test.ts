import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { parseKdumpTools } from '../../../src/config/kdump-tools.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { capture, TARGET_MOUNT, type PipeRunner } from '../../../src/kdump/capture.js';
import { buildDumpPlan } from '../../../src/kdump/dump-plan.js';
import type { Runner } from '../../../src/kdump/save-dump.js';
import type { PipeResult } from '../../../src/sys/processes.js';
import { buildCore } from './synthetic-core.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kdump-capture-'));
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'boom', tsNsec: 1n }] }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Records runs and pipes in one list (a pipe as [...producer, '|', ...consumer]); exit codes by program name. */
function recorder(
  codes: Record<string, number> = {},
  pipeCodes: (p: readonly string[], c: readonly string[]) => PipeResult = () => ({ producer: 0, consumer: 0 }),
): { run: Runner; pipe: PipeRunner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (argv) => {
      calls.push([...argv]);
      return codes[argv[0] ?? ''] ?? 0;
    },
    pipe: async (p, c) => {
      calls.push([...p, '|', ...c]);
      return pipeCodes(p, c);
    },
  };
}
const go = (conf: string | null, run: Runner, tools: string | null = null, pipe?: PipeRunner, makedumpfile: string | null = null) =>
  capture({
    fs: new RootFs(root),
    plan: buildDumpPlan({
      conf: conf === null ? null : parseKdumpConf(conf).value,
      tools: tools === null ? null : parseKdumpTools(tools).value,
      makedumpfile,
    }),
    run,
    pipe: pipe ?? (async () => ({ producer: 0, consumer: 0 })),
    log: () => undefined,
    host: 'h',
    ip: '10.0.2.15',
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

describe('capture stopped by a signal (kdumpctl save under SIGTERM)', () => {
  it('keeps the partial dump as vmcore-incomplete and runs neither kdump_post nor failure_action', async () => {
    const ac = new AbortController();
    const calls: string[][] = [];
    // The collector is signalled mid-way (the CLI's handler aborts) yet ends with status 0 and a whole file.
    const run: Runner = async (argv) => {
      calls.push([...argv]);
      if (argv[0] === '/bin/mdf') {
        ac.abort('SIGTERM');
        writeFileSync(argv[argv.length - 1] ?? '', 'KDUMP   looks whole');
      }
      return 0;
    };
    const conf = 'ext4 /dev/vdb\npath /dumps\ncore_collector /bin/mdf -l\nkdump_post /bin/post\nfailure_action dump_to_rootfs\nfinal_action poweroff';
    const c = await capture({
      fs: new RootFs(root),
      plan: buildDumpPlan({ conf: parseKdumpConf(conf).value, tools: null, makedumpfile: null }),
      run,
      pipe: async () => ({ producer: 0, consumer: 0 }),
      log: () => undefined,
      host: 'h',
      ip: null,
      now: new Date(2026, 0, 1),
      vmcore: '/proc/vmcore',
      signal: ac.signal,
    });
    expect(calls.map((a) => a[0])).toEqual(['mount', '/bin/mdf']);
    expect(c).toMatchObject({ ok: false, action: 'none', interrupted: 'SIGTERM' });
    const d = join(root, TARGET_MOUNT, 'dumps', 'h-2026-01-01-00:00:00');
    expect(readdirSync(d).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
    expect(existsSync(join(root, 'dumps'))).toBe(false);
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

describe('capture to an ssh target, streamed (kdump.sh dump_ssh: $CORE_COLLECTOR /proc/vmcore | ssh ... dd)', () => {
  const SSH = ['ssh', '-i', '/root/.ssh/kdump_id_rsa', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'kdump@10.0.2.2'];
  const MDF = '/usr/sbin/makedumpfile';
  it('the kernel log and makedumpfile -F each piped into ssh dd, renamed to vmcore-dmesg.txt and vmcore.flat', async () => {
    const r = recorder();
    const c = await go('ssh kdump@10.0.2.2\npath /srv/crash', r.run, null, r.pipe, MDF);
    const d = '/srv/crash/h-2026-01-01-00:00:00';
    const localDmesg = join(root, 'run/kexecctl/kdump-ssh/h-2026-01-01-00:00:00/vmcore-dmesg.txt');
    expect(r.calls).toEqual([
      [...SSH, `mkdir -p '${d}'`],
      ['cat', localDmesg, '|', ...SSH, `umask 0077 && dd of='${d}/vmcore-dmesg-incomplete.txt'`],
      [...SSH, `mv '${d}/vmcore-dmesg-incomplete.txt' '${d}/vmcore-dmesg.txt'`],
      [MDF, '-l', '--message-level', '7', '-d', '31', '-F', join(root, 'proc/vmcore'), '|', ...SSH, `umask 0077 && dd bs=512 of='${d}/vmcore-incomplete'`],
      [...SSH, `mv '${d}/vmcore-incomplete' '${d}/vmcore.flat'`],
    ]);
    expect(c).toMatchObject({ ok: true, remote: `kdump@10.0.2.2:${d}/vmcore.flat` });
  });
  it('a failing makedumpfile fails the dump (no rename, failure_action), even when ssh exits 0', async () => {
    const r = recorder({}, (p) => ({ producer: p[0] === MDF ? 1 : 0, consumer: 0 }));
    const c = await go('ssh kdump@10.0.2.2\nfailure_action poweroff', r.run, null, r.pipe, MDF);
    expect(r.calls.at(-1)?.[0]).toBe(MDF);
    expect(r.calls.some((x) => x.at(-1)?.startsWith('mv ') === true && x.at(-1)?.includes('vmcore.flat') === true)).toBe(false);
    expect(c).toMatchObject({ ok: false, action: 'poweroff', error: `${MDF} exited with status 1 (ssh: 0)` });
  });
  it('ssh failing inside the pipe (server gone) fails the dump', async () => {
    const r = recorder({}, (p) => (p[0] === MDF ? { producer: 141, consumer: 255 } : { producer: 0, consumer: 0 }));
    const c = await go('ssh kdump@10.0.2.2\nfailure_action halt', r.run, null, r.pipe, MDF);
    expect(c).toMatchObject({ ok: false, action: 'halt' });
    expect(c.error).toMatch(/exited with status 141 \(ssh: 255\)/);
  });
  it("kdump-tools' SSH=: <KDUMP_COREDIR>/<ip>-<YYYYMMDDHHMM>/dump.<stamp> and dmesg.<stamp> (HOSTTAG=ip)", async () => {
    const r = recorder();
    const tools = 'USE_KDUMP=1\nSSH=kdump@10.0.2.2\nSSH_KEY=/root/k\nKDUMP_COREDIR=/srv/deb\n';
    const c = await go(null, r.run, tools, r.pipe, MDF);
    const d = '/srv/deb/10.0.2.15-202601010000';
    expect(r.calls.map((x) => x.at(-1))).toEqual([
      `mkdir -p '${d}'`,
      `umask 0077 && dd of='${d}/dmesg-incomplete.202601010000'`,
      `mv '${d}/dmesg-incomplete.202601010000' '${d}/dmesg.202601010000'`,
      `umask 0077 && dd bs=512 of='${d}/dump-incomplete'`,
      `mv '${d}/dump-incomplete' '${d}/dump.202601010000'`,
    ]);
    expect(r.calls[3]?.slice(0, 6)).toEqual([MDF, '-c', '-d', '31', '-F', join(root, 'proc/vmcore')]);
    expect(c.remote).toBe(`kdump@10.0.2.2:${d}/dump.202601010000`);
  });
  it('HOSTTAG=hostname names the directory <hostname>-<stamp>', async () => {
    const r = recorder();
    await go(null, r.run, 'USE_KDUMP=1\nSSH=u@s\nHOSTTAG=hostname\n', r.pipe, MDF);
    expect(r.calls[0]?.at(-1)).toBe(`mkdir -p '/var/crash/h-202601010000'`);
  });
});

describe("Debian's local names (kdump-config kdump_save_core)", () => {
  it('<KDUMP_COREDIR>/<YYYYMMDDHHMM>/dump.<stamp> + dmesg.<stamp>; KDUMP_NUM_DUMPS prunes the oldest stamp directory', async () => {
    mkdirSync(join(root, 'srv/deb/202001010000'), { recursive: true });
    mkdirSync(join(root, 'srv/deb/202101010000'), { recursive: true });
    const r = recorder();
    const c = await go(null, r.run, 'USE_KDUMP=1\nKDUMP_COREDIR=/srv/deb\nKDUMP_NUM_DUMPS=2\n');
    expect(c.ok).toBe(true);
    expect(readdirSync(join(root, 'srv/deb')).sort()).toEqual(['202101010000', '202601010000']);
    expect(readdirSync(join(root, 'srv/deb/202601010000')).sort()).toEqual(['dmesg.202601010000', 'dump.202601010000']);
  });
  it('NFS= (kdump-config mounts the export on KDUMP_COREDIR): <ip>-<stamp> at the top of the export, nothing pruned', async () => {
    const r = recorder();
    const c = await go(null, r.run, 'USE_KDUMP=1\nNFS=srv:/export\nKDUMP_NUM_DUMPS=1\n');
    expect(r.calls[0]).toEqual(['mount', '-t', 'nfs', '-o', 'nolock', 'srv:/export', join(root, TARGET_MOUNT)]);
    expect(c.ok).toBe(true);
    expect(readdirSync(join(root, TARGET_MOUNT))).toEqual(['10.0.2.15-202601010000']);
  });
});
