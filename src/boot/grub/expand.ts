/**
 * GRUB word expansion: variables substituted, quotes removed, unquoted expansions split on
 * blanks, empty unquoted expansions dropped.
 */
import type { Word } from './lexer.js';
import { LimitError, MAX_VALUE } from './limits.js';

export type Lookup = (name: string) => string | undefined;

const SPLIT = /[ \t\n]+/;

export function expandWords(words: readonly Word[], lookup: Lookup): string[] {
  const out: string[] = [];
  for (const w of words) expandWord(w, lookup, out);
  return out;
}

/** Appends the fields of one word to `out`. */
export function expandWord(w: Word, lookup: Lookup, out: string[]): void {
  if (w.plain !== null) {
    out.push(w.plain);
    return;
  }
  let cur: string | null = null;
  for (const p of w.parts) {
    if (p.t === 'lit') {
      cur = check((cur ?? '') + p.v);
      continue;
    }
    const v = lookup(p.name) ?? '';
    if (p.q) {
      cur = check((cur ?? '') + v);
      continue;
    }
    if (v === '') continue;
    const pieces = v.split(SPLIT);
    // A leading blank ends the field built so far; a trailing one starts a new (pending) field.
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i > 0 && cur !== null) {
        out.push(cur);
        cur = null;
      }
      if (piece !== '') cur = check((cur ?? '') + piece);
    }
    if (/[ \t\n]$/.test(v) && cur !== null) {
      out.push(cur);
      cur = null;
    }
  }
  if (cur !== null) out.push(cur);
}

function check(s: string): string {
  if (s.length > MAX_VALUE) throw new LimitError(`expanded word longer than ${MAX_VALUE} bytes`);
  return s;
}

/** The text of a word with variables expanded but no splitting (for diagnostics and ids). */
export function wordText(w: Word, lookup: Lookup): string {
  if (w.plain !== null) return w.plain;
  return w.parts.map((p) => (p.t === 'lit' ? p.v : (lookup(p.name) ?? ''))).join('');
}
