/**
 * The menu tree GRUB shows after the script ran (grub-semantics.md §1-§2, menu.c run_menu and
 * grub_menu_execute_entry): each level is the menu one context built; `default` picks an index
 * per level; executing a submenu runs its body in a new context (exported variables only
 * upstream, all on Red Hat) with the rest of the `default` path. The default path is evaluated
 * when a level is built; every other body runs only when asked for (bootAt/subAt), once.
 */
import { ConfigfileSwitch, Ctl, newCtx, overlayCtx, type Capture, type Ctx, type PendingNode } from './context.js';
import { defaultForChild, defaultIndex } from './default-entry.js';
import type { Interp } from './interp.js';
import { stopMessage } from './limits.js';
import type { BootEntry, BootSpec, GrubFlavor, GrubSelection, MenuEntry, MenuNode } from './types.js';

/** One built menu level and what has been evaluated in it so far. */
export type Level = {
  /** The context whose menu this level shows (bodies run in copies of it). */
  ctx: Ctx;
  depth: number;
  /** Plain nodes: entries off the default path carry no `boot`, submenus no `children`. */
  nodes: MenuNode[];
  selection: GrubSelection | null;
  boots: Map<number, BootSpec | null>;
  subs: Map<number, Level>;
};

const emptyLevel = (ctx: Ctx, depth: number): Level => ({ ctx, depth, nodes: [], selection: null, boots: new Map(), subs: new Map() });

function bootOf(c: Capture): BootSpec | null {
  if (c.loader === null || c.kernel === null) return null;
  const boot: BootSpec = { loader: c.loader, kernel: c.kernel, args: c.args, initrds: c.initrds };
  if (c.loader.startsWith('multiboot')) boot.modules = c.modules;
  return boot;
}

type EntryFields = { title: string; id: string; origin: string; users?: string | null; classes?: string[] };

/** An entry whose body has not run. */
export function plainEntry(node: EntryFields, index: number): MenuEntry {
  return { kind: 'entry', title: node.title, id: node.id, index, origin: node.origin, users: node.users ?? null, classes: node.classes ?? [] };
}

/** An entry with what its body loaded (same key order as plainEntry with `boot` after `index`). */
export function bootEntry(node: EntryFields, index: number, boot: BootSpec | null): BootEntry {
  return { kind: 'entry', title: node.title, id: node.id, index, boot, origin: node.origin, users: node.users ?? null, classes: node.classes ?? [] };
}

export class MenuBuilder {
  constructor(
    private readonly ip: Interp,
    private readonly flavor: GrubFlavor,
  ) {}

  /** The menu `ctx` built; on the default path (onPath) its chosen entry or submenu runs now. */
  level(ctx: Ctx, onPath: boolean, depth: number): Level {
    const dflt = ctx.vars.get('default');
    const chosen = onPath ? defaultIndex(ctx.menu, dflt, this.flavor) : -1;
    const childDefault = defaultForChild(dflt, this.flavor);
    const level = emptyLevel(ctx, depth);
    for (const [index, node] of ctx.menu.entries()) {
      const mine = index === chosen;
      if (!node.sub) {
        if (!mine) {
          level.nodes.push(plainEntry(node, index));
          continue;
        }
        const boot = this.runEntry(ctx, node, childDefault, depth);
        const entry = bootEntry(node, index, boot);
        level.boots.set(index, boot);
        level.nodes.push(entry);
        level.selection = { indexPath: [index], idPath: node.id, titlePath: node.title, entry };
        continue;
      }
      if (!mine) {
        level.nodes.push({ kind: 'submenu', title: node.title, id: node.id, index });
        continue;
      }
      const sub = this.submenu(ctx, node, childDefault, true, depth);
      level.subs.set(index, sub);
      level.nodes.push({ kind: 'submenu', title: node.title, id: node.id, index, children: sub.nodes });
      const s = sub.selection;
      if (s !== null) {
        level.selection = {
          indexPath: [index, ...s.indexPath],
          idPath: `${node.id}>${s.idPath}`,
          titlePath: `${node.title}>${s.titlePath}`,
          entry: s.entry,
        };
      }
    }
    return level;
  }

  /** What entry `index` of `level` boots; its body runs on the first request only. */
  bootAt(level: Level, index: number): BootSpec | null {
    const known = level.boots.get(index);
    if (known !== undefined || level.boots.has(index)) return known ?? null;
    const node = level.ctx.menu[index] as PendingNode;
    const boot = this.guard(() => this.runEntry(level.ctx, node, undefined, level.depth), null);
    level.boots.set(index, boot);
    return boot;
  }

  /** The level submenu `index` of `level` opens; its body runs on the first request only. */
  subAt(level: Level, index: number): Level {
    let sub = level.subs.get(index);
    if (sub === undefined) {
      const node = level.ctx.menu[index] as PendingNode;
      sub = this.guard(() => this.submenu(level.ctx, node, undefined, false, level.depth), emptyLevel(level.ctx, level.depth + 1));
      level.subs.set(index, sub);
    }
    return sub;
  }

  /** Off the default path an unexpected error costs that node only, with a diagnostic. */
  private guard<T>(compute: () => T, fallback: T): T {
    try {
      return compute();
    } catch (e) {
      this.ip.diag('error', `internal error while evaluating the menu: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  }

  /** Runs a body in `ctx` (a copy); returns its final context, or the one a `configfile` opened. */
  private run(ctx: Ctx, node: PendingNode, dflt: string | undefined, capture: Capture | null): Ctx {
    if (dflt === undefined) ctx.vars.delete('default');
    else ctx.vars.set('default', dflt);
    if (node.body === null) node.body = this.ip.scripts.parse(node.src, node.file, node.srcLine);
    try {
      return this.ip.runBody(ctx, node.body, node.argv, capture, node.file);
    } catch (e) {
      if (e instanceof ConfigfileSwitch) return e.ctx;
      if (stopMessage(e) !== null) this.ip.diag('error', `${stopMessage(e)}; menu evaluation stopped`, 'limit:menu');
      else if (!(e instanceof Ctl)) throw e;
    }
    return ctx;
  }

  private runEntry(ctx: Ctx, node: PendingNode, dflt: string | undefined, depth: number): BootSpec | null {
    const capture: Capture = { loader: null, kernel: null, args: [], initrds: [], modules: [] };
    const local = overlayCtx(ctx);
    const end = this.run(local, node, dflt, capture);
    if (end === local) return bootOf(capture);
    // The entry ran `configfile`: GRUB shows (and auto-boots) that file's menu.
    this.ip.diag('warning', `entry "${node.title}" loads another config; its default entry is used`);
    if (depth >= this.ip.opts.maxDepth) {
      this.ip.diag('error', `menu nesting limit (${this.ip.opts.maxDepth}) reached`, 'limit:submenu');
      return null;
    }
    return this.level(end, true, depth + 1).selection?.entry.boot ?? null;
  }

  /** Executes a submenu body in a new context (GRUB does so when the submenu is entered). */
  private submenu(ctx: Ctx, node: PendingNode, dflt: string | undefined, onPath: boolean, depth: number): Level {
    if (depth >= this.ip.opts.maxDepth) {
      this.ip.diag('error', `submenu nesting limit (${this.ip.opts.maxDepth}) reached`, 'limit:submenu');
      return emptyLevel(ctx, depth + 1);
    }
    const end = this.run(newCtx(ctx, this.flavor === 'redhat'), node, dflt, null);
    return this.level(end, onPath, depth + 1);
  }
}
