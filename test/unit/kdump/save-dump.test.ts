import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFit, saveDump, type Runner } from '../../../src/kdump/save-dump.js';
import { dumpsToPrune } from '../../../src/kdump/prune.js';
import { buildCore } from './synthetic-core.js';

let dir: string;
let core: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdump-savedump-'));
  core = join(dir, 'vmcore-src');
  writeFileSync(core, buildCore({ records: [{ text: 'sysrq: Trigger a crash', tsNsec: 5n }] }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ({ vmcore: core, dir: join(dir, 'crash'), host: 'h', now: new Date(2026, 0, 2, 3, 4, 5), log: () => undefined });

describe('saveDump with a core collector', () => {
  it('runs argv + <vmcore> <dir>/vmcore-incomplete after the dmesg is written, then renames to vmcore', async () => {
    const calls: string[][] = [];
    let dmesgFirst = false;
    const run: Runner = async (argv) => {
      calls.push([...argv]);
      const out = argv[argv.length - 1] ?? '';
      dmesgFirst = existsSync(join(out, '..', 'vmcore-dmesg.txt'));
      writeFileSync(out, 'KDUMP   filtered');
      return 0;
    };
    const r = await saveDump({ ...base(), collector: ['/usr/sbin/makedumpfile', '-l', '-d', '31'], run });
    const d = join(dir, 'crash', 'h-2026-01-02-03:04:05');
    expect(calls).toEqual([['/usr/sbin/makedumpfile', '-l', '-d', '31', core, join(d, 'vmcore-incomplete')]]);
    expect(dmesgFirst).toBe(true);
    expect(r.complete).toBe(true);
    expect(r.filtered).toBe(true);
    expect(r.bytes).toBe(16);
    expect(readdirSync(d).sort()).toEqual(['vmcore', 'vmcore-dmesg.txt']);
    expect(readFileSync(join(d, 'vmcore-dmesg.txt'), 'utf8')).toMatch(/sysrq: Trigger a crash/);
  });
  it('a failing collector leaves vmcore-incomplete and says why', async () => {
    const lines: string[] = [];
    const run: Runner = async (argv) => {
      writeFileSync(argv[argv.length - 1] ?? '', 'part');
      return 3;
    };
    const r = await saveDump({ ...base(), log: (l) => lines.push(l), collector: ['makedumpfile'], run });
    expect(r.complete).toBe(false);
    expect(r.error).toBe('makedumpfile exited with status 3');
    expect(readdirSync(r.dumpDir).sort()).toEqual(['vmcore-dmesg.txt', 'vmcore-incomplete']);
    expect(lines.join('\n')).toMatch(/collector stopped after 4 bytes: makedumpfile exited with status 3; keeping the partial dump/);
  });
  it('logs that a full copy will not fit before copying', async () => {
    const lines: string[] = [];
    const r = await saveDump({ ...base(), log: (l) => lines.push(l), collector: null, run: async () => 99, freeBytes: () => 10 });
    expect(r.fit.fits).toBe(false);
    expect(lines.join('\n')).toMatch(/the dump will not fit: the vmcore is \d+ MiB and only 0 MiB is free/);
  });
  it('skips the dmesg when KDUMP_DUMP_DMESG=0', async () => {
    const r = await saveDump({ ...base(), collector: null, run: async () => 99, dmesg: false });
    expect(readdirSync(r.dumpDir)).toEqual(['vmcore']);
  });
  it('KDUMP_NUM_DUMPS: keeps the newest N, never the one just written', async () => {
    for (const n of ['h-2025-01-01-00:00:00', 'h-2025-06-01-00:00:00', 'other-2025-03-01-00:00:00', 'not-a-dump'])
      mkdirSync(join(dir, 'crash', n), { recursive: true });
    const r = await saveDump({ ...base(), collector: null, run: async () => 99, numDumps: 2 });
    expect(r.pruned).toEqual(['h-2025-01-01-00:00:00', 'other-2025-03-01-00:00:00']);
    expect(readdirSync(join(dir, 'crash')).sort()).toEqual(['h-2025-06-01-00:00:00', 'h-2026-01-02-03:04:05', 'not-a-dump']);
  });
});

describe('estimate and pruning (pure)', () => {
  it('checkFit', () => {
    expect(checkFit(100, 200, false).fits).toBe(true);
    expect(checkFit(300 * 1048576, 100 * 1048576, true).message).toMatch(/only 100 MiB free for a 300 MiB vmcore: .*counting on the collector's filtering/);
    expect(checkFit(1, null, false).fits).toBeNull();
  });
  it('orders by date then .N suffix', () => {
    expect(dumpsToPrune(['a-2025-01-01-00:00:00.1', 'b-2025-01-01-00:00:00', 'c-2024-12-31-23:59:59', 'x'], 1, 'zzz')).toEqual([
      'c-2024-12-31-23:59:59',
      'b-2025-01-01-00:00:00',
    ]);
    expect(dumpsToPrune(['a-2025-01-01-00:00:00'], 0, '')).toEqual([]);
  });
});
