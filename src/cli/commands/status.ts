/**
 * kexecctl status [--json] [--root DIR]: never loads the binding; it reads /sys, /proc, the
 * efivars and /run/kexecctl under the root (or the fake under KEXECCTL_FAKE).
 * To add a field: add it to KexecStatus (src/kexec/status.ts) and a row in statusRows().
 */
import type { Command } from 'commander';
import { readStatus, type KexecStatus } from '../../kexec/status.js';
import type { LoadRecord } from '../../kexec/record.js';
import { makeContext } from '../context.js';

function yesNo(b: boolean | null): string {
  return b === null ? 'unknown' : b ? 'yes' : 'no';
}

function size(bytes: number): string {
  if (bytes === 0) return 'none';
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB (${bytes} bytes)`;
}

function recordRows(prefix: string, r: LoadRecord | null): Array<[string, string]> {
  if (r === null) return [];
  return [
    [`${prefix} kernel`, `${r.kernel}${r.release === null ? '' : ` (${r.release})`}`],
    [`${prefix} initrd`, r.initrds.length === 0 ? '(none)' : r.initrds.join(' + ')],
    [`${prefix} cmdline`, r.cmdline],
    [`${prefix} at`, `${r.time} via ${r.syscall}`],
  ];
}

/** The mode, and under integrity/confidentiality what it does to kexec (kernel/kexec.c kexec_load_check(), kernel/kexec_file.c kimage_validate_signature()). */
function lockdownText(mode: string | null, unreadable: boolean): string {
  if (mode === null) return unreadable ? 'unknown (securityfs is not mounted on /sys/kernel/security)' : 'not available';
  if (mode !== 'integrity' && mode !== 'confidentiality') return mode;
  return `${mode} (kexec_load refused; kexec_file_load takes only a kernel whose signature this kernel verifies)`;
}

export function statusRows(s: KexecStatus): Array<[string, string]> {
  return [
    ['kexec supported', yesNo(s.kexecSupported)],
    ['kernel loaded', yesNo(s.loaded)],
    ...recordRows('  loaded', s.record),
    ['crash kernel loaded', yesNo(s.crashLoaded)],
    ...recordRows('  crash', s.crashRecord),
    ['crash reservation', size(s.crashSize)],
    ['kexec_load_disabled', yesNo(s.kexecLoadDisabled)],
    ['lockdown', lockdownText(s.lockdown, s.lockdownUnreadable)],
    ['Secure Boot', s.secureBoot],
    ['UKI/compressed kernels', s.memfdPolicy.length === 0 ? 'loadable (no lockdown, no IMA kexec appraisal)' : s.memfdPolicy.join('; ')],
  ];
}

export function formatStatus(s: KexecStatus): string {
  const rows = statusRows(s);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${v}`).join('\n') + '\n';
}

export const LOAD_DISABLED_REASON = 'nothing is loaded and kernel.kexec_load_disabled is 1: no kexec load is possible until the next boot';

export function register(program: Command): void {
  program
    .command('status')
    .description('show what is loaded, what was recorded, and what may prevent a kexec')
    .option('--json', 'print JSON')
    .option('--root <dir>', 'read /sys, /proc and /run under DIR (default /)')
    .action(async (opts: { json?: boolean; root?: string }) => {
      const ctx = makeContext(opts.root);
      const s = readStatus(ctx.fs, ctx.stateKernel());
      // Reboot paths (issue 4): will a plain `reboot` kexec, and why (not).
      const { nextRebootStatus } = await import('../reboot-deps.js'); // lazy: --help stays light
      const planned = await nextRebootStatus(ctx).catch((e: unknown) => ({ kexec: false, reason: `unknown: ${e instanceof Error ? e.message : String(e)}` }));
      // Issue 12 fault matrix: nothing loaded under kexec_load_disabled=1 stays so until the next boot (sysvinit's runlevel-6 load too).
      const next = !s.loaded && s.kexecLoadDisabled === true ? { kexec: false, reason: LOAD_DISABLED_REASON } : planned;
      // Issue 12: the watchdog across the jump, the last kexec boot's assessment, KEXEC_COLD_IF_DRIVERS.
      const { issue12Status } = await import('../../reboot/watchdog-status-rows.js');
      const extra = issue12Status(ctx.fs);
      const nextRow = `next reboot will kexec: ${next.kexec && extra.cold === null ? 'yes' : 'no'} (${extra.cold ?? next.reason})\n`;
      const rows = formatStatus(s) + nextRow + extra.rows.map(([k, v]) => `${k}: ${v}\n`).join('');
      const nextJson = extra.cold === null ? next : { kexec: false, reason: extra.cold };
      process.stdout.write(opts.json ? JSON.stringify({ ...s, nextReboot: nextJson, ...extra.json }, null, 2) + '\n' : rows);
    });
}
