/** Resolve a `default`/`fallback`-style value against an already built menu tree. */
import { defaultIndex, restAfterFirst } from './default-entry.js';
import type { ExpandedNode, GrubFlavor, GrubSelection } from './types.js';

/**
 * Walks `value` ('2', 'title', 'id>child', '1>0' ...) through the tree the way GRUB's menu does:
 * invalid components fall back to entry 0, a submenu without a further component boots its first
 * entry. Returns null for an empty menu or empty submenu. Takes expandMenu's tree. (Submenu bodies
 * that read $default are not re-run here; evaluateGrub's own selection is exact.)
 */
export function selectPath(menu: readonly ExpandedNode[], value: string | null, flavor: GrubFlavor = 'upstream'): GrubSelection | null {
  let nodes = menu;
  let val: string | undefined = value ?? undefined;
  const indexPath: number[] = [];
  const ids: string[] = [];
  const titles: string[] = [];
  for (;;) {
    const i = defaultIndex(nodes, val, flavor);
    const node = nodes[i];
    if (node === undefined) return null;
    indexPath.push(i);
    ids.push(node.id);
    titles.push(node.title);
    if (node.kind === 'entry') return { indexPath, idPath: ids.join('>'), titlePath: titles.join('>'), entry: node };
    nodes = node.children;
    const rest = val === undefined ? null : restAfterFirst(val);
    val = rest ?? (flavor === 'redhat' ? val : undefined);
  }
}
