/**
 * The kexec drop-in run inside the calling process, for the guest tier's differential table only
 * (test/vm/guest/differential.mjs): every node start costs 3-5 s under TCG, and the table runs 30
 * invocations. It is src/cli/bin/kexec.ts without the process: kexecMain inside runCli's error
 * boundary (reportError), its stdout and stderr captured. The differential runs some rows through
 * the installed binary as well and fails a row where the two disagree.
 * Bundled into the guest by build-inproc.mjs with dist/'s options; never shipped.
 */
import { kexecMain } from '../../../src/cli/kexec/main.js';
import { reportError } from '../../../src/cli/run.js';

export type InprocResult = { code: number; stdout: string; stderr: string };

const text = (s: unknown): string => (typeof s === 'string' ? s : Buffer.from(s as Uint8Array).toString('utf8'));

export async function runKexec(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<InprocResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: unknown) => ((stdout += text(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: unknown) => ((stderr += text(s)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = (await kexecMain(argv, env)) ?? 0;
  } catch (e) {
    code = reportError('kexec', e);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  // What the shell sees of process.exitCode: its low 8 bits (kexec-tools' exit(-1) is 255).
  return { code: code & 0xff, stdout, stderr };
}
