/**
 * Recorded and hand-written inputs for the x86 kexec_load planner tests (text only, no binaries).
 */

/**
 * Setup header bytes 0x1f1..0x270 of Debian's vmlinuz-6.1.0-56-cloud-amd64 (linux-image-6.1.0-56-
 * cloud-amd64 6.1.192-2), recorded with a hex dump: setup_sects 0x27, protocol 2.15, loadflags 0x01,
 * kernel_alignment 0x200000, relocatable 1, min_alignment 21, xloadflags 0x7f, cmdline_size 2047,
 * pref_address 0x1000000, init_size 0x3378000. The header ends at 0x202 + 0x6a = 0x26c.
 */
export const DEBIAN_61_CLOUD_HDR_HEX =
  '27010020820d000000ffff000055aaeb6a486472530f02000000000010c0420001008000001000000000000000000000000000e05b000000000000ffffff7f0000200001157f00ff070000000000000000000000000000cc020000cc96d6000000000000000000000000010000000000803703102fd7001cf9d7008cd88ec0';

/** A fake bzImage: the recorded header at 0x1f1, sentinel 0xff at 0x1ef as real images have, and a payload. */
export function debianLikeImage(opts: { payload?: number; patch?: (b: Uint8Array) => void } = {}): Uint8Array {
  const hdr = Buffer.from(DEBIAN_61_CLOUD_HDR_HEX, 'hex');
  const kern16 = (0x27 + 1) * 512;
  const img = new Uint8Array(kern16 + (opts.payload ?? 0x10000));
  img[0x1ef] = 0xff;
  img.set(hdr, 0x1f1);
  for (let i = kern16; i < img.length; i++) img[i] = (i * 7) & 0xff;
  opts.patch?.(img);
  return img;
}

/** /sys/firmware/memmap of this project's build machine (a KVM guest with 25 GiB), as read: names in directory order. */
export const MEMMAP_HOST = [
  { name: '0', start: '0x0\n', end: '0x9fbff\n', type: 'System RAM\n' },
  { name: '1', start: '0x9fc00\n', end: '0xfffff\n', type: 'Reserved\n' },
  { name: '2', start: '0x100000\n', end: '0xbfffffff\n', type: 'System RAM\n' },
  { name: '3', start: '0xeec00000\n', end: '0xfebfffff\n', type: 'Reserved\n' },
  { name: '4', start: '0x100000000\n', end: '0x63fffffff\n', type: 'System RAM\n' },
];

/** /proc/iomem of the same machine, read as root. */
export const IOMEM_HOST = `00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-000fffff : Reserved
  000de000-000defff : AMZNC10C:00
  000f0000-000fffff : System ROM
00100000-bfffffff : System RAM
  01000000-02276f47 : Kernel code
  02400000-02e0cfff : Kernel rodata
  03000000-0327c17f : Kernel data
  03b32000-03c55fff : Kernel bss
c0001000-eebfffff : PCI Bus 0000:00
eec00000-febfffff : Reserved
  eec00000-eecfffff : PCI ECAM 0000 [bus 00-00]
    eec00000-eecfffff : PCI Bus 0000:00
fec00000-fec003ff : IOAPIC 0
100000000-63fffffff : System RAM
4000000000-7fffffffff : PCI Bus 0000:00
  4000000000-400007ffff : 0000:00:01.0
    4000000000-400007ffff : virtio-pci-modern
`;

/**
 * Hand-written, in the shape of a QEMU q35 + OVMF guest with 2 GiB, crashkernel=256M and EFI
 * reservations inside System RAM (the kind of children kexec-tools ignores on x86).
 */
export const IOMEM_OVMF_CRASH = `00000000-00000fff : Reserved
00001000-0009ffff : System RAM
000a0000-000fffff : Reserved
  000a0000-000bffff : PCI Bus 0000:00
  000f0000-000fffff : System ROM
00100000-007fffff : System RAM
00800000-00807fff : ACPI Non-volatile Storage
00808000-0080afff : System RAM
0080b000-0080bfff : ACPI Non-volatile Storage
0080c000-0080ffff : System RAM
00810000-008fffff : ACPI Non-volatile Storage
00900000-7e8eefff : System RAM
  2b000000-3affffff : Crash kernel
  43600000-44c01fff : Kernel code
  44c02000-455fffff : Kernel rodata
  45600000-45a7f3ff : Kernel data
  46000000-463fffff : Kernel bss
  7c9b5018-7c9c4c57 : reserved
  7d8b4000-7d8b4fff : reserved
7e8ef000-7eaeefff : Reserved
7eaef000-7eb6efff : ACPI Tables
7eb6f000-7ebeefff : ACPI Non-volatile Storage
7ebef000-7fe6ffff : System RAM
7fe70000-7fffffff : Reserved
b0000000-bfffffff : PCI ECAM 0000 [bus 00-ff]
ffc00000-ffffffff : Reserved
`;

/** Hand-written /sys/firmware/memmap of a QEMU q35 + SeaBIOS guest with 2 GiB (-m 2G). */
export const MEMMAP_SEABIOS_2G = [
  { name: '0', start: '0x0', end: '0x9fbff', type: 'System RAM' },
  { name: '1', start: '0x9fc00', end: '0x9ffff', type: 'Reserved' },
  { name: '2', start: '0xf0000', end: '0xfffff', type: 'Reserved' },
  { name: '3', start: '0x100000', end: '0x7ffdffff', type: 'System RAM' },
  { name: '4', start: '0x7ffe0000', end: '0x7fffffff', type: 'Reserved' },
  { name: '5', start: '0xb0000000', end: '0xbfffffff', type: 'Reserved' },
  { name: '6', start: '0xfed1c000', end: '0xfed1ffff', type: 'Reserved' },
  { name: '7', start: '0xfeffc000', end: '0xfeffffff', type: 'Reserved' },
  { name: '8', start: '0xfffc0000', end: '0xffffffff', type: 'Reserved' },
];
