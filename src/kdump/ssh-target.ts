/**
 * The ssh dump target as argv (pure), following kdump-utils' kdump.sh dump_ssh() and
 * save_vmcore_dmesg_ssh(): ssh -i <sshkey> -o BatchMode=yes -o StrictHostKeyChecking=yes <user@host>,
 * `mkdir -p <dir>`, the kernel log streamed into `<dir>/vmcore-dmesg-incomplete.txt` then renamed,
 * the collector's output (makedumpfile -F, or our copy of /proc/vmcore) streamed into
 * `umask 0077 && dd bs=512 of='<dir>/vmcore-incomplete'`, then renamed to vmcore.flat (flattened
 * makedumpfile stream; `makedumpfile -R vmcore < vmcore.flat` rebuilds it) or vmcore.
 * ssh always hands the remote command to the remote user's shell; every path in it is single-quoted
 * here, and a path containing a single quote is refused rather than escaped.
 */
import { posix } from 'node:path';
import type { DumpPlan } from './dump-plan.js';

export type SshStep = { argv: string[]; /** What goes to ssh's stdin. */ stdin: 'none' | 'dmesg' | 'collector' };

export type SshDump = {
  dest: string;
  /** Remote directory of this dump (relative paths are relative to the remote user's home). */
  dir: string;
  /** The producer whose stdout is streamed: null = kexecctl's copy of /proc/vmcore. */
  producer: string[] | null;
  steps: SshStep[];
  finalName: 'vmcore' | 'vmcore.flat';
};

export function sshOptions(key: string): string[] {
  return ['-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
}

function quote(p: string): string {
  if (p.includes("'")) throw new Error(`remote path ${p} contains a single quote; refusing to build a remote command with it`);
  return `'${p}'`;
}

export function planSshDump(plan: DumpPlan, dumpDirName: string, vmcore = '/proc/vmcore'): SshDump {
  const t = plan.target.value;
  if (t.kind !== 'ssh') throw new Error('not an ssh target');
  const dir = posix.join(plan.path.value, dumpDirName);
  const ssh = (remote: string): string[] => ['ssh', ...sshOptions(plan.sshkey.value), t.dest, remote];
  const q = quote(dir);
  const steps: SshStep[] = [{ argv: ssh(`mkdir -p ${q}`), stdin: 'none' }];
  if (plan.dmesg.value) {
    steps.push({ argv: ssh(`umask 0077 && dd of=${quote(`${dir}/vmcore-dmesg-incomplete.txt`)}`), stdin: 'dmesg' });
    steps.push({ argv: ssh(`mv ${quote(`${dir}/vmcore-dmesg-incomplete.txt`)} ${quote(`${dir}/vmcore-dmesg.txt`)}`), stdin: 'none' });
  }
  steps.push({ argv: ssh(`umask 0077 && dd bs=512 of=${quote(`${dir}/vmcore-incomplete`)}`), stdin: 'collector' });
  steps.push({ argv: ssh(`mv ${quote(`${dir}/vmcore-incomplete`)} ${quote(`${dir}/${plan.vmcoreName}`)}`), stdin: 'none' });
  // makedumpfile -F with no output file writes the flattened stream to stdout.
  const producer = plan.collector.argv === null ? null : [...plan.collector.argv, vmcore];
  return { dest: t.dest, dir, producer, steps, finalName: plan.vmcoreName };
}

/** Characters a remote path may hold when passed to scp (legacy scp hands it to the remote shell, SFTP does not). */
const SCP_SAFE = /^[A-Za-z0-9._:/+-]+$/;

/**
 * The ssh target without a pipe, as kdump.sh does for core_collector scp: mkdir, the kernel log
 * (extracted locally first) and /proc/vmcore copied with scp to <dir>/vmcore-incomplete, then renamed
 * to vmcore. Used for the full copy; a makedumpfile stream (-F) needs a pipe into ssh.
 */
export function planScpDump(plan: DumpPlan, dumpDirName: string, localDmesg: string | null, vmcore = '/proc/vmcore'): string[][] {
  const t = plan.target.value;
  if (t.kind !== 'ssh') throw new Error('not an ssh target');
  const dir = posix.join(plan.path.value, dumpDirName);
  if (!SCP_SAFE.test(dir)) throw new Error(`remote path ${dir} has characters scp may interpret; use letters, digits and . _ : / + -`);
  const opts = sshOptions(plan.sshkey.value);
  const ssh = (remote: string): string[] => ['ssh', ...opts, t.dest, remote];
  const scp = (from: string, to: string): string[] => ['scp', '-q', ...opts, from, `${t.dest}:${to}`];
  const steps = [ssh(`mkdir -p ${quote(dir)}`)];
  if (localDmesg !== null) steps.push(scp(localDmesg, `${dir}/vmcore-dmesg.txt`));
  steps.push(scp(vmcore, `${dir}/vmcore-incomplete`));
  steps.push(ssh(`mv ${quote(`${dir}/vmcore-incomplete`)} ${quote(`${dir}/vmcore`)}`));
  return steps;
}
