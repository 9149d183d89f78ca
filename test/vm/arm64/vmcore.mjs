// Reads /proc/vmcore in the arm64 capture kernel (scenario.sh stage "crash") and prints what the
// checks need, one key=value per line. ELF64 layout: Ehdr 64 bytes (e_type at 16, e_machine at 18,
// e_phoff at 32, e_phnum at 56), Phdr 56 bytes (p_type, p_flags, p_offset, p_vaddr, p_paddr,
// p_filesz); notes: namesz, descsz, type, name and desc each padded to 4 bytes.
//
// The memory check goes through a PT_LOAD: the crashed kernel's vmcoreinfo names init_uts_ns
// (SYMBOL, hex), the offset of uts_namespace.name (OFFSET, decimal) and kimage_voffset (NUMBER, 0x
// hex; arm64's arch_crash_save_vmcoreinfo), so its physical address is va - kimage_voffset; the
// struct new_utsname there holds sysname at 0 and release at 130 (65-byte fields).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const path = process.argv[2] ?? '/proc/vmcore';
const fd = openSync(path, 'r');
const read = (pos, len) => {
  const b = Buffer.alloc(len);
  const n = readSync(fd, b, 0, len, pos);
  return b.subarray(0, n);
};
const out = (k, v) => console.log(`${k}=${v}`);
const cstr = (b) => b.toString('latin1').split('\0')[0];

const eh = read(0, 64);
out('magic', eh.subarray(0, 4).toString('hex'));
out('class', eh[4]);
out('data', eh[5]);
out('type', eh.readUInt16LE(16));
out('machine', eh.readUInt16LE(18));
const phoff = Number(eh.readBigUInt64LE(32));
const phnum = eh.readUInt16LE(56);
out('phnum', phnum);
const ph = [];
for (let i = 0; i < phnum; i++) {
  const p = read(phoff + i * 56, 56);
  ph.push({ type: p.readUInt32LE(0), offset: p.readBigUInt64LE(8), paddr: p.readBigUInt64LE(24), filesz: p.readBigUInt64LE(32) });
}
const loads = ph.filter((p) => p.type === 1);
out('loads', loads.length);
out(
  'load_bytes',
  loads.reduce((a, p) => a + p.filesz, 0n),
);

let prstatus = 0;
let info = '';
for (const n of ph.filter((p) => p.type === 4)) {
  const b = read(Number(n.offset), Number(n.filesz));
  for (let at = 0; at + 12 <= b.length;) {
    const namesz = b.readUInt32LE(at);
    const descsz = b.readUInt32LE(at + 4);
    const type = b.readUInt32LE(at + 8);
    if (namesz === 0 && descsz === 0) break;
    const name = cstr(b.subarray(at + 12, at + 12 + namesz));
    const descAt = at + 12 + ((namesz + 3) & ~3);
    if (name === 'CORE' && type === 1) prstatus++;
    if (name === 'VMCOREINFO') info = b.subarray(descAt, descAt + descsz).toString('latin1');
    at = descAt + ((descsz + 3) & ~3);
  }
}
out('prstatus', prstatus);
const field = (re) => re.exec(info)?.[1] ?? null;
out('osrelease', field(/^OSRELEASE=(.*)$/m));

const sym = field(/^SYMBOL\(init_uts_ns\)=([0-9a-f]+)$/m);
const off = field(/^OFFSET\(uts_namespace\.name\)=(\d+)$/m);
const voff = field(/^NUMBER\(kimage_voffset\)=(0x[0-9a-f]+)$/m);
if (sym !== null && off !== null && voff !== null) {
  const phys = (BigInt(`0x${sym}`) + BigInt(off) - BigInt(voff)) & 0xffff_ffff_ffff_ffffn;
  out('uts_phys', `0x${phys.toString(16)}`);
  const l = loads.find((p) => p.paddr <= phys && phys + 195n <= p.paddr + p.filesz);
  if (l !== undefined) {
    const u = read(Number(l.offset + (phys - l.paddr)), 195);
    out('uts_sysname', cstr(u.subarray(0, 65)));
    out('uts_release', cstr(u.subarray(130, 195)));
  } else out('uts_release', 'no PT_LOAD covers it');
} else out('uts_release', `vmcoreinfo lacks init_uts_ns/uts_namespace.name/kimage_voffset (${sym} ${off} ${voff})`);
out('size', fstatSync(fd).size);
closeSync(fd);
