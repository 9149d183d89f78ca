/**
 * The one way to obtain the effects a command may have: a Kernel and the Processes port.
 *  - KEXECCTL_FAKE=<file>: the file-backed recording fake, and processes recorded in it;
 *  - --dry-run: an in-memory fake, processes recorded (and printed by the caller);
 *  - --root DIR (without a fake): refused with exit 2, because --root only reads files under DIR;
 *  - a test run (KEXECCTL_TEST=1): refused, so no test can reboot or kexec the machine it runs on;
 *  - otherwise the real koffi binding (loaded lazily) and execa.
 */
import { KexecError } from '../errors.js';
import { execProcesses } from './exec-processes.js';
import { FakeKernel } from './fake-kernel.js';
import type { Kernel, KexecState } from './kernel.js';
import { recordingProcesses, type Processes } from './processes.js';
import { isTestRun } from './test-run.js';

export { isTestRun } from './test-run.js';

export type KernelChoice = {
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The --root the user gave, if any: a read-only root never reaches the real kernel or init system. */
  readOnlyRoot?: string;
  /** The command that wants the effects, for the --root refusal ("kexecctl reboot"). */
  command?: string;
  /** How the real Kernel reads /sys/kernel's kexec state (host/kexec-sysfs.ts, under the command's root). */
  readState?: () => KexecState;
};

export type Effects = { kernel: Kernel; processes: Processes; recording: boolean };

export function rootRefusal(root: string, command = 'this command'): KexecError {
  return new KexecError({
    code: 'EREADONLYROOT',
    exitCode: 2,
    message: `--root ${root} only reads files under ${root}: ${command} loads, unloads or reboots nothing with it; add --dry-run to see what it would do`,
  });
}

/** The fake-kernel state file KEXECCTL_FAKE names, or null (unset or empty). */
export function fakeFileOf(env: NodeJS.ProcessEnv = process.env): string | null {
  const f = env['KEXECCTL_FAKE'];
  return f !== undefined && f !== '' ? f : null;
}

export async function getEffects(choice: KernelChoice = {}): Promise<Effects> {
  const env = choice.env ?? process.env;
  const fakeFile = fakeFileOf(env);
  if (fakeFile !== null) {
    const k = FakeKernel.fromFile(fakeFile);
    return { kernel: k, processes: recordingProcesses(k), recording: true };
  }
  if (choice.dryRun === true) {
    const k = new FakeKernel();
    return { kernel: k, processes: recordingProcesses(k), recording: true };
  }
  if (choice.readOnlyRoot !== undefined) throw rootRefusal(choice.readOnlyRoot, choice.command);
  if (isTestRun(env)) {
    throw new KexecError({
      code: 'ETESTGUARD',
      message: 'refusing to load the real kexec binding inside a test run (KEXECCTL_TEST=1); use KEXECCTL_FAKE or --dry-run',
    });
  }
  const mod = await import('./koffi-kernel.js');
  const readState = choice.readState;
  if (readState === undefined) throw new KexecError({ code: 'EINTERNAL', exitCode: 70, message: 'internal error: the real kernel needs a kexec state reader' });
  const real = mod.createKoffiKernel(readState);
  const fail = env['KEXECCTL_FAIL_SYSCALL'];
  const kernel = fail !== undefined && fail !== '' ? (await import('./fault-injection.js')).withInjectedFailure(real, fail) : real;
  return { kernel, processes: execProcesses(env), recording: false };
}

/** The file-backed fake when KEXECCTL_FAKE names one (its state is what is "loaded"), else null. */
export function fakeStateKernel(env: NodeJS.ProcessEnv = process.env): Kernel | null {
  const fakeFile = fakeFileOf(env);
  return fakeFile !== null ? FakeKernel.fromFile(fakeFile) : null;
}

export async function getKernel(choice: KernelChoice = {}): Promise<Kernel> {
  return (await getEffects(choice)).kernel;
}
