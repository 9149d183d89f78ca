/**
 * The Processes port: every child process that can reboot, halt or change the init system's state
 * (systemctl, telinit, shutdown, reboot, logger for the reasons) goes through it. Implementations:
 * host/exec-processes.ts (execa; refuses inside a test run) and the recording one below, which
 * writes each command into the fake kernel's call log instead of running it.
 */
import type { FakeKernel } from './fake-kernel.js';

export type RunResult = { exitCode: number; stdout: string; stderr: string };

export type RunOptions = {
  /** Extra environment (e.g. SYSTEMCTL_SKIP_AUTO_KEXEC=1). */
  env?: Record<string, string>;
  /** Let the child write to our stdout/stderr (shutdown -r now), instead of capturing. */
  inherit?: boolean;
};

export interface Processes {
  run(cmd: string, args: readonly string[], env?: Record<string, string>, opts?: Omit<RunOptions, 'env'>): Promise<RunResult>;
}

/** Records `{syscall: 'run', args: {argv, env}}` in the fake kernel; every command "succeeds". */
export function recordingProcesses(kernel: FakeKernel): Processes {
  return {
    async run(cmd, args, env) {
      kernel.note('run', { argv: [cmd, ...args], ...(env ? { env } : {}) });
      return { exitCode: 0, stdout: '', stderr: '' };
    },
  };
}
