import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { crashTest } from '../../../src/cli/kdumpctl/crash.js';
import { kdumpctlMain } from '../../../src/cli/kdumpctl/program.js';
import { kexecctlMain } from '../../../src/cli/kexecctl.js';
import { initialFakeState, type FakeState } from '../../../src/sys/fake-kernel.js';
import { fakeBzImage } from '../../helpers/fake-kernel-image.js';
import { buildCore } from './synthetic-core.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/kdump');
let dir: string;
let root: string;
let fake: string;
let out: string;
let err: string;

function setFake(over: Partial<FakeState>): void {
  writeFileSync(fake, JSON.stringify(initialFakeState(over)));
}
function fakeState(): FakeState {
  return JSON.parse(readFileSync(fake, 'utf8')) as FakeState;
}
async function run(...argv: string[]): Promise<number> {
  out = '';
  err = '';
  return kdumpctlMain(argv);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdumpctl-test-'));
  root = join(dir, 'root');
  cpSync(join(FIXTURES, 'debian12'), root, { recursive: true });
  writeFileSync(join(root, 'boot/vmlinuz-6.1.0-27-amd64'), fakeBzImage({ version: '6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP' }));
  fake = join(dir, 'fake.json');
  vi.stubEnv('KEXECCTL_FAKE', fake);
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('kdumpctl start / status / stop', () => {
  it('status exits 3 without a reservation and explains how to add one', async () => {
    setFake({ crashSize: 0 });
    expect(await run('status', '--root', root)).toBe(3);
    expect(out).toMatch(/Kdump is not operational: no memory is reserved/);
    expect(out).toMatch(/GRUB_CMDLINE_LINUX_DEFAULT in \/etc\/default\/grub, run update-grub/);
    expect(out).toMatch(/grubby --update-kernel=ALL --args=crashkernel=256M/);
  });
  it('start refuses without a reservation and loads nothing', async () => {
    setFake({ crashSize: 0 });
    await expect(run('start', '--root', root)).rejects.toThrow(/no memory is reserved for the crash kernel/);
    expect(fakeState().calls).toEqual([]);
  });
  it('start refuses a crash kernel that fails the deep check (issue 18) and loads nothing; --no-verify loads it', async () => {
    setFake({ crashSize: 256 * 1048576 });
    const k = join(root, 'boot/vmlinuz-6.1.0-27-amd64');
    const bytes = readFileSync(k);
    bytes[0x300] = (bytes[0x300] as number) ^ 0x20; // inside the setup code: only the build CRC sees it
    writeFileSync(k, bytes);
    await expect(run('start', '--root', root)).rejects.toMatchObject({
      code: 'EKERNEL_CHECKSUM',
      message: expect.stringMatching(/build checksum .* does not match/),
    });
    expect(fakeState().calls).toEqual([]);
    expect(await run('start', '--root', root, '--no-verify')).toBe(0);
    expect(fakeState().calls.map((c) => c.syscall)).toEqual(['kexec_file_load']);
  });
  it('start unpacks a gzip-compressed crash kernel into a memfd (issue 11) instead of refusing it', async () => {
    setFake({ crashSize: 256 * 1048576 });
    const k = join(root, 'boot/vmlinuz-6.1.0-27-amd64');
    writeFileSync(k, gzipSync(readFileSync(k)));
    expect(await run('start', '--root', root)).toBe(0);
    const load = fakeState().calls.find((c) => c.syscall === 'kexec_file_load');
    expect(String(load?.args['kernel'])).toMatch(/memfd/);
  });
  it('start loads the planned crash kernel with KEXEC_FILE_ON_CRASH; status 0; stop unloads; status 3', async () => {
    setFake({ crashSize: 256 * 1048576 });
    expect(await run('start', '--root', root)).toBe(0);
    expect(out).toMatch(/Starting kdump: \[OK\]/);
    expect(err).toMatch(/MKDUMPRD_ARGS is ignored/);
    const load = fakeState().calls.find((c) => c.syscall === 'kexec_file_load');
    expect(load?.args['flags']).toBe(2);
    expect(load?.args['cmdline']).toBe(
      'BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=UUID=4b2d6c1e-8f0a-4e53-9b7d-1c2e3f405162 ro irqpoll nr_cpus=1 reset_devices panic=10 kexecctl.kdump=save',
    );
    expect(String(load?.args['kernel'])).toMatch(/boot\/vmlinuz-6.1.0-27-amd64>$/);
    expect(String(load?.args['initrd'])).toMatch(/boot\/initrd.img-6.1.0-27-amd64>$/);
    expect(await run('status', '--root', root)).toBe(0);
    expect(out).toMatch(/^Kdump is operational\n  kernel \/.*vmlinuz-6.1.0-27-amd64 loaded /);
    expect(await run('start', '--root', root)).toBe(0);
    expect(out).toMatch(/Kdump already running/);
    expect(await run('stop', '--root', root)).toBe(0);
    expect(out).toMatch(/kexec: unloaded kdump kernel/);
    expect(fakeState().calls.at(-1)?.args['flags']).toBe(3);
    expect(existsSync(join(root, 'run/kexecctl/crash.json'))).toBe(false);
    expect(await run('status', '--root', root, '--json')).toBe(3);
    expect(JSON.parse(out)).toMatchObject({ operational: false, loaded: false, reservedBytes: 268435456 });
  });
  it('explains a crash kernel too big for the reservation (EADDRNOTAVAIL)', async () => {
    setFake({ crashSize: 64 * 1048576, failures: { kexec_file_load: 'EADDRNOTAVAIL' } });
    await expect(run('start', '--root', root)).rejects.toThrow(
      /Cannot assign requested address: the crash kernel .* do not fit in the 64 MiB crashkernel= reservation/,
    );
    expect(fakeState().crashLoaded).toBe(false);
  });
  it('explains a rejected signature (EKEYREJECTED) and does not fall back', async () => {
    setFake({ crashSize: 256 * 1048576, failures: { kexec_file_load: 'EKEYREJECTED' } });
    const err = await run('start', '--root', root).then(
      () => new Error('no error'),
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    expect(err.message).toMatch(/Key was rejected by service.*signature/);
    expect(err.message).toContain('vmlinuz'); // which kernel
    // One explanation, not the syscall layer's and kdump's own one after the other.
    expect(err.message.match(/signed (by|with) a key/g)).toHaveLength(1);
    expect(fakeState().calls.map((c) => c.syscall)).toEqual(['kexec_file_load']);
  });
  it('KEXEC_ARGS="-c -d" selects kexec_load and prints each call', async () => {
    setFake({ crashSize: 256 * 1048576, failures: { kexec_load: 'ENOSYS' } });
    writeFileSync(join(root, 'etc/sysconfig/kdump'), 'KEXEC_ARGS="-c -d"\n');
    // -c: never kexec_file_load (kexec_load itself may fail before the call while its segment builder is partial)
    await expect(run('start', '--root', root)).rejects.toThrow(/kexec_load/);
    expect(fakeState().calls.filter((c) => c.syscall === 'kexec_file_load')).toEqual([]);
    writeFileSync(join(root, 'etc/sysconfig/kdump'), 'KEXEC_ARGS="-s -d"\n');
    setFake({ crashSize: 256 * 1048576 });
    expect(await run('start', '--root', root)).toBe(0);
    expect(err).toMatch(/kdumpctl: kexec_file_load\(/);
  });
  it('start --dry-run prints the call and changes nothing', async () => {
    setFake({ crashSize: 256 * 1048576 });
    vi.stubEnv('KEXECCTL_FAKE', '');
    expect(await run('start', '--root', root, '--dry-run')).toBe(0);
    expect(out).toMatch(/would load: kexec_file_load\(.*flags=.*ON_CRASH/);
  });
  it('showmem reads /sys/kernel/kexec_crash_size', async () => {
    mkdirSync(join(root, 'sys/kernel'), { recursive: true });
    writeFileSync(join(root, 'sys/kernel/kexec_crash_size'), '268435456\n');
    expect(await run('showmem', '--root', root)).toBe(0);
    expect(out).toBe('Reserved 256MB memory for crash kernel\n');
  });
  it('kexecctl kdump plan prints the same plan as kdumpctl plan', async () => {
    expect(await run('plan', '--root', root, '--json')).toBe(0);
    const a = out;
    out = '';
    await kexecctlMain(['kdump', 'plan', '--root', root, '--json']);
    expect(out).toBe(a);
    expect(JSON.parse(a)).toMatchObject({ kernel: '/boot/vmlinuz-6.1.0-27-amd64', initrd: ['/boot/initrd.img-6.1.0-27-amd64'] });
  });
});

describe('kdumpctl test and save (under --root, with the fake kernel)', () => {
  it('test --force refuses when kdump is not operational, and crashes through sysrq when it is', async () => {
    mkdirSync(join(root, 'proc'), { recursive: true });
    setFake({ crashSize: 256 * 1048576, crashLoaded: false });
    await expect(run('test', '--root', root, '--force')).rejects.toThrow(/not crashing: the dump would be lost/);
    expect(existsSync(join(root, 'proc/sysrq-trigger'))).toBe(false);
    setFake({ crashSize: 256 * 1048576, crashLoaded: true });
    expect(await run('test', '--root', root, '--force')).toBe(0);
    expect(readFileSync(join(root, 'proc/sysrq-trigger'), 'utf8')).toBe('c');
  });
  it('test asks for confirmation: anything but "yes" does nothing, "yes" crashes', async () => {
    mkdirSync(join(root, 'proc'), { recursive: true });
    setFake({ crashSize: 256 * 1048576, crashLoaded: true });
    expect(await crashTest({ root }, Readable.from(['no\n']))).toBe(1);
    expect(err).toMatch(/Type 'yes' to continue/);
    expect(existsSync(join(root, 'proc/sysrq-trigger'))).toBe(false);
    expect(await crashTest({ root }, Readable.from([]))).toBe(1);
    expect(existsSync(join(root, 'proc/sysrq-trigger'))).toBe(false);
    expect(await crashTest({ root }, Readable.from(['yes\n']))).toBe(0);
    expect(readFileSync(join(root, 'proc/sysrq-trigger'), 'utf8')).toBe('c');
  });
  it('save writes vmcore and vmcore-dmesg.txt, never overwrites, then reboots', async () => {
    setFake({});
    const core = buildCore({
      records: [
        { text: 'sysrq: Trigger a crash', tsNsec: 41000000000n },
        { text: 'Kernel panic - not syncing: sysrq triggered crash', tsNsec: 41000100000n },
      ],
    });
    writeFileSync(join(root, 'proc/vmcore'), core);
    writeFileSync(join(root, 'proc/cmdline'), 'root=/dev/vda kexecctl.kdump=save\n');
    expect(await run('save', '--root', root)).toBe(0);
    expect(await run('save', '--root', root, '--final-action', 'poweroff')).toBe(0);
    const dumps = readdirSync(join(root, 'var/crash')).sort();
    expect(dumps).toHaveLength(2);
    expect(dumps[0]).toMatch(/^[A-Za-z0-9._-]+-\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d/);
    for (const d of dumps) {
      const p = join(root, 'var/crash', d);
      expect(readdirSync(p).sort()).toEqual(['vmcore', 'vmcore-dmesg.txt']);
      expect(readFileSync(join(p, 'vmcore')).equals(core)).toBe(true);
      expect(readFileSync(join(p, 'vmcore-dmesg.txt'), 'utf8')).toBe(
        '[   41.000000] sysrq: Trigger a crash\n[   41.000100] Kernel panic - not syncing: sysrq triggered crash\n',
      );
    }
    const reboots = fakeState()
      .calls.filter((c) => c.syscall === 'reboot')
      .map((c) => c.args['cmd']);
    expect(reboots).toEqual(['0x1234567', '0x4321fedc']);
  });
  it('save writes a clearly named fallback when the log cannot be extracted', async () => {
    setFake({});
    writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'x', tsNsec: 0n }], vmcoreinfo: false }));
    expect(await run('save', '--root', root, '--final-action', 'none')).toBe(0);
    const [d] = readdirSync(join(root, 'var/crash'));
    const p = join(root, 'var/crash', d ?? '');
    expect(readdirSync(p).sort()).toEqual(['vmcore', 'vmcore-dmesg-unavailable.txt']);
    expect(readFileSync(join(p, 'vmcore-dmesg-unavailable.txt'), 'utf8')).toMatch(/could not extract the kernel log .* no VMCOREINFO note/);
    expect(fakeState().calls).toEqual([]);
  });
  it('save under SIGTERM mid-copy: exit 143, one line, the partial dump stays as vmcore-incomplete, no final action', async () => {
    setFake({});
    // 48 MiB of core (sparse zeros after the ELF header): many 4 MiB chunks, so the signal lands mid-copy.
    const core = buildCore({ records: [{ text: 'sysrq: Trigger a crash', tsNsec: 1n }] });
    writeFileSync(join(root, 'proc/vmcore'), core);
    truncateSync(join(root, 'proc/vmcore'), 48 * 1048576);
    writeFileSync(join(root, 'proc/cmdline'), 'root=/dev/vda kexecctl.kdump=save\n');
    let done = false;
    const saving = run('save', '--root', root).finally(() => (done = true));
    const crash = join(root, 'var/crash');
    let partial = '';
    // What a SIGTERM delivers to node: the process's 'SIGTERM' listeners, called on the event loop.
    while (!done) {
      await new Promise((r) => setImmediate(r));
      const [d] = existsSync(crash) ? readdirSync(crash) : [];
      partial = join(crash, d ?? '-', 'vmcore-incomplete');
      if (existsSync(partial) && statSync(partial).size > 0) {
        process.emit('SIGTERM');
        break;
      }
    }
    const code = await saving;
    const after = err.split('\n').filter((l) => /SIGTERM/.test(l));
    expect(code).toBe(143);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^kdumpctl: SIGTERM: save stopped after \d+ bytes; the partial dump stays as .*\/vmcore-incomplete, no vmcore; no final action$/);
    expect(readdirSync(join(partial, '..')).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
    expect(statSync(partial).size).toBeLessThan(48 * 1048576);
    expect(fakeState().calls).toEqual([]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
  it('save outside a capture kernel refuses and never reboots', async () => {
    setFake({});
    await expect(run('save', '--root', root)).rejects.toThrow(/not a capture kernel: .* nothing saved, no reboot/);
    expect(fakeState().calls).toEqual([]);
  });
  it('save in a capture kernel without /proc/vmcore fails clearly but still performs the final action', async () => {
    setFake({});
    writeFileSync(join(root, 'proc/cmdline'), 'root=/dev/vda kexecctl.kdump=save\n');
    expect(await run('save', '--root', root)).toBe(1);
    expect(err).toMatch(/cannot open .*proc\/vmcore: No such file or directory \(kdumpctl save runs in the capture kernel/);
    expect(fakeState().calls.map((c) => c.syscall)).toEqual(['sync', 'reboot']);
  });
});
