/**
 * The trampoline's bytes against the instructions we meant, read back by GNU objdump. objdump
 * missing is a failure, not a skip (install binutils).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAMPOLINE_MEMSZ, buildTrampoline } from '../../../../src/image/x86/trampoline.js';

type Line = { at: number; text: string; target: number | null };

function disassemble(bytes: Uint8Array): Line[] {
  const dir = mkdtempSync(join(tmpdir(), 'kx-tramp-'));
  try {
    const file = join(dir, 'tramp.bin');
    writeFileSync(file, bytes);
    const out = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', '-M', 'intel', file], { encoding: 'utf8' });
    const lines: Line[] = [];
    for (const l of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(l);
      if (m === null) continue;
      const [body, comment] = (m[2] as string).split('#');
      const t = comment === undefined ? null : Number.parseInt(comment.trim(), 16);
      lines.push({ at: Number.parseInt(m[1] as string, 16), text: (body as string).trim().replace(/\s+/g, ' '), target: t });
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const u64 = (b: Uint8Array, off: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

describe('x86_64 trampoline', () => {
  const BP = 0x7ffd0000n;
  const ENTRY = 0x13fe00200n;
  const bytes = buildTrampoline(BP, ENTRY);

  it('is position-independent code doing exactly: GDT, segments, far return to 0x10, rsi, jump', () => {
    const all = disassemble(bytes);
    const jmp = all.findIndex((l) => l.text.startsWith('jmp'));
    expect(jmp).toBeGreaterThan(0);
    const code = all.slice(0, jmp + 1);
    // Operands with RIP-relative displacements are compared with the displacement replaced by "X";
    // where each one lands is checked below from objdump's resolved target.
    expect(code.map((l) => l.text.replace(/rip\+0x[0-9a-f]+/, 'rip+X'))).toEqual([
      'cli',
      'lea rsp,[rip+X]',
      'lea rax,[rip+X]',
      'mov QWORD PTR [rip+X],rax',
      'lgdt [rip+X]',
      'mov eax,0x18',
      'mov ds,eax',
      'mov es,eax',
      'mov ss,eax',
      'mov fs,eax',
      'mov gs,eax',
      'push 0x10',
      'lea rax,[rip+X]',
      'push rax',
      'retfq',
      'mov rsi,QWORD PTR [rip+X]',
      'xor ebx,ebx',
      'jmp QWORD PTR [rip+X]',
    ]);
    const [, leaRsp, leaGdt, storeBase, lgdt, , , , , , , , leaRet, , retf, movRsi, , jmpEntry] = code as Line[];
    // the stack is the top of the trampoline's own page
    expect(leaRsp?.target).toBe(TRAMPOLINE_MEMSZ);
    // the far return lands on the instruction right after it
    expect(leaRet?.target).toBe(movRsi?.at);
    expect(retf).toBeDefined();
    // GDTR = {limit 0x1f, base = run-time address of the GDT}: the store goes into GDTR's base field
    const gdtr = lgdt?.target as number;
    expect(storeBase?.target).toBe(gdtr + 2);
    expect(bytes[gdtr]! | (bytes[gdtr + 1]! << 8)).toBe(0x1f);
    // the GDT: null, unused, 0x10 flat 64-bit code, 0x18 flat data (kexec-tools entry64.S values)
    const gdt = leaGdt?.target as number;
    expect([0, 8, 16, 24].map((o) => u64(bytes, gdt + o))).toEqual([0n, 0n, 0x00af9a000000ffffn, 0x00cf92000000ffffn]);
    // rsi and the jump read the two addresses stored as data
    expect(u64(bytes, movRsi?.target as number)).toBe(BP);
    expect(u64(bytes, jmpEntry?.target as number)).toBe(ENTRY);
  });

  it('fits in its page with room for the stack, and only the two addresses change with the inputs', () => {
    expect(bytes.length).toBeLessThanOrEqual(TRAMPOLINE_MEMSZ - 64);
    const other = buildTrampoline(0x3000n, 0x1000200n);
    const diff = [...bytes].flatMap((b, i) => (b === other[i] ? [] : [i]));
    const lines = disassemble(bytes);
    const rsiData = lines.find((l) => l.text.startsWith('mov rsi'))?.target as number;
    const entryData = lines.find((l) => l.text.startsWith('jmp'))?.target as number;
    expect(diff.every((i) => (i >= rsiData && i < rsiData + 8) || (i >= entryData && i < entryData + 8))).toBe(true);
  });
});
