/**
 * The parts of a GRUB menu off the default path, on request: `kexecctl list` shows every entry
 * (expandMenu), a caller may ask for one (entryBoot). GRUB itself runs an entry's body only when
 * it is booted; evaluateGrub runs the default one, these run the others with the same
 * interpreter state (step budget, diagnostics limits), each body once.
 */
import type { Diagnostic } from '../../errors.js';
import type { Effects } from './context.js';
import { bootEntry, type Level, type MenuBuilder } from './menu-tree.js';
import type { BootEntry, BootSpec, ExpandedNode, GrubResult, MenuEntry, MenuExpansion } from './types.js';

type Session = { builder: MenuBuilder; top: Level; effects: Effects };

const sessions = new WeakMap<GrubResult, Session>();

/** Called by evaluateGrub: what expandMenu/entryBoot need to continue the evaluation later. */
export function rememberSession(result: GrubResult, session: Session): void {
  sessions.set(result, session);
}

function sessionOf(result: GrubResult): Session {
  const s = sessions.get(result);
  if (s === undefined) throw new Error('expandMenu/entryBoot: not a result returned by evaluateGrub');
  return s;
}

const isBootEntry = (e: MenuEntry): e is BootEntry => e.boot !== undefined;

function expandLevel(b: MenuBuilder, level: Level): ExpandedNode[] {
  return level.nodes.map((n, i): ExpandedNode => {
    // Entries on the default path are reused as they are (the selection's entry stays one of them).
    if (n.kind === 'entry') return isBootEntry(n) ? n : bootEntry(n, n.index, b.bootAt(level, i));
    return { kind: 'submenu', title: n.title, id: n.id, index: n.index, children: expandLevel(b, b.subAt(level, i)) };
  });
}

/** Every entry with what it boots and every submenu with its children (bodies run in menu order). */
export function expandMenu(result: GrubResult): MenuExpansion {
  const s = sessionOf(result);
  const menu = expandLevel(s.builder, s.top);
  return { menu, diagnostics: [...s.effects.diagnostics], deviceNames: Object.fromEntries(s.effects.deviceNames) };
}

/**
 * What the entry at `indexPath` (indexes per level, as GrubSelection.indexPath) boots, with the
 * diagnostics its evaluation reported; null when the path names no entry.
 */
export function entryBoot(result: GrubResult, indexPath: readonly number[]): { boot: BootSpec | null; diagnostics: Diagnostic[] } | null {
  const s = sessionOf(result);
  const before = s.effects.diagnostics.length;
  let level = s.top;
  for (const [depth, i] of indexPath.entries()) {
    const node = level.nodes[i];
    if (node === undefined) return null;
    const last = depth === indexPath.length - 1;
    if (node.kind === 'entry') {
      if (!last) return null;
      return { boot: s.builder.bootAt(level, i), diagnostics: s.effects.diagnostics.slice(before) };
    }
    if (last) return null;
    level = s.builder.subAt(level, i);
  }
  return null;
}
