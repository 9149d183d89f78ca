/**
 * The one way to obtain a Kernel. The real koffi binding is loaded lazily, and never
 * inside a test run: KEXECCTL_TEST=1 (set by vitest and the test scripts) or VITEST
 * makes asking for it an error, so no test can reboot the machine it runs on.
 */
import { KexecError } from '../errors.js';
import { FakeKernel } from './fake-kernel.js';
import type { Kernel } from './kernel.js';

export type KernelChoice = { dryRun?: boolean; env?: NodeJS.ProcessEnv };

export function isTestRun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['KEXECCTL_TEST'] === '1' || env['VITEST'] !== undefined || env['NODE_ENV'] === 'test';
}

export async function getKernel(choice: KernelChoice = {}): Promise<Kernel> {
  const env = choice.env ?? process.env;
  const fakeFile = env['KEXECCTL_FAKE'];
  if (fakeFile !== undefined && fakeFile !== '') return FakeKernel.fromFile(fakeFile);
  if (choice.dryRun === true) return new FakeKernel();
  if (isTestRun(env)) {
    throw new KexecError({
      code: 'ETESTGUARD',
      message: 'refusing to load the real kexec binding inside a test run (KEXECCTL_TEST/VITEST is set); use KEXECCTL_FAKE or --dry-run',
    });
  }
  const mod = await import('./koffi-kernel.js');
  return mod.createKoffiKernel();
}
