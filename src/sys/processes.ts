/**
 * The Processes port: every child process that can reboot, halt or change the init system's state
 * (systemctl, telinit, shutdown, reboot, logger for the reasons), and the capture kernel's programs
 * (makedumpfile, mount, ssh), go through it. Implementations: sys/exec-processes.ts (execa and
 * child_process; refuses inside a test run) and the recording one below, which writes each command
 * into the fake kernel's call log instead of running it.
 */
import type { FakeKernel } from './fake-kernel.js';

export type RunResult = { exitCode: number; stdout: string; stderr: string };

export type RunOptions = {
  /** Extra environment (e.g. SYSTEMCTL_SKIP_AUTO_KEXEC=1). */
  env?: Record<string, string>;
  /** Let the child write to our stdout/stderr (shutdown -r now), instead of capturing. */
  inherit?: boolean;
};

/** Exit status of each side of `producer | consumer` (128 + signal number when killed, 127 when it could not start). */
export type PipeResult = { producer: number; consumer: number };

export interface Processes {
  run(cmd: string, args: readonly string[], env?: Record<string, string>, opts?: Omit<RunOptions, 'env'>): Promise<RunResult>;
  /**
   * `producer | consumer`, as a shell pipeline does (kdump.sh: `makedumpfile -F ... | ssh ... dd`):
   * the producer's stdout is the consumer's stdin, through a kernel pipe (no copy through node);
   * both write their stderr, and the consumer its stdout, to ours. Resolves when both have ended.
   */
  pipe(producer: readonly string[], consumer: readonly string[], env?: Record<string, string>): Promise<PipeResult>;
}

/** Records `{syscall: 'run', args: {argv, env}}` or `{syscall: 'pipe', args: {producer, consumer}}` in the fake kernel; every command "succeeds". */
export function recordingProcesses(kernel: FakeKernel): Processes {
  return {
    async run(cmd, args, env) {
      kernel.note('run', { argv: [cmd, ...args], ...(env ? { env } : {}) });
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    async pipe(producer, consumer, env) {
      kernel.note('pipe', { producer: [...producer], consumer: [...consumer], ...(env ? { env } : {}) });
      return { producer: 0, consumer: 0 };
    },
  };
}
