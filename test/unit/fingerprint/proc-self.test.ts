/**
 * Issue 14, the distro VM's "node still ran at shutdown with nothing changed": the plan reads
 * /proc/self/mountinfo, and on a real system /proc/self is a link to the reader's own /proc/PID
 * (fs/proc/self.c). The fingerprint named /proc/<node's pid>/mountinfo, gone once node exited, so
 * kexecctl-unchanged always said "changed". Here the writer is another process that exits (real
 * /proc), and a temp root whose /proc/self link moves to another pid as it does between the load
 * and the shutdown check. Also: the one line kexecctl-unchanged prints on stderr saying why.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintHolds } from '../../../src/fingerprint/check.js';
import { RecordingRootFs } from '../../../src/fingerprint/recording-rootfs.js';
import { FINGERPRINT_FILE, writeFingerprint } from '../../../src/fingerprint/store.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import { materializeFixture } from '../../helpers/fixture-root.js';

const repo = join(import.meta.dirname, '../../..');
const SCRIPT = join(repo, 'kernel/kexecctl-unchanged');
const MOUNTINFO = '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n25 22 0:21 / /proc rw shared:12 - proc proc rw\n';

/** kexecctl-unchanged as kexec-load.service's ExecStop runs it: dash, an empty environment. */
function unitCheck(root: string, debug = false): { status: number | null; stderr: string } {
  const env = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', ...(debug ? ['KEXECCTL_UNCHANGED_DEBUG=1'] : [])];
  const r = spawnSync('/usr/bin/env', ['-i', ...env, '/bin/sh', SCRIPT, '--root', root], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-fp-self-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/proc/self in the fingerprint', () => {
  it('a fingerprint written by a process that has exited still holds on the real /proc', async () => {
    // The writer: a separate node process recording root / as `kexecctl reboot --prepare` does.
    const writer = join(dir, 'writer.mjs');
    await build({
      stdin: {
        contents: [
          "import { RecordingRootFs } from './src/fingerprint/recording-rootfs.js';",
          "import { fingerprintLines, serializeFingerprint } from './src/fingerprint/fingerprint.js';",
          "import { writeFileSync } from 'node:fs';",
          "const fs = new RecordingRootFs('/');",
          "fs.readText('/proc/self/mountinfo'); fs.readText('/proc/cmdline'); fs.readText('/proc/thread-self/mountinfo');",
          "writeFileSync(process.argv[2], serializeFingerprint(fingerprintLines({ root: '/', notes: fs.notes, startedMs: fs.startedMs })));",
        ].join('\n'),
        resolveDir: repo,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: writer,
      logLevel: 'error',
    });
    const root = join(dir, 'real');
    mkdirSync(join(root, 'run/kexecctl'), { recursive: true });
    const fp = join(root, FINGERPRINT_FILE);
    const w = spawnSync(process.execPath, [writer, fp], { encoding: 'utf8' });
    expect(w.status, w.stderr).toBe(0);
    const text = readFileSync(fp, 'utf8');
    expect(text).toMatch(/^M \d+ \d+ \/proc\/self\/mountinfo$/m);
    expect(text).toMatch(/^M \d+ \d+ \/proc\/thread-self\/mountinfo$/m);
    expect(text).not.toMatch(/\/proc\/\d/);
    expect(unitCheck(root, true)).toEqual({ status: 0, stderr: '' });
    expect(fingerprintHolds(text)).toBe(true);
  });

  it('holds when /proc/self points at another pid at shutdown, and still sees a mount change there', () => {
    const m = materializeFixture('debian12');
    try {
      const r = m.root;
      rmSync(join(r, 'proc/self'), { recursive: true, force: true });
      mkdirSync(join(r, 'proc/4242/task/4242'), { recursive: true });
      writeFileSync(join(r, 'proc/4242/mountinfo'), MOUNTINFO);
      symlinkSync('4242', join(r, 'proc/self'));
      symlinkSync('4242/task/4242', join(r, 'proc/thread-self'));
      mkdirSync(join(r, 'run/kexecctl'), { recursive: true });
      // The fixture was just written: a plan "a minute later" keeps it out of the racy window.
      const fs = new RecordingRootFs(r, { startedMs: Date.now() + 60_000 });
      resolveSystemPlan(fs);
      expect([...fs.notes.keys()]).toContain('/proc/self/mountinfo');
      writeFingerprint(r, { root: r, notes: fs.notes, startedMs: fs.startedMs });
      // The writer exits; the checker is another process.
      cpSync(join(r, 'proc/4242'), join(r, 'proc/4343'), { recursive: true });
      rmSync(join(r, 'proc/4242'), { recursive: true });
      unlinkSync(join(r, 'proc/self'));
      symlinkSync('4343', join(r, 'proc/self'));
      expect(unitCheck(r, true)).toEqual({ status: 0, stderr: '' });
      expect(fingerprintHolds(readFileSync(join(r, FINGERPRINT_FILE), 'utf8'))).toBe(true);
      writeFileSync(join(r, 'proc/4343/mountinfo'), MOUNTINFO.replace('/dev/vda1', '/dev/vda2'));
      const after = unitCheck(r, true);
      expect(after.status).toBe(1);
      expect(after.stderr.replace(r, 'ROOT')).toMatch(
        /^kexecctl-unchanged: refresh needed: ROOT\/proc\/self\/mountinfo: was: \d+ \d+, now: \d+ \d+ \(cksum\)\n$/,
      );
    } finally {
      m.cleanup();
    }
  });
});
