/**
 * The two /chosen properties a crash (capture) kernel finds its way with, as kexec-tools'
 * kexec/arch/arm64/kexec-arm64.c `setup_2nd_dtb` (on_crash) writes them and the kernel's
 * drivers/of/fdt.c reads them (`early_init_dt_check_for_elfcorehdr`,
 * `early_init_dt_check_for_usable_mem_range`; Documentation/devicetree/bindings/chosen.txt):
 *
 *   linux,elfcorehdr           <address size>: where the ELF core header is (the capture kernel
 *                              reserves it and builds /proc/vmcore from it);
 *   linux,usable-memory-range  <address size>...: the memory the capture kernel may use (the crash
 *                              region(s)); the first pair caps memblock, further pairs are added.
 *
 * Each number is written in the root node's #address-cells / #size-cells 32-bit big-endian cells
 * (kexec-tools `get_cells_size`, `fill_property`; both default to 1 when the root does not say,
 * like the kernel's OF_ROOT_NODE_ADDR_CELLS_DEFAULT / OF_ROOT_NODE_SIZE_CELLS_DEFAULT). A value that
 * does not fit (an address at or above 4 GiB in one cell) is refused, as kexec-tools'
 * `cells_size_fitted` refuses it. Pure.
 */
import { KexecError } from '../../errors.js';
import type { AddrRange } from '../memmap/range.js';
import type { FdtNode, FdtProp } from './fdt.js';

export type CrashChosen = {
  /** The ELF core header segment (end exclusive). */
  elfcorehdr: AddrRange;
  /** The crash region(s), in the order the capture kernel should take them. */
  usable: readonly AddrRange[];
};

export type RootCells = { addressCells: number; sizeCells: number };

function bad(message: string): KexecError {
  return new KexecError({ code: 'EFDT', exitCode: 1, message: `device tree: ${message}` });
}

/** The root node's #address-cells and #size-cells (1 and 1 when absent). */
export function rootCells(root: FdtNode): RootCells {
  const cells = (name: string): number => {
    const p = root.props.find((x) => x.name === name);
    if (p === undefined) return 1;
    if (p.value.length !== 4) throw bad(`the root node's ${name} is ${p.value.length} bytes long, not one cell`);
    const n = new DataView(p.value.buffer, p.value.byteOffset, 4).getUint32(0, false);
    if (n !== 1 && n !== 2) throw bad(`the root node's ${name} is ${n}: only 1 or 2 cells are supported`);
    return n;
  };
  return { addressCells: cells('#address-cells'), sizeCells: cells('#size-cells') };
}

function putCells(out: DataView, at: number, value: bigint, cells: number, what: string): number {
  if (cells === 1) {
    if (value > 0xffff_ffffn) throw bad(`${what} 0x${value.toString(16)} does not fit the root node's one 32-bit cell`);
    out.setUint32(at, Number(value), false);
    return at + 4;
  }
  out.setBigUint64(at, value, false);
  return at + 8;
}

/** <address size> pairs for ranges, in the given cell sizes. */
export function encodeRanges(ranges: readonly AddrRange[], c: RootCells, what: string): Uint8Array {
  const out = new Uint8Array(ranges.length * 4 * (c.addressCells + c.sizeCells));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const r of ranges) {
    at = putCells(v, at, r.start, c.addressCells, `${what} address`);
    at = putCells(v, at, r.end - r.start, c.sizeCells, `${what} size`);
  }
  return out;
}

/** The linux,elfcorehdr and linux,usable-memory-range properties for a tree with this root. */
export function crashChosenProps(root: FdtNode, crash: CrashChosen): FdtProp[] {
  if (crash.usable.length === 0) throw bad('no usable memory range for the crash kernel');
  const c = rootCells(root);
  return [
    { name: 'linux,elfcorehdr', value: encodeRanges([crash.elfcorehdr], c, 'linux,elfcorehdr') },
    { name: 'linux,usable-memory-range', value: encodeRanges(crash.usable, c, 'linux,usable-memory-range') },
  ];
}
