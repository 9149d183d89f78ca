/**
 * A small flattened device tree (DTB) reader and writer, from the Devicetree Specification v0.4
 * chapter 5 ("Flattened Devicetree (DTB) Format"): a 40-byte big-endian header, the memory
 * reservation block (u64 address/size pairs ending in 0/0), the structure block (BEGIN_NODE,
 * PROP, END_NODE, NOP, END tokens, 4-byte aligned) and the strings block. For the arm64 kexec_load
 * planner, which edits the running kernel's /sys/firmware/fdt the way kexec-tools' kexec/dt-ops.c
 * and u-root's sanitizeFDT do. Pure: bytes in, tree out, and back.
 */
import { KexecError } from '../../errors.js';

export type FdtProp = { name: string; value: Uint8Array };
export type FdtNode = { name: string; props: FdtProp[]; children: FdtNode[] };
export type FdtReserve = { address: bigint; size: bigint };
export type Fdt = { bootCpuidPhys: number; reserved: FdtReserve[]; root: FdtNode };

export const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;
const HEADER_SIZE = 40;

function bad(message: string): KexecError {
  return new KexecError({ code: 'EFDT', message: `device tree: ${message}` });
}

const pad4 = (n: number): number => (n + 3) & ~3;

function cstr(b: Uint8Array, at: number, limit: number): string {
  let end = at;
  while (end < limit && b[end] !== 0) end++;
  if (end >= limit) throw bad(`unterminated string at ${at}`);
  return new TextDecoder().decode(b.subarray(at, end));
}

/** Parses a DTB (version 16 or 17). Throws KexecError EFDT on anything malformed. */
export function parseFdt(bytes: Uint8Array): Fdt {
  if (bytes.length < HEADER_SIZE) throw bad('too short for a header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = (i: number): number => v.getUint32(i * 4, false);
  if (h(0) !== FDT_MAGIC) throw bad('bad magic (not a DTB)');
  const [totalsize, offStruct, offStrings, offRsv, version, lastComp] = [h(1), h(2), h(3), h(4), h(5), h(6)];
  if (totalsize > bytes.length) throw bad(`totalsize ${totalsize} exceeds the ${bytes.length} bytes given`);
  if (version < 16 || lastComp > 17) throw bad(`unsupported version ${version} (last compatible ${lastComp})`);
  const sizeStrings = h(8);
  const sizeStruct = version >= 17 ? h(9) : totalsize - offStruct;
  if (offStruct + sizeStruct > totalsize || offStrings + sizeStrings > totalsize || offRsv + 16 > totalsize) throw bad('blocks run past totalsize');

  const reserved: FdtReserve[] = [];
  for (let at = offRsv; ; at += 16) {
    if (at + 16 > totalsize) throw bad('unterminated memory reservation block');
    const address = v.getBigUint64(at, false);
    const size = v.getBigUint64(at + 8, false);
    if (address === 0n && size === 0n) break;
    reserved.push({ address, size });
  }

  const structEnd = offStruct + sizeStruct;
  const stack: FdtNode[] = [];
  let root: FdtNode | null = null;
  let at = offStruct;
  const word = (): number => {
    if (at + 4 > structEnd) throw bad('structure block ends early');
    const w = v.getUint32(at, false);
    at += 4;
    return w;
  };
  for (;;) {
    const token = word();
    if (token === NOP) continue;
    if (token === BEGIN_NODE) {
      const name = cstr(bytes, at, structEnd);
      at = pad4(at + new TextEncoder().encode(name).length + 1);
      const node: FdtNode = { name, props: [], children: [] };
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(node);
      else if (root === null) root = node;
      else throw bad('more than one root node');
      stack.push(node);
    } else if (token === PROP) {
      const len = word();
      const nameoff = word();
      const node = stack[stack.length - 1];
      if (node === undefined) throw bad('property outside a node');
      if (at + len > structEnd) throw bad('property value runs past the structure block');
      if (nameoff >= sizeStrings) throw bad('property name offset outside the strings block');
      const name = cstr(bytes, offStrings + nameoff, offStrings + sizeStrings);
      node.props.push({ name, value: bytes.slice(at, at + len) });
      at = pad4(at + len);
    } else if (token === END_NODE) {
      if (stack.pop() === undefined) throw bad('END_NODE without a node');
    } else if (token === END) {
      if (stack.length !== 0 || root === null) throw bad('END inside a node or before the root');
      return { bootCpuidPhys: h(7), reserved, root };
    } else {
      throw bad(`unknown token ${token} at ${at - 4}`);
    }
  }
}

/** Writes a version 17 DTB: header, reservations, structure, strings (names shared, in first-use order). */
export function serializeFdt(fdt: Fdt): Uint8Array {
  const enc = new TextEncoder();
  const strings: number[] = [];
  const nameOff = new Map<string, number>();
  const struct: number[] = [];
  const u32 = (n: number): void => {
    struct.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  };
  const padStruct = (): void => {
    while (struct.length % 4 !== 0) struct.push(0);
  };
  const emit = (node: FdtNode): void => {
    u32(BEGIN_NODE);
    struct.push(...enc.encode(node.name), 0);
    padStruct();
    for (const p of node.props) {
      let off = nameOff.get(p.name);
      if (off === undefined) {
        off = strings.length;
        nameOff.set(p.name, off);
        strings.push(...enc.encode(p.name), 0);
      }
      u32(PROP);
      u32(p.value.length);
      u32(off);
      for (const b of p.value) struct.push(b);
      padStruct();
    }
    node.children.forEach(emit);
    u32(END_NODE);
  };
  emit(fdt.root);
  u32(END);
  const offRsv = HEADER_SIZE;
  const offStruct = offRsv + (fdt.reserved.length + 1) * 16;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offRsv, 17, 16, fdt.bootCpuidPhys, strings.length, struct.length].forEach((x, i) => v.setUint32(i * 4, x, false));
  fdt.reserved.forEach((r, i) => {
    v.setBigUint64(offRsv + i * 16, r.address, false);
    v.setBigUint64(offRsv + i * 16 + 8, r.size, false);
  });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

/** The node at a path like "/chosen" (node names compared whole, "name@unit" included). */
export function findNode(root: FdtNode, path: string): FdtNode | null {
  let node: FdtNode | undefined = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    node = node.children.find((c) => c.name === part);
    if (node === undefined) return null;
  }
  return node;
}
