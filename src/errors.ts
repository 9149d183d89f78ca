/**
 * Errors are values with stable codes. Library code throws or returns KexecError;
 * only src/cli maps them to messages and exit codes.
 */
export type KexecErrorInit = {
  code: string;
  message: string;
  errno?: number;
  syscall?: string;
  path?: string;
  /** Exit status the CLI should use; defaults to 1. */
  exitCode?: number;
  cause?: unknown;
};

export class KexecError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  readonly exitCode: number;

  constructor(init: KexecErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KexecError';
    this.code = init.code;
    this.errno = init.errno;
    this.syscall = init.syscall;
    this.path = init.path;
    this.exitCode = init.exitCode ?? 1;
  }
}

export function isKexecError(e: unknown): e is KexecError {
  return e instanceof KexecError;
}

/** A located warning or error from a parser: `file:line: message`. */
export type Diagnostic = {
  severity: 'warning' | 'error';
  origin: string;
  line?: number;
  message: string;
};

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line === undefined ? d.origin : `${d.origin}:${d.line}`;
  return `${where}: ${d.severity}: ${d.message}`;
}
