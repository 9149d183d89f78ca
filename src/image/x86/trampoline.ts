/**
 * The x86_64 trampoline kexec_load jumps to, written out byte by byte.
 *
 * Why it exists: after kexec, relocate_kernel_64.S `identity_mapped` clears every general register
 * and `ret`s to the image entry in 64-bit mode with identity paging, interrupts off, the old GDT
 * zapped (machine_kexec_64.c `machine_kexec`). Linux's 64-bit boot protocol (Documentation/arch/x86/
 * boot.rst, "64-bit Boot Protocol") wants a GDT with flat __BOOT_CS 0x10 / __BOOT_DS 0x18, CS = 0x10,
 * DS/ES/SS = 0x18 and %rsi = boot_params, at the kernel's load address + 0x200 (startup_64).
 * kexec-tools does the same in purgatory/arch/x86_64/entry64.S; this is our own, smaller one.
 *
 * Position-independent: every address is RIP-relative, and the GDT base is computed at run time,
 * so the same bytes work wherever the planner puts the page. The two addresses it needs sit as
 * data after the code. The stack is the top of the trampoline's own page (memsz TRAMPOLINE_MEMSZ).
 */

/** The trampoline's segment size: one page; the stack grows down from its end. */
export const TRAMPOLINE_MEMSZ = 0x1000;

type Insn = { bytes: number[]; asm: string; rel?: string };

/** The code, in order. `rel` names the label a trailing rel32 (RIP-relative) field points at. */
const CODE: readonly Insn[] = [
  { bytes: [0xfa], asm: 'cli' }, // interrupts stay off (they already are; belt and braces)
  { bytes: [0x48, 0x8d, 0x25], asm: 'lea rsp,[rip+stack_top]', rel: 'stack_top' }, // stack = end of this page
  { bytes: [0x48, 0x8d, 0x05], asm: 'lea rax,[rip+gdt]', rel: 'gdt' }, // rax = run-time address of our GDT
  { bytes: [0x48, 0x89, 0x05], asm: 'mov QWORD PTR [rip+gdtr_base],rax', rel: 'gdtr_base' }, // patch it into the descriptor
  { bytes: [0x0f, 0x01, 0x15], asm: 'lgdt [rip+gdtr]', rel: 'gdtr' }, // load GDTR {limit 0x1f, base gdt}
  { bytes: [0xb8, 0x18, 0x00, 0x00, 0x00], asm: 'mov eax,0x18' }, // __BOOT_DS
  { bytes: [0x8e, 0xd8], asm: 'mov ds,eax' }, // DS = 0x18
  { bytes: [0x8e, 0xc0], asm: 'mov es,eax' }, // ES = 0x18
  { bytes: [0x8e, 0xd0], asm: 'mov ss,eax' }, // SS = 0x18
  { bytes: [0x8e, 0xe0], asm: 'mov fs,eax' }, // FS = 0x18
  { bytes: [0x8e, 0xe8], asm: 'mov gs,eax' }, // GS = 0x18
  { bytes: [0x6a, 0x10], asm: 'push 0x10' }, // new CS: __BOOT_CS
  { bytes: [0x48, 0x8d, 0x05], asm: 'lea rax,[rip+reload_cs]', rel: 'reload_cs' }, // new RIP: the next instruction
  { bytes: [0x50], asm: 'push rax' },
  { bytes: [0x48, 0xcb], asm: 'retfq' }, // far return (AT&T: lretq): CS = 0x10 from our GDT, continue at reload_cs
  // reload_cs:
  { bytes: [0x48, 0x8b, 0x35], asm: 'mov rsi,QWORD PTR [rip+boot_params]', rel: 'boot_params' }, // rsi = boot_params
  { bytes: [0x31, 0xdb], asm: 'xor ebx,ebx' }, // rbx = 0: the boot processor (as kexec-tools' entry64_regs)
  { bytes: [0xff, 0x25], asm: 'jmp QWORD PTR [rip+kernel_entry]', rel: 'kernel_entry' }, // to load address + 0x200
];

/** Flat descriptors (as in kexec-tools' entry64.S): 0x10 64-bit code, 0x18 4 GiB read/write data. */
const GDT: readonly bigint[] = [
  0n, // 0x00 null
  0n, // 0x08 unused
  0x00af9a000000ffffn, // 0x10 code: base 0, limit 0xfffff, G=1 L=1, present ring-0 execute/read
  0x00cf92000000ffffn, // 0x18 data: base 0, limit 0xfffff, G=1 D/B=1, present ring-0 read/write
];

function codeOffsets(): { offsets: number[]; end: number; reloadCs: number } {
  const offsets: number[] = [];
  let at = 0;
  let reloadCs = 0;
  CODE.forEach((insn, i) => {
    offsets.push(at);
    if (i > 0 && CODE[i - 1]?.asm === 'retfq') reloadCs = at;
    at += insn.bytes.length + (insn.rel === undefined ? 0 : 4);
  });
  return { offsets, end: at, reloadCs };
}

const { offsets: CODE_OFFSETS, end: CODE_END, reloadCs: RELOAD_CS } = codeOffsets();
const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Offsets of the data after the code (fixed by the code size). */
export const TRAMPOLINE_LAYOUT = (() => {
  const bootParams = align(CODE_END, 8);
  const kernelEntry = bootParams + 8;
  const gdtr = align(kernelEntry + 8, 16); // u16 limit, u64 base, 6 bytes padding
  const gdt = gdtr + 16;
  return { codeEnd: CODE_END, reloadCs: RELOAD_CS, bootParams, kernelEntry, gdtr, gdtrBase: gdtr + 2, gdt, size: gdt + GDT.length * 8 };
})();

/** The intended instructions, Intel syntax with symbolic targets, for tests and listings. */
export const TRAMPOLINE_ASM: readonly string[] = CODE.map((i) => i.asm);

function labelOffset(label: string): number {
  const L = TRAMPOLINE_LAYOUT;
  const table: Record<string, number> = {
    stack_top: TRAMPOLINE_MEMSZ,
    gdt: L.gdt,
    gdtr: L.gdtr,
    gdtr_base: L.gdtrBase,
    reload_cs: L.reloadCs,
    boot_params: L.bootParams,
    kernel_entry: L.kernelEntry,
  };
  const off = table[label];
  if (off === undefined) throw new Error(`trampoline: unknown label ${label}`);
  return off;
}

/** The trampoline bytes for a boot_params at `bootParams` and a kernel entry at `kernelEntry`. */
export function buildTrampoline(bootParams: bigint, kernelEntry: bigint): Uint8Array {
  const L = TRAMPOLINE_LAYOUT;
  const out = new Uint8Array(L.size);
  const v = new DataView(out.buffer);
  CODE.forEach((insn, i) => {
    const at = CODE_OFFSETS[i] as number;
    out.set(insn.bytes, at);
    if (insn.rel !== undefined) {
      const next = at + insn.bytes.length + 4;
      v.setInt32(at + insn.bytes.length, labelOffset(insn.rel) - next, true);
    }
  });
  v.setBigUint64(L.bootParams, bootParams, true);
  v.setBigUint64(L.kernelEntry, kernelEntry, true);
  v.setUint16(L.gdtr, GDT.length * 8 - 1, true); // limit; the base is written at run time
  GDT.forEach((d, i) => v.setBigUint64(L.gdt + i * 8, d, true));
  return out;
}
