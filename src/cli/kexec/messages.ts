/**
 * kexec-tools 2.0.27's words and exit statuses for a failed kexec (scripts grep them). Errors
 * come from the shared loader with kexecctl's wording; here they are turned into what
 * kexec/kexec.c and kexec-bzImage64.c print, naming files as the user typed them:
 *  - kernel cannot be opened: slurp_file() die()s "Cannot open `K': <strerror>", exit 1;
 *  - kernel is a directory: "Read on K failed: Is a directory", then die("Cannot read K"), exit 1;
 *  - nothing recognises the file: "Cannot determine the file type of K", EFAILED (255);
 *  - initrd cannot be opened: "Could not open initrd file I:<strerror>", then "Cannot load K", 255;
 *  - --real-mode/--entry-32bit on kexec_file_load: its message, then "Cannot load K", 255;
 *  - die() cases (no crash memory, usage, nothing loaded): 1; EFALLBACK (-s): 253; else 255.
 */
import type { KexecError } from '../../errors.js';
import { absolute } from '../../kexec/load-files.js';
import { strerror } from '../../sys/errno.js';
import type { KexecRun } from './options.js';

/** kexec-tools' exit status for an error code. */
export function kexecExitCode(code: string): number {
  if (['ENOTLOADED', 'ENOCRASHMEM', 'ENOKEXEC', 'EUSAGE', 'EDIE'].includes(code)) return 1;
  if (code === 'EFALLBACK') return 253;
  return 255;
}

export type KexecFailure = { text: string; exitCode: number };

export function kexecFailure(e: KexecError, inv: Pick<KexecRun, 'kernel' | 'initrds'>): KexecFailure {
  const k = inv.kernel ?? '';
  const isKernel = inv.kernel !== null && e.path !== undefined && e.path === absolute(inv.kernel);
  const initrd = e.path === undefined ? undefined : inv.initrds.find((p) => absolute(p) === e.path);
  const why = strerror(e.errno ?? 5);
  if (e.code === 'EFILEOPEN' && isKernel) return { text: `Cannot open \`${k}': ${why}`, exitCode: 1 };
  if (e.code === 'EFILEOPEN' && initrd !== undefined) return { text: `Could not open initrd file ${initrd}:${why}\nCannot load ${k}`, exitCode: 255 };
  if (e.code === 'EFILETYPE' && isKernel && e.errno === 21) return { text: `Read on ${k} failed: ${why}\nCannot read ${k}`, exitCode: 1 };
  if (e.code === 'EUNKNOWNFORMAT') return { text: `Cannot determine the file type of ${k}`, exitCode: 255 };
  if (e.code === 'EX86ENTRY') return { text: `${e.message}\nCannot load ${k}`, exitCode: 255 };
  return { text: e.message, exitCode: kexecExitCode(e.code) };
}
