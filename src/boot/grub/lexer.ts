/**
 * GRUB 2 script tokenizer (our own reading of GRUB's lexer rules, see docs/grub-semantics.md).
 * Pull-based so a 10 MB file never becomes one huge token array.
 */

import { NO_PARTS, flushLit, type LexOptions, type Token, type WordPart } from './tokens.js';

export { bareWord, plainWord, type LexOptions, type Token, type Word, type WordPart } from './tokens.js';

const BLANK = new Set([' ', '\t', '\f', '\v']);
/** Runs of characters that are literal inside an unquoted word / inside double quotes. */
const DPLAIN = /[^"\\$\n]+/y;
const PLAIN = /[^ \t\f\v\n;{}&|<>'"\\$]+/y;
const OPS = new Set(['&', '|', '<', '>']);
const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNameChar = (c: string): boolean => isNameStart(c) || (c >= '0' && c <= '9');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /[0-9A-Fa-f]/.test(c);

export class Lexer {
  private pos = 0;
  private line = 1;
  private readonly src: string;

  constructor(
    text: string,
    private readonly opts: LexOptions = {},
  ) {
    // GRUB's line reader skips every carriage return.
    this.src = text.includes('\r') ? text.replace(/\r/g, '') : text;
    this.line = opts.firstLine ?? 1;
  }

  get currentLine(): number {
    return this.line;
  }

  /** Offset of the next character to read, and the text (for recording block sources). */
  get position(): number {
    return this.pos;
  }

  slice(start: number, end: number): string {
    return this.src.slice(start, end);
  }

  /** Skip to just after the next newline (error recovery). */
  skipLine(): void {
    const i = this.src.indexOf('\n', this.pos);
    if (i < 0) this.pos = this.src.length;
    else {
      this.pos = i + 1;
      this.line++;
    }
  }

  next(): Token {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) return { k: 'eof', line: this.line };
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
        this.pos++;
        continue;
      }
      if (c === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2;
        this.line++;
        continue;
      }
      if (c === '#') {
        const i = s.indexOf('\n', this.pos);
        this.pos = i < 0 ? s.length : i;
        continue;
      }
      break;
    }
    const c = s[this.pos] as string;
    const line = this.line;
    if (c === '\n') {
      this.pos++;
      this.line++;
      return { k: 'nl', line };
    }
    if (c === ';') {
      this.pos++;
      return { k: 'semi', line };
    }
    if (c === '{') {
      this.pos++;
      return { k: 'lbrace', line };
    }
    if (c === '}') {
      this.pos++;
      return { k: 'rbrace', line };
    }
    if (OPS.has(c)) {
      this.pos++;
      return { k: 'op', v: c, line };
    }
    return this.word(line);
  }

  private word(line: number): Token {
    const s = this.src;
    let parts: WordPart[] | null = null;
    let lit = '';
    for (;;) {
      PLAIN.lastIndex = this.pos;
      if (PLAIN.test(s)) {
        lit += s.slice(this.pos, PLAIN.lastIndex);
        this.pos = PLAIN.lastIndex;
      }
      const c = s[this.pos];
      if (c === undefined || c === '\n' || c === ';' || c === '{' || c === '}' || BLANK.has(c) || OPS.has(c)) break;
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === undefined) {
          this.pos++;
          break;
        }
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        if (n === 'x' && this.opts.keepHexEscapes && isHex(s[this.pos + 2]) && isHex(s[this.pos + 3])) {
          lit += s.slice(this.pos, this.pos + 4);
          this.pos += 4;
          continue;
        }
        lit += n;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) return this.fail(line, 'unterminated single quote');
        parts = flushLit(parts, lit);
        lit = '';
        const v = s.slice(this.pos + 1, end);
        this.countLines(v);
        parts.push({ t: 'lit', v, q: true });
        this.pos = end + 1;
        continue;
      }
      if (c === '"') {
        parts = flushLit(parts, lit);
        lit = '';
        const err = this.dquote(parts);
        if (err !== null) return this.fail(line, err);
        continue;
      }
      if (c === '$') {
        const ref = this.varRef();
        if (ref === undefined) return this.fail(line, 'unterminated ${');
        if (ref === null) {
          lit += '$';
          this.pos++;
          continue;
        }
        parts = flushLit(parts, lit);
        lit = '';
        parts.push({ t: 'var', name: ref, q: false });
        continue;
      }
      lit += c;
      this.pos++;
    }
    if (parts === null) return { k: 'word', line, plain: lit, parts: NO_PARTS };
    return { k: 'word', line, plain: null, parts: flushLit(parts, lit) };
  }

  private fail(line: number, message: string): Token {
    // Consume the rest of the input: GRUB cannot resynchronise inside an open quote.
    this.countLines(this.src.slice(this.pos));
    this.pos = this.src.length;
    return { k: 'error', message, line };
  }

  private countLines(v: string): void {
    for (let i = v.indexOf('\n'); i >= 0; i = v.indexOf('\n', i + 1)) this.line++;
  }

  /** Parses "..." starting at the opening quote; returns an error message or null. */
  private dquote(parts: WordPart[]): string | null {
    const s = this.src;
    this.pos++;
    let lit = '';
    for (;;) {
      DPLAIN.lastIndex = this.pos;
      if (DPLAIN.test(s)) {
        lit += s.slice(this.pos, DPLAIN.lastIndex);
        this.pos = DPLAIN.lastIndex;
      }
      const c = s[this.pos];
      if (c === undefined) return 'unterminated double quote';
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        if (n === '\\' || n === '"' || n === '$') {
          lit += n;
          this.pos += 2;
          continue;
        }
        lit += c;
        this.pos++;
        continue;
      }
      if (c === '$') {
        const ref = this.varRef();
        if (ref === undefined) return 'unterminated ${';
        if (ref !== null) {
          parts.push({ t: 'lit', v: lit, q: true });
          lit = '';
          parts.push({ t: 'var', name: ref, q: true });
          continue;
        }
      }
      if (c === '\n') this.line++;
      lit += c;
      this.pos++;
    }
    parts.push({ t: 'lit', v: lit, q: true });
    return null;
  }

  /** At a '$': returns the variable name and advances, null if not a reference, undefined on error. */
  private varRef(): string | null | undefined {
    const s = this.src;
    const n = s[this.pos + 1];
    if (n === undefined) return null;
    if (n === '{') {
      const end = s.indexOf('}', this.pos + 2);
      if (end < 0) return undefined;
      const name = s.slice(this.pos + 2, end);
      this.countLines(name);
      this.pos = end + 1;
      return name;
    }
    if (n === '?' || n === '#' || n === '*' || n === '@') {
      this.pos += 2;
      return n;
    }
    let i = this.pos + 1;
    if (isDigit(n)) {
      while (i < s.length && isDigit(s[i] as string)) i++;
    } else if (isNameStart(n)) {
      while (i < s.length && isNameChar(s[i] as string)) i++;
    } else {
      return null;
    }
    const name = s.slice(this.pos + 1, i);
    this.pos = i;
    return name;
  }
}
