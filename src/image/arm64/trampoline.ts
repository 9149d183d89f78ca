/**
 * The arm64 trampoline kexec_load jumps to, written out word by word.
 *
 * Why it exists: for a kexec_load image the kernel's arch/arm64/kernel/machine_kexec.c passes
 * kimage->arch.dtb_mem = 0 (only kexec_file_load fills it in), and relocate_kernel.S enters
 * kimage->start with x0 = that DTB address, x1..x3 = 0, MMU and D-cache off, at EL2 or EL1.
 * Documentation/arch/arm64/booting.rst wants x0 = the DTB's physical address, x1 = x2 = x3 = 0
 * (reserved), and a jump to the Image's first byte. kexec-tools does it in its purgatory
 * (purgatory/arch/arm64/entry.S); u-root's pkg/boot/linux load_linux_image.go uses a four-step
 * trampoline with the entry and DTB as data words after the code. This is our own, written here.
 *
 * Position-independent: the two addresses are read PC-relative (LDR literal), so the bytes work
 * wherever the planner puts the page. No stack, no memory writes.
 */

/** The trampoline's segment size: 64 KiB, a whole page for 4K, 16K and 64K page kernels alike. */
export const ARM64_TRAMPOLINE_MEMSZ = 0x10000n;

/** Offsets of the data words after the code. */
export const ARM64_TRAMPOLINE_LAYOUT = { kernelEntry: 0x18, dtb: 0x20, size: 0x28 } as const;

type Insn = { word: number; asm: string };

/** LDR Xt, <label> (literal, 64-bit): 0x58000000 | imm19 << 5 | Rt, imm19 = byte offset / 4. */
function ldrLiteral(rt: number, at: number, target: number): number {
  return (0x58000000 | (((target - at) / 4) << 5) | rt) >>> 0;
}

/** The code, in order (one 32-bit little-endian word each). */
const CODE: readonly Insn[] = [
  // 0x00: x4 = the kernel entry (Image load address), from the data word at 0x18
  { word: ldrLiteral(4, 0x00, ARM64_TRAMPOLINE_LAYOUT.kernelEntry), asm: 'ldr x4, 0x18' },
  // 0x04: x0 = the DTB's physical address (booting.rst), from the data word at 0x20
  { word: ldrLiteral(0, 0x04, ARM64_TRAMPOLINE_LAYOUT.dtb), asm: 'ldr x0, 0x20' },
  // 0x08: x1 = 0 (reserved for future use, must be zero): mov x1, xzr is orr x1, xzr, xzr
  { word: 0xaa1f03e1, asm: 'mov x1, xzr' },
  // 0x0c: x2 = 0 (reserved)
  { word: 0xaa1f03e2, asm: 'mov x2, xzr' },
  // 0x10: x3 = 0 (reserved)
  { word: 0xaa1f03e3, asm: 'mov x3, xzr' },
  // 0x14: branch to the kernel (BR Xn: 0xd61f0000 | Rn << 5), never returns
  { word: 0xd61f0080, asm: 'br x4' },
];

/** The intended instructions, objdump spelling, for tests and listings. */
export const ARM64_TRAMPOLINE_ASM: readonly string[] = CODE.map((i) => i.asm);

/** The trampoline bytes for a kernel entry at `kernelEntry` and a DTB at `dtb` (physical). */
export function buildArm64Trampoline(kernelEntry: bigint, dtb: bigint): Uint8Array {
  const L = ARM64_TRAMPOLINE_LAYOUT;
  const out = new Uint8Array(L.size);
  const v = new DataView(out.buffer);
  CODE.forEach((insn, i) => v.setUint32(i * 4, insn.word, true));
  v.setBigUint64(L.kernelEntry, kernelEntry, true);
  v.setBigUint64(L.dtb, dtb, true);
  return out;
}
