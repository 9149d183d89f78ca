/**
 * The real Processes port: execa, loaded on first use. Inside a test run (KEXECCTL_TEST=1) every
 * call is refused before anything starts, so no test can run systemctl, telinit, shutdown or
 * reboot on the machine it runs on, whatever code path it reaches.
 */
import { KexecError } from '../errors.js';
import { isTestRun } from './test-run.js';
import type { Processes, RunResult } from './processes.js';

export function execProcesses(env: NodeJS.ProcessEnv = process.env): Processes {
  return {
    async run(cmd, args, extraEnv, opts): Promise<RunResult> {
      if (isTestRun(env)) {
        throw new KexecError({
          code: 'ETESTGUARD',
          message: `refusing to run ${[cmd, ...args].join(' ')} inside a test run (KEXECCTL_TEST=1); use KEXECCTL_FAKE or --dry-run`,
        });
      }
      const { execa } = await import('execa'); // lazy: most commands never start a process
      if (opts?.inherit === true) {
        const r = await execa(cmd, [...args], { reject: false, env: extraEnv ?? {}, stdio: 'inherit' });
        if (r.exitCode === undefined) process.stderr.write(`${cmd}: ${r.shortMessage}\n`); // like kexec-tools' perror()
        return { exitCode: r.exitCode ?? 255, stdout: '', stderr: '' };
      }
      const r = await execa(cmd, [...args], { reject: false, env: extraEnv ?? {}, stdin: 'ignore' });
      return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.shortMessage ?? '') };
    },
  };
}
