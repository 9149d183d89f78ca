import { describe, expect, it } from 'vitest';
import { getopt } from '../../../src/cli/kexec/getopt.js';
import { KEXEC_OPTIONS, parseKexecArgs } from '../../../src/cli/kexec/options.js';
import { concatCmdline, reusedCmdline } from '../../../src/cli/kexec/reuse-cmdline.js';
import { kexecExitCode } from '../../../src/cli/kexec/main.js';

function run(argv: string[]) {
  const inv = parseKexecArgs(argv);
  if (inv.action !== 'run') throw new Error(`expected run, got ${inv.action}`);
  return inv;
}

describe('getopt (glibc getopt_long behaviour)', () => {
  it('bundles short options, takes attached and separate arguments, permutes operands', () => {
    const r = getopt(['-lx', '-tbzImage', 'K', '--append=a b', '--initrd', 'I', '--', '-notanoption'], KEXEC_OPTIONS);
    expect(r.opts.map((o) => `${o.id}=${o.value}`)).toEqual(['load=null', 'no-ifdown=null', 'type=bzImage', 'append=a b', 'initrd=I']);
    expect(r.operands).toEqual(['K', '-notanoption']);
  });
  it('accepts unambiguous long prefixes and rejects ambiguous or unknown ones', () => {
    expect(getopt(['--command=x'], KEXEC_OPTIONS).opts[0]).toMatchObject({ id: 'append', value: 'x' });
    expect(getopt(['--ram', 'f'], KEXEC_OPTIONS).opts[0]).toMatchObject({ id: 'initrd', value: 'f' });
    const e = (argv: string[]) => getopt(argv, KEXEC_OPTIONS).error;
    expect(e(['--load-p'])).toMatch(/ambiguous.*--load-panic.*--load-preserve-context/);
    expect(getopt(['--load-pa'], KEXEC_OPTIONS).opts[0]?.id).toBe('panic');
    expect(e(['--lo'])).toMatch(/ambiguous/);
    expect(e(['-Z'])).toBe("invalid option -- 'Z'");
    expect(e(['--append'])).toMatch(/requires an argument/);
    expect(e(['--load=x'])).toMatch(/doesn't allow an argument/);
    expect(getopt(['-l', '--nope', '-e'], KEXEC_OPTIONS).opts.map((o) => o.id)).toEqual(['load']);
  });
});

describe('kexec option semantics (kexec-tools main())', () => {
  it('bare KERNEL loads then shuts down', () => {
    expect(run(['K'])).toMatchObject({ load: true, shutdown: true, exec: false, kernel: 'K', mode: 'auto' });
  });
  it('-l loads only; -e execs with sync and ifdown; -x/-y win whatever their position', () => {
    expect(run(['-l', 'K'])).toMatchObject({ load: true, shutdown: false, exec: false });
    expect(run(['-x', '-y', '-e'])).toMatchObject({ load: false, exec: true, sync: false, ifdown: false });
    expect(run(['-e'])).toMatchObject({ exec: true, sync: true, ifdown: true });
  });
  it('-f loads and execs; -p loads a crash kernel without sync; -u unloads', () => {
    expect(run(['-f', 'K'])).toMatchObject({ load: true, exec: true, shutdown: false, sync: true, ifdown: true });
    expect(run(['-p', 'K'])).toMatchObject({ load: true, crash: true, sync: false, shutdown: false });
    expect(run(['-u'])).toMatchObject({ load: false, unload: true, crash: false });
    expect(run(['-p', '-u'])).toMatchObject({ load: false, unload: true, crash: true });
  });
  it('-S overrides everything and means the crash kernel unless -l was given', () => {
    expect(run(['-S'])).toMatchObject({ status: true, statusCrash: true, load: false, exec: false });
    expect(run(['-l', '-S'])).toMatchObject({ status: true, statusCrash: false });
    expect(run(['-p', '-S'])).toMatchObject({ statusCrash: true });
  });
  it('-s/-c/-a pick the syscall; the last wins', () => {
    expect(run(['-s', '-l', 'K']).mode).toBe('file');
    expect(run(['-c', '-l', 'K']).mode).toBe('legacy');
    expect(run(['-c', '-a', '-l', 'K']).mode).toBe('auto');
  });
  it('--command-line/--append last wins; initrds accumulate in order', () => {
    expect(run(['-l', 'K', '--command-line=a', '--append=b', '--initrd=1', '--ramdisk=2'])).toMatchObject({ append: 'b', initrds: ['1', '2'] });
  });
  it('load-only options without a load, unsupported options and extra operands are usage errors', () => {
    expect(parseKexecArgs(['-u', '--append=x']).action).toBe('usage-error');
    expect(parseKexecArgs(['--load-preserve-context', 'K'])).toEqual({ action: 'usage-error', message: "option '--load-preserve-context' is not supported by kexecctl's kexec" });
    expect(parseKexecArgs(['-l', 'A', 'B']).action).toBe('usage-error');
    expect(parseKexecArgs(['-h', '--bogus']).action).toBe('help');
  });
});

describe('--reuse-cmdline', () => {
  it('drops BOOT_IMAGE, and crashkernel for crash kernels, then appends', () => {
    const proc = 'BOOT_IMAGE=/vmlinuz-6.1 root=UUID=x ro crashkernel=512M-:192M crashkernel=64M,low quiet\n';
    expect(reusedCmdline(proc, false)).toBe('root=UUID=x ro crashkernel=512M-:192M crashkernel=64M,low quiet');
    expect(reusedCmdline(proc, true)).toBe('root=UUID=x ro quiet');
    expect(reusedCmdline('root=/dev/sda xBOOT_IMAGE=keep', false)).toBe('root=/dev/sda xBOOT_IMAGE=keep');
    expect(concatCmdline('a b', 'c')).toBe('a b c');
    expect(concatCmdline(null, null)).toBe('');
  });
});

describe('exit codes', () => {
  it('follow kexec-tools: die() 1, EFAILED 255, EFALLBACK 253', () => {
    expect(kexecExitCode('ENOTLOADED')).toBe(1);
    expect(kexecExitCode('EKEXECFILE')).toBe(255);
    expect(kexecExitCode('EFILEOPEN')).toBe(255);
    expect(kexecExitCode('EFALLBACK')).toBe(253);
  });
});
