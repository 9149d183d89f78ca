/**
 * GRUB built-in commands we model. Loader commands only record what they would load;
 * save_env only records; no-op and unsupported commands come from command-status.ts
 * (docs/grub-commands.md lists every command with its status). Each command sees the
 * interpreter as a `Shell`; evaluate.ts hands this table to it.
 */
import { blscfg } from './blscfg.js';
import { statusCommands } from './command-status.js';
import { Ctl, type Command, type CommandTable, type Shell } from './context.js';
import { GRUB_ERR_BAD_ARGUMENT } from './ext-args.js';
import { grubFile } from './files.js';
import { parseGrubenv } from './grubenv.js';
import { parseGrubNumber } from './number.js';
import { parseScript } from './parser.js';
import { probeCommand } from './probe-cmd.js';
import { regexpCommand } from './regexp-cmd.js';
import { searchCommand } from './search.js';
import { evalTest } from './test-cmd.js';
import type { GrubFile } from './types.js';

const num = (s: string | undefined, dflt: number): number => {
  const n = Number(s);
  return s !== undefined && Number.isInteger(n) ? n : dflt;
};

function fileOf(sh: Shell, written: string) {
  return grubFile(written, sh.get('root') ?? '');
}

/**
 * A file a loader command names, with where it was named; when the storage says why GRUB could
 * not read it (GrubFs.explain: an LV not active, a ZFS dataset not mounted, a deleted btrfs
 * snapshot) a warning at this line says so. GRUB itself fails such a command at boot
 * (loader/linux.c: "file not found" after the disk or dataset cannot be opened).
 */
function loadedFile(sh: Shell, cmd: string, written: string): GrubFile {
  const f: GrubFile = { ...fileOf(sh, written), at: sh.location };
  const why = sh.fs.explain?.(f.device, f.path) ?? null;
  if (why !== null) sh.diag('warning', `${cmd} ${written}${written.startsWith('(') ? '' : ` (on ${f.device})`}: ${why}`);
  return f;
}

function loader(sh: Shell, name: string, args: string[]): number {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('--')) i++;
  const file = args[i];
  if (file === undefined) {
    sh.diag('error', `${name}: filename expected`);
    return 1;
  }
  if (sh.capture === null) {
    sh.diag('warning', `${name} outside a menu entry is ignored`);
    return 0;
  }
  if (!file.startsWith('/') && !file.startsWith('(')) sh.diag('warning', `${name}: "${file}" is not an absolute GRUB path`);
  Object.assign(sh.capture, { loader: name, kernel: loadedFile(sh, name, file), args: args.slice(i + 1), initrds: [], modules: [] });
  return 0;
}

function initrd(sh: Shell, name: string, args: string[]): number {
  const files = args.filter((a) => !a.startsWith('--'));
  if (sh.capture === null) {
    sh.diag('warning', `${name} outside a menu entry is ignored`);
    return 0;
  }
  if (sh.capture.kernel === null) {
    sh.diag('error', `${name}: you need to load the kernel first`);
    return 1;
  }
  sh.capture.initrds = files.map((f) => loadedFile(sh, name, f));
  return 0;
}

function moduleCmd(sh: Shell, name: string, args: string[]): number {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('--')) i++;
  const file = args[i];
  if (sh.capture === null || file === undefined) return sh.capture === null ? 0 : 1;
  if (sh.capture.kernel === null || !/^multiboot/.test(sh.capture.loader ?? '')) {
    sh.diag('error', `${name}: you need to load the multiboot kernel first`);
    return 1;
  }
  sh.capture.modules.push({ file: loadedFile(sh, name, file), args: args.slice(i + 1) });
  return 0;
}

function loadEnv(sh: Shell, args: string[]): number {
  let file: string | null = null;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--file') file = args[++i] ?? null;
    else if (a.startsWith('--file=')) file = a.slice(7);
    else if (a === '-s' || a === '--skip-sig') continue;
    else names.push(a);
  }
  const path = file ?? `${sh.get('prefix') ?? ''}/grubenv`;
  const f = fileOf(sh, path);
  const text = sh.fs.readFile(f.device, f.path);
  if (text === null) {
    sh.diag('warning', `load_env: ${path}: file not found`);
    return 1;
  }
  const env = parseGrubenv(text, path);
  sh.report(env.diagnostics);
  if (env.diagnostics.some((d) => d.severity === 'error')) return 1;
  for (const [k, v] of Object.entries(env.value)) {
    if (names.length > 0 && !names.includes(k)) continue;
    sh.set(k, v);
    sh.export(k);
    sh.effects.loadedEnv[k] = v;
  }
  return 0;
}

function probeFile(sh: Shell, op: 'e' | 'f' | 'd' | 's', name: string): boolean {
  const f = fileOf(sh, name);
  if (op === 'd') return sh.fs.listDir(f.device, f.path || '/') !== null;
  const text = sh.fs.readFile(f.device, f.path);
  if (op === 'e') return text !== null || sh.fs.listDir(f.device, f.path || '/') !== null;
  return text !== null && (op === 'f' || text.length > 0);
}

/** Red Hat's increment/decrement (grub-core/commands/increment.c): VAR = strtol(VAR, 0) ± 1. */
function stepVar(sh: Shell, name: string, args: string[], by: number): number {
  const v = args[0];
  if (v === undefined || args.length > 1) {
    sh.diag('error', `${name}: ${v === undefined ? 'no variable specified' : 'too many arguments'}`);
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const old = sh.get(v);
  if (old === undefined) {
    sh.diag('error', `${name}: No such variable "${v}"`);
    return 1;
  }
  const neg = /^\s*-/.test(old);
  const n = parseGrubNumber(old.replace(/^\s*[-+]/, ''));
  if (!n.digits) {
    sh.diag('error', `${name}: ${v}="${old}": unrecognized number`);
    return 1;
  }
  sh.set(v, String((neg ? -n.value : n.value) + by));
  return 0;
}

/**
 * openSUSE's `btrfs-mount-subvol (DEV) PATH SUBVOL` (grub2-btrfs patches): GRUB reads PATH from
 * SUBVOL afterwards. Over a GRUB platform directory (/boot/grub2/x86_64-efi, its modules) it
 * cannot change what is booted; anywhere else we do not model it and say so.
 */
function btrfsMountSubvol(sh: Shell, args: string[]): number {
  const path = args[1] ?? '';
  if (/\/(i386-pc|x86_64-efi|i386-efi|arm64-efi|powerpc-ieee1275|s390x-emu|riscv64-efi)\/?$/.test(path)) return 0;
  sh.unsure(
    `btrfs-mount-subvol ${args.join(' ')} is not evaluated: files under ${path || '(no path)'} may be read from the wrong subvolume (treated as failing)`,
  );
  return 1;
}

const COMMANDS: Record<string, Command> = {
  set(sh, args) {
    const a = args[0];
    if (a === undefined) return 0;
    const eq = a.indexOf('=');
    if (eq < 0) return sh.get(a) === undefined ? 1 : 0;
    sh.set(a.slice(0, eq), a.slice(eq + 1));
    return 0;
  },
  unset(sh, args) {
    // GRUB's unset (kern/corecmd.c) removes its first argument only; grub-emu 2.06 agrees.
    if (args[0] === undefined) {
      sh.diag('error', 'unset: one argument expected');
      return GRUB_ERR_BAD_ARGUMENT;
    }
    sh.unset(args[0]);
    return 0;
  },
  export(sh, args) {
    for (const a of args) sh.export(a);
    return 0;
  },
  true: () => 0,
  false: () => 1,
  test: (sh, args) => (evalTest(args, (op, n) => probeFile(sh, op, n)) ? 0 : 1),
  '['(sh, args) {
    if (args[args.length - 1] !== ']') {
      sh.diag('error', '[: "]" expected');
      return 1;
    }
    return evalTest(args.slice(0, -1), (op, n) => probeFile(sh, op, n)) ? 0 : 1;
  },
  source: (sh, args) => sh.source(args[0], false),
  '.': (sh, args) => sh.source(args[0], false),
  configfile: (sh, args) => sh.source(args[0], true),
  normal: (sh, args) => (args[0] === undefined ? 0 : sh.source(args[0], true)),
  load_env: loadEnv,
  save_env(sh, args) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-f' || a === '--file') i++;
      else if (!a.startsWith('--file=')) sh.effects.savedEnv.push(a);
    }
    return 0;
  },
  search: (sh, args) => searchCommand(sh, null, args),
  'search.fs_uuid': (sh, args) => searchCommand(sh, 'fs_uuid', args),
  'search.fs_label': (sh, args) => searchCommand(sh, 'fs_label', args),
  'search.file': (sh, args) => searchCommand(sh, 'file', args),
  search_fs_uuid: (sh, args) => searchCommand(sh, 'fs_uuid', args),
  search_label: (sh, args) => searchCommand(sh, 'fs_label', args),
  search_fs_file: (sh, args) => searchCommand(sh, 'file', args),
  blscfg: (sh, args) => blscfg(sh, args),
  return(_ip, args) {
    throw new Ctl('return', num(args[0], _ip.status));
  },
  break(_ip, args) {
    throw new Ctl('break', Math.max(1, num(args[0], 1)));
  },
  continue(_ip, args) {
    throw new Ctl('continue', Math.max(1, num(args[0], 1)));
  },
  shift(sh, args) {
    sh.params = sh.params.slice(num(args[0], 1));
    return 0;
  },
  setparams(sh, args) {
    sh.params = args;
    return 0;
  },
  eval(sh, args) {
    const parsed = parseScript(args.join(' '), { origin: `${sh.file} (eval)` });
    sh.report(parsed.diagnostics);
    return sh.run(parsed.value);
  },
  regexp: regexpCommand,
  increment: (sh, args) => stepVar(sh, 'increment', args, 1),
  decrement: (sh, args) => stepVar(sh, 'decrement', args, -1),
  'btrfs-mount-subvol': btrfsMountSubvol,
  probe: probeCommand,
};

for (const n of ['linux', 'linux16', 'linuxefi', 'linux32', 'multiboot', 'multiboot2']) {
  COMMANDS[n] = (sh, args) => loader(sh, n, args);
}
for (const n of ['initrd', 'initrd16', 'initrdefi', 'initrd32']) COMMANDS[n] = (sh, args) => initrd(sh, n, args);
for (const n of ['module', 'module2']) COMMANDS[n] = (sh, args) => moduleCmd(sh, n, args);
Object.assign(COMMANDS, statusCommands());

/** The built-ins by name, for the interpreter. */
export const GRUB_COMMANDS: CommandTable = COMMANDS;
