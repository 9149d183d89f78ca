/**
 * The capture kernel's whole job (kdumpctl save), following kdump-utils' kdump.sh: kdump_pre, make
 * the target reachable (mount a local partition or an NFS export), save the dump, kdump_post with
 * the result, and pick what happens next: final_action after a good dump; after a failure,
 * KDUMP_FAIL_CMD (Debian) when set, else failure_action (dump_to_rootfs tries again on the root
 * file system). Every program runs as argv through the Runner (the Processes port); no shell. An ssh
 * target streams the collector into ssh through the port's pipe, as kdump.sh's
 * `$CORE_COLLECTOR /proc/vmcore | ssh ... dd` does.
 * A signal (the CLI aborts `signal` on SIGTERM/SIGINT) stops the save where it is: the partial dump
 * stays as vmcore-incomplete, and neither kdump_post nor failure_action runs (whoever sent SIGTERM is
 * stopping this system; a dump_to_rootfs retry or a reboot would fight it).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { posix } from 'node:path';
import type { FinalAction } from '../config/kdump-conf.js';
import type { RootFs } from '../host/rootfs.js';
import type { DumpPlan } from './dump-plan.js';
import type { PipeResult } from '../sys/processes.js';
import { dumpNames, type DumpNames } from './dump-names.js';
import { fdSource, saveDmesg } from './save.js';
import { saveDump, type Runner, type SaveDumpOptions, type SaveDumpResult } from './save-dump.js';
import { planScpDump, planSshDump } from './ssh-target.js';

/** `producer | consumer` with the console as stderr (the Processes port's pipe). */
export type PipeRunner = (producer: readonly string[], consumer: readonly string[]) => Promise<PipeResult>;

/** kdump-config's HOSTTAG=ip: the last IPv4 address of the interfaces that are up (`ip addr show up | ... | tail -n1`). */
export function hostIp(): string | null {
  const all = Object.values(networkInterfaces()).flatMap((l) => l ?? []);
  return all.filter((a) => a.family === 'IPv4').at(-1)?.address ?? null;
}

export const TARGET_MOUNT = '/run/kexecctl/kdump-target';

/** The host name for the dump directory: the kernel's, else /etc/hostname (a capture kernel often has none set). */
export function dumpHost(fs: RootFs): string {
  const h = hostname();
  if (h !== '' && h !== '(none)' && h !== 'localhost') return h;
  return fs.readText('/etc/hostname')?.trim() || h || 'localhost';
}

export type CaptureInput = {
  fs: RootFs;
  plan: DumpPlan;
  run: Runner;
  pipe: PipeRunner;
  log: (l: string) => void;
  host: string;
  /** For kdump-tools' HOSTTAG=ip (ssh/NFS); null: not known (the host name is used, as kdump-config falls back). */
  ip?: string | null;
  now: Date;
  /** Core file in the root (default /proc/vmcore). */
  vmcore: string;
  /** Aborted by the CLI's SIGTERM/SIGINT handler. */
  signal?: AbortSignal;
  /** Extra saveDump options (tests). */
  saveOptions?: Partial<SaveDumpOptions>;
};

export type CaptureResult = {
  saved: SaveDumpResult | null;
  ok: boolean;
  action: FinalAction | 'none';
  error?: string;
  /** ssh target: where the vmcore was written (user@host:dir/vmcore.flat ...). */
  remote?: string;
  /** The signal that stopped the save (then action is 'none'). */
  interrupted?: string;
};

/** The device a /proc/mounts line shows for a spec, when it can be resolved (UUID= and LABEL= via /dev/disk/by-*). */
function resolveDevice(fs: RootFs, spec: string): string | null {
  const m = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.+)$/.exec(spec);
  const link = m === null ? spec : `/dev/disk/by-${(m[1] ?? '').toLowerCase()}/${m[2] ?? ''}`;
  if (!fs.exists(link)) return null;
  try {
    return fs.realpath(link);
  } catch {
    return null;
  }
}

/** Where the target's root is in this system (inRoot path): already mounted, or mounted now. */
export async function mountTarget(fs: RootFs, plan: DumpPlan, run: Runner, log: (l: string) => void): Promise<string> {
  const t = plan.target.value;
  if (t.kind === 'rootfs') return '/';
  if (t.kind === 'ssh') throw new Error('an ssh target has nothing to mount');
  if (t.kind === 'local') {
    const dev = resolveDevice(fs, t.device);
    const mounts = (fs.readText('/proc/mounts') ?? '').split('\n').map((l) => l.split(' '));
    const hit = dev === null ? undefined : mounts.find((f) => f[0] === dev);
    if (hit !== undefined && hit[1] !== undefined) {
      log(`${t.device} (${dev ?? '?'}) is mounted on ${hit[1]}`);
      return hit[1];
    }
  }
  mkdirSync(fs.hostPath(TARGET_MOUNT), { recursive: true });
  const argv =
    t.kind === 'nfs'
      ? ['mount', '-t', 'nfs', '-o', 'nolock', t.export, fs.hostPath(TARGET_MOUNT)]
      : ['mount', '-t', t.fstype, t.device, fs.hostPath(TARGET_MOUNT)];
  log(`mounting the dump target: ${argv.join(' ')}`);
  const code = await run(argv);
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with status ${code}`);
  return TARGET_MOUNT;
}

/** This dump's names in the plan's layout (dump-names.ts). */
export function namesFor(i: Pick<CaptureInput, 'plan' | 'host' | 'now' | 'ip'>, onTarget = true): DumpNames {
  const p = i.plan;
  const remote = onTarget && (p.target.value.kind === 'ssh' || p.target.value.kind === 'nfs');
  const hostTag = p.hostTag.value === 'ip' ? (i.ip ?? i.host) : i.host;
  return dumpNames({ layout: p.layout.value, host: i.host, now: i.now, remote, flat: p.vmcoreName === 'vmcore.flat', hostTag });
}

async function attempt(i: CaptureInput, base: string, collector: readonly string[] | null, onTarget = true): Promise<SaveDumpResult> {
  const dir = i.fs.hostPath(posix.join(base, i.plan.path.value));
  return saveDump({
    vmcore: i.fs.hostPath(i.vmcore),
    dir,
    host: i.host,
    now: i.now,
    log: i.log,
    collector,
    run: i.run,
    dmesg: i.plan.dmesg.value,
    names: namesFor(i, onTarget),
    // kdump-config prunes local dumps only, never on NFS.
    numDumps: i.plan.layout.value === 'kdump-tools' && onTarget && i.plan.target.value.kind === 'nfs' ? 0 : i.plan.numDumps.value,
    ...(i.signal === undefined ? {} : { signal: i.signal }),
    ...i.saveOptions,
  });
}

export async function capture(i: CaptureInput): Promise<CaptureResult> {
  const { plan, log } = i;
  if (plan.pre !== null) {
    const code = await i.run(plan.pre.value);
    if (code !== 0) {
      log(`kdump_pre ${plan.pre.value.join(' ')} exited with status ${code}: no dump (kdump.conf: a failing kdump_pre runs the final action)`);
      return { saved: null, ok: false, action: plan.finalAction.value, error: `kdump_pre exited with status ${code}` };
    }
  }
  let saved: SaveDumpResult | null = null;
  let remote: string | undefined;
  let error: string | undefined;
  try {
    if (plan.target.value.kind === 'ssh') {
      remote = await sshSave(i);
    } else {
      const base = await mountTarget(i.fs, plan, i.run, log);
      saved = await attempt(i, base, plan.collector.argv);
      if (!saved.complete) error = saved.error ?? 'incomplete';
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    log(`saving the dump failed: ${error}`);
  }
  if (i.signal?.aborted === true) {
    const why = String(i.signal.reason);
    return { saved, ok: false, action: 'none', error: error ?? why, interrupted: why, ...(remote !== undefined ? { remote } : {}) };
  }
  const ok = error === undefined;
  if (plan.post !== null) {
    const code = await i.run([...plan.post.value, ok ? '0' : '1']);
    if (code !== 0) log(`kdump_post exited with status ${code}`);
  }
  if (ok) return { saved, ok, action: plan.finalAction.value, ...(remote !== undefined ? { remote } : {}) };
  return failure(i, saved, error ?? 'failed');
}

/**
 * ssh target: the kernel log (extracted here first, from the unfiltered /proc/vmcore) and the
 * collector's stream piped into ssh (kdump.sh dump_ssh; kdump-config kdump_save_core_to_ssh), or,
 * with no collector, both copied with scp (kdump.sh's core_collector scp). A failure on either side of
 * the pipe leaves the partial dump on the server and runs failure_action.
 */
async function sshSave(i: CaptureInput): Promise<string> {
  const { plan, log } = i;
  const names = namesFor(i);
  let dmesg: string | null = null;
  if (plan.dmesg.value) {
    const tmp = i.fs.hostPath(posix.join('/run/kexecctl/kdump-ssh', names.dir));
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    const fd = openSync(i.fs.hostPath(i.vmcore), 'r');
    try {
      const r = { dmesgFile: '', dmesgOk: false };
      saveDmesg(fdSource(fd), tmp, r, log, names);
      if (r.dmesgOk) dmesg = r.dmesgFile;
    } finally {
      closeSync(fd);
    }
  }
  const t = plan.target.value;
  const dest = t.kind === 'ssh' ? t.dest : '?';
  const step = async (argv: readonly string[]): Promise<void> => {
    log(`running ${argv.join(' ')}`);
    const code = await i.run(argv);
    if (code !== 0) throw new Error(`${argv[0] ?? 'ssh'} exited with status ${code}`);
  };
  const piped = async (producer: readonly string[], consumer: readonly string[]): Promise<void> => {
    log(`running ${producer.join(' ')} | ${consumer.join(' ')}`);
    const r = await i.pipe(producer, consumer);
    // kdump.sh (no pipefail) only sees ssh's status; a collector that failed is a failed dump here too.
    if (r.producer !== 0) throw new Error(`${producer[0] ?? 'collector'} exited with status ${r.producer} (ssh: ${r.consumer})`);
    if (r.consumer !== 0) throw new Error(`${consumer[0] ?? 'ssh'} exited with status ${r.consumer}`);
  };
  if (plan.collector.argv === null) {
    for (const argv of planScpDump(plan, names, dmesg, i.fs.hostPath(i.vmcore))) await step(argv);
    const where = `${dest}:${posix.join(plan.path.value, names.dir, names.vmcore)}`;
    log(`saved vmcore to ${where}`);
    return where;
  }
  const s = planSshDump(plan, names, dmesg !== null, i.fs.hostPath(i.vmcore));
  for (const st of s.steps) {
    if (st.stdin === 'none') await step(st.argv);
    else if (st.stdin === 'dmesg') await piped(['cat', dmesg ?? '/dev/null'], st.argv);
    else await piped(s.producer, st.argv);
  }
  const where = `${dest}:${s.vmcore}`;
  log(`saved vmcore to ${where}`);
  return where;
}

async function failure(i: CaptureInput, saved: SaveDumpResult | null, error: string): Promise<CaptureResult> {
  const { plan, log } = i;
  if (plan.failCmd !== null) {
    log(`KDUMP_FAIL_CMD: running ${plan.failCmd.value.join(' ')}`);
    await i.run(plan.failCmd.value);
    return { saved, ok: false, action: 'reboot', error };
  }
  const fa = plan.failureAction.value;
  log(`failure_action ${fa} (${plan.failureAction.from})`);
  if (fa === 'reboot' || fa === 'halt' || fa === 'poweroff') return { saved, ok: false, action: fa, error };
  if (fa === 'shell') {
    log('failure_action shell: kexecctl has no emergency shell in the capture kernel; rebooting');
    return { saved, ok: false, action: 'reboot', error };
  }
  // dump_to_rootfs: the same path, on the root file system.
  log(`dump_to_rootfs: saving to ${plan.path.value} on the root file system`);
  try {
    const again = await attempt(i, '/', plan.collector.argv, false);
    return { saved: again, ok: again.complete, action: plan.finalAction.value, ...(again.complete ? {} : { error: again.error ?? 'incomplete' }) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    log(`dump_to_rootfs failed: ${why}`);
    return { saved, ok: false, action: plan.finalAction.value, error: why };
  }
}
