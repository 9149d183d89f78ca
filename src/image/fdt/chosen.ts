/**
 * The /chosen edits for the next arm64 kernel's DTB: what kexec-tools does in
 * kexec/arch/arm64/kexec-arm64.c `setup_2nd_dtb` and kexec/dt-ops.c (`dtb_set_bootargs`,
 * `dtb_set_initrd`, `dtb_clear_initrd`) and u-root's sanitizeFDT: set bootargs, set or drop
 * linux,initrd-start/-end (u64 big-endian, end exclusive), drop a previous capture kernel's
 * linux,elfcorehdr / linux,usable-memory-range, and refresh or drop the one-shot seeds.
 * Everything else, linux,uefi-* included, is kept. For a crash kernel (kexec -p), the new
 * linux,elfcorehdr and linux,usable-memory-range are added (crash-props.ts, kexec-tools'
 * `setup_2nd_dtb` with on_crash). Returns a new tree; the input is not changed.
 */
import { crashChosenProps, type CrashChosen } from './crash-props.js';
import { findNode, type Fdt, type FdtNode, type FdtProp } from './fdt.js';

export type ChosenUpdate = {
  bootargs: string;
  initrd: { start: bigint; end: bigint } | null;
  /** 8 fresh random bytes for kaslr-seed, or null to remove it. */
  kaslrSeed?: Uint8Array | null;
  /** Fresh random bytes for rng-seed, or null to remove it. */
  rngSeed?: Uint8Array | null;
  /** A crash kernel's ELF core header and usable memory; absent or null for an ordinary kexec. */
  crash?: CrashChosen | null;
};

const DROPPED = new Set(['linux,elfcorehdr', 'linux,usable-memory-range', 'linux,initrd-start', 'linux,initrd-end', 'bootargs', 'kaslr-seed', 'rng-seed']);

function u64be(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, false);
  return b;
}

function cloneNode(n: FdtNode): FdtNode {
  return { name: n.name, props: n.props.map((p) => ({ name: p.name, value: p.value.slice() })), children: n.children.map(cloneNode) };
}

export function updateChosen(fdt: Fdt, u: ChosenUpdate): Fdt {
  const root = cloneNode(fdt.root);
  let chosen = findNode(root, '/chosen');
  if (chosen === null) {
    chosen = { name: 'chosen', props: [], children: [] };
    root.children.push(chosen);
  }
  const props: FdtProp[] = chosen.props.filter((p) => !DROPPED.has(p.name));
  props.push({ name: 'bootargs', value: new TextEncoder().encode(`${u.bootargs}\0`) });
  if (u.initrd !== null) {
    props.push({ name: 'linux,initrd-start', value: u64be(u.initrd.start) });
    props.push({ name: 'linux,initrd-end', value: u64be(u.initrd.end) });
  }
  if (u.kaslrSeed != null) props.push({ name: 'kaslr-seed', value: u.kaslrSeed.slice() });
  if (u.rngSeed != null) props.push({ name: 'rng-seed', value: u.rngSeed.slice() });
  if (u.crash != null) props.push(...crashChosenProps(root, u.crash));
  chosen.props = props;
  return { bootCpuidPhys: fdt.bootCpuidPhys, reserved: fdt.reserved.map((r) => ({ ...r })), root };
}

/** A string property's text (without the trailing NUL), or null. */
export function propString(node: FdtNode, name: string): string | null {
  const p = node.props.find((x) => x.name === name);
  if (p === undefined) return null;
  const end = p.value.indexOf(0);
  return new TextDecoder().decode(p.value.subarray(0, end < 0 ? p.value.length : end));
}
