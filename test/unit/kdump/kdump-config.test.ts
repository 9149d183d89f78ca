import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crashKernelAddr, kdumpConfigMain } from '../../../src/cli/kdump-config/program.js';
import { initialFakeState, type FakeState } from '../../../src/sys/fake-kernel.js';
import { fakeBzImage } from '../../helpers/fake-kernel-image.js';
import { buildCore } from './synthetic-core.js';

let dir: string;
let root: string;
let fake: string;
let out: string;
let err: string;
const setFake = (over: Partial<FakeState>): void => writeFileSync(fake, JSON.stringify(initialFakeState(over)));
const fakeState = (): FakeState => JSON.parse(readFileSync(fake, 'utf8')) as FakeState;
async function run(...argv: string[]): Promise<number> {
  out = '';
  err = '';
  return kdumpConfigMain(argv);
}
const tools = (text: string): void => writeFileSync(join(root, 'etc/default/kdump-tools'), text);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdump-config-'));
  root = join(dir, 'root');
  cpSync(join(import.meta.dirname, '../../fixtures/kdump/debian12'), root, { recursive: true });
  rmSync(join(root, 'etc/sysconfig'), { recursive: true });
  mkdirSync(join(root, 'etc/default'), { recursive: true });
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

describe('kdump-config', () => {
  it('load refuses with USE_KDUMP=0 (exit 1, nothing loaded), as kdump-tools does', async () => {
    setFake({ crashSize: 256 * 1048576 });
    tools('USE_KDUMP=0\n');
    expect(await run('load', '--root', root)).toBe(1);
    expect(out).toMatch(/^\/etc\/default\/kdump-tools: USE_KDUMP is not set or zero \.\.\. failed!$/m);
    expect(fakeState().calls).toEqual([]);
  });
  it('load builds the command line the kdump-config way and loads; status and show say ready', async () => {
    setFake({ crashSize: 256 * 1048576 });
    tools('USE_KDUMP=1\nKDUMP_CMDLINE_APPEND="reset_devices nr_cpus=1"\nKDUMP_KEXEC_ARGS="-s"\n');
    expect(await run('status', '--root', root)).toBe(0);
    expect(out).toBe('current state   : Not ready to kdump\n');
    expect(await run('load', '--root', root)).toBe(0);
    expect(out).toBe('loaded kdump kernel.\n');
    const load = fakeState().calls.find((c) => c.syscall === 'kexec_file_load');
    // BOOT_IMAGE=, crashkernel=, panic_on_warn dropped; quiet kept (kdump-config keeps it); the append, then our trigger.
    expect(load?.args['cmdline']).toBe('root=UUID=4b2d6c1e-8f0a-4e53-9b7d-1c2e3f405162 ro quiet reset_devices nr_cpus=1 kexecctl.kdump=save');
    expect(await run('status', '--root', root)).toBe(0);
    expect(out).toBe('current state   : ready to kdump\n');
    expect(await run('show', '--root', root)).toBe(0);
    expect(out).toMatch(/^USE_KDUMP:\t\t1$/m);
    expect(out).toMatch(/^current state: {4}ready to kdump$/m);
    expect(out).toMatch(
      /^ {2}\/sbin\/kexec -p -s --command-line="root=UUID=.* kexecctl\.kdump=save" --initrd=\/boot\/initrd\.img-6\.1\.0-27-amd64 \/boot\/vmlinuz-6\.1\.0-27-amd64$/m,
    );
    expect(await run('unload', '--root', root)).toBe(0);
    expect(out).toBe('unloaded kdump kernel.\n');
  });
  it('test is a dry run: prints the kexec command and calls nothing', async () => {
    setFake({ crashSize: 256 * 1048576 });
    tools('USE_KDUMP=1\nKDUMP_KERNEL=/boot/vmlinuz-6.1.0-26-amd64\nKDUMP_CMDLINE="root=/dev/vda ro"\n');
    expect(await run('test', '--root', root)).toBe(0);
    expect(out).toMatch(/^kdump kernel:\n {3}\/boot\/vmlinuz-6\.1\.0-26-amd64\nkdump initrd: \n {3}\n/m);
    expect(out).toMatch(/^ {2}\/sbin\/kexec -p --command-line="root=\/dev\/vda ro kexecctl\.kdump=save" \/boot\/vmlinuz-6\.1\.0-26-amd64$/m);
    expect(fakeState().calls).toEqual([]);
  });
  it('KDUMP_KERNEL that does not exist is refused', async () => {
    setFake({ crashSize: 256 * 1048576 });
    tools('USE_KDUMP=1\nKDUMP_KERNEL=/var/lib/kdump/vmlinuz\n');
    expect(await run('load', '--root', root)).toBe(1);
    expect(err).toMatch(/\/etc\/default\/kdump-tools:2: KDUMP_KERNEL does not exist: \/var\/lib\/kdump\/vmlinuz/);
    expect(fakeState().calls).toEqual([]);
  });
  it('savecore writes the dump under KDUMP_COREDIR and keeps KDUMP_NUM_DUMPS', async () => {
    setFake({ crashSize: 0 });
    tools('USE_KDUMP=1\nKDUMP_COREDIR=/srv/crash\nKDUMP_NUM_DUMPS=1\n');
    // kdump-config's names: <KDUMP_COREDIR>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>.
    mkdirSync(join(root, 'srv/crash/202001010000'), { recursive: true });
    writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'hi', tsNsec: 1n }] }));
    expect(await run('savecore', '--root', root)).toBe(0);
    const dirs = readdirSync(join(root, 'srv/crash'));
    expect(dirs).toHaveLength(1);
    const stamp = dirs[0] ?? '';
    expect(stamp).toMatch(/^20[0-9]{10}$/);
    expect(stamp).not.toBe('202001010000');
    expect(readdirSync(join(root, 'srv/crash', stamp)).sort()).toEqual([`dmesg.${stamp}`, `dump.${stamp}`]);
    expect(readFileSync(join(root, 'srv/crash', stamp, `dmesg.${stamp}`), 'utf8')).toMatch(/hi/);
    expect(out).toMatch(/kdump-config: saved vmcore in .*srv\/crash\//);
  });
  it('savecore under SIGTERM mid-copy: exit 143, one line, the partial dump keeps its -incomplete name, no dump', async () => {
    setFake({ crashSize: 0 });
    tools('USE_KDUMP=1\nKDUMP_COREDIR=/srv/crash\n');
    // 48 MiB of core (sparse zeros after the ELF header): many 4 MiB chunks, so the signal lands mid-copy.
    writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'sysrq: Trigger a crash', tsNsec: 1n }] }));
    truncateSync(join(root, 'proc/vmcore'), 48 * 1048576);
    let done = false;
    const saving = run('savecore', '--root', root).finally(() => (done = true));
    const crash = join(root, 'srv/crash');
    let partial: string | undefined;
    // What a SIGTERM delivers to node: the process's 'SIGTERM' listeners, called on the event loop.
    while (!done) {
      await new Promise((r) => setImmediate(r));
      const [d] = existsSync(crash) ? readdirSync(crash) : [];
      const inDir = d === undefined ? [] : readdirSync(join(crash, d)).filter((f) => f.endsWith('-incomplete'));
      if (d !== undefined && inDir[0] !== undefined && statSync(join(crash, d, inDir[0])).size > 0) {
        partial = join(crash, d, inDir[0]);
        process.emit('SIGTERM');
        break;
      }
    }
    const code = await saving;
    expect(partial).toBeDefined();
    const lines = err.split('\n').filter((l) => /SIGTERM/.test(l));
    expect(code).toBe(143);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kdump-config: SIGTERM: save stopped after \d+ bytes; the partial dump stays as .*-incomplete, no vmcore$/);
    expect(existsSync(partial ?? '')).toBe(true);
    expect(statSync(partial ?? '').size).toBeLessThan(48 * 1048576);
    expect(readdirSync(join(partial ?? '', '..')).filter((f) => f.startsWith('dump.'))).toEqual([]);
    expect(out).not.toMatch(/saved vmcore/);
    expect(fakeState().calls).toEqual([]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
  it('show prints the SSH target and HOSTTAG (ip by default, as kdump-config)', async () => {
    setFake({ crashSize: 256 * 1048576 });
    tools('USE_KDUMP=1\nSSH="kdump@10.0.2.2"\n');
    expect(await run('show', '--root', root)).toBe(0);
    expect(out).toMatch(/^SSH: {14}kdump@10\.0\.2\.2$/m);
    expect(out).toMatch(/^HOSTTAG: {10}ip$/m);
    tools('USE_KDUMP=1\nSSH="kdump@10.0.2.2"\nHOSTTAG=hostname\n');
    expect(await run('show', '--root', root)).toBe(0);
    expect(out).toMatch(/^HOSTTAG: {10}hostname$/m);
  });
  it('no command: usage, exit 1', async () => {
    expect(await run()).toBe(1);
    expect(out).toMatch(/^Usage: kdump-config \{help\|test\|show\|status\|load\|unload\|savecore\}/);
  });
  it('crashkernel addr from /proc/iomem', () => {
    expect(crashKernelAddr('00100000-bfffffff : System RAM\n  2b000000-3affffff : Crash kernel\n')).toBe('0x2b000000');
    expect(crashKernelAddr('')).toBe('');
  });
});
