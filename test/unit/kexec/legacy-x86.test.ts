/**
 * The kexec_load assembler for x86_64 (src/kexec/legacy-x86.ts) over a recorded machine under a
 * temp root: each file read once into its segment, several initrds joined GRUB's way (4-byte zero
 * padding between parts), the crash region and reserved children kept free, /sys/firmware/memmap
 * preferred for the e820 table unless add_efi_memmap.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeQuietly, openChecked, type OpenedFile } from '../../../src/host/open-checked.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { readX86BootFacts } from '../../../src/host/x86-boot-facts.js';
import { buildX86LegacyPlan } from '../../../src/kexec/legacy-x86.js';
import { debianLikeImage } from '../image/x86/fixtures.js';

const IOMEM = `00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-000fffff : Reserved
00100000-7ffdffff : System RAM
  01000000-01ffffff : Kernel code
  30000000-3fffffff : Crash kernel
  7f000000-7f0fffff : reserved
7ffe0000-7fffffff : Reserved
`;
const MEMMAP = [
  ['0x0', '0x9fbff', 'System RAM'],
  ['0x9fc00', '0x9ffff', 'Reserved'],
  ['0xf0000', '0xfffff', 'Reserved'],
  ['0x100000', '0x7ffdffff', 'System RAM'],
  ['0x7ffe0000', '0x7fffffff', 'Reserved'],
];

let dir = '';
const opened: OpenedFile[] = [];
afterEach(() => {
  for (const f of opened.splice(0)) closeQuietly(f.fd);
  rmSync(dir, { recursive: true, force: true });
});

function machine(cmdline = 'root=/dev/vda ro'): RootFs {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-legacy-'));
  const w = (p: string, text: string | Uint8Array): void => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  w('proc/iomem', IOMEM);
  w('proc/cmdline', `${cmdline}\n`);
  MEMMAP.forEach(([s, e, t], i) => {
    w(`sys/firmware/memmap/${i}/start`, `${s}\n`);
    w(`sys/firmware/memmap/${i}/end`, `${e}\n`);
    w(`sys/firmware/memmap/${i}/type`, `${t}\n`);
  });
  w('sys/kernel/boot_params/data', new Uint8Array(4096));
  return new RootFs(dir);
}

function file(name: string, bytes: Uint8Array): OpenedFile {
  const p = join(dir, name);
  writeFileSync(p, bytes, { mode: 0o644 });
  const f = openChecked(p, name, { trustedUids: [0, process.getuid?.() ?? 0] });
  opened.push(f);
  return f;
}

const overlaps = (a0: bigint, a1: bigint, b0: bigint, b1: bigint): boolean => a0 < b1 && b0 < a1;

describe('buildX86LegacyPlan', () => {
  it('reads each file into its segment and joins initrds with 4-byte zero padding', () => {
    const fs = machine();
    const img = debianLikeImage({ payload: 0x20000 });
    const a = Uint8Array.from([1, 2, 3, 4, 5]); // 5 bytes: 3 bytes of padding follow
    const b = Uint8Array.from([9, 8, 7]);
    const plan = buildX86LegacyPlan({
      kernel: file('vmlinuz', img),
      initrds: [file('a.img', a), file('b.img', b)],
      cmdline: 'console=ttyS0',
      facts: readX86BootFacts(fs),
      rngSeed: null,
    });
    const kernel = plan.segments.find((s) => s.what === 'kernel');
    expect(Buffer.from(kernel?.buf ?? [])).toEqual(Buffer.from(img.subarray((0x27 + 1) * 512)));
    const initrd = plan.segments.find((s) => s.what === 'initrd');
    expect(Array.from(initrd?.buf ?? [])).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 9, 8, 7]);
    expect(plan.memmapSource).toBe('/sys/firmware/memmap');
    expect(plan.table[0]).toBe(`entry = 0x${plan.entry.toString(16)}`);
  });

  it('keeps every segment out of the crash region, reserved children and the first MiB', () => {
    const fs = machine();
    const plan = buildX86LegacyPlan({
      kernel: file('vmlinuz', debianLikeImage()),
      initrds: [file('i.img', new Uint8Array(3 << 20))],
      cmdline: '',
      facts: readX86BootFacts(fs),
      rngSeed: null,
    });
    for (const s of plan.segments) {
      const end = s.mem + s.memsz;
      expect(overlaps(s.mem, end, 0x30000000n, 0x40000000n), `${s.what} in the crash region`).toBe(false);
      expect(overlaps(s.mem, end, 0x7f000000n, 0x7f100000n), `${s.what} on a reserved child`).toBe(false);
      expect(s.mem >= 0x100000n, `${s.what} below 1 MiB`).toBe(true);
      expect(end <= 0x7ffe0000n, `${s.what} past RAM`).toBe(true);
    }
  });

  it('uses /proc/iomem for the memory map under add_efi_memmap, as kexec-tools does', () => {
    const fs = machine('root=/dev/vda add_efi_memmap');
    const plan = buildX86LegacyPlan({ kernel: file('vmlinuz', debianLikeImage()), initrds: [], cmdline: '', facts: readX86BootFacts(fs), rngSeed: null });
    expect(plan.memmapSource).toBe('/proc/iomem');
    expect(plan.segments.map((s) => s.what).sort()).toEqual(['boot_params', 'kernel', 'trampoline']);
  });

  it('says so when there is no memory map at all', () => {
    dir = mkdtempSync(join(tmpdir(), 'kexecctl-legacy-'));
    const facts = readX86BootFacts(new RootFs(dir));
    expect(() => buildX86LegacyPlan({ kernel: file('vmlinuz', debianLikeImage()), initrds: [], cmdline: '', facts, rngSeed: null })).toThrow(/no memory map/);
  });
});
