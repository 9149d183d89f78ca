/**
 * evaluateGrub: run grub.cfg as GRUB's normal mode does, then build the menu tree and resolve
 * `default` level by level (grub-semantics.md §1-§2). Pure: all reads go through GrubFs.
 */
import { GRUB_COMMANDS } from './commands.js';
import { ConfigfileSwitch, Ctl, newCtx, overlayCtx, type Capture, type Ctx, type Effects, type PendingNode } from './context.js';
import { defaultForChild, defaultIndex } from './default-entry.js';
import { Interp } from './interp.js';
import { LimitError, MAX_DEPTH_CEILING } from './limits.js';
import type { Stmt } from './parser.js';
import type { BootSpec, EvaluateOptions, GrubFs, GrubFlavor, GrubResult, GrubSelection, MenuEntry, MenuNode, Submenu } from './types.js';

const FEATURES = [
  'feature_chainloader_bpb', 'feature_ntldr', 'feature_platform_search_hint', 'feature_default_font_path',
  'feature_all_video_module', 'feature_menuentry_id', 'feature_menuentry_options', 'feature_200_final',
  'feature_nativedisk_cmd', 'feature_timeout_style',
];

function initialCtx(opts: EvaluateOptions): Ctx {
  const ctx = newCtx(null, false);
  const dev = opts.fs.prefixDevice;
  const prefixDir = opts.prefix ?? opts.configPath.replace(/\/[^/]*$/, '');
  const vars: Record<string, string> = {
    root: dev,
    prefix: `(${dev})${prefixDir}`,
    cmdpath: `(${dev})${prefixDir}`,
    config_directory: `(${dev})${prefixDir}`,
    config_file: `(${dev})${opts.configPath}`,
    grub_platform: opts.platform?.grub_platform ?? 'pc',
    grub_cpu: opts.platform?.grub_cpu ?? 'x86_64',
  };
  for (const f of FEATURES) vars[f] = 'y';
  for (const [k, v] of Object.entries(vars)) {
    ctx.vars.set(k, v);
    ctx.exported.add(k);
  }
  return ctx;
}

/** The node's statements, parsed from its recorded source on first use. */
function bodyOf(ip: Interp, node: PendingNode): Stmt[] {
  if (node.body === null) node.body = ip.scripts.parse(node.src, node.file, node.srcLine);
  return node.body;
}

/**
 * Runs a body in `ctx` (a copy the caller made); returns the final context (or a configfile's).
 * Loader commands record into `capture` (null for a submenu body).
 */
function runIsolated(ip: Interp, ctx: Ctx, node: PendingNode, dflt: string | undefined, capture: Capture | null): Ctx {
  if (dflt === undefined) ctx.vars.delete('default');
  else ctx.vars.set('default', dflt);
  try {
    return ip.runBody(ctx, bodyOf(ip, node), node.argv, capture);
  } catch (e) {
    if (e instanceof ConfigfileSwitch) return e.ctx;
    if (stopMessage(e) !== null) ip.diag('error', `${stopMessage(e)}; menu evaluation stopped`, 'limit:menu');
    else if (!(e instanceof Ctl)) throw e;
  }
  return ctx;
}

function bootOf(c: Capture): BootSpec | null {
  if (c.loader === null || c.kernel === null) return null;
  const boot: BootSpec = { loader: c.loader, kernel: c.kernel, args: c.args, initrds: c.initrds };
  if (c.loader.startsWith('multiboot')) boot.modules = c.modules;
  return boot;
}

/**
 * Off the default path, an entry's `boot` and a submenu's `children` are computed on first read
 * (memoised, enumerable getters): `plan` only pays for the default entry, `list` for all.
 * Diagnostics of a late evaluation are appended to the result's diagnostics array then.
 * The getter and setter are shared by every node (state lives in WeakMaps), so all entries keep
 * one hidden class: a per-node closure pair made each node's property definition slow.
 */
function lazyProperty(): { desc: PropertyDescriptor; pending: WeakMap<object, () => unknown> } {
  const pending = new WeakMap<object, () => unknown>();
  const memo = new WeakMap<object, unknown>();
  const desc: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: object): unknown {
      const compute = pending.get(this);
      if (compute !== undefined) {
        pending.delete(this);
        memo.set(this, compute());
      }
      return memo.get(this);
    },
    set(this: object, v: unknown): void {
      pending.delete(this);
      memo.set(this, v);
    },
  };
  return { desc, pending };
}

const LAZY_BOOT = lazyProperty();
const LAZY_CHILDREN = lazyProperty();

function lazy<T extends object, K extends keyof T>(ip: Interp, obj: T, key: K, compute: () => T[K], fallback: T[K]): void {
  const prop = key === 'boot' ? LAZY_BOOT : LAZY_CHILDREN;
  Object.defineProperty(obj, key, prop.desc);
  prop.pending.set(obj, () => {
    try {
      return compute();
    } catch (e) {
      ip.diag('error', `internal error while evaluating the menu: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  });
}

type Level = { nodes: MenuNode[]; selection: GrubSelection | null };

function entryBoot(ip: Interp, ctx: Ctx, node: PendingNode, dflt: string | undefined, flavor: GrubFlavor, depth: number): BootSpec | null {
  const capture: Capture = { loader: null, kernel: null, args: [], initrds: [], modules: [] };
  const local = overlayCtx(ctx);
  const end = runIsolated(ip, local, node, dflt, capture);
  if (end === local) return bootOf(capture);
  // The entry ran `configfile`: GRUB shows (and auto-boots) that file's menu.
  ip.diag('warning', `entry "${node.title}" loads another config; its default entry is used`);
  if (depth >= ip.opts.maxDepth) {
    ip.diag('error', `menu nesting limit (${ip.opts.maxDepth}) reached`, 'limit:submenu');
    return null;
  }
  return buildLevel(ip, end, flavor, true, depth + 1).selection?.entry.boot ?? null;
}

/** Executes a submenu body in a new context (GRUB does so when the submenu is entered). */
function submenuLevel(
  ip: Interp,
  ctx: Ctx,
  node: PendingNode,
  dflt: string | undefined,
  flavor: GrubFlavor,
  onPath: boolean,
  depth: number,
): Level {
  if (depth >= ip.opts.maxDepth) {
    ip.diag('error', `submenu nesting limit (${ip.opts.maxDepth}) reached`, 'limit:submenu');
    return { nodes: [], selection: null };
  }
  const end = runIsolated(ip, newCtx(ctx, flavor === 'redhat'), node, dflt, null);
  return buildLevel(ip, end, flavor, onPath, depth + 1);
}

function buildLevel(ip: Interp, ctx: Ctx, flavor: GrubFlavor, onPath: boolean, depth: number): Level {
  const dflt = ctx.vars.get('default');
  const chosen = onPath ? defaultIndex(ctx.menu, dflt, flavor) : -1;
  const childDefault = defaultForChild(dflt, flavor);
  const nodes: MenuNode[] = [];
  let selection: GrubSelection | null = null;
  for (const [index, node] of ctx.menu.entries()) {
    const mine = index === chosen;
    if (!node.sub) {
      const entry = { kind: 'entry', title: node.title, id: node.id, index } as MenuEntry;
      if (mine) entry.boot = entryBoot(ip, ctx, node, childDefault, flavor, depth);
      else lazy(ip, entry, 'boot', () => entryBoot(ip, ctx, node, undefined, flavor, depth), null);
      entry.origin = node.origin;
      entry.users = node.users;
      entry.classes = node.classes;
      nodes.push(entry);
      if (mine) selection = { indexPath: [index], idPath: node.id, titlePath: node.title, entry };
      continue;
    }
    const sub = { kind: 'submenu', title: node.title, id: node.id, index } as Submenu;
    nodes.push(sub);
    if (!mine) {
      lazy(ip, sub, 'children', () => submenuLevel(ip, ctx, node, undefined, flavor, false, depth).nodes, []);
      continue;
    }
    const level = submenuLevel(ip, ctx, node, childDefault, flavor, true, depth);
    sub.children = level.nodes;
    const s: GrubSelection | null = level.selection;
    if (s !== null) {
      selection = {
        indexPath: [index, ...s.indexPath],
        idPath: `${node.id}>${s.idPath}`,
        titlePath: `${node.title}>${s.titlePath}`,
        entry: s.entry,
      };
    }
  }
  return { nodes, selection };
}

/** GrubFs calls that throw (I/O errors in the caller's adapter) become "absent" plus a diagnostic. */
function safeFs(fs: GrubFs, report: (m: string) => void): GrubFs {
  const guard = <T>(what: string, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      report(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  return {
    prefixDevice: fs.prefixDevice,
    readFile: (d, p) => guard(`reading (${d})${p}`, () => fs.readFile(d, p)),
    listDir: (d, p) => guard(`listing (${d})${p}`, () => fs.listDir(d, p)),
    search: (k, v, h) => guard(`search ${k} ${v}`, () => fs.search(k, v, h)),
  };
}

/** Errors that end an evaluation phase early but never escape evaluateGrub. */
function stopMessage(e: unknown): string | null {
  if (e instanceof LimitError) return e.message;
  if (e instanceof RangeError) return `too deeply nested (${e.message})`;
  return null;
}

export function evaluateGrub(opts: EvaluateOptions): GrubResult {
  const flavor = opts.flavor ?? 'upstream';
  const limits = opts.limits ?? {};
  const effects: Effects = { diagnostics: [], loadedEnv: {}, savedEnv: [] };
  const ctx0 = initialCtx(opts);
  const ip = new Interp(
    {
      // The callback runs only after construction, when `ip` exists.
      fs: safeFs(opts.fs, (m) => ip.diag('error', m)),
      flavor,
      commands: GRUB_COMMANDS,
      maxSteps: limits.maxSteps ?? 1_000_000,
      maxDepth: Math.min(limits.maxDepth ?? 100, MAX_DEPTH_CEILING),
      maxSourceDepth: Math.min(limits.maxSourceDepth ?? 32, MAX_DEPTH_CEILING),
    },
    ctx0,
    opts.configPath,
    effects,
  );
  const path = `(${opts.fs.prefixDevice})${opts.configPath}`;
  const stmts = ip.scripts.load(path, '');
  if (stmts === null) ip.diag('error', `${path}: file not found`);
  let ctx = ctx0;
  try {
    ip.run(stmts ?? []);
  } catch (e) {
    if (e instanceof ConfigfileSwitch) ctx = e.ctx;
    else if (stopMessage(e) !== null) ip.diag('error', `${stopMessage(e)}; script evaluation stopped`);
    else if (!(e instanceof Ctl)) throw e;
  }
  ip.resetSteps();
  const level = buildLevel(ip, ctx, flavor, true, 0);
  if (level.nodes.length === 0) ip.diag('warning', 'the menu is empty: GRUB would boot nothing');
  else if (level.selection === null) ip.diag('warning', 'the default names an empty submenu: GRUB would boot nothing');
  const nextEntry = effects.loadedEnv['next_entry'];
  return {
    menu: level.nodes,
    defaultVar: ctx.vars.get('default') ?? null,
    fallbackVar: ctx.vars.get('fallback') ?? null,
    selection: level.selection,
    env: { ...effects.loadedEnv },
    usedNextEntry: nextEntry !== undefined && nextEntry !== '' && effects.savedEnv.includes('next_entry'),
    savedEnvVars: [...effects.savedEnv],
    diagnostics: effects.diagnostics,
  };
}
