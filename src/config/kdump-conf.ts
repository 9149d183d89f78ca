/**
 * /etc/kdump.conf (Red Hat's kdump-utils format), read as data and never through a shell.
 * Lines are split the way kdump-lib-initramfs.sh kdump_get_conf_val() does: comment and blank lines
 * are dropped, the first word is the directive and the rest its value, a trailing "# ..." is cut
 * and one pair of surrounding double quotes removed. The directive set and its checks follow
 * kdumpctl parse_config(), check_failure_action_config() and check_final_action_config(); where
 * kdumpctl refuses to start, kexecctl keeps the default and says why in a file:line warning.
 */
import type { Diagnostic } from '../errors.js';
import { splitWords } from './sysconfig-kdump.js';

/** Where a setting came from: "file:line", or "default". */
export type Sourced<T> = { value: T; from: string };

export type KdumpTarget =
  /** No target directive: `path` is an absolute directory on the root file system. */
  | { kind: 'rootfs' }
  /** `<fstype> <device|UUID=..|LABEL=..>`: mounted, `path` is relative to its root. */
  | { kind: 'local'; fstype: string; device: string }
  | { kind: 'nfs'; export: string }
  | { kind: 'ssh'; dest: string };

export type FailureAction = 'reboot' | 'halt' | 'poweroff' | 'shell' | 'dump_to_rootfs';
export type FinalAction = 'reboot' | 'halt' | 'poweroff';

export type KdumpConf = {
  path: Sourced<string>;
  target: Sourced<KdumpTarget>;
  /** null: the default (makedumpfile -l --message-level 7 -d 31 when installed, else our copy). */
  coreCollector: Sourced<string[]> | null;
  sshkey: Sourced<string>;
  failureAction: Sourced<FailureAction>;
  finalAction: Sourced<FinalAction>;
  kdumpPre: Sourced<string[]> | null;
  kdumpPost: Sourced<string[]> | null;
};

export const KDUMP_CONF = '/etc/kdump.conf';
export const DEFAULT_DUMP_PATH = '/var/crash';
export const DEFAULT_SSHKEY = '/root/.ssh/kdump_id_rsa';

export function defaultKdumpConf(): KdumpConf {
  return {
    path: { value: DEFAULT_DUMP_PATH, from: 'default' },
    target: { value: { kind: 'rootfs' }, from: 'default' },
    coreCollector: null,
    sshkey: { value: DEFAULT_SSHKEY, from: 'default' },
    failureAction: { value: 'reboot', from: 'default' },
    finalAction: { value: 'reboot', from: 'default' },
    kdumpPre: null,
    kdumpPost: null,
  };
}

const LOCAL_FS = /^(ext[234]|xfs|btrfs|minix)$/;
const FAILURE: readonly string[] = ['reboot', 'halt', 'poweroff', 'shell', 'dump_to_rootfs'];
const FINAL: readonly string[] = ['reboot', 'halt', 'poweroff'];

/** Directives kdump-utils accepts that only steer its dracut-built kdump initrd or a cluster agent. */
export const IGNORED_DIRECTIVES: Readonly<Record<string, string>> = {
  dracut_args: 'no kdump initrd is built here (no dracut); the crash kernel boots the distribution initrd (or initramfs-<release>kdump.img)',
  extra_modules: 'no kdump initrd is built here, so no module can be added to it; the capture system loads what its own initrd and root provide',
  extra_bins: 'no kdump initrd is built here; kdump_pre/kdump_post and the core collector run from the root file system the capture kernel mounts',
  force_rebuild: 'there is no kdump initrd to rebuild',
  force_no_rebuild: 'there is no kdump initrd to rebuild',
  kdump_emergency: 'there is no emergency shell service in the capture kernel; failure_action decides what happens after a failed dump',
  fence_kdump_args: 'fence_kdump notifications (Pacemaker clusters) are not supported',
  fence_kdump_nodes: 'fence_kdump notifications (Pacemaker clusters) are not supported',
  auto_reset_crashkernel: 'crashkernel= is never changed automatically; run "kdumpctl reset-crashkernel"',
  raw: 'raw partition targets (makedumpfile -F onto a block device) are not supported; use a file system, nfs or ssh target',
  virtiofs: 'virtiofs targets are not supported; use a file system, nfs or ssh target',
  extra_args:
    "extra_args is not a kdump.conf directive (kdump-utils' kdumpctl rejects it as an invalid option); capture kernel parameters go in KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump",
};

/** Removed in kdump-utils: kdumpctl refuses to start with them ("Deprecated kdump config option"). */
const DEPRECATED: Readonly<Record<string, string>> = {
  net: 'use "nfs <host:/export>" or "ssh <user@host>"',
  options: 'module options go on the capture kernel command line (KDUMP_COMMANDLINE_APPEND)',
  link_delay: 'no replacement',
  disk_timeout: 'no replacement',
  debug_mem_level: 'no replacement',
  blacklist: 'use rd.driver.blacklist= in KDUMP_COMMANDLINE_APPEND',
};

/** One kdump.conf line as kdump_get_conf_val() reads it, or null for comments and blank lines. */
export function splitConfLine(line: string): { opt: string; val: string } | null {
  const t = line.trim();
  if (t === '' || t.startsWith('#')) return null;
  const m = /^(\S+)\s*(.*)$/.exec(t);
  if (m === null) return null;
  let val = m[2] ?? '';
  const hash = val.indexOf('#');
  if (hash >= 0) val = val.slice(0, hash).trimEnd();
  if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
  return { opt: m[1] ?? '', val };
}

type Parse = { value: KdumpConf; diagnostics: Diagnostic[] };

export function parseKdumpConf(text: string, origin = KDUMP_CONF): Parse {
  const value = defaultKdumpConf();
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const from = `${origin}:${line}`;
    const warn = (message: string): void => void diagnostics.push({ severity: 'warning', origin, line, message });
    const kv = splitConfLine(raw);
    if (kv === null) return;
    const { opt, val } = kv;
    if (IGNORED_DIRECTIVES[opt] !== undefined) return warn(`${opt}: no effect here: ${IGNORED_DIRECTIVES[opt]}`);
    if (DEPRECATED[opt] !== undefined) return warn(`${opt}: deprecated kdump.conf option, ignored (kdump-utils refuses it): ${DEPRECATED[opt]}`);
    const key = LOCAL_FS.test(opt) || opt === 'nfs' || opt === 'ssh' ? 'target' : opt === 'default' ? 'failure_action' : opt;
    if (val === '') return warn(`${opt}: no value, ignored`);
    const prev = seen.get(key);
    if (prev !== undefined) {
      return warn(
        key === 'target'
          ? `${opt}: more than one dump target (the first is on line ${prev}); ignored`
          : `${opt}: given again (first on line ${prev}); the first one is used`,
      );
    }
    if (!applyDirective(value, opt, val, from, warn)) return;
    seen.set(key, line);
  });
  return { value, diagnostics };
}

/** Returns false when the line was refused (its warning already given). */
function applyDirective(c: KdumpConf, opt: string, val: string, from: string, warn: (m: string) => void): boolean {
  if (LOCAL_FS.test(opt)) {
    if (!/^(\/dev\/\S+|UUID=\S+|LABEL=\S+|PARTUUID=\S+|PARTLABEL=\S+)$/.test(val)) {
      warn(`${opt} ${val}: the partition must be a /dev path, UUID=, LABEL=, PARTUUID= or PARTLABEL=; ignored`);
      return false;
    }
    c.target = { value: { kind: 'local', fstype: opt, device: val }, from };
    return true;
  }
  switch (opt) {
    case 'nfs':
      if (!/^[^\s:]+:\/\S*$/.test(val)) return refuse(warn, `nfs ${val}: expected <host>:/<export>`);
      c.target = { value: { kind: 'nfs', export: val }, from };
      return true;
    case 'ssh':
      if (!/^[A-Za-z0-9._-]+@[^\s@]+$/.test(val) || val.includes('@-')) return refuse(warn, `ssh ${val}: expected <user>@<host>`);
      c.target = { value: { kind: 'ssh', dest: val }, from };
      return true;
    case 'sshkey':
      if (!val.startsWith('/')) return refuse(warn, `sshkey ${val}: not an absolute path; using ${DEFAULT_SSHKEY}`);
      c.sshkey = { value: val, from };
      return true;
    case 'path':
      if (!val.startsWith('/')) return refuse(warn, `path ${val}: not an absolute path; using ${DEFAULT_DUMP_PATH}`);
      c.path = { value: val.replace(/\/+$/, '') || '/', from };
      return true;
    case 'core_collector': {
      const argv = splitWords(val);
      if (argv.length === 0) return refuse(warn, 'core_collector: empty');
      c.coreCollector = { value: argv, from };
      return true;
    }
    case 'failure_action':
    case 'default':
      if (opt === 'default') warn('default: renamed failure_action in kdump-utils; read as failure_action');
      if (!FAILURE.includes(val)) return refuse(warn, `${opt} ${val}: must be one of ${FAILURE.join(', ')}; using reboot`);
      c.failureAction = { value: val as FailureAction, from };
      return true;
    case 'final_action':
      if (!FINAL.includes(val)) return refuse(warn, `final_action ${val}: must be one of ${FINAL.join(', ')}; using reboot`);
      c.finalAction = { value: val as FinalAction, from };
      return true;
    case 'kdump_pre':
    case 'kdump_post': {
      const argv = splitWords(val);
      if (!(argv[0] ?? '').startsWith('/')) return refuse(warn, `${opt} ${val}: the program must be an absolute path`);
      if (opt === 'kdump_pre') c.kdumpPre = { value: argv, from };
      else c.kdumpPost = { value: argv, from };
      return true;
    }
    default:
      return refuse(warn, `${opt}: unknown kdump.conf directive, ignored`);
  }
}

function refuse(warn: (m: string) => void, message: string): false {
  warn(message);
  return false;
}
