/**
 * Where crashkernel= lives and how to change it (pure edits; the CLI writes the files).
 *  - Boot Loader Specification entries (/boot/loader/entries/*.conf, Fedora/RHEL): the `options` line
 *    of each entry, as kdump-utils' reset_crashkernel does through grubby --update-kernel --args.
 *  - Debian/Ubuntu GRUB: a snippet /etc/default/grub.d/kdump.cfg that appends crashkernel= to
 *    GRUB_CMDLINE_LINUX_DEFAULT (as kdump-tools' /etc/default/grub.d/kdump-tools.cfg does), then
 *    update-grub. The kernel uses the last crashkernel= (crash_reserve.c get_last_crashkernel), so
 *    the appended value wins over one already in /etc/default/grub.
 */
import { joinCmdline, tokenizeCmdline } from '../boot/cmdline.js';

export const BLS_DIR = '/boot/loader/entries';
export const GRUB_SNIPPET = '/etc/default/grub.d/kdump.cfg';

export type OptionsEdit = { text: string; old: string[]; changed: boolean; warnings: string[] };

/** Replaces every crashkernel= of a BLS entry's options line by crashkernel=<value> (adds one when absent). */
export function editBlsEntry(text: string, value: string, name = 'entry'): OptionsEdit {
  const lines = text.split('\n');
  const warnings: string[] = [];
  let old: string[] = [];
  let found = false;
  let changed = false;
  const out = lines.map((line) => {
    const m = /^(\s*options)(\s+)(.*)$/.exec(line);
    if (m === null || found) return line;
    found = true;
    const tokens = tokenizeCmdline(m[3] ?? '');
    if (tokens.some((t) => t.includes('$kernelopts'))) warnings.push(`${name}: options uses $kernelopts (grubenv); edit it with grub2-editenv`);
    old = tokens.filter((t) => t.startsWith('crashkernel='));
    for (const o of old) if (/,(high|low|cma)$/.test(o)) warnings.push(`${name}: ${o} removed; set it again if it is still wanted`);
    const next = [...tokens.filter((t) => !t.startsWith('crashkernel=')), `crashkernel=${value}`];
    changed = joinCmdline(next) !== joinCmdline(tokens);
    return `${m[1] ?? 'options'}${m[2] ?? ' '}${joinCmdline(next)}`;
  });
  if (!found) {
    out.push(`options crashkernel=${value}`);
    changed = true;
  }
  return { text: out.join('\n'), old, changed, warnings };
}

/** The linux line's kernel path of a BLS entry, or null. */
export function blsKernel(text: string): string | null {
  const m = /^\s*linux\s+(\S+)/m.exec(text);
  return m?.[1] ?? null;
}

/** Does a BLS entry belong to --kernel=SPEC (ALL, DEFAULT = the release given, a path, or a release)? */
export function blsEntryMatches(text: string, spec: string, release: string): boolean {
  if (spec === 'ALL') return true;
  const kernel = blsKernel(text) ?? '';
  const want = spec === 'DEFAULT' ? release : spec;
  if (want.startsWith('/')) return kernel === want || kernel === want.replace(/^\/boot/, '');
  return kernel.endsWith(`-${want}`) || new RegExp(`^\\s*version\\s+${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').test(text);
}

export function grubSnippet(value: string): string {
  return [
    '# Written by "kdumpctl reset-crashkernel" (kexecctl): reserve memory for the crash kernel.',
    '# The kernel uses the last crashkernel= on its command line, so this one wins over /etc/default/grub.',
    `GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=${value}"`,
    '',
  ].join('\n');
}

/** The crashkernel= value an existing snippet sets, or null. */
export function snippetValue(text: string | null): string | null {
  if (text === null) return null;
  const m = /crashkernel=([^\s"]+)/.exec(text);
  return m?.[1] ?? null;
}
