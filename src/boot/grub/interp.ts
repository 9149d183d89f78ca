/**
 * The GRUB script interpreter (GRUB's script/execute.c): runs statements against an environment
 * context, collects menu entries (bodies kept unevaluated) and loader commands. Built-in commands
 * come from the table it is given and see it only as a `Shell`. Never runs anything outside the
 * script.
 */
import type { Diagnostic } from '../../errors.js';
import { ConfigfileSwitch, Ctl, newCtx, type Capture, type CommandTable, type Ctx, type Effects, type PendingNode, type Shell } from './context.js';
import { expandWords } from './expand.js';
import { LimitError, MAX_ENTRIES, MAX_VALUE } from './limits.js';
import { parseMenuArgs } from './menu-args.js';
import type { Stmt } from './parser.js';
import { Scripts } from './scripts.js';
import type { GrubFlavor, GrubFs } from './types.js';

export type InterpOptions = {
  fs: GrubFs;
  flavor: GrubFlavor;
  commands: CommandTable;
  maxSteps: number;
  maxDepth: number;
  maxSourceDepth: number;
};

const MAX_DIAGNOSTICS = 200;

export class Interp implements Shell {
  readonly fs: GrubFs;
  /** Script files and entry bodies, parsed with this evaluation's rules. */
  readonly scripts: Scripts;
  params: readonly string[] = [];
  private st = 0;
  private cap: Capture | null = null;
  private where: string;
  private ctx: Ctx;
  private line = 0;
  private steps = 0;
  private depth = 0;
  private sourceDepth = 0;
  private readonly funcs = new Map<string, Stmt[]>();
  private readonly warned = new Set<string>();

  constructor(
    readonly opts: InterpOptions,
    ctx: Ctx,
    file: string,
    readonly effects: Effects,
  ) {
    this.fs = opts.fs;
    this.scripts = new Scripts(opts.fs, opts.flavor, opts.maxDepth, (d) => this.report(d));
    this.ctx = ctx;
    this.where = file;
  }

  get status(): number {
    return this.st;
  }

  get capture(): Capture | null {
    return this.cap;
  }

  get file(): string {
    return this.where;
  }

  get location(): string {
    return `${this.where}:${this.line}`;
  }

  readonly lookup = (name: string): string | undefined => {
    if (/^[0-9]+$/.test(name)) return this.params[Number(name) - 1];
    if (name === '#') return String(this.params.length);
    if (name === '*' || name === '@') return this.params.join(' ');
    if (name === '?') return String(this.st);
    return this.ctx.vars.get(name);
  };

  get(name: string): string | undefined {
    return this.ctx.vars.get(name);
  }

  set(name: string, value: string): void {
    if (value.length > MAX_VALUE) throw new LimitError(`value of ${name} longer than ${MAX_VALUE} bytes`);
    this.ctx.vars.set(name, value);
  }

  unset(name: string): void {
    this.ctx.vars.delete(name);
  }

  export(name: string): void {
    this.ctx.exported.add(name);
  }

  diag(severity: 'warning' | 'error', message: string, once?: string): void {
    if (once !== undefined) {
      if (this.warned.has(once)) return;
      this.warned.add(once);
    }
    if (this.effects.diagnostics.length >= MAX_DIAGNOSTICS) return;
    this.effects.diagnostics.push({ severity, origin: this.where, line: this.line, message });
  }

  unsure(message: string): void {
    this.diag('warning', message);
    this.effects.uncertain.push(`${this.where}:${this.line}: ${message}`);
  }

  report(diagnostics: readonly Diagnostic[]): void {
    this.effects.diagnostics.push(...diagnostics);
  }

  addMenu(node: PendingNode): boolean {
    if (this.ctx.menu.length >= MAX_ENTRIES) {
      this.diag('error', `more than ${MAX_ENTRIES} menu entries: the rest are ignored`, 'limit:entries');
      return false;
    }
    this.ctx.menu.push(node);
    return true;
  }

  source(name: string | undefined, newContext: boolean): number {
    const cmd = newContext ? 'configfile' : 'source';
    if (name === undefined) {
      this.diag('error', `${cmd}: filename expected`);
      return 1;
    }
    if (this.sourceDepth >= this.opts.maxSourceDepth) {
      this.diag('error', `${cmd} ${name}: nesting limit (${this.opts.maxSourceDepth}) reached, not read`);
      return 1;
    }
    const stmts = this.scripts.load(name, this.get('root') ?? '');
    if (stmts === null) {
      this.diag('error', `${cmd} ${name}: file not found`);
      return 1;
    }
    const { where, line, ctx } = this;
    this.sourceDepth++;
    this.where = name;
    if (newContext) this.ctx = newCtx(ctx, false);
    try {
      this.run(stmts);
      if (newContext && this.ctx.menu.length > 0) throw new ConfigfileSwitch(this.ctx);
    } finally {
      this.sourceDepth--;
      this.where = where;
      this.line = line;
      this.ctx = ctx;
    }
    return this.st;
  }

  /**
   * Runs a menu body in `ctx` with positional parameters `argv`, loader commands recording into
   * `capture`; returns the context it ended in. ConfigfileSwitch, Ctl and limit errors propagate.
   */
  /**
   * Runs a menu entry or submenu body in `ctx`. `file` is where the body was written (the file
   * that defined the entry, or bls:<id>): its line numbers are that file's, so diagnostics say
   * "file:line" of the body's own line.
   */
  runBody(ctx: Ctx, body: readonly Stmt[], argv: string[], capture: Capture | null, file: string = this.where): Ctx {
    const { cap, where, line } = this;
    this.ctx = ctx;
    this.cap = capture;
    this.where = file;
    try {
      this.call(body, argv);
    } finally {
      this.cap = cap;
      this.where = where;
      this.line = line;
    }
    return this.ctx;
  }

  /** A new step budget (the menu is built after the script ran). */
  resetSteps(): void {
    this.steps = 0;
  }

  /** Runs statements; the step budget bounds every loop and recursion. */
  run(stmts: readonly Stmt[]): number {
    for (const s of stmts) this.exec(s);
    return this.st;
  }

  private tick(line: number): void {
    this.line = line;
    if (++this.steps > this.opts.maxSteps) throw new LimitError(`step limit (${this.opts.maxSteps}) reached`);
  }

  private exec(s: Stmt): void {
    this.tick(s.line);
    switch (s.k) {
      case 'cmd':
        this.st = this.command(expandWords(s.words, this.lookup));
        return;
      case 'if':
        for (const arm of s.arms) {
          this.run(arm.cond);
          if (this.st === 0) {
            this.run(arm.body);
            return;
          }
        }
        if (s.els !== null) this.run(s.els);
        else this.st = 0;
        return;
      case 'func':
        this.funcs.set(s.name, s.body);
        this.st = 0;
        return;
      case 'menu':
        this.menu(s);
        return;
      case 'block':
        this.run(s.body);
        return;
      case 'loop':
        this.loop(s.until, s.cond, s.body);
        return;
      case 'for':
        for (const item of expandWords(s.items, this.lookup)) {
          this.set(s.name, item);
          if (this.loopBody(s.body)) break;
        }
        return;
    }
  }

  private loop(until: boolean, cond: Stmt[], body: Stmt[]): void {
    for (;;) {
      this.tick(this.line);
      this.run(cond);
      if ((this.st === 0) === until) break;
      if (this.loopBody(body)) break;
    }
  }

  /** Runs a loop body; true when the loop must stop (break). */
  private loopBody(body: Stmt[]): boolean {
    try {
      this.run(body);
      return false;
    } catch (e) {
      if (!(e instanceof Ctl) || e.kind === 'return') throw e;
      if (e.n > 1) throw new Ctl(e.kind, e.n - 1);
      return e.kind === 'break';
    }
  }

  /** Runs a command line after expansion: a function, a built-in, or `name=value`. */
  private command(argv: string[]): number {
    const name = argv[0];
    if (name === undefined) return 0;
    const fn = this.funcs.get(name);
    if (fn !== undefined) return this.call(fn, argv.slice(1));
    const builtin = Object.prototype.hasOwnProperty.call(this.opts.commands, name) ? this.opts.commands[name] : undefined;
    if (builtin !== undefined) return builtin(this, argv.slice(1));
    const eq = name.indexOf('=');
    if (eq > 0) {
      this.set(name.slice(0, eq), name.slice(eq + 1));
      return 0;
    }
    this.diag('warning', `unknown command "${name}" (treated as failing)`, `cmd:${name}`);
    return 1;
  }

  /** Calls a function or runs an entry body with positional parameters. */
  private call(body: readonly Stmt[], args: string[]): number {
    if (this.depth >= this.opts.maxDepth) {
      this.diag('error', `call depth limit (${this.opts.maxDepth}) reached`);
      return 1;
    }
    const saved = this.params;
    this.params = args;
    this.depth++;
    try {
      this.run(body);
    } catch (e) {
      if (!(e instanceof Ctl) || e.kind !== 'return') throw e;
      this.st = e.n;
    } finally {
      this.depth--;
      this.params = saved;
    }
    return this.st;
  }

  private menu(s: Extract<Stmt, { k: 'menu' }>): void {
    if (s.hidden) {
      // hiddenentry: reachable by hotkey only, never a default; not part of the numbered menu.
      this.st = 0;
      return;
    }
    const parsed = parseMenuArgs(expandWords(s.words, this.lookup), s.sub);
    if (!parsed.ok) {
      if (!parsed.keepStatus) this.st = 1;
      return this.diag('error', parsed.message);
    }
    const { title, id, argv, users, classes } = parsed.value;
    const node: PendingNode = { sub: s.sub, title, id, argv, body: null, src: s.src, srcLine: s.srcLine, file: s.origin, origin: 'menuentry', users, classes };
    this.st = this.addMenu(node) ? 0 : 1;
  }
}
