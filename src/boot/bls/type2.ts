/**
 * Boot Loader Specification Type #2 entries: UKIs in /EFI/Linux/*.efi on the ESP and XBOOTLDR.
 * As systemd-boot (src/boot/boot.c config_load_type2_entries(), bootspec-fundamental.c
 * bootspec_pick_name_version_sort_key()): the .osrel gives the title (PRETTY_NAME, else IMAGE_ID,
 * NAME, ID), the version (IMAGE_VERSION, else VERSION, VERSION_ID, BUILD_ID) and the sort key
 * (IMAGE_ID, else ID); a UKI without a name is skipped; the id is the file name, lower-cased,
 * without its boot-counting "+LEFT[-DONE]" suffix; the command line is the UKI's .cmdline.
 * The entry then sorts with the Type #1 ones (order.ts). Pure.
 */
import type { BlsEntry } from './entry.js';

/** os-release(5): KEY=value lines, values optionally quoted with " or ' and backslash escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (m === null) continue;
    let v = m[2] as string;
    const q = v[0];
    if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(m[1] as string, v);
  }
  return out;
}

/** "name+3-1.efi" → id "name.efi", tries left 3, done 1. */
export function parseEfiBootCounter(fileName: string): { id: string; left: number | null; done: number | null } {
  const m = /^(.*)\+(\d+)(?:-(\d+))?(\.efi)$/i.exec(fileName);
  if (m === null) return { id: fileName.toLowerCase(), left: null, done: null };
  return { id: `${m[1] as string}${m[4] as string}`.toLowerCase(), left: Number(m[2]), done: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * The entry systemd-boot makes of a UKI, or null when it would skip it (no usable .osrel name).
 * linuxPath: the UKI's path on its partition ("/EFI/Linux/name.efi").
 */
export function type2Entry(fileName: string, linuxPath: string, osrel: string | null, cmdline: string | null): BlsEntry | null {
  if (osrel === null) return null;
  const os = parseOsRelease(osrel);
  const get = (...keys: string[]): string | null => {
    for (const k of keys) {
      const v = os.get(k);
      if (v !== undefined && v !== '') return v;
    }
    return null;
  };
  const title = get('PRETTY_NAME', 'IMAGE_ID', 'NAME', 'ID');
  if (title === null) return null;
  const counter = parseEfiBootCounter(fileName);
  return {
    id: counter.id,
    fileName,
    title,
    version: get('IMAGE_VERSION', 'VERSION', 'VERSION_ID', 'BUILD_ID'),
    machineId: null,
    sortKey: get('IMAGE_ID', 'ID'),
    linux: linuxPath,
    initrd: [],
    options: cmdline ?? '',
    efi: null,
    architecture: null,
    triesLeft: counter.left,
    triesDone: counter.done,
  };
}
