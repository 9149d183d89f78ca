/**
 * The one error boundary: every bin entry calls runCli(). Library code throws KexecError;
 * here it becomes "<prog>: <message>" on stderr and its exit code. Anything else is a bug,
 * reported in one line (the stack only with KEXECCTL_DEBUG=1), never a raw stack trace.
 */
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

/** commander's errors carry code "commander.*" and an exitCode; checked structurally so that
 * entry points that never use commander (kexec) do not pay for importing it. */
function isCommanderError(e: unknown): e is { exitCode: number } {
  if (typeof e !== 'object' || e === null) return false;
  const { code, exitCode } = e as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

export function reportError(prog: string, e: unknown): number {
  if (isCommanderError(e)) {
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
