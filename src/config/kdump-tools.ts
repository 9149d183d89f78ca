/**
 * Debian's /etc/default/kdump-tools, read as data through parseEnvFile (no shell ever runs it).
 * Keys and defaults follow kdump-tools' kdump-config: KDUMP_COREDIR=/var/crash, KDUMP_DUMP_DMESG=1,
 * KDUMP_NUM_DUMPS=0 (keep all), MAKEDUMP_ARGS="-c -d 31" (kdump-config also adds -F because it pipes
 * makedumpfile into a file; kexecctl lets makedumpfile write the file itself, so -F is dropped for
 * local and NFS dumps and kept for ssh).
 */
import type { Diagnostic } from '../errors.js';
import { parseEnvFile } from './env-file.js';
import { splitWords } from './sysconfig-kdump.js';
import type { Sourced } from './kdump-conf.js';

export const KDUMP_TOOLS_DEFAULTS = '/etc/default/kdump-tools';

export type KdumpTools = {
  useKdump: Sourced<boolean>;
  kernel: Sourced<string> | null;
  initrd: Sourced<string> | null;
  coredir: Sourced<string>;
  /** KDUMP_CMDLINE: replaces /proc/cmdline when set. */
  cmdline: Sourced<string> | null;
  cmdlineAppend: Sourced<string> | null;
  kexecArgs: Sourced<string[]> | null;
  makedumpArgs: Sourced<string[]>;
  dumpDmesg: Sourced<boolean>;
  numDumps: Sourced<number>;
  failCmd: Sourced<string[]> | null;
  ssh: Sourced<string> | null;
  sshKey: Sourced<string> | null;
  nfs: Sourced<string> | null;
  /** HOSTTAG (kdump-config define_stampdir): an SSH/NFS dump directory starts with the IP address (default) or the host name. */
  hostTag: Sourced<'ip' | 'hostname'>;
};

const SUPPORTED = [
  'USE_KDUMP',
  'KDUMP_KERNEL',
  'KDUMP_INITRD',
  'KDUMP_COREDIR',
  'KDUMP_CMDLINE',
  'KDUMP_CMDLINE_APPEND',
  'KDUMP_KEXEC_ARGS',
  'MAKEDUMP_ARGS',
  'KDUMP_DUMP_DMESG',
  'KDUMP_NUM_DUMPS',
  'KDUMP_FAIL_CMD',
  'SSH',
  'SSH_KEY',
  'NFS',
  'HOSTTAG',
];

/** kdump-tools keys kexecctl reads but cannot honour, with the reason given in the warning. */
export const KDUMP_TOOLS_IGNORED: Readonly<Record<string, string>> = {
  DEBUG_KERNEL: 'makedumpfile reads VMCOREINFO from the vmcore; a debug vmlinux is not needed for -d filtering',
  KDUMP_SYSCTL: 'no sysctl is changed when the crash kernel is loaded the crash kernel (set kernel.panic_on_oops in /etc/sysctl.d)',
  NFS_TIMEO: 'NFS mount options are not configurable yet; kexecctl mounts with the defaults of mount.nfs',
  NFS_RETRANS: 'NFS mount options are not configurable yet; kexecctl mounts with the defaults of mount.nfs',
  NFS_MOUNT_RETRY: 'NFS mount retries are not configurable yet (one attempt)',
  SSH_KDUMP_RETRY: 'ssh retries are not configurable yet (one attempt)',
  FTP: 'FTP targets are not supported',
  FTP_USER: 'FTP targets are not supported',
  FTP_PASSWORD: 'FTP targets are not supported',
  FTP_PORT: 'FTP targets are not supported',
  KDUMP_COMPRESSION: 'the dump is compressed by makedumpfile (MAKEDUMP_ARGS -c/-l/-p/-z), not by a second compressor',
};

export function parseKdumpTools(text: string, origin = KDUMP_TOOLS_DEFAULTS): { value: KdumpTools; diagnostics: Diagnostic[] } {
  const env = parseEnvFile(text, origin, { knownKeys: [...SUPPORTED, ...Object.keys(KDUMP_TOOLS_IGNORED)] });
  const diagnostics: Diagnostic[] = [...env.diagnostics];
  const vals = env.value.values;
  const at = (k: string): string => (env.value.lines[k] === undefined ? 'default' : `${origin}:${env.value.lines[k]}`);
  const warn = (k: string, message: string): void => {
    const line = env.value.lines[k];
    diagnostics.push(line === undefined ? { severity: 'warning', origin, message } : { severity: 'warning', origin, line, message });
  };
  for (const [k, why] of Object.entries(KDUMP_TOOLS_IGNORED)) if (vals[k] !== undefined && vals[k] !== '') warn(k, `${k}: no effect here: ${why}`);
  const str = (k: string): Sourced<string> | null => {
    const v = (vals[k] ?? '').trim();
    return v === '' ? null : { value: v, from: at(k) };
  };
  const int = (k: string, dflt: number): Sourced<number> => {
    const v = (vals[k] ?? '').trim();
    if (v === '') return { value: dflt, from: 'default' };
    if (!/^[0-9]+$/.test(v)) {
      warn(k, `${k}="${v}" is not a non-negative integer; using ${dflt}`);
      return { value: dflt, from: 'default' };
    }
    return { value: Number(v), from: at(k) };
  };
  const words = (k: string): Sourced<string[]> | null => {
    const s = str(k);
    return s === null ? null : { value: splitWords(s.value), from: s.from };
  };
  const use = str('USE_KDUMP');
  const dir = str('KDUMP_COREDIR');
  if (dir !== null && !dir.value.startsWith('/')) warn('KDUMP_COREDIR', `KDUMP_COREDIR="${dir.value}" is not an absolute path; using /var/crash`);
  const mda = words('MAKEDUMP_ARGS');
  const tag = str('HOSTTAG');
  if (tag !== null && tag.value !== 'ip' && tag.value !== 'hostname') warn('HOSTTAG', `HOSTTAG="${tag.value}" is neither ip nor hostname; using ip`);
  const dmesg = int('KDUMP_DUMP_DMESG', 1);
  const value: KdumpTools = {
    // kdump-config: "USE_KDUMP is not set or zero" refuses to load.
    useKdump: { value: use !== null && use.value !== '0', from: use?.from ?? 'default' },
    kernel: str('KDUMP_KERNEL'),
    initrd: str('KDUMP_INITRD'),
    coredir: dir !== null && dir.value.startsWith('/') ? dir : { value: '/var/crash', from: 'default' },
    cmdline: str('KDUMP_CMDLINE'),
    cmdlineAppend: str('KDUMP_CMDLINE_APPEND'),
    kexecArgs: words('KDUMP_KEXEC_ARGS'),
    makedumpArgs: mda ?? { value: ['-c', '-d', '31'], from: 'default' },
    dumpDmesg: { value: dmesg.value === 1, from: dmesg.from },
    numDumps: int('KDUMP_NUM_DUMPS', 0),
    failCmd: words('KDUMP_FAIL_CMD'),
    ssh: str('SSH'),
    sshKey: str('SSH_KEY'),
    nfs: str('NFS'),
    hostTag: tag?.value === 'hostname' ? { value: 'hostname', from: tag.from } : { value: 'ip', from: tag?.value === 'ip' ? tag.from : 'default' },
  };
  return { value, diagnostics };
}
