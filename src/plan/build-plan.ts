/**
 * buildPlan: the pure decision. Given the settings, the choice a boot-target source made, the
 * running command line and facts about the files, it returns a KexecPlan or throws a KexecError
 * saying why the plan cannot be loaded. Rules (Debian's kexec-load, made strict):
 *  - LOAD_KEXEC not "true", or /no-kexec-reboot present → skip, with the reason;
 *  - the boot loader's command line when the source has one (GRUB, BLS);
 *  - otherwise APPEND when non-empty, exactly; otherwise /proc/cmdline with BOOT_IMAGE= set to
 *    the kernel being loaded and initrd= dropped;
 *  - the kernel must exist, be a loadable image, and take the command line; initrds must exist;
 *    files must not be writable by group or others and (on the live system) must be root's.
 */
import { reuseCmdline } from '../boot/cmdline.js';
import { KexecError } from '../errors.js';
import { cmdlineFit } from '../image/cmdline-fit.js';
import type { BootChoice, FileFacts, KernelFacts, KexecPlan, PlanSource } from './types.js';

export type PlanInput = {
  loadKexec: boolean;
  /** Why loading is off (e.g. 'LOAD_KEXEC="false" in /etc/default/kexec'), used when loadKexec is false. */
  loadKexecWhy: string;
  noKexecReboot: boolean;
  /** Used when the choice has no command line of its own. */
  append: string;
  procCmdline: string | null;
  choice: BootChoice;
  kernelFacts: KernelFacts;
  initrdFacts: FileFacts[];
  /** Planning the live system (root "/"): foreign ownership is an error, not a warning. */
  live: boolean;
  warnings?: string[];
};

export function skipPlan(source: PlanSource, reason: string, warnings: string[] = []): KexecPlan {
  return { action: 'skip', reason, kernel: null, initrd: [], cmdline: null, entry: null, source, warnings, usedNextEntry: false, grubenv: null };
}

function planError(code: string, message: string): KexecError {
  return new KexecError({ code, message, exitCode: 1 });
}

function checkSafe(f: FileFacts, role: string, live: boolean, warnings: string[]): void {
  if (f.mode !== null && (f.mode & 0o022) !== 0) {
    const who = (f.mode & 0o002) !== 0 ? 'world' : 'group';
    throw planError('EPLANFILE', `${role} ${f.path} is ${who}-writable (mode ${(f.mode & 0o7777).toString(8).padStart(4, '0')}): refusing to load it`);
  }
  if (f.uid !== null && f.uid !== 0) {
    const msg = `${role} ${f.path} is owned by uid ${f.uid}, not root`;
    if (live) throw planError('EPLANFILE', `${msg}: refusing to load it`);
    warnings.push(`${msg} (allowed when planning another root; loading it would be refused)`);
  }
}

/** Why nothing should be loaded, or null. The template and explicit loads ignore LOAD_KEXEC. */
export function skipReason(i: Pick<PlanInput, 'loadKexec' | 'loadKexecWhy' | 'noKexecReboot'>, source: PlanSource): string | null {
  if (i.noKexecReboot) return '/no-kexec-reboot exists (coldreboot asked for a firmware reboot; it is removed at the next boot)';
  if (!i.loadKexec && source !== 'template' && source !== 'cli') return i.loadKexecWhy;
  return null;
}

export function buildPlan(input: PlanInput): KexecPlan {
  const { choice } = input;
  const warnings = [...(input.warnings ?? []), ...choice.warnings];
  const skip = skipReason(input, choice.source);
  if (skip !== null) return skipPlan(choice.source, skip, warnings);

  const k = input.kernelFacts;
  if (!k.exists) throw planError('EPLANKERNEL', `kernel ${k.path} does not exist (${choice.reason})`);
  if (!k.isFile) throw planError('EPLANKERNEL', `kernel ${k.path} is not a regular file`);
  if (k.image === null || 'error' in k.image) throw planError('EPLANKERNEL', k.image === null ? `kernel ${k.path} cannot be read` : k.image.error);
  checkSafe(k, 'kernel', input.live, warnings);
  if (k.image.release !== null && k.modulesPresent === false) {
    warnings.push(`/lib/modules/${k.image.release} is missing: the kernel ${k.path} would boot without its modules`);
  }

  const initrd: string[] = [];
  for (const f of input.initrdFacts) {
    const optional = choice.optionalInitrd?.includes(f.path) === true;
    if (!f.exists || !f.isFile) {
      if (optional) {
        warnings.push(`initrd ${f.path} does not exist; loading the kernel without it`);
        continue;
      }
      throw planError('EPLANINITRD', `initrd ${f.path} ${f.exists ? 'is not a regular file' : 'does not exist'} (${choice.reason})`);
    }
    checkSafe(f, 'initrd', input.live, warnings);
    initrd.push(f.path);
  }

  let cmdline: string;
  if (choice.cmdline !== null) {
    cmdline = choice.cmdline;
  } else if (input.append !== '') {
    cmdline = input.append;
  } else {
    if (input.procCmdline === null) throw planError('EPLANCMDLINE', 'APPEND is empty and /proc/cmdline cannot be read, so there is no command line to reuse');
    cmdline = reuseCmdline(input.procCmdline.trim(), k.path);
  }
  const fit = cmdlineFit(k.image, cmdline);
  if (!fit.ok) {
    throw planError(
      'EPLANCMDLINE',
      `command line too long for ${k.path}: ${fit.length} bytes (with the trailing NUL), the kernel accepts at most ${fit.limit}`,
    );
  }

  return {
    action: 'load',
    reason: choice.reason,
    kernel: k.path,
    initrd,
    cmdline,
    entry: choice.entry,
    source: choice.source,
    warnings,
    usedNextEntry: choice.usedNextEntry,
    grubenv: choice.grubenv,
  };
}
