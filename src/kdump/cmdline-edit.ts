/**
 * The capture kernel's command line (pure), built with the shared token edits of
 * src/boot/cmdline.ts (kernel quoting rules, '-' and '_' equal in names).
 */
import { hasParam, joinCmdline, paramName, removeParams, tokenizeCmdline } from '../boot/cmdline.js';

/** The key our capture trigger adds; its presence in /proc/cmdline means "this is the capture kernel". */
export const KDUMP_TRIGGER_KEY = 'kexecctl.kdump';
export const KDUMP_TRIGGER = `${KDUMP_TRIGGER_KEY}=save`;

/** Parameters always removed from the capture kernel's command line. */
export const ALWAYS_REMOVED: readonly string[] = ['crashkernel', 'panic_on_warn', KDUMP_TRIGGER_KEY];

export type CaptureCmdlineInput = {
  /** KDUMP_COMMANDLINE, or /proc/cmdline when that is empty. */
  base: string;
  remove: readonly string[];
  append: string;
};

export type CaptureCmdline = { cmdline: string; warnings: string[] };

/**
 * Builds the capture kernel's command line the way kdumpctl's prepare_cmdline does, in our order:
 * drop crashkernel= and panic_on_warn, drop KDUMP_COMMANDLINE_REMOVE keys (root= is kept), append
 * KDUMP_COMMANDLINE_APPEND in order, then our trigger key.
 */
export function captureCmdline(input: CaptureCmdlineInput): CaptureCmdline {
  const warnings: string[] = [];
  const userRemove = input.remove.filter((n) => {
    if (n.replace(/-/g, '_') === 'root') {
      warnings.push('KDUMP_COMMANDLINE_REMOVE names root=, which is kept: the capture kernel mounts the real root to save the dump');
      return false;
    }
    return true;
  });
  let tokens = removeParams(tokenizeCmdline(input.base), [...ALWAYS_REMOVED, ...userRemove]);
  const appended = removeParams(tokenizeCmdline(input.append), [KDUMP_TRIGGER_KEY]);
  for (const t of appended) {
    if (paramName(t) === 'crashkernel') warnings.push(`KDUMP_COMMANDLINE_APPEND adds ${t}: a capture kernel cannot reserve crash memory; kept as written`);
  }
  tokens = [...tokens, ...appended, KDUMP_TRIGGER];
  if (!hasParam(tokens, 'root'))
    warnings.push('the capture command line has no root= parameter: the capture kernel may not find a file system to save the dump on');
  return { cmdline: joinCmdline(tokens), warnings };
}

/** True when a /proc/cmdline text carries our capture trigger. */
export function isCaptureCmdline(procCmdline: string): boolean {
  return tokenizeCmdline(procCmdline).some((t) => t === KDUMP_TRIGGER);
}
