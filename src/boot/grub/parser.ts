/**
 * GRUB 2 script parser: tokens -> statements. Like GRUB, each top-level statement is parsed on
 * its own; a syntax error drops that statement (and the rest of its line) and parsing goes on.
 */
import type { Diagnostic } from '../../errors.js';
import { Lexer, bareWord, type LexOptions, type Token, type Word } from './lexer.js';

export type Stmt =
  | { k: 'cmd'; words: Word[]; line: number }
  | { k: 'if'; arms: { cond: Stmt[]; body: Stmt[] }[]; els: Stmt[] | null; line: number }
  | { k: 'func'; name: string; body: Stmt[]; line: number }
  /**
   * The body is parsed (so syntax errors drop the entry, as in GRUB) but only its source is kept:
   * it is parsed again when the entry runs, which keeps big menus cheap.
   */
  | { k: 'menu'; sub: boolean; hidden: boolean; words: Word[]; src: string; srcLine: number; origin: string; line: number }
  | { k: 'block'; body: Stmt[]; line: number }
  | { k: 'loop'; until: boolean; cond: Stmt[]; body: Stmt[]; line: number }
  | { k: 'for'; name: string; items: Word[]; body: Stmt[]; line: number };

export type ParseOptions = LexOptions & { origin: string; maxDepth?: number; maxDiagnostics?: number };

class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done']);
const NONE = new Set<string>();
const BRACE = new Set(['}']);
const THEN = new Set(['then']);
const BODY_END = new Set(['elif', 'else', 'fi']);
const FI = new Set(['fi']);
const DO = new Set(['do']);
const DONE = new Set(['done']);

export function parseScript(text: string, opts: ParseOptions): { value: Stmt[]; diagnostics: Diagnostic[] } {
  return new Parser(text, opts).program();
}

class Parser {
  private readonly lx: Lexer;
  private look: Token | null = null;
  private depth = 0;
  private readonly maxDepth: number;
  private readonly diagnostics: Diagnostic[] = [];

  constructor(
    text: string,
    private readonly opts: ParseOptions,
  ) {
    this.lx = new Lexer(text, opts);
    this.maxDepth = opts.maxDepth ?? 128;
  }

  program(): { value: Stmt[]; diagnostics: Diagnostic[] } {
    const out: Stmt[] = [];
    const maxDiag = this.opts.maxDiagnostics ?? 50;
    let dropped = 0;
    for (;;) {
      try {
        this.skipNl();
        const t = this.peek();
        if (t.k === 'eof') break;
        if (t.k === 'semi') throw new ParseError('syntax error: unexpected ";"', t.line);
        if (t.k === 'rbrace') throw new ParseError('syntax error: unexpected "}"', t.line);
        const st = this.statement();
        this.endOfStatement(NONE);
        out.push(st);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        if (this.diagnostics.length < maxDiag) {
          this.diagnostics.push({ severity: 'error', origin: this.opts.origin, line: e.line, message: e.message });
        } else dropped++;
        this.depth = 0;
        const t = this.look;
        this.look = null;
        if (t === null || (t.k !== 'nl' && t.k !== 'eof')) this.lx.skipLine();
      }
    }
    if (dropped > 0) {
      this.diagnostics.push({ severity: 'error', origin: this.opts.origin, message: `${dropped} more syntax errors` });
    }
    return { value: out, diagnostics: this.diagnostics };
  }

  private peek(): Token {
    if (this.look === null) this.look = this.lx.next();
    return this.look;
  }

  private take(): Token {
    const t = this.peek();
    this.look = null;
    return t;
  }

  private skipNl(): void {
    while (this.peek().k === 'nl') this.take();
  }

  private kw(t: Token): string | null {
    return t.k === 'word' ? bareWord(t) : null;
  }

  /** After a statement: `;`, newline, `}` or a terminator keyword may follow. */
  private endOfStatement(terms: Set<string>): void {
    const t = this.peek();
    if (t.k === 'semi' || t.k === 'nl') {
      this.take();
      return;
    }
    if (t.k === 'eof' || t.k === 'rbrace') return;
    const k = this.kw(t);
    if (k !== null && terms.has(k)) return;
    throw this.unexpected(t);
  }

  private unexpected(t: Token): ParseError {
    if (t.k === 'error') return new ParseError(`syntax error: ${t.message}`, t.line);
    const names: Record<string, string> = { nl: 'newline', semi: ';', lbrace: '{', rbrace: '}', eof: 'end of file' };
    const what = t.k === 'word' ? (bareWord(t) ?? 'word') : t.k === 'op' ? t.v : (names[t.k] ?? t.k);
    return new ParseError(`syntax error: unexpected ${JSON.stringify(what)}`, t.line);
  }

  /** Statements until one of `terms` (keywords, or '}' for blocks) at command position. */
  private list(terms: Set<string>): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (t.k === 'rbrace' && terms.has('}')) return out;
      const k = this.kw(t);
      if (k !== null && terms.has(k)) return out;
      if (t.k !== 'word' && t.k !== 'lbrace') throw this.unexpected(t);
      out.push(this.statement());
      this.endOfStatement(terms);
    }
  }

  private expectKw(k: string): void {
    const t = this.take();
    if (this.kw(t) !== k) throw this.unexpected(t);
  }

  private statement(): Stmt {
    if (++this.depth > this.maxDepth) throw new ParseError('nesting too deep', this.peek().line);
    try {
      return this.statementInner();
    } finally {
      this.depth--;
    }
  }

  private statementInner(): Stmt {
    const t = this.take();
    const line = t.line;
    if (t.k === 'lbrace') return { k: 'block', body: this.braceBody(), line };
    if (t.k !== 'word') throw this.unexpected(t);
    const k = bareWord(t);
    switch (k) {
      case 'if':
        return this.ifStmt(line);
      case 'function': {
        const n = this.take();
        const name = n.k === 'word' ? bareWord(n) : null;
        if (name === null || name === '') throw this.unexpected(n);
        this.skipNl();
        if (this.take().k !== 'lbrace') throw new ParseError('syntax error: "{" expected after function name', line);
        return { k: 'func', name, body: this.braceBody(), line };
      }
      case 'menuentry':
      case 'hiddenentry':
      case 'submenu': {
        const words = this.words();
        const b = this.take();
        if (b.k !== 'lbrace') throw this.unexpected(b);
        const start = this.lx.position;
        const srcLine = this.lx.currentLine;
        this.list(BRACE);
        const src = this.lx.slice(start, this.lx.position - 1);
        this.take();
        const hidden = k === 'hiddenentry';
        return { k: 'menu', sub: k === 'submenu', hidden, words, src, srcLine, origin: this.opts.origin, line };
      }
      case 'while':
      case 'until': {
        const cond = this.list(DO);
        this.expectKw('do');
        const body = this.list(DONE);
        this.expectKw('done');
        return { k: 'loop', until: k === 'until', cond, body, line };
      }
      case 'for':
        return this.forStmt(line);
      default:
        if (k !== null && KEYWORDS.has(k)) throw this.unexpected(t);
        return { k: 'cmd', words: this.words(t), line };
    }
  }

  private words(first?: Word): Word[] {
    const out: Word[] = first === undefined ? [] : [first];
    for (let t = this.peek(); t.k === 'word'; t = this.peek()) {
      out.push(t);
      this.look = null;
    }
    return out;
  }

  private braceBody(): Stmt[] {
    const body = this.list(BRACE);
    this.take();
    return body;
  }

  private ifStmt(line: number): Stmt {
    const arms: { cond: Stmt[]; body: Stmt[] }[] = [];
    let els: Stmt[] | null = null;
    for (;;) {
      const cond = this.list(THEN);
      this.expectKw('then');
      const body = this.list(BODY_END);
      arms.push({ cond, body });
      const end = this.kw(this.take());
      if (end === 'elif') continue;
      if (end === 'else') {
        els = this.list(FI);
        this.expectKw('fi');
      }
      return { k: 'if', arms, els, line };
    }
  }

  private forStmt(line: number): Stmt {
    const n = this.take();
    const name = n.k === 'word' ? bareWord(n) : null;
    if (name === null || name === '') throw this.unexpected(n);
    this.expectKw('in');
    const items = this.words();
    const sep = this.take();
    if (sep.k !== 'semi' && sep.k !== 'nl') throw this.unexpected(sep);
    this.skipNl();
    this.expectKw('do');
    const body = this.list(DONE);
    this.expectKw('done');
    return { k: 'for', name, items, body, line };
  }
}
