/**
 * The dump plan (pure): where the capture kernel writes the dump and with what, from /etc/kdump.conf
 * (kdump-utils) and, on Debian, /etc/default/kdump-tools. A kdump.conf directive wins over the
 * kdump-tools key with the same meaning; each setting carries where it came from (file:line).
 * Collector rules follow kdump-utils' kdump.sh: makedumpfile never gets -F for a file target and
 * always gets it for ssh (a flattened stream, saved as vmcore.flat); `cp`/`scp` and no makedumpfile
 * mean kexecctl's own streaming copy.
 */
import { defaultKdumpConf, type FailureAction, type FinalAction, type KdumpConf, type KdumpTarget, type Sourced } from '../config/kdump-conf.js';
import type { KdumpTools } from '../config/kdump-tools.js';

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
    if (isDefault(path) && !isDefault(tools.coredir)) path = tools.coredir;
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
  } else if (tools !== null && !isDefault(tools.makedumpArgs)) {
    collector = { argv: [input.makedumpfile, ...makedumpfileArgv(tools.makedumpArgs.value, ssh)], from: tools.makedumpArgs.from };
  } else {
    collector = { argv: [input.makedumpfile, ...makedumpfileArgv(DEFAULT_MAKEDUMPFILE_ARGS, ssh)], from: 'default' };
  }
  const flat = ssh && collector.argv !== null && base(collector.argv[0] ?? '') === 'makedumpfile';
  if (ssh && collector.argv !== null) {
    warnings.push(
      `ssh target (${target.from}): streaming ${collector.argv[0] ?? 'the collector'} into ssh (kdump-utils' ${flat ? 'vmcore.flat' : 'vmcore'}) is not supported yet; kdumpctl save copies the full vmcore with scp`,
    );
  }
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
    warnings,
  };
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
    { name: 'vmcore', value: t.kind === 'ssh' ? 'vmcore (full copy with scp)' : p.vmcoreName, from: p.target.from },
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
