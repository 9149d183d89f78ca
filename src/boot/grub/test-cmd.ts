/** GRUB's `test` / `[`: string, integer and file tests; `[ ]` with no operands is true. */
import { parseGrubNumber } from './number.js';

export type FileProbe = (op: 'e' | 'f' | 'd' | 's', name: string) => boolean;

const UNARY = new Set(['-n', '-z', '-e', '-f', '-d', '-s']);
const BINARY = new Set(['=', '==', '!=', '<', '<=', '>', '>=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-pgt', '-plt', '-nt', '-ot']);

function num(s: string): number {
  const n = parseGrubNumber(s);
  return n.digits ? n.value : 0;
}

/** Integer with a non-numeric prefix skipped (GRUB's -pgt/-plt compare e.g. "vmlinuz-5" parts). */
function pnum(s: string): number {
  const m = /[0-9].*$/s.exec(s);
  return m ? num(m[0]) : 0;
}

function binary(op: string, a: string, b: string): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '-eq':
      return num(a) === num(b);
    case '-ne':
      return num(a) !== num(b);
    case '-lt':
      return num(a) < num(b);
    case '-le':
      return num(a) <= num(b);
    case '-gt':
      return num(a) > num(b);
    case '-ge':
      return num(a) >= num(b);
    case '-pgt':
      return pnum(a) > pnum(b);
    case '-plt':
      return pnum(a) < pnum(b);
    default:
      // -nt / -ot need modification times GRUB reads from the file system; we have none.
      return false;
  }
}

export function evalTest(args: readonly string[], probe: FileProbe): boolean {
  if (args.length === 0) return true;
  let i = 0;
  const peek = (): string | undefined => args[i];
  const or = (): boolean => {
    let v = and();
    while (peek() === '-o') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    for (let p = peek(); p !== undefined && p !== '-o' && p !== ')'; p = peek()) {
      if (p === '-a') i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const not = (): boolean => {
    if (peek() === '!' && i + 1 < args.length) {
      i++;
      return !not();
    }
    return primary();
  };
  const primary = (): boolean => {
    const a = args[i++] ?? '';
    if (a === '(' && i < args.length) {
      const v = or();
      if (peek() === ')') i++;
      return v;
    }
    const b = args[i];
    if (b !== undefined && BINARY.has(b) && i + 1 < args.length) {
      i += 2;
      return binary(b, a, args[i - 1] as string);
    }
    if (UNARY.has(a) && b !== undefined) {
      i++;
      if (a === '-n') return b !== '';
      if (a === '-z') return b === '';
      return probe(a.slice(1) as 'e' | 'f' | 'd' | 's', b);
    }
    return a !== '';
  };
  return or();
}
