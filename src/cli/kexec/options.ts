/**
 * kexec's command line, turned into what to do, with kexec-tools' precedence rules
 * (kexec/kexec.c main()): -l/-p/-u/-e/-f set load/exec/shutdown/sync/ifdown flags in order,
 * -x/-y win afterwards, and -S overrides everything and checks the crash kernel unless -l
 * was given.
 */
import type { LoadMode } from '../../kexec/load.js';
import { getopt, type OptSpec } from './getopt.js';

export const KEXEC_OPTIONS: readonly OptSpec[] = [
  { long: 'help', short: 'h', arg: false, id: 'help' },
  { long: 'version', short: 'v', arg: false, id: 'version' },
  { long: 'force', short: 'f', arg: false, id: 'force' },
  { long: 'no-checks', short: 'i', arg: false, id: 'no-checks' },
  { long: 'no-ifdown', short: 'x', arg: false, id: 'no-ifdown' },
  { long: 'no-sync', short: 'y', arg: false, id: 'no-sync' },
  { long: 'load', short: 'l', arg: false, id: 'load' },
  { long: 'unload', short: 'u', arg: false, id: 'unload' },
  { long: 'exec', short: 'e', arg: false, id: 'exec' },
  { long: 'type', short: 't', arg: true, id: 'type' },
  { long: 'load-panic', short: 'p', arg: false, id: 'panic' },
  { long: 'kexec-file-syscall', short: 's', arg: false, id: 'mode-file' },
  { long: 'kexec-syscall', short: 'c', arg: false, id: 'mode-legacy' },
  { long: 'kexec-syscall-auto', short: 'a', arg: false, id: 'mode-auto' },
  { long: 'debug', short: 'd', arg: false, id: 'debug' },
  { long: 'status', short: 'S', arg: false, id: 'status' },
  { long: 'print-ckr-size', arg: false, id: 'print-ckr-size' },
  // load options (kexec-tools: x86 bzImage / arm64 Image arch options)
  { long: 'command-line', arg: true, id: 'append' },
  { long: 'append', arg: true, id: 'append' },
  { long: 'reuse-cmdline', arg: false, id: 'reuse-cmdline' },
  { long: 'initrd', arg: true, id: 'initrd' },
  { long: 'ramdisk', arg: true, id: 'initrd' },
  // kexec-tools options kexecctl does not implement: recognised so the error says so
  ...['exec-live-update', 'load-preserve-context', 'load-jump-back-helper', 'load-live-update', 'reuseinitrd', 'hotplug', 'no-cma', 'force-dtb', 'real-mode', 'entry-32bit'].map((long) => ({ long, arg: false, id: `unsupported` })),
  ...['entry', 'mem-min', 'mem-max', 'dtb'].map((long) => ({ long, arg: true, id: 'unsupported' })),
];

const LOAD_ONLY = new Set(['append', 'reuse-cmdline', 'initrd']);

export type KexecInvocation =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'print-ckr-size' }
  | { action: 'usage-error'; message: string }
  | {
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
      initrds: string[];
      append: string | null;
      reuseCmdline: boolean;
    };

export function parseKexecArgs(argv: readonly string[]): KexecInvocation {
  const parsed = getopt(argv, KEXEC_OPTIONS);
  let load = true, exec = false, shutdown = true, sync = true, ifdown = false, unload = false;
  let status = false, crash = false, hasLoad = false, skipIfdown = false, skipSync = false;
  let mode: LoadMode = 'auto', debug = false, skipChecks = false, type: string | null = null;
  let append: string | null = null, reuseCmdline = false;
  const initrds: string[] = [];
  let loadOnlyGiven: string | null = null;
  for (const o of parsed.opts) {
    if (LOAD_ONLY.has(o.id)) loadOnlyGiven ??= o.name;
    switch (o.id) {
      case 'help': return { action: 'help' };
      case 'version': return { action: 'version' };
      case 'print-ckr-size': return { action: 'print-ckr-size' };
      case 'unsupported': return { action: 'usage-error', message: `option '${o.name}' is not supported by kexecctl's kexec` };
      case 'debug': debug = true; break;
      case 'no-ifdown': skipIfdown = true; break;
      case 'no-sync': skipSync = true; break;
      case 'no-checks': skipChecks = true; break;
      case 'force': load = true; shutdown = false; sync = true; ifdown = true; exec = true; break;
      case 'load': hasLoad = true; load = true; exec = false; shutdown = false; break;
      case 'unload': load = false; shutdown = false; sync = false; unload = true; break;
      case 'exec': load = false; shutdown = false; sync = true; ifdown = true; exec = true; break;
      case 'panic': load = true; exec = false; shutdown = false; sync = false; crash = true; break;
      case 'type': type = o.value; break;
      case 'mode-file': mode = 'file'; break;
      case 'mode-legacy': mode = 'legacy'; break;
      case 'mode-auto': mode = 'auto'; break;
      case 'status': status = true; break;
      case 'append': append = o.value; break; // the last one wins
      case 'reuse-cmdline': reuseCmdline = true; break;
      case 'initrd': initrds.push(o.value ?? ''); break;
    }
  }
  if (parsed.error !== null) return { action: 'usage-error', message: parsed.error };
  if (skipIfdown) ifdown = false;
  if (skipSync) sync = false;
  const statusCrash = status && (crash || !hasLoad);
  if (status) {
    load = false; unload = false; shutdown = false; sync = false; ifdown = false; exec = false;
  }
  if (!load && loadOnlyGiven !== null) return { action: 'usage-error', message: `option '${loadOnlyGiven}' only applies when loading a kernel` };
  if (parsed.operands.length > 1) return { action: 'usage-error', message: `too many arguments: ${parsed.operands.slice(1).join(' ')}` };
  const kernel = parsed.operands[0] ?? null;
  return { action: 'run', load, exec, shutdown, sync, ifdown, unload, status, crash, statusCrash, mode, debug, skipChecks, type, kernel, initrds, append, reuseCmdline };
}
