import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyStream, createDumpDir, dumpDirName } from '../../../src/kdump/save.js';
import { saveDump } from '../../../src/kdump/save-dump.js';
import { buildCore } from './synthetic-core.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdump-save-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A save of `core` into <tmp>/crash with our own copy (no collector). */
const plainSave = (core: string) => ({ collector: null, run: async () => 99, vmcore: core, dir: join(dir, 'crash'), host: 'h', now: new Date() });

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
  it('reports ENOSPC with the bytes written so far', async () => {
    const src = join(dir, 'src');
    writeFileSync(src, Buffer.alloc(100000, 1));
    const inFd = openSync(src, 'r');
    const outFd = openSync('/dev/full', 'w');
    try {
      const r = await copyStream(inFd, outFd, { chunk: 4096, syncEvery: 0 });
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
      ...plainSave(core),
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
      ...plainSave(core),
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

describe('copy stopped by a signal', () => {
  it('stops before the next chunk once the signal is aborted, with the bytes written so far', async () => {
    const src = join(dir, 'src');
    writeFileSync(src, Buffer.alloc(100000, 7));
    const inFd = openSync(src, 'r');
    const outFd = openSync(join(dir, 'out'), 'w');
    const ac = new AbortController();
    try {
      // Queued before the copy's first turn: runs right after the first chunk, as a signal handler would.
      setImmediate(() => ac.abort('SIGTERM'));
      const r = await copyStream(inFd, outFd, { chunk: 4096, syncEvery: 8192, signal: ac.signal });
      expect(r).toEqual({ bytes: 4096, interrupted: 'SIGTERM' });
      expect(statSync(join(dir, 'out')).size).toBe(4096);
    } finally {
      closeSync(inFd);
      closeSync(outFd);
    }
  });
  it('a save aborted mid-copy keeps vmcore-incomplete and never renames it to vmcore', async () => {
    const core = join(dir, 'vmcore-src');
    writeFileSync(core, Buffer.concat([buildCore({ records: [{ text: 'hello', tsNsec: 0n }] }), Buffer.alloc(50000)]));
    const ac = new AbortController();
    const r = await saveDump({
      ...plainSave(core),
      log: (l) => {
        if (l.startsWith('saving ')) setImmediate(() => ac.abort('SIGTERM'));
      },
      chunkSize: 1000,
      signal: ac.signal,
    });
    expect(r).toMatchObject({ complete: false, interrupted: 'SIGTERM', bytes: 1000 });
    expect(readdirSync(r.dumpDir).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
    expect(statSync(join(r.dumpDir, 'vmcore-incomplete')).size).toBe(1000);
  });
  it('a collector that ends after the signal keeps its output as vmcore-incomplete, even with status 0', async () => {
    const core = join(dir, 'vmcore-src');
    writeFileSync(core, buildCore({ records: [{ text: 'hello', tsNsec: 0n }] }));
    const ac = new AbortController();
    const r = await saveDump({
      collector: ['makedumpfile', '-l'],
      run: async (argv) => {
        writeFileSync(argv[argv.length - 1] ?? '', 'KDUMP   whole?');
        ac.abort('SIGTERM');
        return 0;
      },
      vmcore: core,
      dir: join(dir, 'crash'),
      host: 'h',
      now: new Date(),
      log: () => undefined,
      signal: ac.signal,
    });
    expect(r).toMatchObject({ complete: false, interrupted: 'SIGTERM' });
    expect(readdirSync(r.dumpDir).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
  });
});
