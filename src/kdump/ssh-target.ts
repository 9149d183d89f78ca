/**
 * The ssh dump target as argv (pure), following kdump-utils' kdump.sh dump_ssh() and
 * save_vmcore_dmesg_ssh(): ssh -i <sshkey> -o BatchMode=yes -o StrictHostKeyChecking=yes <user@host>,
 * `mkdir -p <dir>`, the kernel log streamed into `<dir>/vmcore-dmesg-incomplete.txt` then renamed,
 * the collector's output (`makedumpfile -F ... /proc/vmcore | ssh ... "umask 0077 && dd bs=512
 * of='<dir>/vmcore-incomplete'"`) then renamed to vmcore.flat (flattened makedumpfile stream;
 * `makedumpfile -R vmcore < vmcore.flat` rebuilds it). kdump-tools' kdump_save_core_to_ssh() does the
 * same with its own names (dump-incomplete, then dump.<YYYYMMDDHHMM>; dump-names.ts).
 * ssh always hands the remote command to the remote user's shell; every path in it is single-quoted
 * here, and a path containing a single quote is refused rather than escaped.
 */
import { posix } from 'node:path';
import type { DumpNames } from './dump-names.js';
import type { DumpPlan } from './dump-plan.js';

export type SshStep = { argv: string[]; /** What goes to ssh's stdin. */ stdin: 'none' | 'dmesg' | 'collector' };

export type SshDump = {
  dest: string;
  /** Remote directory of this dump (relative paths are relative to the remote user's home). */
  dir: string;
  /** The producer whose stdout is streamed: the collector with its input file (makedumpfile -F writes to stdout). */
  producer: string[];
  steps: SshStep[];
  /** Remote path of the complete dump. */
  vmcore: string;
};

export function sshOptions(key: string): string[] {
  return ['-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
}

function quote(p: string): string {
  if (p.includes("'")) throw new Error(`remote path ${p} contains a single quote; refusing to build a remote command with it`);
  return `'${p}'`;
}

/** The streamed dump (a collector is configured): `dmesg` says whether a kernel log is sent first. */
export function planSshDump(plan: DumpPlan, names: DumpNames, dmesg: boolean, vmcore = '/proc/vmcore'): SshDump {
  const t = plan.target.value;
  if (t.kind !== 'ssh') throw new Error('not an ssh target');
  if (plan.collector.argv === null) throw new Error('no collector to stream: the full copy goes with scp (planScpDump)');
  const dir = posix.join(plan.path.value, names.dir);
  const at = (name: string): string => quote(posix.join(dir, name));
  const ssh = (remote: string): string[] => ['ssh', ...sshOptions(plan.sshkey.value), t.dest, remote];
  const steps: SshStep[] = [{ argv: ssh(`mkdir -p ${quote(dir)}`), stdin: 'none' }];
  if (dmesg) {
    steps.push({ argv: ssh(`umask 0077 && dd of=${at(names.dmesgPartial)}`), stdin: 'dmesg' });
    steps.push({ argv: ssh(`mv ${at(names.dmesgPartial)} ${at(names.dmesg)}`), stdin: 'none' });
  }
  steps.push({ argv: ssh(`umask 0077 && dd bs=512 of=${at(names.partial)}`), stdin: 'collector' });
  steps.push({ argv: ssh(`mv ${at(names.partial)} ${at(names.vmcore)}`), stdin: 'none' });
  return { dest: t.dest, dir, producer: [...plan.collector.argv, vmcore], steps, vmcore: posix.join(dir, names.vmcore) };
}

/** Characters a remote path may hold when passed to scp (legacy scp hands it to the remote shell, SFTP does not). */
const SCP_SAFE = /^[A-Za-z0-9._:/+-]+$/;

/**
 * The ssh target without a collector, as kdump.sh does for core_collector scp: mkdir, the kernel log
 * (extracted locally first) and /proc/vmcore copied with scp to <dir>/vmcore-incomplete, then renamed.
 */
export function planScpDump(plan: DumpPlan, names: DumpNames, localDmesg: string | null, vmcore = '/proc/vmcore'): string[][] {
  const t = plan.target.value;
  if (t.kind !== 'ssh') throw new Error('not an ssh target');
  const dir = posix.join(plan.path.value, names.dir);
  if (!SCP_SAFE.test(dir)) throw new Error(`remote path ${dir} has characters scp may interpret; use letters, digits and . _ : / + -`);
  const opts = sshOptions(plan.sshkey.value);
  const ssh = (remote: string): string[] => ['ssh', ...opts, t.dest, remote];
  const scp = (from: string, to: string): string[] => ['scp', '-q', ...opts, from, `${t.dest}:${to}`];
  const steps = [ssh(`mkdir -p ${quote(dir)}`)];
  if (localDmesg !== null) steps.push(scp(localDmesg, posix.join(dir, names.dmesg)));
  steps.push(scp(vmcore, posix.join(dir, names.partial)));
  steps.push(ssh(`mv ${quote(posix.join(dir, names.partial))} ${quote(posix.join(dir, names.vmcore))}`));
  return steps;
}
