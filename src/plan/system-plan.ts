/**
 * resolveSystemPlan: reads everything a plan needs under a root (config, boot loader, files,
 * /proc/cmdline) and hands it to the pure buildPlan. Used by `kexecctl plan`, `kexecctl load`
 * without --kernel, and the reboot path.
 */
import { KexecError, formatDiagnostic } from '../errors.js';
import { KEXEC_DEFAULTS_PATH, readKexecDefaults, type KexecDefaults } from '../config/kexec-defaults.js';
import type { RootFs } from '../host/rootfs.js';
import { blsChoice, scanBls } from './bls-source.js';
import { buildPlan, skipPlan, skipReason } from './build-plan.js';
import { debianChoice, templateChoice } from './debian-source.js';
import { evaluateSystemGrub, grubChoice } from './grub-source.js';
import { fileFacts, kernelFacts } from './inspect.js';
import { configTrustWarnings, untrustedPlace } from './trust-places.js';
import type { BootChoice, KexecPlan, PlanSource } from './types.js';

export type SystemPlanOptions = {
  /** kexec-load@<name>: the Arch-style template instead of the configuration. */
  instance?: string;
};

export const NO_KEXEC_REBOOT = '/no-kexec-reboot';

export function efiArch(): string {
  return process.arch === 'arm64' ? 'aa64' : process.arch === 'ia32' ? 'ia32' : 'x64';
}

function loadKexecWhy(d: KexecDefaults): string {
  if (d.files.length === 0) return `${KEXEC_DEFAULTS_PATH} does not exist, so LOAD_KEXEC is not true`;
  if (d.loadKexecValue === null) return `LOAD_KEXEC is not set in ${d.files.join(', ')}`;
  return `LOAD_KEXEC="${d.loadKexecValue}" (${d.origins.LOAD_KEXEC ?? KEXEC_DEFAULTS_PATH}), so no kernel is loaded for reboot`;
}

/** The boot loader's choice when USE_GRUB_CONFIG=true: GRUB, else systemd-boot entries. `read` gets the files that decided it. */
function bootLoaderChoice(rootfs: RootFs, read: string[]): BootChoice {
  const grub = evaluateSystemGrub(rootfs);
  if (grub !== null) {
    read.push(grub.location.path, ...grub.fs.reads.map((r) => r.systemPath), ...(grub.grubenv === null ? [] : [grub.grubenv]));
    return grubChoice(grub);
  }
  const bls = scanBls(rootfs, efiArch());
  if (bls !== null) {
    read.push(...bls.items.map((i) => i.file), ...(bls.loaderConf === null ? [] : [bls.loaderConf]));
    return blsChoice(rootfs, bls);
  }
  throw new KexecError({
    code: 'EPLANNOLOADER',
    message:
      'USE_GRUB_CONFIG=true but there is no grub.cfg (/boot/grub, /boot/grub2, ESP) and no loader/entries (/efi, /boot, /boot/efi): refusing to guess a kernel',
  });
}

export function resolveSystemPlan(rootfs: RootFs, opts: SystemPlanOptions = {}): KexecPlan {
  const { value: defaults, diagnostics } = readKexecDefaults(rootfs);
  const warnings = diagnostics.map(formatDiagnostic);
  const source: PlanSource = opts.instance !== undefined ? 'template' : defaults.useGrubConfig ? 'grub' : 'debian-default';
  const gate = { loadKexec: defaults.loadKexec, loadKexecWhy: loadKexecWhy(defaults), noKexecReboot: rootfs.exists(NO_KEXEC_REBOOT) };
  const skip = skipReason(gate, source);
  if (skip !== null) return skipPlan(source, skip, warnings);

  let choice: BootChoice;
  const read: string[] = [...defaults.files];
  if (opts.instance !== undefined) choice = templateChoice(rootfs, opts.instance);
  else if (defaults.useGrubConfig) {
    choice = bootLoaderChoice(rootfs, read);
    if (defaults.append !== '') warnings.push(`APPEND is ignored because USE_GRUB_CONFIG=true (the boot loader's command line is used)`);
  } else choice = debianChoice(rootfs, defaults);
  // Issue 12: owner and mode of what decided the choice, and where the chosen files live.
  warnings.push(...configTrustWarnings(rootfs, read));
  for (const [role, p] of [['kernel', choice.kernel] as const, ...choice.initrd.map((i) => ['initrd', i] as const)]) {
    const why = untrustedPlace(rootfs, role, p);
    if (why === null) continue;
    if (rootfs.isHost) throw new KexecError({ code: 'EPLANFILE', message: `${why}: refusing to load it`, exitCode: 1 });
    warnings.push(`${why} (allowed when planning another root; loading it would be refused)`);
  }

  return buildPlan({
    ...gate,
    append: opts.instance !== undefined ? '' : defaults.append,
    procCmdline: rootfs.readText('/proc/cmdline'),
    choice,
    kernelFacts: kernelFacts(rootfs, choice.kernel),
    initrdFacts: choice.initrd.map((p) => fileFacts(rootfs, p)),
    live: rootfs.isHost,
    warnings,
  });
}
