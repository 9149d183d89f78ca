/**
 * What a CLI command needs from the outside world, chosen in one place for every command
 * (kexecctl, kexec, coldreboot, kdumpctl): the root for files, /proc, /sys and /run, the
 * file-ownership policy, and the effects (Kernel, Processes, network, shutdown) through
 * getEffects(): a fake under KEXECCTL_FAKE or --dry-run, never the real binding or a real
 * systemctl/telinit/shutdown/reboot in a test run, and never with --root DIR.
 */
import { KernelNetControl, SysfsNetControl, type NetControl } from '../host/net-ifaces.js';
import { ROOT_ONLY, type TrustPolicy } from '../host/open-checked.js';
import { RootFs } from '../host/rootfs.js';
import { readKexecSysfs } from '../host/kexec-sysfs.js';
import { fakeFileOf, fakeStateKernel, getEffects, isTestRun, rootRefusal, type Effects } from '../sys/get-kernel.js';
import type { Kernel } from '../sys/kernel.js';

export type CliContext = {
  fs: RootFs;
  root: string;
  /** The --root the user gave (read-only mode), or undefined. */
  readOnlyRoot: string | undefined;
  trust: TrustPolicy;
  testRun: boolean;
  /** KEXECCTL_FAKE names a file-backed fake: every effect and every state read goes to it. */
  fake: boolean;
  /** Kernel + Processes for a command that acts (one set per invocation and dry-run flag); throws EREADONLYROOT (exit 2) under --root without --dry-run. */
  effects(dryRun?: boolean): Promise<Effects>;
  getKernel(dryRun?: boolean): Promise<Kernel>;
  /** Throws EREADONLYROOT (exit 2) when this invocation may not act: --root without --dry-run or a fake. */
  requireEffects(dryRun: boolean): void;
  /** A kernel for reading state only: the fake when one is configured, else null (read sysfs). */
  stateKernel(): Kernel | null;
  /** Interfaces through the kernel's ioctls (kexec-tools' ifdown()); with no kernel, a listing from /sys/class/net. */
  net(kernel: Kernel | null): NetControl;
  /** Runs `shutdown -r now` (kexec KERNEL without -l/-e) through the Processes port; returns its exit status. */
  shutdownReboot(): Promise<number>;
};

export type ContextOptions = { env?: NodeJS.ProcessEnv; command?: string };

/**
 * root: --root when given. Otherwise "/", except that test runs and fake runs may move it with
 * KEXECCTL_ROOT, so no test ever reads the host's /sys or writes the host's /run/kexecctl.
 */
export function makeContext(root: string | undefined, o: ContextOptions = {}): CliContext {
  const env = o.env ?? process.env;
  const testRun = isTestRun(env);
  const hasFake = fakeFileOf(env) !== null;
  const envRoot = testRun || hasFake ? env['KEXECCTL_ROOT'] : undefined;
  const fs = new RootFs(root ?? (envRoot !== undefined && envRoot !== '' ? envRoot : '/'));
  // Inside a test run the files a test creates belong to the test's user: accept that uid too.
  // Test runs can never reach the real binding, so this cannot weaken a real load.
  const uid = process.getuid?.() ?? 0;
  const trust: TrustPolicy = testRun ? { trustedUids: [0, uid] } : ROOT_ONLY;
  const command = o.command;
  // One Kernel (one file-backed fake, one koffi binding) and one Processes per dry-run flag, so the
  // load, the state read after it and `shutdown -r now` all act on the same instances.
  const made = new Map<boolean, Promise<Effects>>();
  const effects = (dryRun = false): Promise<Effects> => {
    let e = made.get(dryRun);
    if (e === undefined) {
      e = getEffects({
        dryRun,
        env,
        readState: () => readKexecSysfs(fs),
        ...(root !== undefined ? { readOnlyRoot: root } : {}),
        ...(command !== undefined ? { command } : {}),
      });
      made.set(dryRun, e);
    }
    return e;
  };
  return {
    fs,
    root: fs.root,
    readOnlyRoot: root,
    trust,
    testRun,
    fake: hasFake,
    effects,
    getKernel: async (dryRun = false) => (await effects(dryRun)).kernel,
    requireEffects: (dryRun) => {
      if (root !== undefined && !dryRun && !hasFake) throw rootRefusal(root, command);
    },
    stateKernel: () => fakeStateKernel(env),
    net: (kernel) => (kernel === null ? new SysfsNetControl(fs) : new KernelNetControl(kernel)),
    shutdownReboot: async () => {
      const r = await (await effects(false)).processes.run('shutdown', ['-r', 'now'], undefined, { inherit: true });
      return r.exitCode;
    },
  };
}
