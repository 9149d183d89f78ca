/**
 * A kernel file named for one release that holds another (issue 12 fault matrix: a kernel
 * replaced between the plan and the load, e.g. a botched reinstall or a copy over the file). The
 * load still loads what the file holds and records that release; this says so, because the
 * release's modules (/lib/modules/<release>) are what the new kernel will look for. Names follow
 * Debian and Fedora (vmlinuz-<release>, /boot/loader/entries' linux lines) and kernel-install.
 */
import { posix } from 'node:path';

/** The warning, or null when the name carries no release or agrees with the header. */
export function nameReleaseWarning(path: string, release: string | null): string | null {
  if (release === null) return null;
  const m = /^(?:vmlinuz|vmlinux)-(.+)$/.exec(posix.basename(path));
  const named = m?.[1];
  if (named === undefined || named === release) return null;
  return `${path} holds Linux ${release}, not ${named} as its name says (replaced after the plan?): loading what it holds, which needs /lib/modules/${release}`;
}
