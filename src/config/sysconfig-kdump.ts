/**
 * /etc/sysconfig/kdump (Red Hat's kdump configuration), read with dotenv semantics: no shell
 * is ever run, so `$(...)`, backticks and `$VAR` are kept literally and reported as warnings.
 * Keys follow Red Hat's kdumpctl; the older keys it once honoured are accepted with a warning
 * that says what each one means to kexecctl.
 */
import type { Diagnostic } from '../errors.js';
import { parseEnvFile } from './env-file.js';

export type KdumpSysconfig = {
  /** KDUMP_KERNELVER: release of the crash kernel; '' means the running kernel. */
  kernelVer: string;
  /** KDUMP_COMMANDLINE: the capture kernel's command line; '' means /proc/cmdline. */
  commandline: string;
  /** KDUMP_COMMANDLINE_REMOVE: parameter names to drop (both `key=value` and bare `key`). */
  commandlineRemove: string[];
  /** KDUMP_COMMANDLINE_APPEND: parameters appended, in order. */
  commandlineAppend: string;
  /** KEXEC_ARGS split into words. */
  kexecArgs: string[];
  /** KDUMP_BOOTDIR, default /boot. */
  bootDir: string;
  /** KDUMP_IMG, default vmlinuz. */
  img: string;
  /** KDUMP_IMG_EXT, default ''. */
  imgExt: string;
  /** Legacy KDUMP_FILE_LOAD: 'on' = kexec_file_load, 'off' = kexec_load; undefined when unset. */
  fileLoad?: 'on' | 'off';
};

export const KDUMP_DEFAULTS: KdumpSysconfig = {
  kernelVer: '',
  commandline: '',
  commandlineRemove: [],
  commandlineAppend: '',
  kexecArgs: [],
  bootDir: '/boot',
  img: 'vmlinuz',
  imgExt: '',
};

const KNOWN = new Set([
  'KDUMP_KERNELVER',
  'KDUMP_COMMANDLINE',
  'KDUMP_COMMANDLINE_REMOVE',
  'KDUMP_COMMANDLINE_APPEND',
  'KEXEC_ARGS',
  'KDUMP_BOOTDIR',
  'KDUMP_IMG',
  'KDUMP_IMG_EXT',
]);

/** What each older key means here (the text of its warning). */
export const LEGACY_KEYS: Readonly<Record<string, string>> = {
  MKDUMPRD_ARGS:
    'MKDUMPRD_ARGS is ignored: kexecctl does not build a kdump initrd; it loads <bootdir>/initramfs-<release>kdump.img (or /var/lib/kdump/...) when present, else the distribution initrd',
  KDUMP_FILE_LOAD:
    'KDUMP_FILE_LOAD is obsolete: "on" selects kexec_file_load (like -s in KEXEC_ARGS), "off" selects kexec_load (like -c); a -s/-c/-a in KEXEC_ARGS takes precedence',
  FADUMP_COMMANDLINE_APPEND:
    'FADUMP_COMMANDLINE_APPEND is ignored: firmware-assisted dump (POWER) is not supported; kexecctl always loads a kdump capture kernel',
};

/** Splits a value into words on blanks, honouring single and double quotes (no expansion). */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (const ch of value) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export function parseSysconfigKdump(text: string, origin = '/etc/sysconfig/kdump'): { value: KdumpSysconfig; diagnostics: Diagnostic[] } {
  const env = parseEnvFile(text, origin, { knownKeys: [...KNOWN, ...Object.keys(LEGACY_KEYS)] });
  const diagnostics: Diagnostic[] = [...env.diagnostics];
  const warn = (key: string, message: string): void => {
    const line = env.value.lines[key];
    diagnostics.push(line === undefined ? { severity: 'warning', origin, message } : { severity: 'warning', origin, line, message });
  };
  const value: KdumpSysconfig = { ...KDUMP_DEFAULTS, commandlineRemove: [], kexecArgs: [] };
  for (const [key, raw] of Object.entries(env.value.values)) {
    const legacy = LEGACY_KEYS[key];
    if (legacy !== undefined) {
      warn(key, legacy);
      if (key === 'KDUMP_FILE_LOAD') {
        const v = raw.trim().toLowerCase();
        if (v === 'on' || v === 'off') value.fileLoad = v;
        else if (v !== '') warn(key, `KDUMP_FILE_LOAD="${raw}" is neither "on" nor "off"; ignored`);
      }
      continue;
    }
    if (KNOWN.has(key)) applyKey(value, key, raw, (m) => warn(key, m));
  }
  return { value, diagnostics };
}

function applyKey(value: KdumpSysconfig, key: string, raw: string, warn: (m: string) => void): void {
  const v = raw.trim();
  switch (key) {
    case 'KDUMP_KERNELVER':
      if (/[\s/]/.test(v)) warn(`KDUMP_KERNELVER="${raw}" is not a kernel release (no blanks or slashes allowed); ignored`);
      else value.kernelVer = v;
      return;
    case 'KDUMP_COMMANDLINE':
      value.commandline = v;
      return;
    case 'KDUMP_COMMANDLINE_REMOVE':
      value.commandlineRemove = splitWords(v)
        .map((w) => w.split('=')[0] ?? w)
        .filter((w) => w !== '');
      return;
    case 'KDUMP_COMMANDLINE_APPEND':
      value.commandlineAppend = v;
      return;
    case 'KEXEC_ARGS':
      value.kexecArgs = splitWords(v);
      return;
    case 'KDUMP_BOOTDIR':
      if (v === '') return;
      if (!v.startsWith('/')) warn(`KDUMP_BOOTDIR="${raw}" is not an absolute path; using /boot`);
      else value.bootDir = v.replace(/\/+$/, '') || '/';
      return;
    case 'KDUMP_IMG':
      if (v === '') return;
      if (v.includes('/')) warn(`KDUMP_IMG="${raw}" must be a file name prefix without "/"; using vmlinuz`);
      else value.img = v;
      return;
    case 'KDUMP_IMG_EXT':
      if (v.includes('/')) warn(`KDUMP_IMG_EXT="${raw}" must not contain "/"; ignored`);
      else value.imgExt = v;
      return;
  }
}
