/**
 * What the interpreter and the built-in commands share: environment contexts, pending menu nodes,
 * the loader capture, control signals, and the `Shell` a command sees. Imports nothing that runs
 * scripts, so commands (commands.ts, search.ts, blscfg.ts, ...) never import the interpreter:
 * evaluate.ts hands the command table to it (no import cycle).
 */
import type { Diagnostic } from '../../errors.js';
import type { Stmt } from './parser.js';
import type { GrubDevice, GrubFile, GrubFs } from './types.js';
import { Vars } from './vars.js';

/** A menu entry or submenu as the script created it; its body runs only when the menu is built. */
export type PendingNode = {
  sub: boolean;
  title: string;
  id: string;
  argv: string[];
  /** Parsed body, or null until `src` is parsed on first use. */
  body: Stmt[] | null;
  src: string;
  srcLine: number;
  file: string;
  origin: string;
  users: string | null;
  classes: string[];
};

/** One GRUB environment context (grub_env_context_open): variables, exports, the menu it builds. */
export type Ctx = { vars: Vars; exported: Set<string>; menu: PendingNode[] };

/** What the loader commands of the running entry body recorded. */
export type Capture = {
  loader: string | null;
  kernel: GrubFile | null;
  args: string[];
  initrds: GrubFile[];
  modules: { file: GrubFile; args: string[] }[];
};

/** What an evaluation reports besides the menu: diagnostics and the environment it read/saved. */
export type Effects = {
  diagnostics: Diagnostic[];
  /** Variables read by load_env (merged over all calls). */
  loadedEnv: Record<string, string>;
  /** Variable names passed to save_env (recorded, never written). */
  savedEnv: string[];
  /** Names `search` bound to devices (GrubSearchHit.name → device); the last binding wins. */
  deviceNames: Map<GrubDevice, GrubDevice>;
  /** "file:line: why" for each command whose outcome we could not know (GrubResult.uncertain). */
  uncertain: string[];
};

/**
 * What a built-in command may do: read and set variables, report, run statements, read files.
 * The interpreter implements it; commands see nothing else of it.
 */
export interface Shell {
  /** The file system the script reads. */
  readonly fs: GrubFs;
  /** `$name` as the script sees it: variables, positional parameters, `$#`, `$*`, `$?`. */
  lookup(name: string): string | undefined;
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  unset(name: string): void;
  export(name: string): void;
  /** A located diagnostic at the current line; `once` is a key that keeps it from repeating. */
  diag(severity: 'warning' | 'error', message: string, once?: string): void;
  /**
   * A warning for a command whose outcome in GRUB we cannot know (not modelled, or facts we do
   * not have): recorded in GrubResult.uncertain so a plan can refuse rather than guess.
   */
  unsure(message: string): void;
  /** Diagnostics of something read on the script's behalf (a parse, a grubenv). */
  report(diagnostics: readonly Diagnostic[]): void;
  /** Runs statements in the current context; returns the status of the last one. */
  run(stmts: readonly Stmt[]): number;
  /** `source` (same context) or `configfile` (a new context whose menu replaces everything). */
  source(name: string | undefined, newContext: boolean): number;
  /** File being run (origin of diagnostics). */
  readonly file: string;
  /** "file:line" of the command being run. */
  readonly location: string;
  /** `$?`: status of the last command. */
  readonly status: number;
  /** Positional parameters (`$1`...), replaceable by shift/setparams. */
  params: readonly string[];
  /** Loader commands record here; null outside a menu entry body. */
  readonly capture: Capture | null;
  /** Appends an entry to the current menu; false (with a diagnostic) when the menu is full. */
  addMenu(node: PendingNode): boolean;
  readonly effects: Effects;
}

/** A built-in: returns its exit status; may throw Ctl (return/break/continue). */
export type Command = (sh: Shell, args: string[]) => number;
export type CommandTable = Readonly<Record<string, Command>>;

/** Thrown by `configfile` when the new file produced a menu: that menu replaces everything. */
export class ConfigfileSwitch extends Error {
  constructor(readonly ctx: Ctx) {
    super('configfile');
  }
}
export class Ctl extends Error {
  constructor(
    readonly kind: 'return' | 'break' | 'continue',
    readonly n: number,
  ) {
    super(kind);
  }
}

/** A context for an entry body: sees everything, changes stay local. */
export function overlayCtx(from: Ctx): Ctx {
  return { vars: new Vars(from.vars), exported: new Set(from.exported), menu: [] };
}

/** A new context (submenu, configfile): exported variables only, or all of them (Red Hat submenus). */
export function newCtx(from: Ctx | null, all: boolean): Ctx {
  const ctx: Ctx = { vars: new Vars(), exported: new Set(), menu: [] };
  if (from === null) return ctx;
  for (const [k, v] of from.vars) {
    const exp = from.exported.has(k);
    if (!exp && !all) continue;
    ctx.vars.set(k, v);
    if (exp) ctx.exported.add(k);
  }
  return ctx;
}
