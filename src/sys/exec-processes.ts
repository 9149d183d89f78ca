/**
 * The real Processes port: execa for run(), node's child_process for pipe(), both loaded on first
 * use. Inside a test run (KEXECCTL_TEST=1) every call is refused before anything starts, so no test
 * can run systemctl, telinit, shutdown, reboot or ssh on the machine it runs on, whatever code path
 * it reaches.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { KexecError } from '../errors.js';
import { isTestRun } from './test-run.js';
import type { PipeResult, Processes, RunResult } from './processes.js';

function refuse(argv: readonly string[]): KexecError {
  return new KexecError({
    code: 'ETESTGUARD',
    message: `refusing to run ${argv.join(' ')} inside a test run (KEXECCTL_TEST=1); use KEXECCTL_FAKE or --dry-run`,
  });
}

/** A shell's view of how a child ended: its exit code, 128 + the signal number, 127 when it never started. */
function ended(child: ChildProcess, name: string): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', (e) => {
      process.stderr.write(`${name}: ${e.message}\n`); // like kexec-tools' perror()
      resolve(127);
    });
    child.once('close', (code, signal) => {
      if (code !== null) resolve(code);
      else resolve(128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}

export function execProcesses(env: NodeJS.ProcessEnv = process.env): Processes {
  return {
    async run(cmd, args, extraEnv, opts): Promise<RunResult> {
      if (isTestRun(env)) throw refuse([cmd, ...args]);
      const { execa } = await import('execa'); // lazy: most commands never start a process
      if (opts?.inherit === true) {
        const r = await execa(cmd, [...args], { reject: false, env: extraEnv ?? {}, stdio: 'inherit' });
        if (r.exitCode === undefined) process.stderr.write(`${cmd}: ${r.shortMessage}\n`); // like kexec-tools' perror()
        return { exitCode: r.exitCode ?? 255, stdout: '', stderr: '' };
      }
      const r = await execa(cmd, [...args], { reject: false, env: extraEnv ?? {}, stdin: 'ignore' });
      return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.shortMessage ?? '') };
    },
    async pipe(producer, consumer, extraEnv): Promise<PipeResult> {
      if (isTestRun(env)) throw refuse([...producer, '|', ...consumer]);
      const { spawn } = await import('node:child_process');
      const childEnv = { ...process.env, ...extraEnv };
      const [pcmd = '', ...pargs] = producer;
      const [ccmd = '', ...cargs] = consumer;
      const p = spawn(pcmd, pargs, { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
      const pDone = ended(p, pcmd);
      if (p.stdout === null) return { producer: await pDone, consumer: 127 }; // the producer could not start
      const c = spawn(ccmd, cargs, { stdio: [p.stdout, 'inherit', 'inherit'], env: childEnv });
      const cDone = ended(c, ccmd);
      // The consumer holds the read end now. Closing ours means a consumer that exits early (ssh
      // refused) gives the producer EPIPE/SIGPIPE, as in a shell pipeline, instead of a blocked write.
      p.stdout.destroy();
      const [pc, cc] = await Promise.all([pDone, cDone]);
      return { producer: pc, consumer: cc };
    },
  };
}
