/**
 * The one error boundary: every bin entry calls runCli(). Library code throws KexecError;
 * here it becomes "<prog>: <message>" on stderr and its exit code. Anything else is a bug,
 * reported in one line (the stack only with KEXECCTL_DEBUG=1), never a raw stack trace.
 */
import { CommanderError } from 'commander';
import { isKexecError } from '../errors.js';

export type Main = (argv: string[]) => Promise<number | void>;

export async function runCli(prog: string, main: Main, argv: string[] = process.argv.slice(2)): Promise<void> {
  let code: number;
  try {
    code = (await main(argv)) ?? 0;
  } catch (e) {
    code = reportError(prog, e);
  }
  process.exitCode = code;
}

export function reportError(prog: string, e: unknown): number {
  if (e instanceof CommanderError) {
    // commander already printed its message (unknown option, --help, --version ...)
    return e.exitCode;
  }
  if (isKexecError(e)) {
    process.stderr.write(`${prog}: ${e.message}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${prog}: internal error: ${msg}\n`);
  if (process.env['KEXECCTL_DEBUG'] === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 70; // EX_SOFTWARE
}
