/**
 * Builds small synthetic ELF64 vmcores for the kdump parser tests: a VMCOREINFO note with the
 * Linux 6.1 x86_64 printk ring buffer layout, a "kernel image" PT_LOAD holding `prb` and the
 * struct printk_ringbuffer, and a "direct map" PT_LOAD holding the descriptors, infos and text ring.
 */
export type SynthRecord = { text: string; tsNsec: bigint; state?: 'committed' | 'finalized' | 'reserved' | 'reusable'; dataless?: boolean };

export type SynthOptions = {
  records: SynthRecord[];
  countBits?: number;
  sizeBits?: number;
  /** Override the tail id (default: the first record still in the descriptor ring). */
  tailId?: bigint;
  vmcoreinfo?: boolean;
  /** Extra VMCOREINFO lines, or a function to rewrite the text. */
  editInfo?: (text: string) => string;
  /** Leave the direct-map segment's vaddr 0 so reads must go through the physical fallback. */
  noDirectMapVaddr?: boolean;
};

export const KBASE = 0xffffffff82000000n;
export const KPHYS = 0x2000000n;
export const DMAP = 0xffff888000000000n;
export const DPHYS = 0x100000n;
const PRB_SYM = KBASE + 0x40n;
const RB = KBASE + 0x100n;

function info(): string {
  return [
    'OSRELEASE=6.1.0-synthetic-amd64',
    'PAGESIZE=4096',
    `SYMBOL(prb)=${PRB_SYM.toString(16)}`,
    `SYMBOL(printk_rb_static)=${RB.toString(16)}`,
    'SIZE(printk_ringbuffer)=88',
    'OFFSET(printk_ringbuffer.desc_ring)=0',
    'OFFSET(printk_ringbuffer.text_data_ring)=48',
    'OFFSET(printk_ringbuffer.fail)=80',
    'SIZE(prb_desc_ring)=48',
    'OFFSET(prb_desc_ring.count_bits)=0',
    'OFFSET(prb_desc_ring.descs)=8',
    'OFFSET(prb_desc_ring.infos)=16',
    'OFFSET(prb_desc_ring.head_id)=24',
    'OFFSET(prb_desc_ring.tail_id)=32',
    'SIZE(prb_desc)=24',
    'OFFSET(prb_desc.state_var)=0',
    'OFFSET(prb_desc.text_blk_lpos)=8',
    'SIZE(prb_data_blk_lpos)=16',
    'OFFSET(prb_data_blk_lpos.begin)=0',
    'OFFSET(prb_data_blk_lpos.next)=8',
    'SIZE(printk_info)=88',
    'OFFSET(printk_info.seq)=0',
    'OFFSET(printk_info.ts_nsec)=8',
    'OFFSET(printk_info.text_len)=16',
    'OFFSET(printk_info.caller_id)=20',
    'OFFSET(printk_info.dev_info)=24',
    'SIZE(prb_data_ring)=32',
    'OFFSET(prb_data_ring.size_bits)=0',
    'OFFSET(prb_data_ring.data)=8',
    'OFFSET(prb_data_ring.head_lpos)=16',
    'OFFSET(prb_data_ring.tail_lpos)=24',
    'SIZE(atomic_long_t)=8',
    'OFFSET(atomic_long_t.counter)=0',
    'NUMBER(phys_base)=0',
    'KERNELOFFSET=1000000',
    '',
  ].join('\n');
}

const STATE = { reserved: 0n, committed: 1n, finalized: 2n, reusable: 3n } as const;

function note(name: string, type: number, desc: Buffer): Buffer {
  const n = Buffer.from(`${name}\0`, 'latin1');
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const h = Buffer.alloc(12);
  h.writeUInt32LE(n.length, 0);
  h.writeUInt32LE(desc.length, 4);
  h.writeUInt32LE(type, 8);
  return Buffer.concat([h, pad(n), pad(desc)]);
}

export function buildCore(opts: SynthOptions): Buffer {
  const countBits = opts.countBits ?? 4;
  const sizeBits = opts.sizeBits ?? 10;
  const count = 1 << countBits;
  const size = 1 << sizeBits;
  const descOff = 0x0;
  const infoOff = descOff + count * 24;
  const dataOff = (infoOff + count * 88 + 7) & ~7;
  const dmap = Buffer.alloc(dataOff + size);
  const kimg = Buffer.alloc(0x1000);
  let lpos = 0n;
  const S = BigInt(size);
  opts.records.forEach((r, i) => {
    const id = BigInt(i);
    const idx = i % count;
    const text = Buffer.from(r.text, 'utf8');
    let begin = 1n;
    let next = 1n;
    if (r.dataless !== true) {
      const blk = BigInt((8 + text.length + 7) & ~7);
      begin = lpos;
      let at = lpos % S;
      if (at + blk > S) {
        next = (lpos / S + 1n) * S + blk; // wrap: written at the ring start
        at = 0n;
      } else {
        next = lpos + blk;
      }
      dmap.writeBigUInt64LE(id, dataOff + Number(at));
      text.copy(dmap, dataOff + Number(at) + 8);
      lpos = next;
    }
    const d = descOff + idx * 24;
    dmap.writeBigUInt64LE((STATE[r.state ?? 'finalized'] << 62n) | id, d);
    dmap.writeBigUInt64LE(begin, d + 8);
    dmap.writeBigUInt64LE(next, d + 16);
    const io = infoOff + idx * 88;
    dmap.writeBigUInt64LE(id + 100n, io);
    dmap.writeBigUInt64LE(r.tsNsec, io + 8);
    dmap.writeUInt16LE(text.length, io + 16);
  });
  const n = opts.records.length;
  kimg.writeBigUInt64LE(RB, Number(PRB_SYM - KBASE));
  const rb = Number(RB - KBASE);
  kimg.writeUInt32LE(countBits, rb);
  kimg.writeBigUInt64LE(DMAP + BigInt(descOff), rb + 8);
  kimg.writeBigUInt64LE(DMAP + BigInt(infoOff), rb + 16);
  kimg.writeBigUInt64LE(BigInt(n - 1), rb + 24);
  kimg.writeBigUInt64LE(opts.tailId ?? BigInt(Math.max(0, n - count)), rb + 32);
  kimg.writeUInt32LE(sizeBits, rb + 48);
  kimg.writeBigUInt64LE(DMAP + BigInt(dataOff), rb + 56);
  let infoText = info();
  if (opts.editInfo !== undefined) infoText = opts.editInfo(infoText);
  const notes = Buffer.concat([
    note('CORE', 1, Buffer.alloc(336)),
    ...(opts.vmcoreinfo === false ? [] : [note('VMCOREINFO', 0, Buffer.from(infoText, 'latin1'))]),
  ]);
  const phnum = 3;
  const phoff = 64;
  const notesOff = phoff + phnum * 56;
  const kOff = (notesOff + notes.length + 4095) & ~4095;
  const dOff = kOff + kimg.length;
  const eh = Buffer.alloc(64);
  eh.writeUInt32BE(0x7f454c46, 0);
  eh[4] = 2;
  eh[5] = 1;
  eh[6] = 1;
  eh.writeUInt16LE(4, 16);
  eh.writeUInt16LE(62, 18);
  eh.writeUInt32LE(1, 20);
  eh.writeBigUInt64LE(BigInt(phoff), 32);
  eh.writeUInt16LE(64, 52);
  eh.writeUInt16LE(56, 54);
  eh.writeUInt16LE(phnum, 56);
  const ph = Buffer.alloc(phnum * 56);
  const phdr = (i: number, type: number, off: number, vaddr: bigint, paddr: bigint, sz: number): void => {
    const o = i * 56;
    ph.writeUInt32LE(type, o);
    ph.writeUInt32LE(7, o + 4);
    ph.writeBigUInt64LE(BigInt(off), o + 8);
    ph.writeBigUInt64LE(vaddr, o + 16);
    ph.writeBigUInt64LE(paddr, o + 24);
    ph.writeBigUInt64LE(BigInt(sz), o + 32);
    ph.writeBigUInt64LE(BigInt(sz), o + 40);
  };
  phdr(0, 4, notesOff, 0n, 0n, notes.length);
  phdr(1, 1, kOff, KBASE, KPHYS, kimg.length);
  phdr(2, 1, dOff, opts.noDirectMapVaddr === true ? 0n : DMAP, DPHYS, dmap.length);
  const pad = Buffer.alloc(kOff - notesOff - notes.length);
  return Buffer.concat([eh, ph, notes, pad, kimg, dmap]);
}
