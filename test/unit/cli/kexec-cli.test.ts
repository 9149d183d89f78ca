import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle, type FakeEnv } from '../../helpers/cli-bundle.js';
import { writeQemu2gMachine } from '../../helpers/x86-facts.js';
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
    // One line saying why; documented in kexec(8) as a deliberate difference from kexec-tools.
    expect(r.stderr).toBe(
      '/sys/kernel/kexec_loaded is missing (no kexec support in this kernel, or /sys not mounted): refusing to sync, take interfaces down or reboot without a kernel known to be loaded',
    );
    expect(syscalls()).toEqual([]);
    expect(fk.state().interfaces).toEqual({ eth0: true });
    const man = readFileSync(join(__dirname, '../../../man/kexec.8'), 'utf8');
    expect(man).toMatch(/kexec_loaded[\s\S]{0,400}deliberate\s+difference/);
  });

  it('-e: sync, interfaces down with SIOCSIFFLAGS (not lo), reboot(KEXEC); -x and -y skip those', async () => {
    fk.setState({ loaded: true, interfaces: { lo: true, eth0: true, 'eth0:1': true, wlan0: false } });
    expect((await kexec('-e')).exitCode).toBe(0);
    expect(syscalls()).toEqual(['sync', 'ioctl', 'reboot']);
    expect(fk.state().calls[1]?.args).toEqual({ request: 'SIOCSIFFLAGS', name: 'eth0', flags: '0x1042' });
    expect(fk.state().calls[2]?.args).toEqual({ cmd: '0x45584543' });
    expect(fk.state().interfaces).toEqual({ lo: true, eth0: false, 'eth0:1': true, wlan0: false });
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
    const links = fk
      .state()
      .calls.filter((c) => c.syscall === 'ioctl')
      .map((c) => `${c.args['name']} ${c.args['flags']}`);
    expect(links).toEqual(['eth0 0x1042', 'eth1 0x1042', 'eth0 0x1003', 'eth1 0x1003']);
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
    // kexec-tools' line (kexec/kexec.c: "kexec_file_load failed: %s"), then, as for EPERM, why (src/kexec/denied.ts):
    // without lockdown, EKEYREJECTED comes from a kernel that enforces signatures (KEXEC_SIG_FORCE).
    expect(r.stderr.trim()).toBe(
      'kexec_file_load failed: Key was rejected by service (this kernel enforces kexec signatures (CONFIG_KEXEC_SIG_FORCE) and its signature was rejected; load a kernel signed by a key it trusts)',
    );
    expect(fk.state().loaded).toBe(true);
    fk.setState({ failures: { kexec_file_load: 'EINVAL' }, calls: [] });
    r = await kexec('-s', '-l', fx.kernel);
    expect([r.exitCode, r.stderr]).toEqual([253, 'syscall kexec_file_load not available.']); // one line, as kexec-tools
    expect(syscalls()).toEqual(['kexec_file_load']);
    // -a (the default): EINVAL falls back to kexec_load, which lays out the kernel on this machine's memory map.
    writeQemu2gMachine(fk.root);
    fk.setState({ calls: [] });
    r = await kexec('-l', fx.kernel);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(fk.state().calls.map((c) => `${c.syscall}=${c.result}`)).toEqual(['kexec_file_load=-1 EINVAL', 'kexec_load=0']);
    expect(fk.state().loaded).toBe(true);
    // -c -t bzImage: kexec_load only, the type checked; -d prints the segment table as kexec-tools does.
    fk.setState({ calls: [], loaded: false });
    r = await kexec('-c', '-d', '-l', fx.kernel, '-t', 'bzImage');
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['kexec_load']);
    expect(r.stderr).toMatch(/^kexec: entry = 0x[0-9a-f]+\nkexec: nr_segments = 3$/m);
  });

  it('bad input, in kexec-tools 2.0.27 words and exit codes, naming files as typed; nothing loaded', async () => {
    writeFileSync(join(fx.dir, 'junk'), 'not a kernel at all\n'.repeat(200));
    chmodSync(join(fx.dir, 'junk'), 0o644);
    mkdirSync(join(fx.dir, 'adir'));
    const cases: Array<[string[], number, string]> = [
      [['-l', 'missing'], 1, "Cannot open `missing': No such file or directory"],
      [['-l', 'adir'], 1, 'Read on adir failed: Is a directory\nCannot read adir'],
      [['-l', 'junk'], 255, 'Cannot determine the file type of junk'],
      [['-l', 'vmlinuz', '--initrd=nope'], 255, 'Could not open initrd file nope:No such file or directory\nCannot load vmlinuz'],
      [['-l', 'vmlinuz', '--real-mode'], 255, 'Kexec2 syscall does not support 16bit or 32bit entry yet\nCannot load vmlinuz'],
      [
        ['-l', 'vmlinuz', `--append=${'x'.repeat(3000)}`],
        255,
        'command line too long: 3001 bytes (with the trailing NUL), this kernel accepts at most 2017 (cmdline_size 2047)',
      ],
      [['-c', '-l', 'vmlinuz', '-t', 'bogus'], 255, 'Unsupported kernel type bogus'],
      [['-c', '-l', 'vmlinuz', '-t', 'elf-x86_64'], 255, 'Wrong file type elf-x86_64, file matches type bzImage64'],
    ];
    for (const [args, code, text] of cases) {
      const r = await kexec(...args);
      expect([r.exitCode, r.stderr], args.join(' ').slice(0, 60)).toEqual([code, text]);
    }
    expect(syscalls()).toEqual([]);
    expect(fk.state().loaded).toBe(false);
  });

  it('-p without reserved crash memory dies before opening anything, with kexec-tools text, exit 1', async () => {
    const r = await kexec('-p', 'missing-kernel', '--initrd=missing-initrd');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Memory for crashkernel is not reserved\nPlease reserve memory by passing"crashkernel=Y@X" parameter to kernel\nThen try to loading kdump kernel',
    );
    expect(syscalls()).toEqual([]);
  });

  it('--initrd twice: the last one wins; --extra-initrd concatenates (a kexecctl extension)', async () => {
    let r = await kexec('-l', fx.kernel, '--initrd', fx.initrd1, '--initrd', fx.initrd2);
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['kexec_file_load']);
    expect(String(fk.state().calls[0]?.args['initrd'])).toMatch(/initrd2\.img>$/);
    fk.setState({ calls: [] });
    r = await kexec('-l', fx.kernel, '--initrd', fx.initrd1, '--extra-initrd', fx.initrd2);
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['memfd_create', 'kexec_file_load']);
  });

  it('operands after the kernel are ignored with a warning, and the load goes on', async () => {
    const r = await kexec('-l', fx.kernel, 'stray', '--append=root=/dev/vda', 'words');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('kexec: warning: ignoring extra arguments after the kernel: stray words');
    expect(fk.state().calls.at(-1)?.args).toMatchObject({ cmdline: 'root=/dev/vda', flags: 4 }); // KEXEC_FILE_NO_INITRAMFS
    expect(fk.state().loaded).toBe(true);
  });

  it('x86 arch options kexec-tools accepts do not abort a load; -d says they have no effect', async () => {
    const opts = [
      '--reset-vga',
      '--serial=ttyS0',
      '--serial-baud=115200',
      '--console-vga',
      '--console-serial',
      '--elf32-core-headers',
      '--elf64-core-headers',
      '--pass-memmap-cmdline',
      '--noefi',
      '--reuse-video-type',
      '--args-linux',
      '--args-elf',
      '--args-none',
      '--module=m',
      '--dtb=d',
      '--mem-min=0x100000',
      '--mem-max=0xffffffff',
    ];
    for (const o of opts) {
      fk.setState({ loaded: false, calls: [] });
      const r = await kexec('-l', fx.kernel, o);
      expect([o, r.exitCode, r.stderr]).toEqual([o, 0, '']);
      expect([o, syscalls(), fk.state().loaded]).toEqual([o, ['kexec_file_load'], true]);
    }
    const r = await kexec('-d', '-l', fx.kernel, '--noefi', '--mem-min=0x1000');
    expect(r.stderr).toContain('kexec: --noefi: accepted, no effect on kexec_file_load');
    expect(r.stderr).toContain('kexec: --mem-min=0x1000: accepted, no effect on kexec_file_load');
  });

  it('--no-cma is KEXEC_FILE_NO_CMA; --hotplug needs /sys/kernel/crash_elfcorehdr_size like kexec-tools', async () => {
    fk.setState({ crashSize: 256 << 20 });
    let r = await kexec('-p', fx.kernel, '--no-cma');
    expect(r.exitCode).toBe(0);
    expect(fk.state().calls.at(-1)?.args['flags']).toBe(0x2 | 0x4 | 0x10);
    r = await kexec('-p', fx.kernel, '--hotplug');
    expect([r.exitCode, r.stderr]).toEqual([1, 'Path /sys/kernel/crash_elfcorehdr_size does not exist, the kernel needs CONFIG_CRASH_HOTPLUG']);
    mkdirSync(join(fk.root, 'sys/kernel'), { recursive: true });
    writeFileSync(join(fk.root, 'sys/kernel/crash_elfcorehdr_size'), '65536\n');
    fk.setState({ calls: [] });
    r = await kexec('-p', fx.kernel, '--hotplug');
    expect(r.exitCode).toBe(0);
    expect(fk.state().calls.map((c) => `${c.syscall} ${c.args['flags']}`)).toEqual(['kexec_file_load 6']); // no file flag for hotplug
  });

  it('-t is ignored on the kexec_file_load path; --mem-min=bad and ambiguous abbreviations are usage errors', async () => {
    let r = await kexec('-l', '-t', 'bogus', fx.kernel);
    expect([r.exitCode, syscalls()]).toEqual([0, ['kexec_file_load']]);
    r = await kexec('-l', fx.kernel, '--mem-min=bad');
    expect([r.exitCode, r.stderr]).toEqual([1, 'Bad option value in --mem-min=bad']);
    expect(r.stdout).toContain('Usage: kexec');
    r = await kexec('-l', fx.kernel, '--co=x');
    expect([r.exitCode, r.stderr]).toEqual([1, "kexec: option '--co=x' is ambiguous; possibilities: '--console-vga' '--console-serial' '--command-line'"]);
    expect(syscalls()).toEqual(['kexec_file_load']);
  });

  it('kexec -l FILE warns about a file root does not own or others can write, and loads it', async () => {
    chmodSync(fx.initrd1, 0o646);
    const r = await kexec('-l', fx.kernel, '--initrd', fx.initrd1);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^kexec: warning: initrd .*initrd1\.img is world-writable \(mode 0646\): loading it anyway$/);
    expect(fk.state().loaded).toBe(true);
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
});
