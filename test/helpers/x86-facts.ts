/**
 * A recorded-shape x86 machine for kexec_load tests: 2 GiB under SeaBIOS (QEMU's e820), no EFI,
 * a crashkernel= reservation. Hand-written in the format of /proc/iomem and /sys/firmware/memmap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X86BootFacts } from '../../src/host/x86-boot-facts.js';

export const QEMU_2G_IOMEM = `00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-0009ffff : Reserved
000f0000-000fffff : Reserved
00100000-7ffdffff : System RAM
  05000000-05ffffff : Kernel code
  30000000-3fffffff : Crash kernel
7ffe0000-7fffffff : Reserved
fffc0000-ffffffff : Reserved
`;

export function qemu2gFacts(): X86BootFacts {
  const rows: Array<[string, string, string]> = [
    ['0x0', '0x9fbff', 'System RAM'],
    ['0x9fc00', '0x9ffff', 'Reserved'],
    ['0xf0000', '0xfffff', 'Reserved'],
    ['0x100000', '0x7ffdffff', 'System RAM'],
    ['0x7ffe0000', '0x7fffffff', 'Reserved'],
    ['0xfffc0000', '0xffffffff', 'Reserved'],
  ];
  return {
    memmap: rows.map(([start, end, type], i) => ({ name: String(i), start, end, type })),
    iomem: QEMU_2G_IOMEM,
    bootParams: new Uint8Array(4096),
    efi: null,
    procCmdline: 'console=ttyS0 root=/dev/vda ro crashkernel=256M',
    la57: false,
  };
}

/** Writes qemu2gFacts() as files under ROOT (proc/iomem, proc/cmdline, sys/firmware/memmap/N/*). */
export function writeQemu2gMachine(root: string): void {
  const f = qemu2gFacts();
  const w = (p: string, text: string): void => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  w('proc/iomem', f.iomem ?? '');
  w('proc/cmdline', `${f.procCmdline ?? ''}\n`);
  for (const r of f.memmap) {
    w(`sys/firmware/memmap/${r.name}/start`, `${r.start}\n`);
    w(`sys/firmware/memmap/${r.name}/end`, `${r.end}\n`);
    w(`sys/firmware/memmap/${r.name}/type`, `${r.type}\n`);
  }
}
