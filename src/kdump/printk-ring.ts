/**
 * The kernel log out of a vmcore, from the lockless printk ring buffer of Linux >= 5.10
 * (kernel/printk/printk_ringbuffer.[ch]). Layout comes only from VMCOREINFO: SYMBOL(prb) points
 * at a struct printk_ringbuffer, whose desc_ring holds 2^count_bits descriptors (state_var +
 * text_blk_lpos) and as many printk_info records (seq, ts_nsec, text_len), and whose
 * text_data_ring holds 2^size_bits bytes of blocks, each an unsigned long id then the text.
 */
import { KexecError } from '../errors.js';
import { parseElfCore, vmcoreinfoText, type ByteSource } from './elf-core.js';
import { KernelMemory, needOffset, needSize, needSymbol, parseVmcoreinfo, type VmcoreInfo } from './vmcoreinfo.js';

export type LogRecord = { seq: bigint; tsNsec: bigint; callerId: number; text: string };

/** Descriptor states, the top two bits of state_var (enum desc_state). */
const DESC_COMMITTED = 1n;
const DESC_FINALIZED = 2n;
const DESC_FLAGS_SHIFT = 62n;
const DESC_ID_MASK = (1n << DESC_FLAGS_SHIFT) - 1n;
const MAX_COUNT_BITS = 24;
const MAX_SIZE_BITS = 30;

type RingLayout = {
  countBits: number;
  descs: bigint;
  infos: bigint;
  headId: bigint;
  tailId: bigint;
  sizeBits: number;
  data: bigint;
};

function u32(mem: KernelMemory, va: bigint): number {
  return mem.read(va, 4).readUInt32LE(0);
}

function readLayout(mem: KernelMemory, info: VmcoreInfo): RingLayout {
  if (!info.symbols.has('prb')) {
    const legacy = info.symbols.has('log_buf') ? ' (this kernel has the pre-5.10 log_buf, which is not supported)' : '';
    throw new KexecError({ code: 'EVMCOREINFO', message: `VMCOREINFO has no SYMBOL(prb): no lockless printk ring buffer${legacy}` });
  }
  const counter = BigInt(info.offsets.get('atomic_long_t.counter') ?? 0);
  const rb = mem.u64(needSymbol(info, 'prb'));
  const desc = rb + BigInt(needOffset(info, 'printk_ringbuffer.desc_ring'));
  const text = rb + BigInt(needOffset(info, 'printk_ringbuffer.text_data_ring'));
  const layout: RingLayout = {
    countBits: u32(mem, desc + BigInt(needOffset(info, 'prb_desc_ring.count_bits'))),
    descs: mem.u64(desc + BigInt(needOffset(info, 'prb_desc_ring.descs'))),
    infos: mem.u64(desc + BigInt(needOffset(info, 'prb_desc_ring.infos'))),
    headId: mem.u64(desc + BigInt(needOffset(info, 'prb_desc_ring.head_id')) + counter),
    tailId: mem.u64(desc + BigInt(needOffset(info, 'prb_desc_ring.tail_id')) + counter),
    sizeBits: u32(mem, text + BigInt(needOffset(info, 'prb_data_ring.size_bits'))),
    data: mem.u64(text + BigInt(needOffset(info, 'prb_data_ring.data'))),
  };
  if (layout.countBits > MAX_COUNT_BITS || layout.sizeBits > MAX_SIZE_BITS || layout.sizeBits < 3) {
    throw new KexecError({ code: 'EVMCOREFORMAT', message: `implausible printk ring sizes (count_bits=${layout.countBits}, size_bits=${layout.sizeBits})` });
  }
  return layout;
}

/** Reads every committed or finalized record from tail to head, oldest first. */
export function readPrintkRing(mem: KernelMemory, info: VmcoreInfo): LogRecord[] {
  const L = readLayout(mem, info);
  const count = 1 << L.countBits;
  const dataSize = 1 << L.sizeBits;
  const descSize = needSize(info, 'prb_desc');
  const infoSize = needSize(info, 'printk_info');
  const counter = info.offsets.get('atomic_long_t.counter') ?? 0;
  const offState = needOffset(info, 'prb_desc.state_var') + counter;
  const offLpos = needOffset(info, 'prb_desc.text_blk_lpos');
  const offBegin = offLpos + needOffset(info, 'prb_data_blk_lpos.begin');
  const offNext = offLpos + needOffset(info, 'prb_data_blk_lpos.next');
  const offSeq = needOffset(info, 'printk_info.seq');
  const offTs = needOffset(info, 'printk_info.ts_nsec');
  const offLen = needOffset(info, 'printk_info.text_len');
  const offCaller = info.offsets.get('printk_info.caller_id');
  const descs = mem.read(L.descs, count * descSize);
  const infos = mem.read(L.infos, count * infoSize);
  const data = mem.read(L.data, dataSize);
  const size = BigInt(dataSize);
  const wraps = (lpos: bigint): bigint => lpos >> BigInt(L.sizeBits);
  const records: LogRecord[] = [];
  let id = L.tailId & DESC_ID_MASK;
  const head = L.headId & DESC_ID_MASK;
  for (let n = 0; n <= count; n++) {
    const idx = Number(id & BigInt(count - 1));
    const sv = descs.readBigUInt64LE(idx * descSize + offState);
    const state = sv >> DESC_FLAGS_SHIFT;
    if ((sv & DESC_ID_MASK) === id && (state === DESC_COMMITTED || state === DESC_FINALIZED)) {
      const begin = descs.readBigUInt64LE(idx * descSize + offBegin);
      const next = descs.readBigUInt64LE(idx * descSize + offNext);
      const text = blockText(data, begin, next, size, wraps, id);
      if (text !== null) {
        const io = idx * infoSize;
        const len = Math.min(infos.readUInt16LE(io + offLen), text.length);
        records.push({
          seq: infos.readBigUInt64LE(io + offSeq),
          tsNsec: infos.readBigUInt64LE(io + offTs),
          callerId: offCaller === undefined ? 0 : infos.readUInt32LE(io + offCaller),
          text: text.subarray(0, len).toString('utf8'),
        });
      }
    }
    if (id === head) break;
    id = (id + 1n) & DESC_ID_MASK;
  }
  return records;
}

/** The text bytes of a data block, or null for data-less, inconsistent or overwritten blocks. */
function blockText(data: Buffer, begin: bigint, next: bigint, size: bigint, wraps: (l: bigint) => bigint, id: bigint): Buffer | null {
  if ((begin & 1n) !== 0n || (next & 1n) !== 0n) return null; // FAILED_LPOS / NO_LPOS: no data
  let off: bigint;
  let len: bigint;
  if (wraps(begin) === wraps(next)) {
    off = begin % size;
    len = next - begin;
  } else if (wraps(begin + size) === wraps(next)) {
    off = 0n; // the block wrapped: it was written at the start of the ring
    len = next % size;
  } else {
    return null;
  }
  if (len < 8n || off + len > size) return null;
  const o = Number(off);
  if ((data.readBigUInt64LE(o) & DESC_ID_MASK) !== id) return null; // overwritten since
  return data.subarray(o + 8, o + Number(len));
}

function escapeControls(line: string): string {
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** dmesg-style text: "[    5.123456] message", each line of a multi-line record prefixed. */
export function formatDmesg(records: readonly LogRecord[]): string {
  let out = '';
  for (const r of records) {
    const secs = r.tsNsec / 1000000000n;
    const usecs = (r.tsNsec % 1000000000n) / 1000n;
    const prefix = `[${secs.toString().padStart(5, ' ')}.${usecs.toString().padStart(6, '0')}] `;
    for (const line of r.text.split('\n')) out += `${prefix}${escapeControls(line)}\n`;
  }
  return out;
}

/** Parses a core and returns its kernel log as dmesg text. Throws KexecError on any failure. */
export function extractDmesg(src: ByteSource): { text: string; records: number; osrelease: string | undefined } {
  const core = parseElfCore(src);
  const vi = vmcoreinfoText(core);
  if (vi === null) throw new KexecError({ code: 'EVMCOREINFO', message: 'the core has no VMCOREINFO note' });
  const info = parseVmcoreinfo(vi);
  const records = readPrintkRing(new KernelMemory(src, core, info), info);
  return { text: formatDmesg(records), records: records.length, osrelease: info.osrelease };
}
