import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
});

const ctl = (...args: string[]) => runNode(cli.kexecctl, args, fk.env, fx.dir);
const syscalls = () => fk.state().calls.map((c) => c.syscall);

function sysfsRoot(): string {
  const r = join(fx.dir, 'sysroot');
  const w = (p: string, c: string | Buffer) => {
    mkdirSync(join(r, p, '..'), { recursive: true });
    writeFileSync(join(r, p), c);
  };
  w('sys/kernel/kexec_loaded', '1\n');
  w('sys/kernel/kexec_crash_loaded', '0\n');
  w('sys/kernel/kexec_crash_size', '268435456\n');
  w('proc/sys/kernel/kexec_load_disabled', '0\n');
  w('sys/kernel/security/lockdown', 'none [integrity] confidentiality\n');
  w('sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c', Buffer.from([6, 0, 0, 0, 1]));
  return r;
}

describe('kexecctl status', () => {
  it('reads sysfs, lockdown, Secure Boot and kexec_load_disabled under --root', async () => {
    const r = await runNode(cli.kexecctl, ['status', '--json', '--root', sysfsRoot()], { KEXECCTL_TEST: '1' });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kexecSupported: true,
      loaded: true,
      crashLoaded: false,
      crashSize: 268435456,
      lockdown: 'integrity',
      secureBoot: 'enabled',
      kexecLoadDisabled: false,
      record: null,
      crashRecord: null,
    });
  });
  it('says when this kernel has no kexec at all', async () => {
    const empty = join(fx.dir, 'empty');
    mkdirSync(empty);
    const r = await runNode(cli.kexecctl, ['status', '--root', empty], { KEXECCTL_TEST: '1' });
    expect(r.stdout).toMatch(/kexec supported: +no/);
    expect(r.stdout).toMatch(/Secure Boot: +not-efi/);
  });
});

describe('kexecctl load / status / unload / exec', () => {
  it('load, status, unload, status again', async () => {
    let r = await ctl('load', '--kernel', fx.kernel, '--initrd', fx.initrd1, '--initrd', fx.initrd2, '--append', 'console=ttyS0 marker=7', '--root', fk.root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`loaded ${fx.kernel} (6.1.0-18-amd64) via kexec_file_load`);
    expect(syscalls()).toEqual(['memfd_create', 'kexec_file_load']);
    r = await ctl('status', '--json', '--root', fk.root);
    const s = JSON.parse(r.stdout);
    expect(s.loaded).toBe(true);
    expect(s.record).toMatchObject({ kernel: fx.kernel, initrds: [fx.initrd1, fx.initrd2], cmdline: 'console=ttyS0 marker=7', crash: false });
    r = await ctl('unload', '--root', fk.root);
    expect(r.exitCode).toBe(0);
    r = await ctl('status', '--json', '--root', fk.root);
    expect(JSON.parse(r.stdout)).toMatchObject({ loaded: false, record: null });
  });

  it('--dry-run prints the exact syscall and loads nothing', async () => {
    const r = await ctl('load', '--kernel', fx.kernel, '--initrd', fx.initrd1, '--append', 'a "b"', '--dry-run', '--root', fk.root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^kexec_file_load\\(kernel_fd=\\d+<${fx.kernel}>, initrd_fd=\\d+<${fx.initrd1}>, cmdline_len=6, cmdline="a \\\\"b\\\\"", flags=0x0\\)$`),
    );
    expect(syscalls()).toEqual([]);
    const u = await ctl('unload', '--crash', '--dry-run');
    expect(u.stdout).toBe('kexec_file_load(kernel_fd=-1, initrd_fd=-1, cmdline_len=0, cmdline=NULL, flags=KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH (0x3))');
  });

  it('bad input exits 2 with its own message and leaves the old load', async () => {
    fk.setState({ loaded: true });
    const r1 = await ctl('load', '--kernel', join(fx.dir, 'nope'));
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/^kexecctl: Failed to open kernel file .*nope: No such file or directory/);
    const r2 = await ctl('load', '--kernel', fx.kernel, '--append', 'y'.repeat(2100));
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/command line too long/);
    expect(syscalls()).toEqual([]);
    expect(fk.state().loaded).toBe(true);
  });

  it('a kernel refusal (EPERM under lockdown) exits 1 and never falls back', async () => {
    fk.setState({ failures: { kexec_file_load: 'EPERM' } });
    const r = await ctl('load', '--kernel', fx.kernel, '--json');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('kexecctl: kexec_file_load failed: Operation not permitted');
    expect(syscalls()).toEqual(['kexec_file_load']);
  });

  it('load without --kernel: a skip plan loads nothing and says why (exit 0)', async () => {
    const r = await ctl('load');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/nothing loaded: .*LOAD_KEXEC/);
    expect(syscalls()).toEqual([]);
  });

  it('load without --kernel loads the planned kernel from /etc/default/kexec under the root', async () => {
    const put = (p: string, c: string | Buffer) => {
      mkdirSync(join(fk.root, p, '..'), { recursive: true });
      writeFileSync(join(fk.root, p), c);
    };
    put(
      'etc/default/kexec',
      'LOAD_KEXEC=true\nKERNEL_IMAGE="/boot/vmlinuz-6.1.0-18-amd64"\nINITRD="/boot/initrd.img-6.1.0-18-amd64"\nAPPEND="root=/dev/vda1 marker=plan"\n',
    );
    put('boot/vmlinuz-6.1.0-18-amd64', readFileSync(fx.kernel));
    put('boot/initrd.img-6.1.0-18-amd64', readFileSync(fx.initrd1));
    put('lib/modules/6.1.0-18-amd64/modules.dep', ''); // else the plan warns (printed since issue 12's matrix)
    put('proc/cmdline', 'BOOT_IMAGE=/old root=/dev/vda1\n');
    const r = await ctl('load', '--json');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const call = fk.state().calls.find((c) => c.syscall === 'kexec_file_load');
    expect(call?.args['cmdline']).toBe('root=/dev/vda1 marker=plan');
    expect(String(call?.args['kernel'])).toContain('/boot/vmlinuz-6.1.0-18-amd64');
    expect(JSON.parse(r.stdout).record.initrds).toEqual([join(fk.root, 'boot/initrd.img-6.1.0-18-amd64')]);
  });

  it("load without --kernel prints the plan's warnings, as kexecctl plan does (issue 12 matrix: a garbage grubenv)", async () => {
    const put = (p: string, c: string | Buffer) => {
      mkdirSync(join(fk.root, p, '..'), { recursive: true });
      writeFileSync(join(fk.root, p), c);
    };
    put('etc/default/kexec', 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=true\n');
    put('boot/grub/grub.cfg', "load_env\nmenuentry 'Debian' {\n\tlinux /boot/vmlinuz-6.1.0-18-amd64 root=/dev/vda1 ro\n}\n");
    put('boot/grub/grubenv', Buffer.alloc(1024, 0x5a));
    put('boot/vmlinuz-6.1.0-18-amd64', readFileSync(fx.kernel));
    put('lib/modules/6.1.0-18-amd64/modules.dep', '');
    put('proc/cmdline', 'BOOT_IMAGE=/old root=/dev/vda1\n');
    const r = await ctl('load', '--no-verify');
    expect(r.exitCode).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^kexecctl: warning: .*\/boot\/grub\/grubenv:1: .*not a GRUB environment block/)]);
    expect(fk.state().calls.find((c) => c.syscall === 'kexec_file_load')?.args['cmdline']).toBe('BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/vda1 ro');
  });

  it('exec refuses with nothing loaded; execs the loaded kernel; dry run lists the steps', async () => {
    fk.setState({ interfaces: { eth0: true } });
    let r = await ctl('exec');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('kexecctl: Nothing has been loaded!');
    expect(syscalls()).toEqual([]);
    fk.setState({ loaded: true });
    r = await ctl('exec', '--dry-run');
    expect(r.stdout.split('\n')).toEqual([
      'sync()',
      'ioctl(SIOCSIFFLAGS, eth0, down)',
      'reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)',
    ]);
    expect(syscalls()).toEqual([]);
    r = await ctl('exec', '--dry-run', '--json', '--no-sync');
    expect(JSON.parse(r.stdout).steps).toEqual([
      'ioctl(SIOCSIFFLAGS, eth0, down)',
      'reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)',
    ]);
    r = await ctl('exec', '--no-ifdown');
    expect(r.exitCode).toBe(0);
    expect(syscalls()).toEqual(['sync', 'reboot']);
  });

  it('--syscall kexec_load loads through our segment builder with two initrds; status records the syscall', async () => {
    writeQemu2gMachine(fk.root);
    let r = await ctl('load', '--syscall', 'kexec_load', '--kernel', fx.kernel, '--initrd', fx.initrd1, '--initrd', fx.initrd2, '--root', fk.root, '--json');
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ syscall: 'kexec_load', record: { syscall: 'kexec_load' } });
    const load = fk.state().calls.find((c) => c.syscall === 'kexec_load') as unknown as { args: { segments: Array<{ bufsz: number }> } };
    // initrd1 padded to a multiple of 4, then initrd2: one ramdisk segment holding both.
    const [a, b] = [statSync(fx.initrd1).size, statSync(fx.initrd2).size];
    expect(load.args.segments.map((s) => s.bufsz)).toContain(a + ((4 - (a % 4)) % 4) + b);
    expect(syscalls()).toEqual(['kexec_load']); // no memfd: the ramdisk is built in our own buffer
    r = await ctl('status', '--json', '--root', fk.root);
    expect(JSON.parse(r.stdout).record).toMatchObject({ syscall: 'kexec_load' });
    r = await ctl('load', '--syscall', 'kexec_file_load', '--mode', 'legacy', '--kernel', fx.kernel, '--root', fk.root);
    expect(r.exitCode).toBe(0);
    expect(syscalls().at(-1)).toBe('kexec_file_load'); // --syscall wins over --mode
  });
});
