/**
 * The guest tier's differential runs our kexec in-process (test/vm/guest/kexec-inproc.ts). Here the
 * same invocations run through the bundled binary and in-process, each from a fresh fake kernel,
 * and must give the same exit code, output and fake syscalls: the in-process runner must not
 * change what the table compares.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { makeKexecFixture } from '../../helpers/kexec-fixture.js';
import { runKexec } from '../../vm/guest/kexec-inproc.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => cli.cleanup());

function fresh() {
  const fx = makeKexecFixture();
  const fk = fakeEnv(fx.dir);
  mkdirSync(join(fk.root, 'proc'), { recursive: true });
  writeFileSync(join(fk.root, 'proc/cmdline'), 'BOOT_IMAGE=/boot/vmlinuz-6.1 root=/dev/vda1 ro quiet\n');
  return { fx, fk };
}

// Rows shaped like the differential table's: getopt errors, file errors, a load, status, unload.
const ROWS: ((k: string, i: string) => string[])[] = [
  () => ['-l', '/nonexistent/vmlinuz'],
  () => ['-l', '--a=x', '/x'],
  () => ['-l', '--bogus', '/x'],
  () => ['-l'],
  (k) => ['-l', '--mem-min=bad', k],
  (k, i) => ['-l', k, '--initrd=/nonexistent', `--initrd=${i}`, '--append=marker=1'],
  (k, i) => ['-l', '-t', 'bogus', k, `--initrd=${i}`],
  () => ['-S'],
  () => ['-u', '--append=x'],
  () => ['-u'],
  () => ['--help'],
];

describe('kexec in-process (guest differential) matches the binary', () => {
  for (const [n, argsOf] of ROWS.entries()) {
    it(`row ${n}: same exit code, stdout, stderr and syscalls`, async () => {
      const a = fresh();
      const b = fresh();
      try {
        const bin = await runNode(cli.kexec, argsOf(a.fx.kernel, a.fx.initrd1), a.fk.env, a.fx.dir);
        const inproc = await runKexec(argsOf(b.fx.kernel, b.fx.initrd1), { ...process.env, ...b.fk.env });
        // execa (runNode) drops the final newline of each stream; the two builds name different test versions.
        const norm = (s: string, dir: string) =>
          s
            .split(dir)
            .join('<dir>')
            .replace(/kexecctl [0-9.]+-test/g, 'kexecctl <v>')
            .replace(/\n$/, '');
        expect({ code: inproc.code, stdout: norm(inproc.stdout, b.fx.dir), stderr: norm(inproc.stderr, b.fx.dir) }).toEqual({
          code: bin.exitCode,
          stdout: norm(bin.stdout, a.fx.dir),
          stderr: norm(bin.stderr, a.fx.dir),
        });
        expect(b.fk.state().calls.map((c) => c.syscall)).toEqual(a.fk.state().calls.map((c) => c.syscall));
        expect(b.fk.state().loaded).toBe(a.fk.state().loaded);
      } finally {
        a.fx.cleanup();
        b.fx.cleanup();
      }
    });
  }
});
