/**
 * The dump plan (pure): where the capture kernel writes the dump and with what, from /etc/kdump.conf
 * (kdump-utils) and, on Debian, /etc/default/kdump-tools. A kdump.conf directive wins over the
 * kdump-tools key with the same meaning; each setting carries where it came from (file:line).
 * Collector rules follow kdump-utils' kdump.sh: makedumpfile never gets -F for a file target and
 * always gets it for ssh (a flattened stream piped into ssh, saved as vmcore.flat); `cp`/`scp` and no
 * makedumpfile mean kexecctl's own streaming copy (scp for an ssh target).
 * The file names follow the configuration in charge (dump-names.ts): kdump-utils' with /etc/kdump.conf,
 * kdump-tools' (<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM>) when only /etc/default/kdump-tools exists.
 */
import { defaultKdumpConf, type FailureAction, type FinalAction, type KdumpConf, type KdumpTarget, type Sourced } from '../config/kdump-conf.js';
import { KDUMP_TOOLS_DEFAULTS, type KdumpTools } from '../config/kdump-tools.js';
import type { DumpLayout } from './dump-names.js';

export const DEFAULT_MAKEDUMPFILE_ARGS: readonly string[] = ['-l', '--message-level', '7', '-d', '31'];

/** null: kexecctl's streaming copy of /proc/vmcore. */
export type Collector = { argv: string[] | null; from: string };

export type DumpPlan = {
  target: Sourced<KdumpTarget>;
  /** Directory on the target: absolute on the root fs, relative to the mount or remote home otherwise. */
  path: Sourced<string>;
  collector: Collector;
  /** vmcore, or vmcore.flat for a flattened (makedumpfile -F) stream over ssh. */
  vmcoreName: 'vmcore' | 'vmcore.flat';
  sshkey: Sourced<string>;
  failureAction: Sourced<FailureAction>;
  finalAction: Sourced<FinalAction>;
  /** KDUMP_FAIL_CMD (Debian): run instead of failure_action when set. */
  failCmd: Sourced<string[]> | null;
  pre: Sourced<string[]> | null;
  post: Sourced<string[]> | null;
  /** Dumps to keep (0 = all). */
  numDumps: Sourced<number>;
  dmesg: Sourced<boolean>;
  /** Which tool's file names the dump gets. */
  layout: Sourced<DumpLayout>;
  /** kdump-tools HOSTTAG (layout kdump-tools, ssh/NFS targets). */
  hostTag: Sourced<'ip' | 'hostname'>;
  warnings: string[];
};

export type DumpPlanInput = {
  conf: KdumpConf | null;
  tools: KdumpTools | null;
  /** Path of makedumpfile when installed (in the capture system), else null. */
  makedumpfile: string | null;
};

const isDefault = (s: { from: string }): boolean => s.from === 'default';
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** makedumpfile's argv for a target: -F removed, then added back for ssh (kdump.sh get_kdump_confs). */
export function makedumpfileArgv(argv: readonly string[], ssh: boolean): string[] {
  const out = argv.filter((a) => a !== '-F' && a !== '--flatten');
  if (ssh) out.push('-F');
  return out;
}

export function buildDumpPlan(input: DumpPlanInput): DumpPlan {
  const conf = input.conf ?? defaultKdumpConf();
  const tools = input.tools;
  const warnings: string[] = [];
  let target = conf.target;
  let path = conf.path;
  let sshkey = conf.sshkey;
  if (tools !== null) {
    if (isDefault(target) && tools.ssh !== null) target = { value: { kind: 'ssh', dest: tools.ssh.value }, from: tools.ssh.from };
    else if (isDefault(target) && tools.nfs !== null) target = { value: { kind: 'nfs', export: tools.nfs.value }, from: tools.nfs.from };
    // kdump-config mounts NFS on KDUMP_COREDIR itself: its dumps land at the top of the export.
    if (isDefault(path) && target.value.kind === 'nfs' && tools.nfs !== null && target.from === tools.nfs.from)
      path = { value: '/', from: `${tools.nfs.from} (kdump-config mounts NFS on KDUMP_COREDIR)` };
    else if (isDefault(path) && !isDefault(tools.coredir)) path = tools.coredir;
    if (isDefault(sshkey) && tools.sshKey !== null) sshkey = tools.sshKey;
  }
  const ssh = target.value.kind === 'ssh';
  let collector: Collector;
  if (conf.coreCollector !== null) {
    const argv = conf.coreCollector.value;
    const name = base(argv[0] ?? '');
    if (name === 'cp' || name === 'scp') {
      collector = { argv: null, from: conf.coreCollector.from };
      warnings.push(`core_collector ${name}: kexecctl's own streaming copy does the same (${conf.coreCollector.from})`);
    } else if (name === 'makedumpfile') {
      if (input.makedumpfile === null) {
        collector = { argv: null, from: conf.coreCollector.from };
        warnings.push(`core_collector makedumpfile (${conf.coreCollector.from}): makedumpfile is not installed; the full vmcore is copied instead`);
      } else collector = { argv: [input.makedumpfile, ...makedumpfileArgv(argv.slice(1), ssh)], from: conf.coreCollector.from };
    } else collector = { argv: [...argv], from: conf.coreCollector.from };
  } else if (input.makedumpfile === null) {
    collector = { argv: null, from: 'default (makedumpfile is not installed)' };
  } else if (tools !== null && (!isDefault(tools.makedumpArgs) || input.conf === null)) {
    // MAKEDUMP_ARGS, or kdump-config's own default (-c -d 31) when kdump-tools alone configures the dump.
    const from = isDefault(tools.makedumpArgs) ? `default of kdump-tools' MAKEDUMP_ARGS` : tools.makedumpArgs.from;
    collector = { argv: [input.makedumpfile, ...makedumpfileArgv(tools.makedumpArgs.value, ssh)], from };
  } else {
    collector = { argv: [input.makedumpfile, ...makedumpfileArgv(DEFAULT_MAKEDUMPFILE_ARGS, ssh)], from: 'default' };
  }
  const flat = ssh && collector.argv !== null && base(collector.argv[0] ?? '') === 'makedumpfile';
  const layout: Sourced<DumpLayout> =
    input.conf === null && tools !== null
      ? { value: 'kdump-tools', from: `${KDUMP_TOOLS_DEFAULTS} (no /etc/kdump.conf)` }
      : { value: 'kdump-utils', from: input.conf === null ? 'default' : '/etc/kdump.conf' };
  if (target.value.kind === 'rootfs' && !path.value.startsWith('/')) warnings.push(`path ${path.value} is not absolute`);
  return {
    target,
    path,
    collector,
    vmcoreName: flat ? 'vmcore.flat' : 'vmcore',
    sshkey,
    failureAction: conf.failureAction,
    finalAction: conf.finalAction,
    failCmd: tools?.failCmd ?? null,
    pre: conf.kdumpPre,
    post: conf.kdumpPost,
    numDumps: tools?.numDumps ?? { value: 0, from: 'default' },
    dmesg: tools?.dumpDmesg ?? { value: true, from: 'default' },
    layout,
    hostTag: tools?.hostTag ?? { value: 'ip', from: 'default' },
    warnings,
  };
}

/** Where the dump goes and under which names (dump-names.ts), for plan/status. */
function vmcoreDescription(p: DumpPlan): string {
  const ssh = p.target.value.kind === 'ssh';
  const how = !ssh ? '' : p.collector.argv === null ? ' (full copy with scp)' : ` (${base(p.collector.argv[0] ?? '')} streamed into ssh)`;
  if (p.layout.value === 'kdump-utils') return `<host>-<YYYY-MM-DD-HH:MM:SS>/${p.vmcoreName}, vmcore-dmesg.txt${how}`;
  const dir = p.target.value.kind === 'rootfs' || p.target.value.kind === 'local' ? '' : `<${p.hostTag.value}>-`;
  return `${dir}<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM>, dmesg.<YYYYMMDDHHMM> (kdump-tools)${how}`;
}

/** One line per setting, "name: value (from)", as kdumpctl plan/status print them. */
export function describeDumpPlan(p: DumpPlan): Array<{ name: string; value: string; from: string }> {
  const t = p.target.value;
  const target =
    t.kind === 'rootfs' ? 'root file system' : t.kind === 'local' ? `${t.fstype} ${t.device}` : t.kind === 'nfs' ? `nfs ${t.export}` : `ssh ${t.dest}`;
  const rows = [
    { name: 'target', value: target, from: p.target.from },
    { name: 'path', value: p.path.value, from: p.path.from },
    { name: 'core_collector', value: p.collector.argv === null ? 'full copy (kexecctl)' : p.collector.argv.join(' '), from: p.collector.from },
    { name: 'vmcore', value: vmcoreDescription(p), from: p.layout.from },
    { name: 'failure_action', value: p.failureAction.value, from: p.failureAction.from },
    { name: 'final_action', value: p.finalAction.value, from: p.finalAction.from },
    { name: 'dmesg', value: p.dmesg.value ? 'yes' : 'no', from: p.dmesg.from },
    { name: 'num_dumps', value: p.numDumps.value === 0 ? 'all' : String(p.numDumps.value), from: p.numDumps.from },
  ];
  if (t.kind === 'ssh') rows.push({ name: 'sshkey', value: p.sshkey.value, from: p.sshkey.from });
  if (p.pre !== null) rows.push({ name: 'kdump_pre', value: p.pre.value.join(' '), from: p.pre.from });
  if (p.post !== null) rows.push({ name: 'kdump_post', value: p.post.value.join(' '), from: p.post.from });
  if (p.failCmd !== null) rows.push({ name: 'KDUMP_FAIL_CMD', value: p.failCmd.value.join(' '), from: p.failCmd.from });
  return rows;
}
