/**
 * The GRUB script interpreter: runs statements against an environment context, collects menu
 * entries (bodies kept unevaluated) and loader commands. Never runs anything outside the script.
 */
import type { Diagnostic } from '../../errors.js';
import { expandWords } from './expand.js';
import type { Stmt } from './parser.js';
import type { GrubFlavor, GrubFs } from './types.js';
import { runCommand } from './commands.js';
import { ConfigfileSwitch, Ctl, newCtx, overlayCtx, type Capture, type Ctx, type PendingNode } from './context.js';
import { LimitError, MAX_ENTRIES, MAX_VALUE } from './limits.js';

export { ConfigfileSwitch, Ctl, LimitError, newCtx, overlayCtx, type Capture, type Ctx, type PendingNode };

export type InterpOptions = {
  fs: GrubFs;
  flavor: GrubFlavor;
  maxSteps: number;
  maxDepth: number;
  maxSourceDepth: number;
};

export class Interp {
  ctx: Ctx;
  args: string[] = [];
  readonly funcs = new Map<string, Stmt[]>();
  capture: Capture | null = null;
  status = 0;
  steps = 0;
  depth = 0;
  sourceDepth = 0;
  file: string;
  line = 0;
  readonly diagnostics: Diagnostic[] = [];
  /** Variables read by load_env (merged over all calls). */
  readonly loadedEnv: Record<string, string> = {};
  /** Variable names passed to save_env (we never write). */
  readonly savedEnv: string[] = [];
  private readonly warned = new Set<string>();

  constructor(
    readonly opts: InterpOptions,
    ctx: Ctx,
    file: string,
  ) {
    this.ctx = ctx;
    this.file = file;
  }

  readonly lookup = (name: string): string | undefined => {
    if (/^[0-9]+$/.test(name)) return this.args[Number(name) - 1];
    if (name === '#') return String(this.args.length);
    if (name === '*' || name === '@') return this.args.join(' ');
    if (name === '?') return String(this.status);
    return this.ctx.vars.get(name);
  };

  get(name: string): string | undefined {
    return this.ctx.vars.get(name);
  }

  set(name: string, value: string): void {
    if (value.length > MAX_VALUE) throw new LimitError(`value of ${name} longer than ${MAX_VALUE} bytes`);
    this.ctx.vars.set(name, value);
  }

  diag(severity: 'warning' | 'error', message: string, once?: string): void {
    if (once !== undefined) {
      if (this.warned.has(once)) return;
      this.warned.add(once);
    }
    if (this.diagnostics.length >= 200) return;
    this.diagnostics.push({ severity, origin: this.file, line: this.line, message });
  }

  /** Runs statements; the step budget bounds every loop and recursion. */
  run(stmts: readonly Stmt[]): void {
    for (const s of stmts) this.exec(s);
  }

  private tick(line: number): void {
    this.line = line;
    if (++this.steps > this.opts.maxSteps) throw new LimitError(`step limit (${this.opts.maxSteps}) reached`);
  }

  exec(s: Stmt): void {
    this.tick(s.line);
    switch (s.k) {
      case 'cmd':
        this.status = this.command(expandWords(s.words, this.lookup));
        return;
      case 'if':
        for (const arm of s.arms) {
          this.run(arm.cond);
          if (this.status === 0) {
            this.run(arm.body);
            return;
          }
        }
        if (s.els !== null) this.run(s.els);
        else this.status = 0;
        return;
      case 'func':
        this.funcs.set(s.name, s.body);
        this.status = 0;
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
      if ((this.status === 0) === until) break;
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

  /** Runs a command line after expansion; returns its status. */
  command(argv: string[]): number {
    const name = argv[0];
    if (name === undefined) return 0;
    const fn = this.funcs.get(name);
    if (fn !== undefined) return this.call(fn, argv.slice(1));
    const st = runCommand(this, name, argv.slice(1));
    if (st !== null) return st;
    const eq = name.indexOf('=');
    if (eq > 0) {
      this.set(name.slice(0, eq), name.slice(eq + 1));
      return 0;
    }
    this.diag('warning', `unknown command "${name}" (treated as failing)`, `cmd:${name}`);
    return 1;
  }

  /** Calls a function or runs an entry body with positional parameters. */
  call(body: readonly Stmt[], args: string[]): number {
    if (this.depth >= this.opts.maxDepth) {
      this.diag('error', `call depth limit (${this.opts.maxDepth}) reached`);
      return 1;
    }
    const saved = this.args;
    this.args = args;
    this.depth++;
    try {
      this.run(body);
    } catch (e) {
      if (!(e instanceof Ctl) || e.kind !== 'return') throw e;
      this.status = e.n;
    } finally {
      this.depth--;
      this.args = saved;
    }
    return this.status;
  }

  private menu(s: Extract<Stmt, { k: 'menu' }>): void {
    if (s.hidden) {
      // hiddenentry: reachable by hotkey only, never a default; not part of the numbered menu.
      this.status = 0;
      return;
    }
    const argv = expandWords(s.words, this.lookup);
    const pos: string[] = [];
    let id: string | null = null;
    let users: string | null = null;
    const classes: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] as string;
      if (a === '--') {
        pos.push(...argv.slice(i + 1));
        break;
      }
      if (!a.startsWith('--')) {
        pos.push(a);
        continue;
      }
      const m = /^--([a-z]+)(?:=(.*))?$/s.exec(a);
      const opt = m?.[1] ?? '';
      if (opt === 'unrestricted') {
        users = users ?? '';
        continue;
      }
      if (!['id', 'class', 'users', 'hotkey', 'source'].includes(opt)) {
        this.status = 1;
        return this.diag('error', `${s.sub ? 'submenu' : 'menuentry'}: unknown option ${a}`);
      }
      let v = m?.[2];
      if (v === undefined) v = argv[++i];
      if (v === undefined) return this.diag('error', `menuentry: option --${opt} needs a value`);
      if (opt === 'id') id = v;
      else if (opt === 'class') classes.push(v);
      else if (opt === 'users') users = v;
    }
    const title = pos[0];
    if (title === undefined) {
      this.status = 1;
      return this.diag('error', `${s.sub ? 'submenu' : 'menuentry'} without a title is ignored`);
    }
    if (this.ctx.menu.length >= MAX_ENTRIES) {
      this.status = 1;
      return this.diag('error', `more than ${MAX_ENTRIES} menu entries: the rest are ignored`, 'limit:entries');
    }
    this.ctx.menu.push({
      sub: s.sub,
      title,
      id: id ?? title,
      argv: pos,
      body: null,
      src: s.src,
      srcLine: s.srcLine,
      file: s.origin,
      origin: 'menuentry',
      users,
      classes,
    });
    this.status = 0;
  }
}
