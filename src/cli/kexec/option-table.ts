/**
 * kexec's long/short option table, in kexec-tools' order, because glibc's getopt_long decides
 * abbreviations from the table's order and content: "--a", "--c", "--co", "--s", "--p" are
 * ambiguous there, and must be here. Reproduced from kexec-tools git main (29898e1):
 * kexec/kexec.h KEXEC_OPTIONS (2.0.32 plus --no-cma and --force-dtb), then the architecture's
 * KEXEC_ALL_OPTIONS (x86: kexec/arch/i386/include/arch/options.h, shared by x86_64; arm64:
 * kexec/arch/arm64/include/arch/options.h). An id is kexec-tools' option value: two names with
 * the same id (--append/--command-line, --initrd/--ramdisk) never make a prefix ambiguous.
 * Ours: --extra-initrd (a kexecctl extension; its prefixes were already ambiguous or unknown to
 * kexec-tools, so no abbreviation kexec-tools accepts changes meaning) and --verify (issue 18's
 * deep check of the kernel payload; abbreviated from "--veri" on only, so "--v", "--ve" and
 * "--ver" stay kexec-tools' --version).
 */
import type { OptSpec } from './getopt.js';

export type KexecArch = 'x86_64' | 'arm64';

const flag = (long: string, short?: string): OptSpec => (short === undefined ? { long, arg: false, id: long } : { long, short, arg: false, id: long });
const withArg = (long: string, short?: string): OptSpec => (short === undefined ? { long, arg: true, id: long } : { long, short, arg: true, id: long });

/** kexec/kexec.h KEXEC_OPTIONS, and "-?" from KEXEC_OPT_STR "h?vdfixyluet:pscaS". */
const GENERIC: readonly OptSpec[] = [
  flag('help', 'h'),
  flag('version', 'v'),
  flag('force', 'f'),
  flag('no-checks', 'i'),
  flag('no-ifdown', 'x'),
  flag('no-sync', 'y'),
  flag('load', 'l'),
  flag('unload', 'u'),
  flag('exec', 'e'),
  flag('exec-live-update'),
  flag('load-preserve-context'),
  flag('load-jump-back-helper'),
  flag('load-live-update'),
  withArg('entry'),
  withArg('type', 't'),
  flag('load-panic', 'p'),
  withArg('mem-min'),
  withArg('mem-max'),
  flag('reuseinitrd'),
  flag('kexec-file-syscall', 's'),
  flag('kexec-syscall', 'c'),
  flag('kexec-syscall-auto', 'a'),
  flag('debug', 'd'),
  flag('status', 'S'),
  flag('print-ckr-size'),
  flag('hotplug'),
  flag('no-cma'),
  flag('force-dtb'),
  { long: '', short: '?', arg: false, id: 'usage' }, // -? only: an empty long name never matches "--x"
];

const APPEND = (long: string): OptSpec => ({ long, arg: true, id: 'append' });
const INITRD = (long: string): OptSpec => ({ long, arg: true, id: 'initrd' });
const EXTRA: OptSpec = withArg('extra-initrd');
const VERIFY: OptSpec = { long: 'verify', arg: false, id: 'verify', minPrefix: 4 };

/** x86 KEXEC_ARCH_OPTIONS then the loaders' options of KEXEC_ALL_OPTIONS. */
const X86: readonly OptSpec[] = [
  flag('reset-vga'),
  withArg('serial'),
  withArg('serial-baud'),
  flag('console-vga'),
  flag('console-serial'),
  flag('elf32-core-headers'),
  flag('elf64-core-headers'),
  flag('pass-memmap-cmdline'),
  flag('noefi'),
  flag('reuse-video-type'),
  APPEND('command-line'),
  APPEND('append'),
  flag('reuse-cmdline'),
  INITRD('initrd'),
  INITRD('ramdisk'),
  flag('args-elf'),
  flag('args-linux'),
  flag('args-none'),
  withArg('module'),
  flag('real-mode'),
  flag('entry-32bit'),
  withArg('dtb'),
  EXTRA,
  VERIFY,
];

/** arm64 KEXEC_ARCH_OPTIONS (= KEXEC_ALL_OPTIONS there). */
const ARM64: readonly OptSpec[] = [
  APPEND('append'),
  APPEND('command-line'),
  withArg('dtb'),
  INITRD('initrd'),
  withArg('serial'),
  INITRD('ramdisk'),
  flag('reuse-cmdline'),
  EXTRA,
  VERIFY,
];

/**
 * x86: options numbered from OPT_ARCH_MAX up. kexec-tools' main() rescans when it will not load
 * (-u, -e, -S) and answers any of them with the usage text and exit 1. arm64 has none.
 */
export const X86_LOAD_ONLY: ReadonlySet<string> = new Set([
  'pass-memmap-cmdline',
  'noefi',
  'reuse-video-type',
  'append',
  'reuse-cmdline',
  'initrd',
  'args-elf',
  'args-linux',
  'args-none',
  'module',
  'real-mode',
  'entry-32bit',
  'dtb',
  'extra-initrd',
]);

/** Options kexec-tools has that kexecctl does not implement: refused with a message. */
export const UNSUPPORTED: ReadonlySet<string> = new Set([
  'exec-live-update',
  'load-preserve-context',
  'load-jump-back-helper',
  'load-live-update',
  'reuseinitrd',
]);

export function kexecOptionTable(arch: KexecArch): readonly OptSpec[] {
  return [...GENERIC, ...(arch === 'arm64' ? ARM64 : X86)];
}

/** The table for this machine: arm64's on arm64, x86's everywhere else. */
export function hostKexecArch(nodeArch: string = process.arch): KexecArch {
  return nodeArch === 'arm64' ? 'arm64' : 'x86_64';
}
