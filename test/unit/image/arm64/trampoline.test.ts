/**
 * The arm64 trampoline's bytes against the instructions we meant, read back by a real AArch64
 * disassembler: GNU aarch64-linux-gnu-objdump (Debian's binutils-aarch64-linux-gnu, installed by
 * scripts/setup.sh), or LLVM's llvm-mc where only LLVM is there. Neither present is a failure,
 * not a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARM64_TRAMPOLINE_LAYOUT, buildArm64Trampoline } from '../../../../src/image/arm64/trampoline.js';

/** One instruction: its offset and its text with a PC-relative literal written as an absolute offset. */
type Line = { at: number; text: string };

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function withGnu(code: Uint8Array): Line[] {
  const dir = mkdtempSync(join(tmpdir(), 'kx-a64-'));
  try {
    const file = join(dir, 'tramp.bin');
    writeFileSync(file, code);
    const out = execFileSync('aarch64-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 'aarch64', file], { encoding: 'utf8' });
    return out.split('\n').flatMap((l) => {
      const m = /^\s*([0-9a-f]+):\t[0-9a-f]{8}\s+\t?(.*)$/.exec(l);
      if (m === null) return [];
      const text = (m[2] as string)
        .replace(/\s*\/\/.*$/, '')
        .trim()
        .replace(/\s+/g, ' ');
      return [{ at: Number.parseInt(m[1] as string, 16), text }];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withLlvm(code: Uint8Array): Line[] {
  const hexBytes = [...code].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
  const out = execFileSync(has('llvm-mc') ? 'llvm-mc' : 'llvm-mc-14', ['--disassemble', '-triple=aarch64'], { input: hexBytes, encoding: 'utf8' });
  const insns = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('.'));
  return insns.map((raw, i) => {
    const text = raw.replace(/\s+/g, ' ');
    // llvm-mc prints a literal's offset relative to the instruction: make it absolute like objdump.
    const m = /^(ldr \w+), #(-?\d+)$/.exec(text);
    return { at: i * 4, text: m === null ? text : `${m[1]}, 0x${(i * 4 + Number(m[2])).toString(16)}` };
  });
}

function disassemble(code: Uint8Array): Line[] {
  if (has('aarch64-linux-gnu-objdump')) return withGnu(code);
  if (has('llvm-mc') || has('llvm-mc-14')) return withLlvm(code);
  throw new Error('no AArch64 disassembler: apt-get install binutils-aarch64-linux-gnu (scripts/setup.sh does)');
}

const u64 = (b: Uint8Array, off: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

describe('arm64 trampoline', () => {
  const ENTRY = 0x4020_0000n;
  const DTB = 0xbfe0_0000n;
  const bytes = buildArm64Trampoline(ENTRY, DTB);

  it('loads the entry and x0 = DTB from its data words, zeroes x1..x3 and branches to the entry', () => {
    const code = disassemble(bytes.subarray(0, ARM64_TRAMPOLINE_LAYOUT.kernelEntry));
    expect(code.map((l) => `${l.at.toString(16)}: ${l.text}`)).toEqual([
      '0: ldr x4, 0x18',
      '4: ldr x0, 0x20',
      '8: mov x1, xzr',
      'c: mov x2, xzr',
      '10: mov x3, xzr',
      '14: br x4',
    ]);
  });

  it('holds the two addresses at the offsets the literals read', () => {
    expect(ARM64_TRAMPOLINE_LAYOUT).toEqual({ kernelEntry: 0x18, dtb: 0x20, size: 0x28 });
    expect(bytes.length).toBe(0x28);
    expect(u64(bytes, 0x18)).toBe(ENTRY);
    expect(u64(bytes, 0x20)).toBe(DTB);
  });

  it('has no address inside the code: other addresses change only the data words', () => {
    const other = buildArm64Trampoline(0x8_0000_0000n, 0x9_0000_0000n);
    expect(other.subarray(0, 0x18)).toEqual(bytes.subarray(0, 0x18));
    expect(u64(other, 0x18)).toBe(0x8_0000_0000n);
  });
});
