/**
 * What a CLI command needs from the outside world, chosen in one place: the Kernel (fake under
 * KEXECCTL_FAKE or --dry-run, never the real binding in a test run), the root for /proc, /sys
 * and /run, the file-ownership policy, network control and the shutdown command.
 */
import { SysfsNetControl, type NetControl } from '../host/net-ifaces.js';
import { ROOT_ONLY, type TrustPolicy } from '../host/open-checked.js';
import { RootFs } from '../host/rootfs.js';
import { FakeKernel } from '../sys/fake-kernel.js';
import { FakeNetControl } from '../sys/fake-net.js';
import { getKernel, isTestRun } from '../sys/get-kernel.js';
import type { Kernel } from '../sys/kernel.js';

export type CliContext = {
  fs: RootFs;
  root: string;
  trust: TrustPolicy;
  testRun: boolean;
  getKernel(dryRun?: boolean): Promise<Kernel>;
  /** A kernel for reading state only: the fake when one is configured, else null (read sysfs). */
  stateKernel(): Kernel | null;
  /** The fake's interfaces for a fake kernel, else /sys/class/net + `ip link`. */
  net(kernel: Kernel | null): NetControl;
  /** Runs `shutdown -r now` (kexec KERNEL without -l/-e); returns its exit status. */
  shutdownReboot(kernel: Kernel): Promise<number>;
};

/**
 * root: --root when given. Otherwise "/", except that test runs and fake runs may move it with
 * KEXECCTL_ROOT, so no test ever reads the host's /sys or writes the host's /run/kexecctl.
 */
export function makeContext(root: string | undefined, env: NodeJS.ProcessEnv = process.env): CliContext {
  const testRun = isTestRun(env);
  const fakeFile = env['KEXECCTL_FAKE'];
  const hasFake = fakeFile !== undefined && fakeFile !== '';
  const envRoot = testRun || hasFake ? env['KEXECCTL_ROOT'] : undefined;
  const fs = new RootFs(root ?? (envRoot !== undefined && envRoot !== '' ? envRoot : '/'));
  // Inside a test run the files a test creates belong to the test's user: accept that uid too.
  // Test runs can never reach the real binding, so this cannot weaken a real load.
  const uid = process.getuid?.() ?? 0;
  const trust: TrustPolicy = testRun ? { trustedUids: [0, uid] } : ROOT_ONLY;
  return {
    fs,
    root: fs.root,
    trust,
    testRun,
    getKernel: (dryRun = false) => getKernel({ dryRun, env }),
    stateKernel: () => (hasFake ? FakeKernel.fromFile(fakeFile) : null),
    net: (kernel) => (kernel instanceof FakeKernel ? new FakeNetControl(kernel) : new SysfsNetControl(fs)),
    shutdownReboot: async (kernel) => {
      if (kernel instanceof FakeKernel) {
        kernel.note('shutdown', { argv: ['shutdown', '-r', 'now'] });
        return 0;
      }
      const { execa } = await import('execa'); // lazy: keeps status/--version fast
      const r = await execa('shutdown', ['-r', 'now'], { stdio: 'inherit', reject: false });
      if (r.exitCode === undefined) process.stderr.write(`shutdown: ${r.shortMessage}\n`); // like kexec-tools' perror("shutdown")
      return r.exitCode ?? 255;
    },
  };
}
