/**
 * Matching for GRUB's `regexp` (gnulib regexec over a REG_EXTENDED pattern): the leftmost match,
 * and of those the longest, as POSIX requires. A Pike VM (Thompson NFA simulation with captures):
 * time bounded by string length × program size, so a hostile pattern cannot hang the evaluation.
 * Known difference from glibc: among submatch assignments that give the same overall match, the
 * first one in priority order (greedy, left alternative first) is kept, where glibc applies the
 * POSIX subexpression rules (e.g. `(a|ab)(bc|c)` on "abc": glibc sets \1 = "ab", we set "a").
 * Back-references are not evaluated (compileEre reports them).
 */
import { parseEre, type Assertion, type ByteSet, type EreNode } from './ere-parse.js';

type Instr =
  | { op: 'set'; set: ByteSet }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'save'; slot: number }
  | { op: 'assert'; a: Assertion }
  /** Remember the position in `slot` (loop entry); `progress` goes on only past it. */
  | { op: 'mark'; slot: number }
  | { op: 'progress'; slot: number }
  | { op: 'match' };

/** `slots`: capture slots (2 per group, group 0 included) then one per loop. */
export type Ere = { prog: Instr[]; groups: number; slots: number };
export type EreCompile = { ok: true; value: Ere } | { ok: false; message: string; unsupported: boolean };
/** Group k's [start, end) in the string, or null when it did not take part (index 0: the whole match). */
export type EreMatch = (string | null)[];

/** Largest program we run (glibc allows more: intervals up to 32767 copies). */
export const MAX_PROGRAM = 20_000;
/** Largest string length × program size we simulate. */
export const MAX_WORK = 50_000_000;

class TooBig extends Error {}

function compile(root: EreNode, firstLoopSlot: number): { prog: Instr[]; slots: number } {
  const prog: Instr[] = [];
  let slots = firstLoopSlot;
  const push = (ins: Instr): number => {
    if (prog.length >= MAX_PROGRAM) throw new TooBig();
    prog.push(ins);
    return prog.length - 1;
  };
  /** top: split body, out; mark; body; progress; jmp top — iterations that consume nothing end. */
  const loop = (body: EreNode): void => {
    const slot = slots++;
    const enter = { op: 'split' as const, x: prog.length + 1, y: -1 };
    const top = push(enter);
    push({ op: 'mark', slot });
    emit(body);
    push({ op: 'progress', slot });
    push({ op: 'jmp', x: top });
    enter.y = prog.length;
  };
  const emit = (n: EreNode): void => {
    switch (n.t) {
      case 'set':
        push({ op: 'set', set: n.set });
        return;
      case 'assert':
        push({ op: 'assert', a: n.a });
        return;
      case 'backref':
        throw new Error('backref');
      case 'group':
        push({ op: 'save', slot: 2 * n.n });
        emit(n.body);
        push({ op: 'save', slot: 2 * n.n + 1 });
        return;
      case 'cat':
        for (const it of n.items) emit(it);
        return;
      case 'alt': {
        const jumps: Instr[] = [];
        n.items.forEach((it, k) => {
          const last = k === n.items.length - 1;
          const split = last ? null : { op: 'split' as const, x: prog.length + 1, y: -1 };
          if (split !== null) push(split);
          emit(it);
          if (!last) {
            const j = { op: 'jmp' as const, x: -1 };
            push(j);
            jumps.push(j);
          }
          if (split !== null) split.y = prog.length;
        });
        for (const j of jumps) if (j.op === 'jmp') j.x = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) emit(n.body);
        if (n.max === Infinity) {
          // With no mandatory copy, a first iteration may match nothing (`(a*)*` on "b" sets \1 to
          // "", as glibc does); any later iteration must consume something or it is dropped (so
          // `(a*)+` on "aa" keeps \1 = "aa").
          if (n.min === 0) {
            const first = { op: 'split' as const, x: prog.length + 1, y: -1 };
            push(first);
            emit(n.body);
            loop(n.body);
            first.y = prog.length;
          } else loop(n.body);
          return;
        }
        const splits: { op: 'split'; x: number; y: number }[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = { op: 'split' as const, x: prog.length + 1, y: -1 };
          push(split);
          splits.push(split);
          emit(n.body);
        }
        for (const s of splits) s.y = prog.length;
        return;
      }
    }
  };
  emit(root);
  push({ op: 'match' });
  return { prog, slots };
}

const hasBackref = (n: EreNode): boolean =>
  n.t === 'backref' || ((n.t === 'group' || n.t === 'rep') && hasBackref(n.body)) || ((n.t === 'cat' || n.t === 'alt') && n.items.some(hasBackref));

/** Compiles a pattern; on failure `message` is glibc's regerror() text or why we cannot run it. */
export function compileEre(pattern: string): EreCompile {
  try {
    return compilePattern(pattern);
  } catch (e) {
    // Parser and compiler recurse per nesting level: a hostile pattern can exhaust the stack.
    if (e instanceof RangeError) return { ok: false, message: 'pattern nested too deeply to evaluate', unsupported: true };
    throw e;
  }
}

function compilePattern(pattern: string): EreCompile {
  const tree = parseEre(pattern);
  if (!tree.ok) return { ok: false, message: tree.message, unsupported: false };
  if (hasBackref(tree.value.root)) return { ok: false, message: 'back-references (\\1-\\9) are not evaluated', unsupported: true };
  try {
    const { prog, slots } = compile(tree.value.root, 2 * (tree.value.groups + 1));
    return { ok: true, value: { prog, groups: tree.value.groups, slots } };
  } catch (e) {
    if (e instanceof TooBig) return { ok: false, message: `pattern too large to evaluate (over ${MAX_PROGRAM} steps)`, unsupported: true };
    throw e;
  }
}

const inSet = (s: ByteSet, b: number): boolean => s.ranges.some(([lo, hi]) => b >= lo && b <= hi) !== s.neg;
const isWord = (b: number | undefined): boolean => b !== undefined && (b === 95 || (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122));

function holds(a: Assertion, s: Uint8Array, pos: number): boolean {
  const w0 = isWord(s[pos - 1]);
  const w1 = isWord(s[pos]);
  switch (a) {
    case 'bol':
    case 'bufbeg':
      return pos === 0;
    case 'eol':
    case 'bufend':
      return pos === s.length;
    case 'word':
      return w0 !== w1;
    case 'notword':
      return w0 === w1;
    case 'wordbeg':
      return !w0 && w1;
    case 'wordend':
      return w0 && !w1;
  }
}

type Thread = { pc: number; caps: number[] };
type List = { threads: Thread[]; seen: Set<number> };

/** Runs a compiled pattern; null when it does not match, or when the work bound is exceeded (`tooLong`). */
export function execEre(re: Ere, text: string): { match: EreMatch | null; tooLong: boolean } {
  const s = new TextEncoder().encode(text);
  if ((s.length + 1) * re.prog.length > MAX_WORK) return { match: null, tooLong: true };
  const slots = re.slots;
  const add = (list: List, pc0: number, caps0: number[], pos: number): void => {
    const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
    for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
      if (list.seen.has(t.pc)) continue;
      list.seen.add(t.pc);
      const ins = re.prog[t.pc] as Instr;
      if (ins.op === 'jmp') stack.push({ pc: ins.x, caps: t.caps });
      else if (ins.op === 'split') stack.push({ pc: ins.y, caps: t.caps }, { pc: ins.x, caps: t.caps });
      else if (ins.op === 'save' || ins.op === 'mark') {
        const caps = [...t.caps];
        caps[ins.slot] = pos;
        stack.push({ pc: t.pc + 1, caps });
      } else if (ins.op === 'progress') {
        if (pos > (t.caps[ins.slot] as number)) stack.push({ pc: t.pc + 1, caps: t.caps });
      } else if (ins.op === 'assert') {
        if (holds(ins.a, s, pos)) stack.push({ pc: t.pc + 1, caps: t.caps });
      } else list.threads.push(t);
    }
  };
  let best: number[] | null = null;
  let list: List = { threads: [], seen: new Set() };
  for (let pos = 0; pos <= s.length; pos++) {
    if (best === null) {
      const caps = new Array<number>(slots).fill(-1);
      caps[0] = pos;
      add(list, 0, caps, pos);
    }
    const next: List = { threads: [], seen: new Set() };
    for (const t of list.threads) {
      const start = t.caps[0] as number;
      if (best !== null && start > (best[0] as number)) continue;
      const ins = re.prog[t.pc] as Instr;
      if (ins.op === 'match') {
        if (best === null || start < (best[0] as number) || pos > (best[1] as number)) best = Object.assign([...t.caps], { 1: pos });
      } else if (ins.op === 'set' && pos < s.length && inSet(ins.set, s[pos] as number)) add(next, t.pc + 1, t.caps, pos + 1);
    }
    list = next;
    if (best !== null && list.threads.length === 0) break;
  }
  if (best === null) return { match: null, tooLong: false };
  const dec = new TextDecoder();
  const out: EreMatch = [];
  for (let g = 0; g <= re.groups; g++) {
    const a = best[2 * g] as number;
    const b = best[2 * g + 1] as number;
    out.push(a < 0 || b < 0 ? null : dec.decode(s.subarray(a, b)));
  }
  return { match: out, tooLong: false };
}
