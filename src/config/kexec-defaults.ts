/**
 * /etc/default/kexec as Debian's kexec-tools reads it, without sourcing it: the main file, then
 * /etc/default/kexec.d/* in run-parts order, later assignments overriding earlier ones.
 */
import type { Diagnostic } from '../errors.js';
import type { RootFs } from '../host/rootfs.js';
import { parseEnvFile } from './env-file.js';
import { runPartsOrder } from './run-parts.js';

export const KEXEC_DEFAULTS_PATH = '/etc/default/kexec';
export const KEXEC_DEFAULTS_DIR = '/etc/default/kexec.d';
export const KEXEC_KEYS = ['LOAD_KEXEC', 'KERNEL_IMAGE', 'INITRD', 'APPEND', 'USE_GRUB_CONFIG', 'KEXEC_WATCHDOG_SEC', 'KEXEC_COLD_IF_DRIVERS'] as const;
export type KexecKey = (typeof KEXEC_KEYS)[number];

/** Debian's own defaults (its shipped file and init script) for keys nobody set. */
export const DEBIAN_KERNEL_IMAGE = '/vmlinuz';
export const DEBIAN_INITRD = '/initrd.img';

export type KexecDefaults = {
  /** LOAD_KEXEC is exactly "true", as the Debian script tests it. */
  loadKexec: boolean;
  /** Raw LOAD_KEXEC value, null when no file set it. */
  loadKexecValue: string | null;
  kernelImage: string;
  /** Initrd paths (INITRD split at blanks; empty when INITRD=""). */
  initrd: string[];
  /**
   * True when INITRD is Debian's default /initrd.img (unset, or set to it as the shipped file does).
   * Like Debian's script, a missing default initrd is skipped (kernels without one exist); any
   * other configured initrd must exist.
   */
  initrdDefaulted: boolean;
  append: string;
  useGrubConfig: boolean;
  /** KEXEC_WATCHDOG_SEC: arm the hardware watchdog for this many seconds across the kexec jump; 0 = off (issue 12). */
  watchdogSec: number;
  /** KEXEC_COLD_IF_DRIVERS: module or driver names that make the reboot cold while bound (issue 12). */
  coldIfDrivers: string[];
  /** Files that were read, in order. */
  files: string[];
  /** Where each key got its final value: "file:line". */
  origins: Partial<Record<KexecKey, string>>;
};

export type ConfigText = { origin: string; text: string };

function isTrue(v: string | undefined): boolean {
  return v === 'true';
}

function boolWarnings(key: KexecKey, v: string | undefined, where: string): Diagnostic[] {
  if (v === undefined || v === 'true' || v === 'false' || v === '') return [];
  const [origin, line] = where.split(/:(?=\d+$)/);
  const d: Diagnostic = { severity: 'warning', origin: origin ?? where, message: `${key}="${v}" is not "true", so it counts as false` };
  if (line !== undefined) d.line = Number(line);
  return [d];
}

/** Merges already-read files (main file first, then kexec.d parts in order). Pure. */
export function mergeKexecDefaults(files: readonly ConfigText[]): { value: KexecDefaults; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const values: Partial<Record<KexecKey, string>> = {};
  const origins: Partial<Record<KexecKey, string>> = {};
  for (const f of files) {
    const { value, diagnostics: d } = parseEnvFile(f.text, f.origin, { knownKeys: KEXEC_KEYS });
    diagnostics.push(...d);
    for (const key of KEXEC_KEYS) {
      const v = value.values[key];
      if (v === undefined) continue;
      values[key] = v;
      origins[key] = `${f.origin}:${value.lines[key] ?? 0}`;
    }
  }
  for (const key of ['LOAD_KEXEC', 'USE_GRUB_CONFIG'] as const) {
    diagnostics.push(...boolWarnings(key, values[key], origins[key] ?? ''));
  }
  const initrdText = values.INITRD ?? DEBIAN_INITRD;
  const wdText = (values.KEXEC_WATCHDOG_SEC ?? '').trim();
  let watchdogSec = 0;
  if (wdText !== '') {
    const n = /^\d{1,5}$/.test(wdText) ? Number(wdText) : NaN;
    if (n >= 0 && n <= 3600) watchdogSec = n;
    else {
      const [origin, line] = (origins.KEXEC_WATCHDOG_SEC ?? '').split(/:(?=\d+$)/);
      const d: Diagnostic = {
        severity: 'warning',
        origin: origin ?? '',
        message: `KEXEC_WATCHDOG_SEC="${wdText}" is not a number of seconds from 0 to 3600: the watchdog stays off`,
      };
      if (line !== undefined) d.line = Number(line);
      diagnostics.push(d);
    }
  }
  return {
    value: {
      loadKexec: isTrue(values.LOAD_KEXEC),
      loadKexecValue: values.LOAD_KEXEC ?? null,
      kernelImage: values.KERNEL_IMAGE !== undefined && values.KERNEL_IMAGE.trim() !== '' ? values.KERNEL_IMAGE.trim() : DEBIAN_KERNEL_IMAGE,
      initrd: initrdText.split(/\s+/).filter(Boolean),
      initrdDefaulted: values.INITRD === undefined || values.INITRD.trim() === DEBIAN_INITRD,
      append: (values.APPEND ?? '').trim(),
      useGrubConfig: isTrue(values.USE_GRUB_CONFIG),
      watchdogSec,
      coldIfDrivers: (values.KEXEC_COLD_IF_DRIVERS ?? '').split(/[\s,]+/).filter(Boolean),
      files: files.map((f) => f.origin),
      origins,
    },
    diagnostics,
  };
}

/** Reads /etc/default/kexec and /etc/default/kexec.d/* under the root, then merges them. */
export function readKexecDefaults(rootfs: RootFs): { value: KexecDefaults; diagnostics: Diagnostic[] } {
  const files: ConfigText[] = [];
  const main = rootfs.readText(KEXEC_DEFAULTS_PATH);
  if (main !== null) files.push({ origin: KEXEC_DEFAULTS_PATH, text: main });
  const { accepted } = runPartsOrder(rootfs.list(KEXEC_DEFAULTS_DIR));
  for (const name of accepted) {
    const p = `${KEXEC_DEFAULTS_DIR}/${name}`;
    if (!rootfs.isFile(p)) continue;
    const text = rootfs.readText(p);
    if (text !== null) files.push({ origin: p, text });
  }
  return mergeKexecDefaults(files);
}
