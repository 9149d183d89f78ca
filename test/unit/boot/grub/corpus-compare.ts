/** Test helper: compare our evaluation of a corpus case with grub_emu or the peer's expectation. */
import { grubCmdline } from '../../../../src/boot/grub/cmdline.js';
import { expandMenu } from '../../../../src/boot/grub/menu-expand.js';
import type { BootEntry, ExpandedNode, GrubFile, GrubResult } from '../../../../src/boot/grub/types.js';

type Emu = Record<string, unknown>;
export type Where = { configDevice: string; prefix: string };

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function emuFile(root: string, path: string, w: Where): { device: string; path: string } {
  const p = path.split('${prefix}').join(`(${w.configDevice})${w.prefix}`);
  const dev = root === '<prefix device>' || root === '<config device>' ? w.configDevice : root;
  if (p.startsWith('(')) {
    const end = p.indexOf(')');
    const d = p.slice(1, end);
    return { device: d === '<config device>' ? w.configDevice : d, path: p.slice(end + 1) };
  }
  return { device: dev, path: p };
}

function sameFile(ours: GrubFile | undefined, exp: { device: string; path: string }): boolean {
  return ours !== undefined && ours.device === exp.device && ours.path === exp.path;
}

const show = (f: GrubFile | undefined): string => (f === undefined ? 'none' : `(${f.device})${f.path}`);

/** Mismatches against the grub-emu oracle (empty list = match). */
export function compareEmu(r: GrubResult, emu: Emu, w: Where): string[] {
  const out: string[] = [];
  const chosen = (emu['chosen'] as string | null | undefined) ?? null;
  const sel = r.selection;
  // The oracle reads GRUB's output line by line: an id containing a newline is cut there.
  const ourChosen = sel === null ? null : (sel.idPath.split('\n')[0] as string);
  if (ourChosen !== chosen) out.push(`chosen: ours ${JSON.stringify(sel?.idPath ?? null)}, GRUB ${JSON.stringify(chosen)}`);
  const boot = sel?.entry.boot ?? null;
  const mb = emu['multiboot'] as { root: string; path: string; cmdline: string; modules: string[][] } | null | undefined;
  const kernel = emu['kernel'] as { root: string; path: string } | null | undefined;
  if (chosen === null || (!mb && !kernel)) {
    if (boot !== null) out.push(`GRUB booted nothing, we would boot ${show(boot.kernel)}`);
    return out;
  }
  // The oracle's stand-in `linux` function prints an empty $1 when GRUB's linux got no file at
  // all; real GRUB fails that command ("filename expected"), so no kernel is the right answer.
  if (boot === null && kernel?.path === '' && (emu['args'] as string[]).length === 0) return out;
  if (boot === null) return [...out, 'we found no kernel in the chosen entry'];
  if (mb) {
    if (!sameFile(boot.kernel, emuFile(mb.root, mb.path, w))) out.push(`multiboot kernel: ours ${show(boot.kernel)}, GRUB ${mb.path}`);
    if (collapse(grubCmdline(boot)) !== collapse(mb.cmdline)) out.push(`multiboot cmdline: ours ${grubCmdline(boot)}`);
    const mods = (boot.modules ?? []).map((m) => [m.file.path, ...m.args]);
    const exp = mb.modules.map((m) => m.filter((a, i) => !(a.startsWith('--') && m.slice(0, i).every((x) => x.startsWith('--')))));
    if (JSON.stringify(mods) !== JSON.stringify(exp)) out.push(`modules: ours ${JSON.stringify(mods)}, GRUB ${JSON.stringify(exp)}`);
    return out;
  }
  if (kernel && !sameFile(boot.kernel, emuFile(kernel.root, kernel.path, w))) {
    out.push(`kernel: ours ${show(boot.kernel)}, GRUB (${kernel.root})${kernel.path}`);
  }
  const args = emu['args'] as string[];
  if (JSON.stringify(boot.args) !== JSON.stringify(args)) out.push(`args: ours ${JSON.stringify(boot.args)}, GRUB ${JSON.stringify(args)}`);
  const line = grubCmdline(boot);
  const prefix = line.indexOf(' ') < 0 ? line : line.slice(0, line.indexOf(' ') + 1);
  const ourArgs = line === prefix ? '' : line.slice(prefix.length);
  if (collapse(ourArgs) !== collapse(emu['cmdline'] as string)) out.push(`cmdline: ours ${JSON.stringify(ourArgs)}`);
  const initrd = emu['initrd'] as { root: string; paths: string[] } | null;
  const expInitrds = initrd === null ? [] : initrd.paths.map((p) => emuFile(initrd.root, p, w));
  if (boot.initrds.length !== expInitrds.length || expInitrds.some((e, i) => !sameFile(boot.initrds[i], e))) {
    out.push(`initrds: ours ${boot.initrds.map(show).join(' ')}, GRUB ${JSON.stringify(initrd?.paths ?? [])}`);
  }
  return out;
}

function flatEntries(nodes: readonly ExpandedNode[]): BootEntry[] {
  return nodes.flatMap((n) => (n.kind === 'entry' ? [n] : flatEntries(n.children)));
}

const pathOf = (v: unknown): string => (typeof v === 'string' ? v : ((v as { path: string }).path ?? ''));

function checkEntry(e: BootEntry | undefined, exp: Record<string, unknown>, label: string): string[] {
  if (e === undefined) return [`${label}: missing`];
  const out: string[] = [];
  if (exp['title'] !== undefined && exp['title'] !== e.title) out.push(`${label} title: ours ${JSON.stringify(e.title)}`);
  const b = e.boot;
  if (exp['kernel'] !== undefined && pathOf(exp['kernel']) !== b?.kernel.path) {
    out.push(`${label} kernel: ours ${show(b?.kernel)}, peer ${pathOf(exp['kernel'])}`);
  }
  if (exp['initrd'] !== undefined) {
    const want = (exp['initrd'] as unknown[]).map(pathOf);
    const got = (b?.initrds ?? []).map((f) => f.path);
    if (JSON.stringify(want) !== JSON.stringify(got)) out.push(`${label} initrd: ours ${JSON.stringify(got)}, peer ${JSON.stringify(want)}`);
  }
  if (exp['cmdline'] !== undefined) {
    const ours = b === null ? '' : b.args.join(' ');
    if (collapse(ours) !== collapse(exp['cmdline'] as string))
      out.push(`${label} cmdline: ours ${JSON.stringify(collapse(ours))}, peer ${JSON.stringify(exp['cmdline'])}`);
  }
  return out;
}

/** Mismatches against the peer's own assertion (for cases GRUB's emulator could not run). */
export function compareExpected(r: GrubResult, exp: Record<string, unknown>): string[] {
  const out: string[] = [];
  const flat = flatEntries(expandMenu(r).menu);
  if (typeof exp['count'] === 'number' && exp['count'] !== flat.length) out.push(`count: ours ${flat.length}, peer ${String(exp['count'])}`);
  const d = exp['default'] as Record<string, unknown> | undefined;
  if (d !== undefined) {
    const e = r.selection?.entry;
    if (typeof d['index'] === 'number' && (e === undefined || flat.indexOf(e) !== d['index'])) {
      out.push(`default index: ours ${e === undefined ? 'none' : flat.indexOf(e)}, peer ${String(d['index'])}`);
    }
    out.push(...checkEntry(e, d, 'default'));
  }
  for (const [i, ent] of ((exp['entries'] as Record<string, unknown>[] | undefined) ?? []).entries()) {
    const idx = typeof ent['index'] === 'number' ? ent['index'] : i;
    out.push(...checkEntry(flat[idx], ent, `entry ${idx}`));
  }
  return out;
}

/** What test/fixtures/roots/_grub-emu/record.mjs recorded for a fixture root's default entry. */
export type RecordedEmu = { chosen: string; loader: string; args: string[]; initrd: string[] };

/**
 * Mismatches against a fixture root's grub-emu.json: the chosen entry ($chosen), the loader
 * command, its arguments (the kernel as written first) and the initrd files as written.
 */
export function compareRecorded(r: GrubResult, emu: RecordedEmu): string[] {
  const out: string[] = [];
  const sel = r.selection;
  if ((sel?.idPath ?? null) !== emu.chosen) out.push(`chosen: ours ${JSON.stringify(sel?.idPath ?? null)}, GRUB ${JSON.stringify(emu.chosen)}`);
  const boot = sel?.entry.boot ?? null;
  if (boot === null) return [...out, 'we found no kernel in the chosen entry'];
  if (boot.loader !== emu.loader) out.push(`loader: ours ${boot.loader}, GRUB ${emu.loader}`);
  const args = [boot.kernel.written, ...boot.args];
  if (JSON.stringify(args) !== JSON.stringify(emu.args)) out.push(`args: ours ${JSON.stringify(args)}, GRUB ${JSON.stringify(emu.args)}`);
  const initrd = boot.initrds.map((f) => f.written);
  if (JSON.stringify(initrd) !== JSON.stringify(emu.initrd)) out.push(`initrd: ours ${JSON.stringify(initrd)}, GRUB ${JSON.stringify(emu.initrd)}`);
  return out;
}
