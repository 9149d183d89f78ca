/**
 * Boot Loader Specification type #1 entries (loader/entries/*.conf) as systemd-boot reads them:
 * "key value" lines, "#" comments, repeated initrd lines kept in order, all options lines joined.
 * (GRUB's blscfg reads the same files with Red Hat's narrower rules; that lives in boot/grub.)
 */
import type { Diagnostic } from '../../errors.js';

export type BlsEntry = {
  /** systemd-boot's id: the file name, lower-cased, without a boot-counting "+N[-M]" suffix. */
  id: string;
  fileName: string;
  title: string | null;
  version: string | null;
  machineId: string | null;
  sortKey: string | null;
  /** Paths on the partition that holds the entry. */
  linux: string | null;
  initrd: string[];
  options: string;
  efi: string | null;
  architecture: string | null;
  /** Boot counting (NAME+LEFT-DONE.conf); null when the file name has no counter. */
  triesLeft: number | null;
  triesDone: number | null;
};

const KNOWN = new Set([
  'title',
  'version',
  'machine-id',
  'sort-key',
  'linux',
  'initrd',
  'options',
  'efi',
  'devicetree',
  'devicetree-overlay',
  'architecture',
  'uki',
  'uki-url',
  'profile',
]);

/** Splits "name+3-1.conf" into the id ("name.conf") and its counters. */
export function parseBootCounter(fileName: string): { id: string; left: number | null; done: number | null } {
  const m = /^(.*)\+(\d+)(?:-(\d+))?(\.conf)$/i.exec(fileName);
  if (m === null) return { id: fileName.toLowerCase(), left: null, done: null };
  return { id: `${m[1] as string}${m[4] as string}`.toLowerCase(), left: Number(m[2]), done: m[3] === undefined ? 0 : Number(m[3]) };
}

export function parseBlsEntry(text: string, fileName: string, origin = fileName): { value: BlsEntry; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const counter = parseBootCounter(fileName);
  const e: BlsEntry = {
    id: counter.id,
    fileName,
    title: null,
    version: null,
    machineId: null,
    sortKey: null,
    linux: null,
    initrd: [],
    options: '',
    efi: null,
    architecture: null,
    triesLeft: counter.left,
    triesDone: counter.done,
  };
  const options: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s*(.*)$/.exec(line);
    const key = m?.[1] ?? line;
    const value = (m?.[2] ?? '').trim();
    if (!KNOWN.has(key)) {
      diagnostics.push({ severity: 'warning', origin, line: i + 1, message: `unknown key "${key}", ignored` });
      return;
    }
    switch (key) {
      case 'title':
        e.title = value;
        break;
      case 'version':
        e.version = value;
        break;
      case 'machine-id':
        e.machineId = value;
        break;
      case 'sort-key':
        e.sortKey = value;
        break;
      case 'linux':
        e.linux = value;
        break;
      case 'initrd':
        e.initrd.push(...value.split(/\s+/).filter(Boolean));
        break;
      case 'options':
        options.push(value);
        break;
      case 'efi':
        e.efi = value;
        break;
      case 'architecture':
        e.architecture = value.toLowerCase();
        break;
      default:
        break;
    }
  });
  e.options = options.filter(Boolean).join(' ');
  if (e.linux === null && e.efi === null) {
    diagnostics.push({ severity: 'warning', origin, message: 'entry has neither "linux" nor "efi", it cannot boot' });
  }
  return { value: e, diagnostics };
}
