/**
 * GRUB built-in commands we model. Loader commands only record what they would load;
 * save_env only records; everything else that touches hardware is a no-op.
 */
import { blscfg } from './blscfg.js';
import { grubFile } from './files.js';
import { parseGrubenv } from './grubenv.js';
import { Ctl, type Interp } from './interp.js';
import { runScriptFile } from './script-file.js';
import { searchCommand } from './search.js';
import { evalTest } from './test-cmd.js';
import { parseScript } from './parser.js';

type Command = (ip: Interp, args: string[]) => number;

const IGNORED = [
  'insmod', 'rmmod', 'terminfo', 'terminal_output', 'terminal_input', 'terminal', 'loadfont', 'font', 'background_image',
  'background_color', 'play', 'sleep', 'echo', 'clear', 'cmostest', 'cmosclean', 'keystatus', 'hwmatch',
  'chainloader', 'boot', 'reboot', 'halt', 'drivemap', 'parttool', 'fwsetup', 'videoinfo', 'serial', 'loopback',
  'devicetree', 'ls', 'cat', 'pager', 'password', 'password_pbkdf2', 'lsmod', 'vbe', 'vga', 'acpi', 'badram',
  'cutmem', 'efi_gop', 'efi_uga', 'connectefi', 'smbios', 'appleloader', 'set_background_image', 'gfxterm',
  'tpm2_key_protector_init', 'tpm2_key_protector_clear', 'cryptomount', 'lvm', 'mdraid', 'sendkey', 'help',
  'read', 'exit', 'configfile_reset', 'usb', 'nativedisk', 'outb', 'inb', 'write_byte', 'read_byte',
  'load_video', 'functional_test', 'kfreebsd', 'knetbsd', 'kopenbsd', 'xnu_kernel', 'xnu_kernel64',
  'ntldr', 'freedos', 'plan9', 'truecrypt', 'legacy_configfile', 'fakebios', 'gptsync', 'savedefault_internal',
];

const num = (s: string | undefined, dflt: number): number => {
  const n = Number(s);
  return s !== undefined && Number.isInteger(n) ? n : dflt;
};

function fileOf(ip: Interp, written: string) {
  return grubFile(written, ip.get('root') ?? '');
}

function loader(ip: Interp, name: string, args: string[]): number {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('--')) i++;
  const file = args[i];
  if (file === undefined) {
    ip.diag('error', `${name}: filename expected`);
    return 1;
  }
  if (ip.capture === null) {
    ip.diag('warning', `${name} outside a menu entry is ignored`);
    return 0;
  }
  if (!file.startsWith('/') && !file.startsWith('(')) ip.diag('warning', `${name}: "${file}" is not an absolute GRUB path`);
  Object.assign(ip.capture, { loader: name, kernel: fileOf(ip, file), args: args.slice(i + 1), initrds: [], modules: [] });
  return 0;
}

function initrd(ip: Interp, name: string, args: string[]): number {
  const files = args.filter((a) => !a.startsWith('--'));
  if (ip.capture === null) {
    ip.diag('warning', `${name} outside a menu entry is ignored`);
    return 0;
  }
  if (ip.capture.kernel === null) {
    ip.diag('error', `${name}: you need to load the kernel first`);
    return 1;
  }
  ip.capture.initrds = files.map((f) => fileOf(ip, f));
  return 0;
}

function moduleCmd(ip: Interp, name: string, args: string[]): number {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('--')) i++;
  const file = args[i];
  if (ip.capture === null || file === undefined) return ip.capture === null ? 0 : 1;
  if (ip.capture.kernel === null || !/^multiboot/.test(ip.capture.loader ?? '')) {
    ip.diag('error', `${name}: you need to load the multiboot kernel first`);
    return 1;
  }
  ip.capture.modules.push({ file: fileOf(ip, file), args: args.slice(i + 1) });
  return 0;
}

function loadEnv(ip: Interp, args: string[]): number {
  let file: string | null = null;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--file') file = args[++i] ?? null;
    else if (a.startsWith('--file=')) file = a.slice(7);
    else if (a === '-s' || a === '--skip-sig') continue;
    else names.push(a);
  }
  const path = file ?? `${ip.get('prefix') ?? ''}/grubenv`;
  const f = fileOf(ip, path);
  const text = ip.opts.fs.readFile(f.device, f.path);
  if (text === null) {
    ip.diag('warning', `load_env: ${path}: file not found`);
    return 1;
  }
  const env = parseGrubenv(text, path);
  for (const d of env.diagnostics) ip.diagnostics.push(d);
  if (env.diagnostics.some((d) => d.severity === 'error')) return 1;
  for (const [k, v] of Object.entries(env.value)) {
    if (names.length > 0 && !names.includes(k)) continue;
    ip.set(k, v);
    ip.ctx.exported.add(k);
    ip.loadedEnv[k] = v;
  }
  return 0;
}

function probeFile(ip: Interp, op: 'e' | 'f' | 'd' | 's', name: string): boolean {
  const f = fileOf(ip, name);
  if (op === 'd') return ip.opts.fs.listDir(f.device, f.path || '/') !== null;
  const text = ip.opts.fs.readFile(f.device, f.path);
  if (op === 'e') return text !== null || ip.opts.fs.listDir(f.device, f.path || '/') !== null;
  return text !== null && (op === 'f' || text.length > 0);
}

const COMMANDS: Record<string, Command> = {
  set(ip, args) {
    const a = args[0];
    if (a === undefined) return 0;
    const eq = a.indexOf('=');
    if (eq < 0) return ip.get(a) === undefined ? 1 : 0;
    ip.set(a.slice(0, eq), a.slice(eq + 1));
    return 0;
  },
  unset(ip, args) {
    for (const a of args) ip.ctx.vars.delete(a);
    return 0;
  },
  export(ip, args) {
    for (const a of args) ip.ctx.exported.add(a);
    return 0;
  },
  true: () => 0,
  false: () => 1,
  test: (ip, args) => (evalTest(args, (op, n) => probeFile(ip, op, n)) ? 0 : 1),
  '['(ip, args) {
    if (args[args.length - 1] !== ']') {
      ip.diag('error', '[: "]" expected');
      return 1;
    }
    return evalTest(args.slice(0, -1), (op, n) => probeFile(ip, op, n)) ? 0 : 1;
  },
  source: (ip, args) => runScriptFile(ip, args[0], false),
  '.': (ip, args) => runScriptFile(ip, args[0], false),
  configfile: (ip, args) => runScriptFile(ip, args[0], true),
  normal: (ip, args) => (args[0] === undefined ? 0 : runScriptFile(ip, args[0], true)),
  load_env: loadEnv,
  save_env(ip, args) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-f' || a === '--file') i++;
      else if (!a.startsWith('--file=')) ip.savedEnv.push(a);
    }
    return 0;
  },
  search: (ip, args) => searchCommand(ip, null, args),
  'search.fs_uuid': (ip, args) => searchCommand(ip, 'fs_uuid', args),
  'search.fs_label': (ip, args) => searchCommand(ip, 'fs_label', args),
  'search.file': (ip, args) => searchCommand(ip, 'file', args),
  search_fs_uuid: (ip, args) => searchCommand(ip, 'fs_uuid', args),
  search_label: (ip, args) => searchCommand(ip, 'fs_label', args),
  search_fs_file: (ip, args) => searchCommand(ip, 'file', args),
  blscfg: (ip, args) => blscfg(ip, args),
  return(_ip, args) {
    throw new Ctl('return', num(args[0], _ip.status));
  },
  break(_ip, args) {
    throw new Ctl('break', Math.max(1, num(args[0], 1)));
  },
  continue(_ip, args) {
    throw new Ctl('continue', Math.max(1, num(args[0], 1)));
  },
  shift(ip, args) {
    ip.args = ip.args.slice(num(args[0], 1));
    return 0;
  },
  setparams(ip, args) {
    ip.args = args;
    return 0;
  },
  eval(ip, args) {
    const parsed = parseScript(args.join(' '), { origin: `${ip.file} (eval)` });
    for (const d of parsed.diagnostics) ip.diagnostics.push(d);
    ip.run(parsed.value);
    return ip.status;
  },
  regexp(ip) {
    ip.diag('warning', 'regexp is not evaluated (treated as not matching)', 'cmd:regexp');
    return 1;
  },
  probe(ip) {
    ip.diag('warning', 'probe is not evaluated (treated as failing)', 'cmd:probe');
    return 1;
  },
};

for (const n of ['linux', 'linux16', 'linuxefi', 'linux32', 'multiboot', 'multiboot2']) {
  COMMANDS[n] = (ip, args) => loader(ip, n, args);
}
for (const n of ['initrd', 'initrd16', 'initrdefi', 'initrd32']) COMMANDS[n] = (ip, args) => initrd(ip, n, args);
for (const n of ['module', 'module2']) COMMANDS[n] = (ip, args) => moduleCmd(ip, n, args);
for (const n of IGNORED) COMMANDS[n] = () => 0;

/** Runs a built-in; null when `name` is not one. */
export function runCommand(ip: Interp, name: string, args: string[]): number | null {
  const c = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  return c === undefined ? null : c(ip, args);
}
