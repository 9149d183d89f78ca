/**
 * kexec's command line, turned into what to do, with kexec-tools' precedence rules
 * (kexec/kexec.c main()): -l/-p/-u/-e/-f set load/exec/shutdown/sync/ifdown flags in order,
 * -x/-y win afterwards, and -S overrides everything and checks the crash kernel unless -l
 * was given. --initrd given twice: the last one wins (kexec-bzImage64.c, arm64
 * arch_process_options); --extra-initrd (ours) adds files concatenated after it. Operands after
 * the kernel are ignored (main() only reads argv[optind]). Options kexec-tools accepts without
 * effect on kexec_file_load are accepted and listed in noEffect (printed under -d).
 */
import type { LoadMode } from '../../kexec/load.js';
import { KEXEC_FILE_FORCE_DTB, KEXEC_FILE_NO_CMA } from '../../kexec/describe.js';
import { badNumericOption, badSerialBase, badSerialBaud } from './arch-values.js';
import { getopt } from './getopt.js';
import { hostKexecArch, kexecOptionTable, UNSUPPORTED, X86_LOAD_ONLY, type KexecArch } from './option-table.js';

export type KexecRun = {
  action: 'run';
  load: boolean;
  exec: boolean;
  shutdown: boolean;
  sync: boolean;
  ifdown: boolean;
  unload: boolean;
  status: boolean;
  crash: boolean;
  /** -S without -l checks the crash kernel, like kexec-tools. */
  statusCrash: boolean;
  mode: LoadMode;
  debug: boolean;
  skipChecks: boolean;
  type: string | null;
  kernel: string | null;
  /** Operands after the kernel: ignored, with a warning. */
  extraOperands: string[];
  /** The last --initrd, then every --extra-initrd, in order. */
  initrds: string[];
  append: string | null;
  reuseCmdline: boolean;
  hotplug: boolean;
  /** --verify (kexecctl extension): decompress and check the kernel's payload before loading. */
  verify: boolean;
  /** Extra KEXEC_FILE_* flags: --no-cma, --force-dtb. */
  fileFlags: number;
  /** --real-mode / --entry-32bit: kexec_file_load has no such entry (kexec-bzImage64.c). */
  x86Entry: 'real-mode' | 'entry-32bit' | null;
  /** Accepted options that change nothing on the kexec_file_load path, as given. */
  noEffect: string[];
  /** x86 --serial / --serial-baud value kexec-tools rejects (its message). */
  serialError: string | null;
};

export type KexecInvocation =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'print-ckr-size' }
  /** line: what to print on stderr (null: usage only, like -?); the usage text follows. */
  | { action: 'usage-error'; line: string | null; exitCode: number }
  | KexecRun;

const NO_EFFECT = new Set([
  'no-checks',
  'type',
  'mem-min',
  'mem-max',
  'entry',
  'reset-vga',
  'serial',
  'serial-baud',
  'console-vga',
  'console-serial',
  'elf32-core-headers',
  'elf64-core-headers',
  'pass-memmap-cmdline',
  'noefi',
  'reuse-video-type',
  'args-elf',
  'args-linux',
  'args-none',
  'module',
  'dtb',
  'hotplug',
]);

const usage = (line: string | null, exitCode = 1): KexecInvocation => ({ action: 'usage-error', line, exitCode });

export function parseKexecArgs(argv: readonly string[], arch: KexecArch = hostKexecArch()): KexecInvocation {
  const parsed = getopt(argv, kexecOptionTable(arch));
  const r: KexecRun = {
    action: 'run',
    load: true,
    exec: false,
    shutdown: true,
    sync: true,
    ifdown: false,
    unload: false,
    status: false,
    crash: false,
    statusCrash: false,
    mode: 'auto',
    debug: false,
    skipChecks: false,
    type: null,
    kernel: null,
    extraOperands: [],
    initrds: [],
    append: null,
    reuseCmdline: false,
    hotplug: false,
    verify: false,
    fileFlags: 0,
    x86Entry: null,
    noEffect: [],
    serialError: null,
  };
  let hasLoad = false,
    skipIfdown = false,
    skipSync = false;
  let initrd: string | null = null;
  const extra: string[] = [];
  let loadOnlyGiven: string | null = null;
  for (const o of parsed.opts) {
    const v = o.value ?? '';
    if (arch === 'x86_64' && X86_LOAD_ONLY.has(o.id)) loadOnlyGiven ??= o.name;
    if (NO_EFFECT.has(o.id)) r.noEffect.push(o.value === null ? o.name : `${o.name}${o.name.startsWith('--') ? '=' : ' '}${o.value}`);
    if (UNSUPPORTED.has(o.id)) return usage(`kexec: option '${o.name}' is not supported by kexecctl's kexec`);
    switch (o.id) {
      case 'help':
        return { action: 'help' };
      case 'usage':
        return usage(null);
      case 'version':
        return { action: 'version' };
      case 'print-ckr-size':
        return { action: 'print-ckr-size' };
      case 'mem-min':
      case 'mem-max':
      case 'entry': {
        const bad = badNumericOption(o.id, v);
        if (bad !== null) return usage(bad);
        break;
      }
      case 'debug':
        r.debug = true;
        break;
      case 'no-ifdown':
        skipIfdown = true;
        break;
      case 'no-sync':
        skipSync = true;
        break;
      case 'no-checks':
        r.skipChecks = true;
        break;
      case 'force':
        Object.assign(r, { load: true, shutdown: false, sync: true, ifdown: true, exec: true });
        break;
      case 'load':
        hasLoad = true;
        Object.assign(r, { load: true, exec: false, shutdown: false });
        break;
      case 'unload':
        Object.assign(r, { load: false, shutdown: false, sync: false, unload: true });
        break;
      case 'exec':
        Object.assign(r, { load: false, shutdown: false, sync: true, ifdown: true, exec: true });
        break;
      case 'load-panic':
        Object.assign(r, { load: true, exec: false, shutdown: false, sync: false, crash: true });
        break;
      case 'type':
        r.type = v;
        break;
      case 'kexec-file-syscall':
        r.mode = 'file';
        break;
      case 'kexec-syscall':
        r.mode = 'legacy';
        break;
      case 'kexec-syscall-auto':
        r.mode = 'auto';
        break;
      case 'status':
        r.status = true;
        break;
      case 'hotplug':
        r.hotplug = true;
        break;
      case 'verify':
        r.verify = true;
        break;
      case 'no-cma':
        r.fileFlags |= KEXEC_FILE_NO_CMA;
        break;
      case 'force-dtb':
        r.fileFlags |= KEXEC_FILE_FORCE_DTB;
        break;
      case 'append':
        r.append = v;
        break; // --command-line and --append: the last one wins
      case 'reuse-cmdline':
        r.reuseCmdline = true;
        break;
      case 'initrd':
        initrd = v;
        break; // the last one wins, as in kexec-tools
      case 'extra-initrd':
        extra.push(v);
        break;
      case 'real-mode':
      case 'entry-32bit':
        r.x86Entry = o.id;
        break;
      case 'serial':
        if (arch === 'x86_64') r.serialError ??= badSerialBase(v);
        break;
      case 'serial-baud':
        r.serialError ??= badSerialBaud(v);
        break;
    }
  }
  if (parsed.error !== null) return usage(`kexec: ${parsed.error}`);
  if (skipIfdown) r.ifdown = false;
  if (skipSync) r.sync = false;
  r.statusCrash = r.status && (r.crash || !hasLoad);
  if (r.status) Object.assign(r, { load: false, unload: false, shutdown: false, sync: false, ifdown: false, exec: false });
  if (!r.load && loadOnlyGiven !== null) return usage(`kexec: option '${loadOnlyGiven}' only applies when loading a kernel`);
  r.kernel = parsed.operands[0] ?? null;
  r.extraOperands = parsed.operands.slice(1);
  r.initrds = [...(initrd === null ? [] : [initrd]), ...extra];
  return r;
}
