/**
 * SIGTERM/SIGINT during a dump save (kdumpctl save, kdump-config savecore): abort the copy
 * (kdump/capture.ts stops before its next chunk), then exit 128 + the signal number with one line
 * on stderr. Without a handler node would die at once, silently, with the partial dump still named
 * vmcore-incomplete; the handler adds the line and a clean stop (a second signal, the handler being
 * gone, kills at once). The shell's convention for the code, as a dracut-kdump.sh or kdump-tools'
 * kdump-config killed by the same signal would give.
 */
export const STOP_SIGNALS = { SIGTERM: 15, SIGINT: 2 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** Aborts `ac` with the signal's name on the first SIGTERM or SIGINT; returns the remover. */
export function onStopSignals(ac: AbortController): () => void {
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((sig) => {
    const h = (): void => ac.abort(sig);
    process.once(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}

/** The line and exit code for a save a signal stopped; `stopped`: the partial dump, when one was written. */
export function stoppedSave(reason: unknown, stopped: { bytes: number; vmcoreFile: string } | null): { line: string; exitCode: number } {
  const sig = String(reason) as StopSignal;
  const part = stopped === null ? '' : ` after ${stopped.bytes} bytes; the partial dump stays as ${stopped.vmcoreFile}, no vmcore`;
  return { line: `${sig}: save stopped${part}`, exitCode: 128 + (STOP_SIGNALS[sig] ?? 15) };
}
