import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archFromNode, SYSCALL_NUMBERS } from '../../../src/sys/constants.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('the koffi binding boundary', () => {
  it('only src/sys/koffi-kernel.ts mentions koffi as a module', () => {
    const importers = walk('src').filter((f) => /from ['"]koffi['"]|require\(['"]koffi['"]\)|import\(['"]koffi['"]\)/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual(['src/sys/koffi-kernel.ts']);
  });
  it('is reached only through a dynamic import in get-kernel.ts', () => {
    const users = walk('src').filter(
      (f) => f !== 'src/sys/koffi-kernel.ts' && /(from|import\()\s*['"][./]*(sys\/)?koffi-kernel(\.js)?['"]/.test(readFileSync(f, 'utf8')),
    );
    expect(users).toEqual(['src/sys/get-kernel.ts']);
    expect(readFileSync('src/sys/get-kernel.ts', 'utf8')).toMatch(/await import\('\.\/koffi-kernel\.js'\)/);
  });
  it('has syscall numbers for x86_64 and aarch64 only (ENOSYS elsewhere)', () => {
    expect(SYSCALL_NUMBERS.x86_64.kexec_file_load).toBe(320);
    expect(SYSCALL_NUMBERS.aarch64.kexec_file_load).toBe(294);
    expect(archFromNode('riscv64')).toBeNull();
  });
});
