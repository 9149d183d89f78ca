/**
 * The real RebootDeps: the Kernel port (real binding, KEXECCTL_FAKE or the dry-run fake),
 * our load and its /run/kexecctl record, files under a root, execa for the init system's
 * commands, and logger(1) so that the reasons reach the system log as well as stderr.
 */
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { loadKernelChecked } from '../kexec/load.js';
import { FileVerifiedCache } from '../kexec/verified-cache.js';
import { readLoadRecord } from '../kexec/record.js';
import { readKexecState } from '../kexec/state.js';
import { unloadKernel } from '../kexec/unload.js';
import type { TrustPolicy } from '../host/open-checked.js';
import { RootFs } from '../host/rootfs.js';
import { LINUX_REBOOT_CMD_KEXEC, LINUX_REBOOT_CMD_RESTART } from '../sys/constants.js';
import type { Kernel } from '../sys/kernel.js';
import { withoutNextEntry } from './grubenv.js';
import type { RebootDeps, Runner, WantedLoad } from './types.js';

export type HostDepsOptions = {
  kernel: Kernel;
  /** Where "is something loaded" comes from: the fake kernel's state, else /sys under the root. */
  stateKernel?: Kernel | null;
  trust?: TrustPolicy;
  plan: () => Promise<WantedLoad>;
  /** Root for files and /run/kexecctl (tests); "/" on a real system. */
  root?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Send warnings to logger(1) too (default: when not running under a systemd unit, whose stderr is logged already). */
  syslog?: boolean;
  /** The Processes port (systemctl, telinit, reboot, logger): recording or guarded execa. */
  runner: Runner;
};

export function hostRebootDeps(o: HostDepsOptions): RebootDeps {
  const root = o.root ?? '/';
  const at = (p: string): string => (root === '/' ? p : posix.join(root, p));
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = o.err ?? ((l: string) => process.stderr.write(`kexecctl: ${l}\n`));
  const runner = o.runner;
  const syslog = o.syslog ?? process.env['INVOCATION_ID'] === undefined;
  const k = o.kernel;
  const fs = new RootFs(root);
  return {
    plan: o.plan,
    async load(want) {
      // The deep check (issue 18, once per file version: verified-cache.ts) and unpacking of wrapped kernels (issue 11), as kexecctl load does.
      await loadKernelChecked(
        k,
        { kernelPath: at(want.kernel), initrdPaths: want.initrds.map(at), cmdline: want.cmdline, crash: false, mode: 'auto', verify: true },
        { root, ...(o.trust ? { trust: o.trust } : {}), verified: new FileVerifiedCache(root, { write: true, trustedUids: o.trust?.trustedUids ?? [0] }) },
      );
    },
    async unload() {
      unloadKernel(k, { crash: false, mode: 'auto' }, { root });
    },
    loaded() {
      const s = readKexecState(fs, o.stateKernel !== undefined ? o.stateKernel : k);
      return s.supported ? s.loaded : null;
    },
    record() {
      // Under --root the load opened host paths; the plan speaks in-root paths.
      const r = readLoadRecord(root, false);
      if (r === null || root === '/') return r;
      const strip = (p: string): string => (p.startsWith(`${root}/`) ? p.slice(root.length) : p);
      return { ...r, kernel: strip(r.kernel), initrds: r.initrds.map(strip) };
    },
    ctimeMs(p) {
      try {
        return statSync(at(p)).ctimeMs;
      } catch {
        return null;
      }
    },
    exists(p) {
      try {
        statSync(at(p));
        return true;
      } catch {
        return false;
      }
    },
    touch(p) {
      closeSync(openSync(at(p), 'a', 0o644));
    },
    async execNow() {
      k.sync();
      const r = k.reboot(LINUX_REBOOT_CMD_KEXEC);
      return r.ok ? (r.jumped ? null : 'reboot(LINUX_REBOOT_CMD_KEXEC) returned') : `reboot(LINUX_REBOOT_CMD_KEXEC) = ${r.code} (${r.message})`;
    },
    async restartNow() {
      k.sync();
      const r = k.reboot(LINUX_REBOOT_CMD_RESTART);
      return r.ok ? (r.jumped ? null : 'reboot(LINUX_REBOOT_CMD_RESTART) returned') : `reboot(LINUX_REBOOT_CMD_RESTART) = ${r.code} (${r.message})`;
    },
    async rebootPending() {
      // sysv-rc exports RUNLEVEL to the scripts of runlevel 6; systemd has a queued reboot/kexec job.
      if (process.env['RUNLEVEL'] === '6') return true;
      try {
        const r = await runner.run('systemctl', ['list-jobs', '--no-legend', '--plain']);
        return /\b(reboot|kexec)\.target\b/.test(r.stdout);
      } catch {
        return false;
      }
    },
    clearOneShot(file) {
      const text = readFileSync(at(file), 'latin1');
      const next = withoutNextEntry(text);
      if (next !== null) writeFileSync(at(file), next, 'latin1');
    },
    runner,
    warn(message) {
      err(message);
      if (syslog) runner.run('logger', ['-t', 'kexecctl', '-p', 'daemon.warning', '--', message]).catch(() => undefined);
    },
    info: out,
  };
}
