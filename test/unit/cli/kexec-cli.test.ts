import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle, type FakeEnv } from '../../helpers/cli-bundle.js';
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
  mkdirSync(join(fk.root, 'proc'), { recursive: true });
  writeFileSync(join(fk.root, 'proc/cmdline'), 'BOOT_IMAGE=/boot/vmlinuz-6.1 root=/dev/vda1 ro crashkernel=256M quiet\n');
});

const kexec = (...args: string[]) => runNode(cli.kexec, args, fk.env, fx.dir);
const syscalls = () => fk.state().calls.map((c) => c.syscall);

describe('kexec (kexec-tools compatible)', () => {
  it('systemctl kexec style: --load K --append OPTS --initrd I', async () => {
    const r = await kexec('--load', fx.kernel, '--append', 'root=/dev/vda1 marker=42', '--initrd', fx.initrd1);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const call = fk.state().calls.find((c) => c.syscall === 'kexec_file_load');
    expect(call?.args).toMatchObject({ cmdline: 'root=/dev/vda1 marker=42', flags: 0 });
    expect(String(call?.args['initrd'])).toContain('initrd1.img');
    expect(fk.state().loaded).toBe(true);
    const rec = JSON.parse(readFileSync(join(fk.root, 'run/kexecctl/loaded.json'), 'utf8'));
    expect(rec).toMatchObject({ kernel: fx.kernel, initrds: [fx.initrd1], cmdline: 'root=/dev/vda1 marker=42', syscall: 'kexec_file_load', crash: false });
  });

  it('--command-line and --append are one option, the last wins; -tbzImage and bundled flags parse', async () => {
    const r = await kexec('-lsd', '-tbzImage', '--command-line=first', fx.kernel, '--append', 'second');
    expect(r.exitCode).toBe(0);
    expect(fk.state().calls.find((c) => c.syscall === 'kexec_file_load')?.args['cmdline']).toBe('second');
    expect(r.stderr).toContain('kexec: kexec_file_load(kernel_fd=');
  });

  it('--reuse-cmdline drops BOOT_IMAGE=, and with -p crashkernel= too', async () => {
    await kexec('-l', '--reuse-cmdline', '--append=extra', fx.kernel);
    expect(fk.state().calls.at(-1)?.args['cmdline']).toBe('root=/dev/vda1 ro crashkernel=256M quiet extra');
    fk.setState({ crashSize: 256 << 20 });
    const r = await kexec('-p', '--reuse-cmdline', fx.kernel);
    expect(r.exitCode).toBe(0);
    const last = fk.state().calls.at(-1)!;
    expect(last.args).toMatchObject({ cmdline: 'root=/dev/vda1 ro quiet', flags: 0x6 });
    expect(fk.state().crashLoaded).toBe(true);
    writeFileSync(join(fk.root, 'proc/cmdline'), '');
    const bad = await kexec('-l', '--reuse-cmdline', fx.kernel);
    expect([bad.exitCode, bad.stderr]).toEqual([1, 'Failed to read /proc/cmdline']);
  });

  it('-S: exit 1 when loaded, 0 when not; crash kernel unless -l; 255 without kexec support', async () => {
    expect((await kexec('-S')).exitCode).toBe(0);
    fk.setState({ loaded: true });
    expect((await kexec('-S')).exitCode).toBe(0); // crash kernel by default
    expect((await kexec('-l', '-S')).exitCode).toBe(1);
    fk.setState({ crashLoaded: true });
    expect((await kexec('-S')).exitCode).toBe(1);
    expect((await kexec('-p', '-S')).exitCode).toBe(1);
    fk.setState({ supported: false });
    expect((await kexec('-S')).exitCode).toBe(255);
  });

  it('-e with nothing loaded: "Nothing has been loaded!", exit 1, no sync, no ifdown, no reboot', async () => {
    fk.setState({ interfaces: { eth0: true } });
    const r = await kexec('-e');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('Nothing has been loaded!');
    expect(syscalls()).toEqual([]);
  });

  it('-e on a kernel without kexec support refuses before any sync or interface change', async () => {
    fk.setState({ supported: false, interfaces: { eth0: true } });
    const r = await kexec('-e');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/does not support kexec.*\/sys\/kernel\/kexec_loaded is missing/);
    expect(syscalls()).toEqual([]);
    expect(fk.state().interfaces).toEqual({ eth0: true });
  });

  it('-e: sync, interfaces down (not lo), reboot(KEXEC); -x and -y skip those', async () => {
    fk.setState({ loaded: true, interfaces: { lo: true, eth0: true, 'eth0:1': true, wlan0: false } });
    expect((await kexec('-e')).exitCode).toBe(0);
    expect(syscalls()).toEqual(['sync', 'ip-link', 'reboot']);
    expect(fk.state().calls[1]?.args).toMatchObject({ name: 'eth0', state: 'down' });
    expect(fk.state().calls[2]?.args).toEqual({ cmd: '0x45584543' });
    fk.setState({ calls: [] });
    expect((await kexec('-e', '-x', '-y')).exitCode).toBe(0);
    expect(syscalls()).toEqual(['reboot']);
  });

  it('-e: when reboot fails, the interfaces taken down come back up and the exit is non-zero', async () => {
    fk.setState({ loaded: true, interfaces: { eth0: true, eth1: true }, failures: { reboot: 'EPERM' } });
    const r = await kexec('-e');
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/^kexec failed: Operation not permitted\nbrought back up: eth0 eth1/);
    expect(fk.state().interfaces).toEqual({ eth0: true, eth1: true });
    const links = fk.state().calls.filter((c) => c.syscall === 'ip-link').map((c) => `${c.args['name']} ${c.args['state']}`);
    expect(links).toEqual(['eth0 down', 'eth1 down', 'eth0 up', 'eth1 up']);
  });

  it('kexec KERNEL (no -l/-e) loads, then runs shutdown -r now', async () => {
    const r = await kexec(fx.kernel, '--initrd', fx.initrd1);
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['kexec_file_load', 'run']); // shutdown goes through the Processes port, recorded by the fake
    expect(fk.state().calls[1]?.args).toEqual({ argv: ['shutdown', '-r', 'now'] });
  });

  it('-f loads and execs at once, without shutdown', async () => {
    const r = await kexec('-f', fx.kernel);
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['kexec_file_load', 'sync', 'reboot']);
  });

  it('-u and -p -u unload with KEXEC_FILE_UNLOAD (plus ON_CRASH) and drop the record', async () => {
    await kexec('-l', fx.kernel);
    expect((await kexec('-u')).exitCode).toBe(0);
    expect(fk.state().calls.at(-1)?.args).toMatchObject({ flags: 1, kernel: '-1' });
    expect(fk.state().loaded).toBe(false);
    expect(() => readFileSync(join(fk.root, 'run/kexecctl/loaded.json'))).toThrow();
    fk.setState({ crashLoaded: true });
    expect((await kexec('-p', '-u')).exitCode).toBe(0);
    expect(fk.state().calls.at(-1)?.args).toMatchObject({ flags: 3 });
    expect(fk.state().crashLoaded).toBe(false);
  });

  it('kexec_file_load failures: strerror message, exit 255, old load kept; EINVAL with -s exits 253', async () => {
    fk.setState({ loaded: true, failures: { kexec_file_load: 'EKEYREJECTED' } });
    let r = await kexec('-l', fx.kernel);
    expect(r.exitCode).toBe(255);
    expect(r.stderr.trim()).toBe('kexec_file_load failed: Key was rejected by service');
    expect(fk.state().loaded).toBe(true);
    fk.setState({ failures: { kexec_file_load: 'EINVAL' } });
    r = await kexec('-s', '-l', fx.kernel);
    expect(r.exitCode).toBe(253);
    expect(r.stderr).toContain('syscall kexec_file_load not available.');
    r = await kexec('-l', fx.kernel);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/kexec_load fallback: segment builder not implemented for x86-bzimage/);
  });

  it('bad input: missing file, non-kernel, over-long cmdline, writable file: each its message, nothing loaded', async () => {
    const junk = join(fx.dir, 'junk');
    writeFileSync(junk, 'not a kernel at all'.repeat(100));
    chmodSync(junk, 0o644);
    chmodSync(fx.initrd1, 0o646);
    const cases: Array<[string[], RegExp]> = [
      [['-l', join(fx.dir, 'missing')], /^Failed to open kernel file .*missing: No such file or directory$/],
      [['-l', junk], /^.*junk is not a kernel image: no x86 bzImage header/],
      [['-l', fx.kernel, `--append=${'x'.repeat(3000)}`], /^command line too long: 3001 bytes/],
      [['-l', fx.kernel, '--initrd', fx.initrd1], /^initrd .*initrd1.img is world-writable \(mode 0646\)/],
    ];
    for (const [args, re] of cases) {
      const r = await kexec(...args);
      expect(r.exitCode, args.join(' ')).toBe(255);
      expect(r.stderr.trim()).toMatch(re);
    }
    expect(syscalls()).toEqual([]);
    expect(fk.state().loaded).toBe(false);
  });

  it('usage errors exit 1; -h and -v exit 0; -e with load options is bogus', async () => {
    let r = await kexec('--bogus');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("unrecognized option '--bogus'");
    expect(r.stdout).toContain('Usage: kexec [OPTION]... [kernel]');
    r = await kexec('-e', '--append=x');
    expect(r.exitCode).toBe(1);
    expect((await kexec('-h')).exitCode).toBe(0);
    r = await kexec('-v');
    expect(r.stdout).toBe('kexec-tools 2.0.27 (kexecctl 9.9.9-test)'); // execa strips the final newline
    r = await kexec('-l');
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toContain('No kernel specified');
  });

  it('-e checks /sys/kernel/kexec_loaded before it even loads the binding', async () => {
    mkdirSync(join(fk.root, 'sys/kernel'), { recursive: true });
    writeFileSync(join(fk.root, 'sys/kernel/kexec_loaded'), '0\n');
    const env = { KEXECCTL_TEST: '1', KEXECCTL_ROOT: fk.root };
    let r = await runNode(cli.kexec, ['-e'], env, fx.dir);
    expect([r.exitCode, r.stderr]).toEqual([1, 'Nothing has been loaded!']);
    writeFileSync(join(fk.root, 'sys/kernel/kexec_loaded'), '1\n');
    r = await runNode(cli.kexec, ['-e'], env, fx.dir);
    expect(r.stderr).toContain('refusing to load the real kexec binding'); // got past the check, stopped by the test guard
  });

  it('never reaches the real binding in a test run, even without a fake', async () => {
    const r = await runNode(cli.kexec, ['-l', fx.kernel], { KEXECCTL_TEST: '1' }, fx.dir);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toContain('refusing to load the real kexec binding inside a test run');
  });
});
