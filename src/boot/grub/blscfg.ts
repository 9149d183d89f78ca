/**
 * `blscfg` with Red Hat's rules: entries from $blsdir, /loader/entries or /boot/loader/entries
 * on $root; id = file name; newest first (rpm vercmp on name-version-release of the file name);
 * first `options` line with variables expanded now; entry body generated as GRUB script.
 */
import { blsAll, blsFirst, parseBlsEntry, type BlsEntry } from './bls-entry.js';
import type { PendingNode, Shell } from './context.js';
import { dirname, grubFile } from './files.js';
import { nvrCompare, splitNvr } from './rpmvercmp.js';

const MAX_ENTRY_BYTES = 1024 * 1024;

/** rhboot's expand_val: `$name` replaced by its value plus a space; unknown names vanish. */
export function expandBlsValue(value: string, lookup: (n: string) => string | undefined): string {
  return value.replace(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_m, a?: string, b?: string) => {
    const v = lookup((a ?? b) as string);
    return v === undefined ? '' : `${v} `;
  });
}

function readDir(sh: Shell, dir: string): { id: string; entry: BlsEntry }[] {
  const f = grubFile(dir, sh.get('root') ?? '');
  const names = sh.fs.listDir(f.device, f.path);
  if (names === null) return [];
  const out: { id: string; entry: BlsEntry }[] = [];
  for (const name of [...names].sort()) {
    if (name.startsWith('.') || name.length <= 5 || !name.endsWith('.conf')) continue;
    const path = `${f.path.replace(/\/+$/, '')}/${name}`;
    const text = sh.fs.readFile(f.device, path);
    if (text === null || text.length > MAX_ENTRY_BYTES) continue;
    const parsed = parseBlsEntry(text, `(${f.device})${path}`);
    sh.report(parsed.diagnostics);
    out.push({ id: name.slice(0, -5), entry: parsed.value });
  }
  return out;
}

/** The GRUB script rhboot's create_entry generates for one entry. */
export function blsEntryScript(entry: BlsEntry, options: string | null, earlyInitrds: string[]): string {
  const linux = blsFirst(entry, 'linux') ?? '';
  const initrds = blsAll(entry, 'initrd');
  const dir = dirname(linux).replace(/\/$/, '');
  const all = [...earlyInitrds.map((e) => `${dir}/${e}`), ...initrds];
  let src = 'load_video\nset gfxpayload=keep\ninsmod gzio\n';
  src += `linux ($root)${linux}${options !== null ? ` ${options}` : ''}\n`;
  if (all.length > 0) src += `initrd${all.map((i) => ` ($root)${i}`).join('')}\n`;
  return src;
}

export function blscfg(sh: Shell, args: string[]): number {
  if (args.length > 0) sh.diag('warning', `blscfg ${args.join(' ')}: filter arguments are ignored, all entries are created`);
  const blsdir = sh.get('blsdir');
  let found = readDir(sh, blsdir ?? '/loader/entries').filter((e) => blsFirst(e.entry, 'linux') !== undefined);
  if (found.length === 0) {
    found = readDir(sh, '/boot/loader/entries').filter((e) => blsFirst(e.entry, 'linux') !== undefined);
  }
  const keyed = found.map((f) => ({ ...f, nvr: splitNvr(f.id) }));
  keyed.sort((a, b) => nvrCompare(b.nvr, a.nvr));
  const early = (sh.get('early_initrd') ?? '').split(/\s+/).filter((s) => s !== '');
  for (const { id, entry } of keyed) {
    const opt = blsFirst(entry, 'options');
    const options = opt !== undefined ? expandBlsValue(opt, sh.lookup) : '$default_kernelopts';
    const src = blsEntryScript(entry, options, early);
    const title = blsFirst(entry, 'title') ?? (blsFirst(entry, 'linux') as string);
    const node: PendingNode = {
      sub: false,
      title,
      id,
      argv: [title, ...blsAll(entry, 'grub_arg')],
      body: null,
      src,
      srcLine: 1,
      file: `bls:${id}`,
      origin: `bls:${id}`,
      users: blsFirst(entry, 'grub_users') ?? null,
      classes: blsAll(entry, 'grub_class'),
    };
    if (!sh.addMenu(node)) break;
  }
  if (found.length === 0) sh.diag('warning', 'blscfg: no BLS entries found');
  return 0;
}
