/**
 * GRUB as the boot target source: find grub.cfg, evaluate it with the pure evaluator over a
 * RootGrubFs, and turn the selected entry's GRUB files into running-system paths.
 */
import { posix } from 'node:path';
import { grubCmdline } from '../boot/grub/cmdline.js';
import { evaluateGrub } from '../boot/grub/evaluate.js';
import { deviceOf } from '../boot/grub/files.js';
import type { GrubDevice, GrubFile, GrubResult } from '../boot/grub/types.js';
import { KexecError, formatDiagnostic } from '../errors.js';
import { findGrubConfig, grubPlatform, type GrubConfigLocation } from '../host/grub-config.js';
import { RootGrubFs } from '../host/grub-fs.js';
import type { RootFs } from '../host/rootfs.js';
import type { BootChoice } from './types.js';

export type GrubMenu = { location: GrubConfigLocation; fs: RootGrubFs; result: GrubResult; grubenv: string | null };

function grubCpu(): string {
  return process.arch === 'arm64' ? 'arm64' : process.arch === 'ia32' ? 'i386' : 'x86_64';
}

/** Evaluates the root's GRUB configuration, or returns null when it has none. */
export function evaluateSystemGrub(rootfs: RootFs): GrubMenu | null {
  const location = findGrubConfig(rootfs);
  if (location === null) return null;
  const fs = new RootGrubFs(rootfs, location.path);
  const result = evaluateGrub({
    fs,
    configPath: fs.configPath,
    configName: location.path,
    flavor: location.flavor,
    platform: { grub_platform: grubPlatform(rootfs), grub_cpu: grubCpu() },
  });
  const envRead = [...fs.reads].reverse().find((r) => posix.basename(r.path) === 'grubenv');
  const beside = `${posix.dirname(location.path)}/grubenv`;
  const grubenv = envRead?.systemPath ?? (rootfs.isFile(beside) ? rootfs.realpath(beside) : null);
  return { location, fs, result, grubenv };
}

/**
 * Running-system path of a GRUB file, or null when it cannot be found. `names`: the device names
 * the evaluation's searches bound (GrubResult.deviceNames, or MenuExpansion's for other entries).
 */
export function grubFilePath(menu: GrubMenu, f: GrubFile, names: Readonly<Record<GrubDevice, GrubDevice>> = menu.result.deviceNames): string | null {
  return menu.fs.locate(deviceOf(names, f), f.path);
}

/**
 * The running-system path of a file the chosen entry loads, or an error naming the entry, the
 * file and the device; when the storage says why (an LV not active, a ZFS dataset not mounted,
 * a deleted snapshot: RootGrubFs.explain) the error starts at the grub.cfg line that named the
 * file and ends with that cause, as the evaluator's warning at that line does.
 */
function mustLocate(menu: GrubMenu, f: GrubFile, role: string, title: string): string {
  const p = grubFilePath(menu, f);
  if (p !== null) return p;
  const device = deviceOf(menu.result.deviceNames, f);
  const why = menu.fs.explain(device, f.path);
  const code = role === 'kernel' ? 'EPLANKERNEL' : 'EPLANINITRD';
  const what = `GRUB entry "${title}": ${role} ${f.written} not found on`;
  if (why === null) throw new KexecError({ code, message: `${what} ${menu.fs.describe(f.device, device)}` });
  const at = f.at === undefined ? '' : `${f.at}: `;
  throw new KexecError({ code, message: `${at}${what} ${menu.fs.chain(f.device, device)}: ${why}: refusing to guess a kernel` });
}

/**
 * The plan for GRUB's default entry. Refuses (exit 2) when the evaluation ran a command whose
 * outcome in GRUB we cannot know (GrubResult.uncertain: an unsupported command, a `probe` the
 * device table cannot answer, a `regexp` we cannot evaluate): what GRUB boots may then differ
 * from what we would load (issue 17, "Bad input": error clearly rather than guess a kernel).
 */
export function grubChoice(menu: GrubMenu): BootChoice {
  const { result } = menu;
  const uncertain = result.uncertain ?? [];
  if (uncertain.length > 0) {
    const more = uncertain.length > 1 ? ` (and ${uncertain.length - 1} more)` : '';
    throw new KexecError({
      code: 'EPLANUNCERTAIN',
      message: `${uncertain[0] as string}${more}: what GRUB would boot from ${menu.location.path} is not known: refusing to guess a kernel`,
      exitCode: 2,
    });
  }
  const sel = result.selection;
  const warnings = result.diagnostics.map(formatDiagnostic);
  if (sel === null) {
    throw new KexecError({
      code: 'EPLANNOENTRY',
      message: `${menu.location.path}: GRUB would boot nothing (empty menu or empty submenu): refusing to guess a kernel`,
    });
  }
  const boot = sel.entry.boot;
  if (boot === null || boot.loader.startsWith('multiboot')) {
    const what = boot === null ? 'loads no Linux kernel (chainloader or similar)' : `boots through ${boot.loader} (Xen/tboot), which kexec cannot reproduce`;
    throw new KexecError({ code: 'EPLANNOLINUX', message: `GRUB's default entry "${sel.titlePath}" ${what}` });
  }
  const how = result.usedNextEntry
    ? `grubenv next_entry (grub-reboot one-shot) = "${result.env['next_entry'] ?? ''}"`
    : result.defaultVar === null || result.defaultVar === ''
      ? 'no default set, so the first entry'
      : `default="${result.defaultVar}"`;
  return {
    source: 'grub',
    reason: `GRUB entry "${sel.titlePath}" from ${menu.location.path}, chosen by ${how}`,
    kernel: mustLocate(menu, boot.kernel, 'kernel', sel.titlePath),
    initrd: boot.initrds.map((f) => mustLocate(menu, f, 'initrd', sel.titlePath)),
    cmdline: grubCmdline(boot),
    entry: { title: sel.entry.title, id: sel.entry.id, path: sel.idPath },
    usedNextEntry: result.usedNextEntry,
    grubenv: menu.grubenv,
    warnings,
  };
}
