import { describe, expect, it } from 'vitest';
import { getopt } from '../../../src/cli/kexec/getopt.js';
import { kexecOptionTable } from '../../../src/cli/kexec/option-table.js';
import { parseKexecArgs, type KexecRun } from '../../../src/cli/kexec/options.js';
import { concatCmdline, reusedCmdline } from '../../../src/cli/kexec/reuse-cmdline.js';
import { kexecExitCode } from '../../../src/cli/kexec/main.js';
import { strtoulFull } from '../../../src/cli/kexec/strtoul.js';

const X86 = kexecOptionTable('x86_64');
const ARM64 = kexecOptionTable('arm64');

function run(argv: string[], arch: 'x86_64' | 'arm64' = 'x86_64'): KexecRun {
  const inv = parseKexecArgs(argv, arch);
  if (inv.action !== 'run') throw new Error(`expected run, got ${JSON.stringify(inv)}`);
  return inv;
}

describe('getopt (glibc getopt_long behaviour)', () => {
  it('bundles short options, takes attached and separate arguments, permutes operands', () => {
    const r = getopt(['-lx', '-tbzImage', 'K', '--append=a b', '--initrd', 'I', '--', '-notanoption'], X86);
    expect(r.opts.map((o) => `${o.id}=${o.value}`)).toEqual(['load=null', 'no-ifdown=null', 'type=bzImage', 'append=a b', 'initrd=I']);
    expect(r.operands).toEqual(['K', '-notanoption']);
  });

  it('is ambiguous exactly where kexec-tools x86_64 is (its option table decides)', () => {
    const e = (arg: string) => getopt([arg], X86).error;
    // Lists as glibc prints them: the first prefix match, then each one that differs from it.
    expect(e('--a')).toBe("option '--a' is ambiguous; possibilities: '--append' '--args-elf' '--args-linux' '--args-none'");
    expect(e('--c')).toBe("option '--c' is ambiguous; possibilities: '--console-vga' '--console-serial' '--command-line'");
    expect(e('--co')).toBe("option '--co' is ambiguous; possibilities: '--console-vga' '--console-serial' '--command-line'");
    expect(e('--s')).toBe("option '--s' is ambiguous; possibilities: '--status' '--serial' '--serial-baud'");
    expect(e('--p')).toBe("option '--p' is ambiguous; possibilities: '--print-ckr-size' '--pass-memmap-cmdline'");
    expect(e('--a=x')).toMatch(/^option '--a=x' is ambiguous/);
    expect(e('--h')).toBe("option '--h' is ambiguous; possibilities: '--help' '--hotplug'");
    expect(e('--load-p')).toBe("option '--load-p' is ambiguous; possibilities: '--load-preserve-context' '--load-panic'");
    expect(e('--kexec-s')).toBe("option '--kexec-s' is ambiguous; possibilities: '--kexec-syscall' '--kexec-syscall-auto'");
  });

  it('takes unique prefixes, and an exact name even when it is a prefix of another', () => {
    const id = (arg: string) => getopt([arg, 'v'], X86).opts[0]?.id;
    expect([
      id('--comm'),
      id('--ram'),
      id('--initr'),
      id('--load-pa'),
      id('--rese'),
      id('--no-s'),
      id('--kexec-syscall-a'),
      id('--exec'),
      id('--serial'),
    ]).toEqual(['append', 'initrd', 'initrd', 'load-panic', 'reset-vga', 'no-sync', 'kexec-syscall-auto', 'exec', 'serial']);
    // Two names with the same value and argument (as --append/--command-line) are one option, as in glibc.
    const same = [
      { long: 'alpha', arg: true, id: 'a' },
      { long: 'alps', arg: true, id: 'a' },
      { long: 'alto', arg: false, id: 'b' },
    ];
    expect(getopt(['--alp=1'], same).opts[0]).toMatchObject({ id: 'a', name: '--alpha', value: '1' });
    expect(getopt(['--al'], same).error).toBe("option '--al' is ambiguous; possibilities: '--alpha' '--alto'");
  });

  it('arm64 has its own table: --a, --c and --p are unique there, --s is not', () => {
    expect(getopt(['--a=x'], ARM64).opts[0]).toMatchObject({ id: 'append', value: 'x' });
    expect(getopt(['--c=x'], ARM64).opts[0]).toMatchObject({ id: 'append', value: 'x' });
    expect(getopt(['--p'], ARM64).opts[0]?.id).toBe('print-ckr-size');
    expect(getopt(['--s'], ARM64).error).toBe("option '--s' is ambiguous; possibilities: '--status' '--serial'");
  });

  it('reports unknown options and arguments in glibc words', () => {
    const e = (argv: string[]) => getopt(argv, X86).error;
    expect(e(['--bogus=1'])).toBe("unrecognized option '--bogus=1'");
    expect(e(['--=x'])).toBe("unrecognized option '--=x'");
    expect(e(['-Z'])).toBe("invalid option -- 'Z'");
    expect(e(['--append'])).toBe("option '--append' requires an argument");
    expect(e(['--comm'])).toBe("option '--command-line' requires an argument");
    expect(e(['--load=x'])).toBe("option '--load' doesn't allow an argument");
    expect(getopt(['-l', '--nope', '-e'], X86).opts.map((o) => o.id)).toEqual(['load']);
  });
});

describe('kexec option semantics (kexec-tools main())', () => {
  it('bare KERNEL loads then shuts down; -l/-e/-f/-p/-u as kexec-tools sets its flags', () => {
    expect(run(['K'])).toMatchObject({ load: true, shutdown: true, exec: false, kernel: 'K', mode: 'auto' });
    expect(run(['-l', 'K'])).toMatchObject({ load: true, shutdown: false, exec: false });
    expect(run(['-x', '-y', '-e'])).toMatchObject({ load: false, exec: true, sync: false, ifdown: false });
    expect(run(['-f', 'K'])).toMatchObject({ load: true, exec: true, shutdown: false, sync: true, ifdown: true });
    expect(run(['-p', 'K'])).toMatchObject({ load: true, crash: true, sync: false, shutdown: false });
    expect(run(['-p', '-u'])).toMatchObject({ load: false, unload: true, crash: true });
  });

  it('-S overrides everything and means the crash kernel unless -l was given', () => {
    expect(run(['-S'])).toMatchObject({ status: true, statusCrash: true, load: false, exec: false });
    expect(run(['-l', '-S'])).toMatchObject({ status: true, statusCrash: false });
  });

  it('--initrd given twice: the last wins; --extra-initrd (ours) concatenates after it', () => {
    expect(run(['-l', 'K', '--initrd=A', '--ramdisk=B']).initrds).toEqual(['B']);
    expect(run(['-l', 'K', '--extra-initrd=X', '--initrd=A', '--initrd=B', '--extra-initrd=Y']).initrds).toEqual(['B', 'X', 'Y']);
    expect(run(['-l', 'K', '--command-line=a', '--append=b']).append).toBe('b');
  });

  it('operands after the kernel are kept aside (ignored, as kexec-tools does)', () => {
    expect(run(['-l', 'A', 'B', '--append=x', 'C'])).toMatchObject({ kernel: 'A', extraOperands: ['B', 'C'], append: 'x' });
  });

  it('accepts the x86 arch and loader options, and lists those without effect on kexec_file_load', () => {
    const argv = [
      '-l',
      'K',
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
      '--module=M',
      '--dtb=D',
      '--mem-min=0x1000',
      '--mem-max=4096',
      '--entry=0',
      '-i',
      '-tbzImage',
    ];
    const r = run(argv);
    expect(r.noEffect).toEqual([
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
      '--module=M',
      '--dtb=D',
      '--mem-min=0x1000',
      '--mem-max=4096',
      '--entry=0',
      '-i',
      '-t bzImage',
    ]);
    expect(r).toMatchObject({ load: true, kernel: 'K', serialError: null, fileFlags: 0, x86Entry: null });
  });

  it('--no-cma and --force-dtb are KEXEC_FILE flags; --hotplug and --real-mode are kept for the loader', () => {
    expect(run(['-p', 'K', '--no-cma']).fileFlags).toBe(0x10);
    expect(run(['-p', 'K', '--no-cma', '--force-dtb']).fileFlags).toBe(0x30);
    expect(run(['-p', 'K', '--hotplug'])).toMatchObject({ hotplug: true, fileFlags: 0 });
    expect(run(['-l', 'K', '--real-mode']).x86Entry).toBe('real-mode');
    expect(run(['-l', 'K', '--entry-32bit']).x86Entry).toBe('entry-32bit');
  });

  it('validates --mem-min/--mem-max/--entry like strtoul(, , 0) and --serial values like arch_process_options', () => {
    expect(parseKexecArgs(['-l', 'K', '--mem-min=bad'])).toEqual({ action: 'usage-error', line: 'Bad option value in --mem-min=bad', exitCode: 1 });
    expect(parseKexecArgs(['--mem-max', '12abc', '-l', 'K'])).toEqual({ action: 'usage-error', line: 'Bad option value in --mem-max=12abc', exitCode: 1 });
    expect(parseKexecArgs(['--entry=0x'])).toMatchObject({ line: 'Bad option value in --entry=0x' });
    expect(run(['--mem-min=', '-l', 'K']).load).toBe(true); // strtoul("") converts nothing but ends on the NUL
    expect(run(['-l', 'K', '--serial=ttyS2']).serialError).toBe("Bad serial port base 'ttyS2'");
    expect(run(['-l', 'K', '--serial=0x10000']).serialError).toBe("Bad serial port base '0x10000'");
    expect(run(['-l', 'K', '--serial=0x2f8']).serialError).toBeNull();
    expect(run(['-l', 'K', '--serial-baud=14000']).serialError).toBe("Bad serial port baud rate '14000'");
    expect(run(['-l', 'K', '--serial-baud=0']).serialError).toBe("Bad serial port baud rate '0'");
    expect(run(['-l', 'K', '--serial-baud=9600']).serialError).toBeNull();
  });

  it('x86: loader options without a load are usage errors (kexec-tools rescans for them); arm64 accepts them', () => {
    expect(parseKexecArgs(['-u', '--append=x'])).toEqual({
      action: 'usage-error',
      line: "kexec: option '--append' only applies when loading a kernel",
      exitCode: 1,
    });
    expect(parseKexecArgs(['-e', '--noefi']).action).toBe('usage-error');
    expect(parseKexecArgs(['-u', '--reset-vga']).action).toBe('run'); // below OPT_ARCH_MAX: allowed
    expect(parseKexecArgs(['-u', '--append=x'], 'arm64').action).toBe('run');
  });

  it('-? is usage and exit 1 without a message; -h wins over a later bad option; unsupported options say so', () => {
    expect(parseKexecArgs(['-?'])).toEqual({ action: 'usage-error', line: null, exitCode: 1 });
    expect(parseKexecArgs(['-h', '--bogus']).action).toBe('help');
    expect(parseKexecArgs(['--load-preserve-context', 'K'])).toMatchObject({
      line: "kexec: option '--load-preserve-context' is not supported by kexecctl's kexec",
    });
    expect(parseKexecArgs(['--a', 'K'])).toMatchObject({
      line: "kexec: option '--a' is ambiguous; possibilities: '--append' '--args-elf' '--args-linux' '--args-none'",
      exitCode: 1,
    });
  });
});

describe('strtoul(s, &end, 0) with *end == NUL', () => {
  it('accepts what glibc converts completely', () => {
    const ok = (s: string) => strtoulFull(s).ok;
    expect(['0', '4096', '0x1000', '0X1f', '010', ' 12', '+5', '-1', ''].map(ok)).toEqual([true, true, true, true, true, true, true, true, true]);
    expect(['0x', '08', '12 ', 'abc', '1k', ' ', '+', '0x1g'].map(ok)).toEqual([false, false, false, false, false, false, false, false]);
    expect(strtoulFull('010').value).toBe(8n);
    expect(strtoulFull('-1').value).toBe((1n << 64n) - 1n);
  });
});

describe('--reuse-cmdline', () => {
  it('drops BOOT_IMAGE, and crashkernel for crash kernels, then appends', () => {
    const proc = 'BOOT_IMAGE=/vmlinuz-6.1 root=UUID=x ro crashkernel=512M-:192M crashkernel=64M,low quiet\n';
    expect(reusedCmdline(proc, false)).toBe('root=UUID=x ro crashkernel=512M-:192M crashkernel=64M,low quiet');
    expect(reusedCmdline(proc, true)).toBe('root=UUID=x ro quiet');
    expect(concatCmdline('a b', 'c')).toBe('a b c');
    expect(concatCmdline(null, null)).toBe('');
  });
});

describe('exit codes', () => {
  it('follow kexec-tools: die() 1, EFAILED 255, EFALLBACK 253', () => {
    expect(['ENOTLOADED', 'ENOCRASHMEM', 'EDIE', 'EKEXECFILE', 'EUNKNOWNFORMAT', 'ENOLEGACY', 'EFALLBACK'].map(kexecExitCode)).toEqual([
      1, 1, 1, 255, 255, 255, 253,
    ]);
  });
});
