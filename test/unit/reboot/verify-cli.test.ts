/**
 * Issue 18 on the reboot path: `kexecctl reboot --prepare` (kexec-load.service) decompresses the
 * planned kernel's payload before loading it, and refuses a damaged one; --no-verify skips that.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { FAKE_KERN16, FAKE_PAYLOAD_OFFSET, fakeBzPayload } from '../../helpers/fake-kernel-image.js';
import { materializeFixture } from '../../helpers/fixture-root.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => cli.cleanup());

describe('kexecctl reboot --prepare: payload verification', () => {
  it('refuses the planned kernel with a flipped payload byte (no syscall); --no-verify loads it', async () => {
    const fx = materializeFixture('debian12');
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-verify-'));
    const fe = fakeEnv(dir);
    mkdirSync(join(fx.root, 'run/systemd/system'), { recursive: true });
    // The plan of the debian12 fixture boots /boot/vmlinuz-6.1.0-17-amd64 (see reboot/cli.test.ts).
    const kpath = join(fx.root, 'boot/vmlinuz-6.1.0-17-amd64');
    const k = readFileSync(kpath);
    const crcAt = FAKE_KERN16 + FAKE_PAYLOAD_OFFSET + fakeBzPayload().length - 8;
    k[crcAt] = (k[crcAt] as number) ^ 0x10;
    writeFileSync(kpath, k);
    const calls = (): string[] => (JSON.parse(readFileSync(fe.stateFile, 'utf8')) as { calls: Array<{ syscall: string }> }).calls.map((c) => c.syscall);
    const r = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', fx.root], fe.env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /the planned \/boot\/vmlinuz-6\.1\.0-17-amd64 .* failed its check: .*vmlinuz-6\.1\.0-17-amd64: its gzip kernel fails its checksum.*no earlier kexec kernel is loaded; a firmware reboot meets the same broken file/,
    );
    expect(calls()).not.toContain('kexec_file_load');
    const n = await runNode(cli.kexecctl, ['reboot', '--prepare', '--no-verify', '--root', fx.root], fe.env);
    expect(n.exitCode).toBe(0);
    expect(calls()).toContain('kexec_file_load');
    fx.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }, 30000);
});
