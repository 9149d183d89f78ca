/** Token and word shapes of the GRUB script lexer, and small helpers over them. */

/** One piece of a word: literal text or a variable reference, quoted or not. */
export type WordPart = { t: 'lit'; v: string; q: boolean } | { t: 'var'; name: string; q: boolean };

/**
 * A word token. `plain` holds the text of a word made only of unquoted literal characters (the
 * common case, kept allocation-light); otherwise it is null and `parts` describes the word.
 */
export type Word = { k: 'word'; line: number; plain: string | null; parts: readonly WordPart[] };

export const NO_PARTS: readonly WordPart[] = Object.freeze([]);

export type Token =
  | Word
  | { k: 'nl'; line: number }
  | { k: 'semi'; line: number }
  | { k: 'lbrace'; line: number }
  | { k: 'rbrace'; line: number }
  | { k: 'op'; v: string; line: number }
  | { k: 'error'; message: string; line: number }
  | { k: 'eof'; line: number };

export type LexOptions = {
  /** Line number of the first line (for bodies parsed on their own later). */
  firstLine?: number;
  /** Red Hat GRUB keeps `\xNN` escapes verbatim (upstream drops the backslash). */
  keepHexEscapes?: boolean;
};

export function flushLit(parts: WordPart[] | null, lit: string): WordPart[] {
  const out = parts ?? [];
  if (lit !== '') out.push({ t: 'lit', v: lit, q: false });
  return out;
}

/** The literal text of a word if it has no variables and no quotes (keywords are only recognised so). */
export function bareWord(w: Word): string | null {
  return w.plain;
}

/** A word from literal text (for generated scripts and tests). */
export function plainWord(text: string, line = 0): Word {
  return { k: 'word', line, plain: text, parts: NO_PARTS };
}
