import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyAll, createDumpDir, dumpDirName } from '../../../src/kdump/save.js';
import { saveDump } from '../../../src/kdump/save-dump.js';
import { buildCore } from './synthetic-core.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdump-save-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dump directory', () => {
  it('is named <host>-<YYYY-MM-DD-HH:MM:SS> in local time', () => {
    expect(dumpDirName('web1', new Date(2024, 0, 5, 7, 8, 9))).toBe('web1-2024-01-05-07:08:09');
    expect(dumpDirName('a/b c', new Date(2024, 11, 31, 23, 59, 0))).toBe('a_b_c-2024-12-31-23:59:00');
  });
  it('never reuses an existing directory', () => {
    const a = createDumpDir(dir, 'h-2024-01-01-00:00:00');
    writeFileSync(join(a, 'vmcore'), 'first');
    const b = createDumpDir(dir, 'h-2024-01-01-00:00:00');
    expect(b).not.toBe(a);
    expect(b.endsWith('.1')).toBe(true);
    expect(readFileSync(join(a, 'vmcore'), 'utf8')).toBe('first');
  });
});

describe('copy on a full disk', () => {
  it('reports ENOSPC with the bytes written so far', () => {
    const src = join(dir, 'src');
    writeFileSync(src, Buffer.alloc(100000, 1));
    const inFd = openSync(src, 'r');
    const outFd = openSync('/dev/full', 'w');
    try {
      const r = copyAll(inFd, outFd, 4096);
      expect(r.error?.code).toBe('ENOSPC');
      expect(r.bytes).toBe(0);
    } finally {
      closeSync(inFd);
      closeSync(outFd);
    }
  });
  it('keeps the partial dump named vmcore-incomplete and logs why', async () => {
    const core = join(dir, 'vmcore-src');
    writeFileSync(core, buildCore({ records: [{ text: 'hello', tsNsec: 0n }] }));
    const lines: string[] = [];
    const r = await saveDump({
      collector: null,
      run: async () => 99,
      vmcore: core,
      dir: join(dir, 'crash'),
      host: 'h',
      now: new Date(),
      log: (l) => lines.push(l),
      openOutput: (p) => {
        closeSync(openSync(p, 'wx', 0o600));
        return openSync('/dev/full', 'w');
      },
    });
    expect(r.complete).toBe(false);
    expect(r.error).toBe('ENOSPC (No space left on device)');
    expect(r.vmcoreFile.endsWith('/vmcore-incomplete')).toBe(true);
    expect(existsSync(r.vmcoreFile)).toBe(true);
    expect(readdirSync(r.dumpDir).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
    expect(lines.join('\n')).toMatch(/copy stopped after 0 bytes: ENOSPC .* keeping the partial dump/);
  });
  it('copies a complete core byte for byte, with small chunks', async () => {
    const core = join(dir, 'vmcore-src');
    writeFileSync(core, buildCore({ records: [{ text: 'hello', tsNsec: 0n }] }));
    const r = await saveDump({
      collector: null,
      run: async () => 99,
      vmcore: core,
      dir: join(dir, 'crash'),
      host: 'h',
      now: new Date(),
      log: () => undefined,
      chunkSize: 1000,
    });
    expect(r.complete).toBe(true);
    expect(r.bytes).toBe(statSync(core).size);
    expect(readFileSync(r.vmcoreFile).equals(readFileSync(core))).toBe(true);
    expect(statSync(r.vmcoreFile).mode & 0o777).toBe(0o600);
    expect(r.dmesgOk).toBe(true);
  });
});
