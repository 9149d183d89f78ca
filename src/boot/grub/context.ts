/** Interpreter data: environment contexts, pending menu nodes, loader capture, control signals. */
import type { Stmt } from './parser.js';
import type { GrubFile } from './types.js';
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

export type Ctx = { vars: Vars; exported: Set<string>; menu: PendingNode[] };

export type Capture = {
  loader: string | null;
  kernel: GrubFile | null;
  args: string[];
  initrds: GrubFile[];
  modules: { file: GrubFile; args: string[] }[];
};


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
