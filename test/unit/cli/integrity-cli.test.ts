/**
 * Issue 18 through the CLIs and the fake kernel: a damaged kernel or initrd given over a good load
 * is refused with its own code and exit 2, no system call is made, and the good load stays.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle, type FakeEnv } from '../../helpers/cli-bundle.js';
import { FAKE_KERN16, FAKE_PAYLOAD_OFFSET, fakeBzPayload } from '../../helpers/fake-kernel-image.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let cli: CliBundle;
let fx: KexecFixture;
let fk: FakeEnv;
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => cli.cleanup());
beforeEach(() => {
  fx?.cleanup();
  fx = makeKexecFixture();
  fk = fakeEnv(fx.dir);
});

const kexec = (...args: string[]) => runNode(cli.kexec, args, fk.env, fx.dir);
const ctl = (...args: string[]) => runNode(cli.kexecctl, [...args, '--root', fk.root], fk.env, fx.dir);
const recordKernel = (): unknown => (JSON.parse(readFileSync(join(fk.root, 'run/kexecctl/loaded.json'), 'utf8')) as { kernel: unknown }).kernel;

function file(name: string, bytes: Uint8Array): string {
  const p = join(fx.dir, name);
  writeFileSync(p, bytes);
  chmodSync(p, 0o644);
  return p;
}

/** The good kernel with its gzip CRC32 (a payload byte) flipped: structurally sound, fails deep verification. */
function corrupted(): string {
  const k = readFileSync(fx.kernel);
  const crcAt = FAKE_KERN16 + FAKE_PAYLOAD_OFFSET + fakeBzPayload().length - 8;
  k[crcAt] = (k[crcAt] as number) ^ 0xff;
  return file('vmlinuz-corrupt', k);
}

type Case = { name: string; args: () => string[]; code: string; message: RegExp };

const CASES: Case[] = [
  {
    name: 'a truncated kernel',
    args: () => [file('vmlinuz-cut', readFileSync(fx.kernel).subarray(0, FAKE_KERN16 + FAKE_PAYLOAD_OFFSET + 20))],
    code: 'EKERNEL_TRUNCATED',
    message: /vmlinuz-cut is cut short: 2836 bytes, its header says at least 8192 .*; free space in \/boot and reinstall the kernel package/,
  },
  {
    name: 'a header-only kernel',
    args: () => [file('vmlinuz-head', readFileSync(fx.kernel).subarray(0, FAKE_KERN16))],
    code: 'EKERNEL_HEADER_ONLY',
    message: /vmlinuz-head holds only its setup code: 2560 bytes, the compressed kernel would start at byte 2816/,
  },
  {
    name: 'an empty initrd',
    args: () => [fx.kernel, '--initrd', file('initrd-empty', new Uint8Array(0))],
    code: 'EINITRD_EMPTY',
    message: /initrd-empty is empty \(0 bytes\); free space in \/boot and regenerate it/,
  },
];

/** A good load first, then the calls made so far forgotten. */
async function goodLoad(load: (k: string) => Promise<{ exitCode: number }>): Promise<void> {
  expect((await load(fx.kernel)).exitCode).toBe(0);
  expect(fk.state().loaded).toBe(true);
  fk.setState({ calls: [] });
}

function expectGoodLoadKept(): void {
  expect(fk.state().calls).toEqual([]);
  expect(fk.state().loaded).toBe(true);
  expect(recordKernel()).toBe(fx.kernel);
}

describe('kexec -l: integrity checks before the syscall (issue 18)', () => {
  for (const c of CASES) {
    it(`refuses ${c.name} (${c.code}), exit 2, the earlier load kept`, async () => {
      await goodLoad((k) => kexec('-l', k));
      const [kernel, ...rest] = c.args();
      const r = await kexec('-l', kernel as string, ...rest);
      expect(r.exitCode).toBe(255); // kexec-tools' EFAILED for a load it does not make
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expectGoodLoadKept();
    });
  }

  it('-u -l with a refused kernel: the checks run before the unload, so the earlier load stays', async () => {
    await goodLoad((k) => kexec('-l', k));
    const cut = file('vmlinuz-cut', readFileSync(fx.kernel).subarray(0, 4000));
    const r = await kexec('-u', '-l', cut);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/vmlinuz-cut is cut short: 4000 bytes/);
    expectGoodLoadKept();
    expect((await kexec('-u', '-l', fx.kernel)).exitCode).toBe(0);
    expect(fk.state().calls.map((c) => c.syscall)).toEqual(['kexec_file_load', 'kexec_file_load']);
  });

  it('does not decompress the payload unless --verify (kexec-tools has no such check)', async () => {
    const bad = corrupted();
    await goodLoad((k) => kexec('-l', k));
    const refused = await kexec('-l', '--verify', bad);
    expect(refused.exitCode).toBe(255);
    expect(refused.stderr).toMatch(/vmlinuz-corrupt: its gzip kernel fails its checksum .*; free space in \/boot and reinstall the kernel package/);
    expectGoodLoadKept();
    const loaded = await kexec('-l', bad);
    expect(loaded.exitCode).toBe(0);
    expect(recordKernel()).toBe(bad);
  });

  it('--veri abbreviates --verify; --v and --ver stay --version', async () => {
    expect((await kexec('-l', '--veri', corrupted())).exitCode).toBe(255);
    for (const v of ['--v', '--ver']) {
      const r = await kexec(v);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/kexec/);
    }
  });

  it('an initrd with no known magic is loaded with a warning', async () => {
    const r = await kexec('-l', fx.kernel, '--initrd', file('initrd-odd', Buffer.from('hello world\n')));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/kexec: warning: .*initrd-odd starts with .*neither a cpio header nor a compression/);
  });
});

describe('kexecctl load: integrity checks, deep verification on by default (issue 18)', () => {
  for (const c of CASES) {
    it(`refuses ${c.name} (${c.code}), exit 2, the earlier load kept`, async () => {
      await goodLoad((k) => ctl('load', '--kernel', k));
      const [kernel, ...rest] = c.args();
      const r = await ctl('load', '--kernel', kernel as string, ...rest);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(c.message);
      expectGoodLoadKept();
    });
  }

  it('refuses a corrupted payload by default; --no-verify loads it', async () => {
    const bad = corrupted();
    await goodLoad((k) => ctl('load', '--kernel', k));
    const refused = await ctl('load', '--kernel', bad);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/kexecctl: .*vmlinuz-corrupt: its gzip kernel fails its checksum/);
    expectGoodLoadKept();
    expect((await ctl('load', '--no-verify', '--kernel', bad)).exitCode).toBe(0);
    expect(recordKernel()).toBe(bad);
  });
});
