import { describe, expect, it } from 'vitest';
import { bufferSource, parseElfCore, vmcoreinfoText } from '../../../src/kdump/elf-core.js';
import { extractDmesg, formatDmesg } from '../../../src/kdump/printk-ring.js';
import { parseVmcoreinfo } from '../../../src/kdump/vmcoreinfo.js';
import { buildCore, DMAP, DPHYS, type SynthRecord } from './synthetic-core.js';

const recs = (n: number, prefix = 'msg'): SynthRecord[] => Array.from({ length: n }, (_, i) => ({ text: `${prefix} ${i}`, tsNsec: BigInt(i) * 1500000n }));

describe('ELF core parsing', () => {
  it('finds PT_LOAD segments and the VMCOREINFO note', () => {
    const core = parseElfCore(bufferSource(buildCore({ records: recs(3) })));
    expect(core.loads).toHaveLength(2);
    expect(core.notes.map((n) => n.name)).toEqual(['CORE', 'VMCOREINFO']);
    const info = parseVmcoreinfo(vmcoreinfoText(core) ?? '');
    expect(info.osrelease).toBe('6.1.0-synthetic-amd64');
    expect(info.offsets.get('printk_ringbuffer.text_data_ring')).toBe(48);
    expect(info.symbols.get('prb')).toBe(0xffffffff82000040n);
  });
  it('rejects non-ELF and non-core input with a clear code', () => {
    expect(() => parseElfCore(bufferSource(Buffer.from('hello world, this is not an ELF file at all.......................')))).toThrow(/not an ELF file/);
    const exe = buildCore({ records: recs(1) });
    exe.writeUInt16LE(2, 16);
    expect(() => parseElfCore(bufferSource(exe))).toThrow(/not a core file/);
    const e32 = buildCore({ records: recs(1) });
    e32[4] = 1;
    expect(() => parseElfCore(bufferSource(e32))).toThrow(/ELF64/);
  });
});

describe('printk ring extraction', () => {
  it('returns every record, oldest first, dmesg-formatted', () => {
    const r = extractDmesg(bufferSource(buildCore({ records: recs(5) })));
    expect(r.records).toBe(5);
    expect(r.text.split('\n').slice(0, 2)).toEqual(['[    0.000000] msg 0', '[    0.001500] msg 1']);
    expect(r.text).toContain('[    0.006000] msg 4\n');
  });
  it('follows wrapped text blocks and a descriptor ring that has wrapped', () => {
    // 40 records of ~30 bytes in a 1 KiB ring with 16 descriptors: both rings wrap.
    const records = recs(40, 'a fairly long kernel message');
    const r = extractDmesg(bufferSource(buildCore({ records, countBits: 4, sizeBits: 10 })));
    const lines = r.text.trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(/a fairly long kernel message 24$/);
    expect(lines[15]).toMatch(/a fairly long kernel message 39$/);
  });
  it('skips records whose text was overwritten, reserved and data-less records', () => {
    const records = recs(40, 'a fairly long kernel message');
    records[37] = { text: 'not yet committed', tsNsec: 1n, state: 'reserved' };
    records[38] = { text: 'lost', tsNsec: 1n, dataless: true };
    // tail pointing further back than the text ring still holds: those blocks carry newer ids.
    const r = extractDmesg(bufferSource(buildCore({ records, countBits: 6, sizeBits: 10, tailId: 0n })));
    expect(r.text).not.toContain('not yet committed');
    expect(r.text).not.toContain('lost');
    expect(r.text).not.toMatch(/message 0\n/);
    expect(r.text).toMatch(/message 39\n$/);
    expect(r.records).toBeGreaterThan(10);
    expect(r.records).toBeLessThan(38);
  });
  it('translates addresses through the physical fallback when a segment has no vaddr', () => {
    const pob = BigInt.asIntN(64, DMAP - DPHYS).toString(10);
    const core = buildCore({ records: recs(3), noDirectMapVaddr: true, editInfo: (t) => `${t}NUMBER(page_offset_base)=${pob}\n` });
    expect(extractDmesg(bufferSource(core)).records).toBe(3);
    const without = buildCore({ records: recs(3), noDirectMapVaddr: true });
    expect(() => extractDmesg(bufferSource(without))).toThrow(/not in any PT_LOAD/);
  });
  it('explains what is missing', () => {
    expect(() => extractDmesg(bufferSource(buildCore({ records: recs(1), vmcoreinfo: false })))).toThrow(/no VMCOREINFO note/);
    const noPrb = buildCore({ records: recs(1), editInfo: (t) => t.replace(/^SYMBOL\(prb\).*$/m, 'SYMBOL(log_buf)=ffffffff82000000') });
    expect(() => extractDmesg(bufferSource(noPrb))).toThrow(/pre-5.10 log_buf/);
    const noOff = buildCore({ records: recs(1), editInfo: (t) => t.replace(/^OFFSET\(printk_info.text_len\).*$/m, '') });
    expect(() => extractDmesg(bufferSource(noOff))).toThrow(/OFFSET\(printk_info.text_len\)/);
  });
  it('reports a truncated core instead of inventing bytes', () => {
    const full = buildCore({ records: recs(3) });
    expect(() => extractDmesg(bufferSource(full.subarray(0, full.length - 200)))).toThrow(/truncated/);
  });
  it('prefixes every line of a multi-line record and escapes control bytes', () => {
    const text = formatDmesg([{ seq: 0n, tsNsec: 12345678901n, callerId: 0, text: 'one\ntwo\x07' }]);
    expect(text).toBe('[   12.345678] one\n[   12.345678] two\\x07\n');
  });
});
