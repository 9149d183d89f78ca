/**
 * systemd-boot without GRUB: loader entries from the ESP and XBOOTLDR (mounted at /efi, /boot or
 * /boot/efi), Type #1 (loader/entries/*.conf) and Type #2 (UKIs in EFI/Linux/*.efi, their .osrel
 * and .cmdline read from the PE sections), sorted together and chosen as systemd-boot does, with
 * the EFI variables bootctl writes (LoaderEntryOneShot, LoaderEntryDefault) read from efivarfs
 * when the root has them.
 */
import { posix } from 'node:path';
import { parseBlsEntry, type BlsEntry } from '../boot/bls/entry.js';
import { type2Entry } from '../boot/bls/type2.js';
import { peSections } from '../image/container/pe-sections.js';
import { parseUki, ukiText, type FileRange } from '../image/container/uki.js';
import { parseLoaderConf, selectSdBootDefault, sortSdBoot, type SdBootChoice } from '../boot/bls/order.js';
import { KexecError, formatDiagnostic, type Diagnostic } from '../errors.js';
import { withReadAt, type ReadAt } from '../host/read-at.js';
import type { RootFs } from '../host/rootfs.js';
import type { BootChoice } from './types.js';

const BASES = ['/efi', '/boot', '/boot/efi'];
const LOADER_GUID = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';

export type BlsItem = { entry: BlsEntry; base: string; file: string };

export type BlsMenu = {
  items: BlsItem[];
  choice: SdBootChoice | null;
  loaderConf: string | null;
  diagnostics: Diagnostic[];
};

/** An efivarfs file: 4 attribute bytes, then a NUL-terminated UTF-16LE string. */
export function decodeEfiString(buf: Buffer): string | null {
  if (buf.length <= 4) return null;
  const text = buf.subarray(4, 4 + ((buf.length - 4) & ~1)).toString('utf16le');
  const s = text.replace(/\0.*$/s, '');
  return s === '' ? null : s;
}

function efiVar(rootfs: RootFs, name: string): string | null {
  const buf = rootfs.readBytes(`/sys/firmware/efi/efivars/${name}-${LOADER_GUID}`);
  return buf === null ? null : decodeEfiString(buf);
}

/** Bytes of a UKI read for its section table, and at most for its .osrel / .cmdline. */
const UKI_HEAD = 64 * 1024;
const UKI_TEXT_MAX = 64 * 1024;

function ukiTexts(readAt: ReadAt, size: number, file: string): { osrel: string | null; cmdline: string | null } | null {
  const sections = peSections(readAt(0, UKI_HEAD));
  if (sections === null) return null;
  try {
    const uki = parseUki(sections, size, file);
    const at = (r: FileRange | null): string | null => (r === null ? null : ukiText(readAt(r.offset, Math.min(r.size, UKI_TEXT_MAX))));
    return { osrel: at(uki.osrel), cmdline: at(uki.cmdline) };
  } catch {
    return null;
  }
}

/** A UKI's .osrel and .cmdline (profile 0), read with a few preads; null when it is no readable UKI. */
function readUkiTexts(rootfs: RootFs, file: string): { osrel: string | null; cmdline: string | null } | null {
  return withReadAt(rootfs, file, (readAt, size) => ukiTexts(readAt, size, file));
}

/** Type #2 entries: EFI/Linux/*.efi under each base (systemd-boot skips dot files and UKIs without a name). */
function scanType2(rootfs: RootFs, seen: Set<string>, items: BlsItem[], diagnostics: Diagnostic[]): void {
  for (const base of BASES) {
    const dir = `${base}/EFI/Linux`;
    const real = rootfs.realpath(dir);
    if (!rootfs.isDir(dir) || seen.has(real)) continue;
    seen.add(real);
    for (const name of rootfs.list(dir)) {
      if (!name.toLowerCase().endsWith('.efi') || name.startsWith('.')) continue;
      const file = `${dir}/${name}`;
      const texts = readUkiTexts(rootfs, file);
      const entry = texts === null ? null : type2Entry(name, `/EFI/Linux/${name}`, texts.osrel, texts.cmdline);
      if (entry === null) {
        diagnostics.push({
          severity: 'warning',
          origin: file,
          message: 'not a UKI with an .osrel name (no .linux or no PRETTY_NAME/NAME/ID): skipped, as systemd-boot does',
        });
        continue;
      }
      items.push({ entry, base, file });
    }
  }
}

/** Loader entries (Type #1 and #2) under the root, or null when there are none at all. */
export function scanBls(rootfs: RootFs, efiArch = 'x64'): BlsMenu | null {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const items: BlsItem[] = [];
  scanType2(rootfs, new Set<string>(), items, diagnostics);
  const type2 = items.length;
  for (const base of BASES) {
    const dir = `${base}/loader/entries`;
    const real = rootfs.realpath(dir);
    if (!rootfs.isDir(dir) || seen.has(real)) continue;
    seen.add(real);
    for (const name of rootfs.list(dir)) {
      if (!name.toLowerCase().endsWith('.conf') || name.startsWith('.')) continue;
      const file = `${dir}/${name}`;
      const text = rootfs.readText(file);
      if (text === null) continue;
      const { value, diagnostics: d } = parseBlsEntry(text, name, file);
      diagnostics.push(...d);
      if (value.architecture !== null && value.architecture !== efiArch) continue;
      items.push({ entry: value, base, file });
    }
  }
  if (seen.size === 0 && type2 === 0) return null;
  let loaderConf: string | null = null;
  let configDefault: string | null = null;
  for (const base of ['/efi', '/boot/efi', '/boot']) {
    const text = rootfs.readText(`${base}/loader/loader.conf`);
    if (text === null) continue;
    loaderConf = `${base}/loader/loader.conf`;
    configDefault = parseLoaderConf(text).default;
    break;
  }
  const sorted = sortSdBoot(items.map((i) => i.entry));
  const ordered = sorted.map((e) => items.find((i) => i.entry === e) as BlsItem);
  // "default @saved" means the entry booted last time (LoaderEntryLastBooted), as sd-boot does.
  if (configDefault === '@saved') configDefault = efiVar(rootfs, 'LoaderEntryLastBooted');
  const choice = selectSdBootDefault(sorted, {
    oneShot: efiVar(rootfs, 'LoaderEntryOneShot'),
    efiDefault: efiVar(rootfs, 'LoaderEntryDefault'),
    configDefault,
  });
  return { items: ordered, choice, loaderConf, diagnostics };
}

/** In-root path of a path written in an entry (relative to the partition holding the entry). */
export function blsPath(rootfs: RootFs, item: BlsItem, written: string): string {
  return rootfs.realpath(posix.join(item.base, written.replace(/\\/g, '/')));
}

const HOW: Record<SdBootChoice['by'], string> = {
  oneshot: 'the LoaderEntryOneShot EFI variable',
  'efi-default': 'the LoaderEntryDefault EFI variable',
  'loader.conf': 'loader.conf "default"',
  first: 'first in systemd-boot order',
};

export function blsChoice(rootfs: RootFs, menu: BlsMenu): BootChoice {
  const idx = menu.choice?.index;
  const item = idx === undefined ? undefined : menu.items[idx];
  if (item === undefined || menu.choice === null) {
    throw new KexecError({ code: 'EPLANNOENTRY', message: 'no boot loader entry found in loader/entries: refusing to guess a kernel' });
  }
  const e = item.entry;
  if (e.linux === null) {
    throw new KexecError({
      code: 'EPLANNOLINUX',
      message: `the default systemd-boot entry ${e.id} (${item.file}) starts an EFI program, not a Linux kernel kexec can load`,
    });
  }
  const warnings = menu.diagnostics.map(formatDiagnostic);
  if (e.options === '') warnings.push(`${item.file} has no options line: reusing the running command line`);
  return {
    source: 'bls',
    reason: `systemd-boot entry ${e.id} (${HOW[menu.choice.by]}${menu.choice.by === 'loader.conf' && menu.loaderConf !== null ? ` in ${menu.loaderConf}` : ''})`,
    kernel: blsPath(rootfs, item, e.linux),
    initrd: e.initrd.map((p) => blsPath(rootfs, item, p)),
    cmdline: e.options === '' ? null : e.options,
    entry: { title: e.title ?? e.id, id: e.id, path: e.id },
    usedNextEntry: menu.choice.by === 'oneshot',
    grubenv: null,
    warnings,
  };
}
