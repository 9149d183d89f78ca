/**
 * Golden bytes for boot_params. Expected buffers are written field by field from the offsets in
 * arch/x86/include/uapi/asm/bootparam.h (literal numbers here, not the code's constants).
 */
import { describe, expect, it } from 'vitest';
import { parseSysfsMemmap } from '../../../../src/image/memmap/index.js';
import {
  buildParamsSegment,
  decideEfiHandoff,
  e820FromMemmap,
  findAcpiRsdp,
  probeBzImage64,
  type EfiSysfsInput,
  type ParamsSegmentInput,
} from '../../../../src/image/x86/index.js';
import { DEBIAN_61_CLOUD_HDR_HEX, MEMMAP_SEABIOS_2G, debianLikeImage } from './fixtures.js';

const put = (b: Uint8Array, off: number, v: bigint | number, size: 1 | 2 | 4 | 8): void => {
  let x = BigInt(v);
  for (let i = 0; i < size; i++, x >>= 8n) b[off + i] = Number(x & 0xffn);
};
const get = (b: Uint8Array, off: number, size: 1 | 2 | 4 | 8): bigint => {
  let x = 0n;
  for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[off + i] as number);
  return x;
};

/** A running kernel's boot_params/data: a BIOS boot with recognisable bytes where we copy and junk where we must not. */
function runningBios(): Uint8Array {
  const r = new Uint8Array(4096);
  for (let i = 0; i < 0x40; i++) r[i] = i + 1; // screen_info
  put(r, 0x070, 0xf5a40, 8); // acpi_rsdp_addr
  put(r, 0x0c0, 0x11111111, 4); // stale ext_ramdisk_image
  put(r, 0x0c8, 0x22222222, 4); // stale ext_cmd_line_ptr
  r[0x1e8] = 77; // stale e820_entries
  r[0x1e9] = 1; // eddbuf_entries
  r[0x1ea] = 1; // edd_mbr_sig_buf_entries
  r[0x1ec] = 1; // secure_boot
  put(r, 0x228, 0x33333333, 4); // stale cmd_line_ptr
  put(r, 0x23c, 2, 4); // hardware_subarch (Xen, to see it copied)
  put(r, 0x290, 0xdeadbeef, 4); // edd_mbr_sig_buffer[0]
  for (let i = 0; i < 82; i++) r[0xd00 + i] = 0x80 + i; // eddbuf[0]
  return r;
}

function baseInput(over: Partial<ParamsSegmentInput> = {}): ParamsSegmentInput {
  const head = debianLikeImage();
  return {
    head,
    header: probeBzImage64(head),
    running: runningBios(),
    cmdline: new TextEncoder().encode('console=ttyS0 root=/dev/vda1'),
    e820: e820FromMemmap(parseSysfsMemmap(MEMMAP_SEABIOS_2G)),
    acpiRsdp: 0xf5a40n,
    efi: null,
    rngSeed: null,
    initrd: { addr: 0x7f000000n, size: 0x123456n },
    ...over,
  };
}

describe('boot_params golden bytes', () => {
  it('BIOS boot, everything below 4 GiB', () => {
    const running = runningBios();
    const got = buildParamsSegment(baseInput({ running }), 0x7ffd0000n);
    const cmd = 'console=ttyS0 root=/dev/vda1';
    const exp = new Uint8Array(0x1000 + 32); // 0x1000 + strlen 28 + NUL, rounded to 16
    exp.set(running.subarray(0, 0x40), 0); // screen_info
    put(exp, 0x002, 0xfc00, 2); // screen_info.ext_mem_k: capped at 64 MiB
    put(exp, 0x070, 0xf5a40, 8); // acpi_rsdp_addr
    put(exp, 0x1e0, 0x1ffb7f, 4); // alt_mem_k: (0x7ffdffff >> 10) - 0x400
    exp[0x1e8] = 9; // e820_entries
    exp[0x1e9] = 1;
    exp[0x1ea] = 1;
    exp[0x1ec] = 1; // secure_boot copied
    exp.set(Buffer.from(DEBIAN_61_CLOUD_HDR_HEX, 'hex').subarray(0, 0x26c - 0x1f1), 0x1f1); // setup header only
    exp[0x210] = 0xd0; // type_of_loader: kexec
    exp[0x211] = 0x00; // loadflags
    put(exp, 0x218, 0x7f000000, 4); // ramdisk_image
    put(exp, 0x21c, 0x123456, 4); // ramdisk_size
    put(exp, 0x228, 0x7ffd1000, 4); // cmd_line_ptr: right after the 4 KiB zero page
    put(exp, 0x23c, 2, 4); // hardware_subarch
    put(exp, 0x290, 0xdeadbeef, 4);
    for (let i = 0; i < 82; i++) exp[0xd00 + i] = 0x80 + i;
    const e820: Array<[number, number, number]> = [
      [0x0, 0x9fc00, 1],
      [0x9fc00, 0x400, 2],
      [0xf0000, 0x10000, 2],
      [0x100000, 0x7fee0000, 1],
      [0x7ffe0000, 0x20000, 2],
      [0xb0000000, 0x10000000, 2],
      [0xfed1c000, 0x4000, 2],
      [0xfeffc000, 0x4000, 2],
      [0xfffc0000, 0x40000, 2],
    ];
    e820.forEach(([a, s, t], i) => {
      put(exp, 0x2d0 + i * 20, a, 8);
      put(exp, 0x2d0 + i * 20 + 8, s, 8);
      put(exp, 0x2d0 + i * 20 + 16, t, 4);
    });
    exp.set(new TextEncoder().encode(cmd), 0x1000);
    expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(exp).toString('hex'));
  });

  it('keeps the sentinel at 0 although the image has 0xff there', () => {
    const input = baseInput();
    expect(input.head[0x1ef]).toBe(0xff);
    expect(buildParamsSegment(input, 0x10000n)[0x1ef]).toBe(0);
  });

  it('splits addresses above 4 GiB into the ext_ high halves', () => {
    const got = buildParamsSegment(baseInput({ initrd: { addr: 0x6_3cad_c000n, size: 0x1_0000_0010n } }), 0x1_2345_6000n);
    expect(get(got, 0x218, 4)).toBe(0x3cadc000n); // ramdisk_image
    expect(get(got, 0x0c0, 4)).toBe(0x6n); // ext_ramdisk_image
    expect(get(got, 0x21c, 4)).toBe(0x10n); // ramdisk_size
    expect(get(got, 0x0c4, 4)).toBe(0x1n); // ext_ramdisk_size
    expect(get(got, 0x228, 4)).toBe(0x23457000n); // cmd_line_ptr
    expect(get(got, 0x0c8, 4)).toBe(0x1n); // ext_cmd_line_ptr
  });

  it('without a running boot_params: text-mode screen defaults, nothing copied', () => {
    const got = buildParamsSegment(baseInput({ running: null }), 0x10000n);
    expect([got[0x07], got[0x0e], got[0x0f], get(got, 0x10, 2)]).toEqual([80, 25, 1, 16n]);
    expect(get(got, 0x23c, 4)).toBe(0n);
    expect(got[0x1ec]).toBe(0);
  });

  it('more than 128 e820 entries: the rest in a SETUP_E820_EXT node', () => {
    const e820 = Array.from({ length: 130 }, (_, i) => ({ addr: BigInt(i) * 0x2000n, size: 0x1000n, type: (i % 2) + 1 }));
    const base = 0x50000n;
    const got = buildParamsSegment(baseInput({ e820 }), base);
    expect(got[0x1e8]).toBe(128);
    expect(get(got, 0x2d0 + 127 * 20, 8)).toBe(127n * 0x2000n);
    const node = Number(get(got, 0x250, 8) - base);
    expect(get(got, node, 8)).toBe(0n); // next
    expect(get(got, node + 8, 4)).toBe(1n); // SETUP_E820_EXT
    expect(get(got, node + 12, 4)).toBe(40n); // two entries
    expect([get(got, node + 16, 8), get(got, node + 24, 8), get(got, node + 32, 4)]).toEqual([128n * 0x2000n, 0x1000n, 1n]);
    expect([get(got, node + 36, 8), get(got, node + 44, 8), get(got, node + 52, 4)]).toEqual([129n * 0x2000n, 0x1000n, 2n]);
  });
});

function efiRunning(): Uint8Array {
  const r = runningBios();
  put(r, 0x070, 0, 8); // no RSDP in boot_params: the systab supplies it
  r[0x1ec] = 3; // secure_boot: enabled
  put(r, 0x1c0, 0x34364c45, 4); // "EL64"
  put(r, 0x1c4, 0x7fb1e018, 4); // efi_systab
  put(r, 0x1c8, 48, 4); // memdesc_size of the firmware's map
  put(r, 0x1cc, 1, 4); // memdesc_version
  put(r, 0x1d0, 0x7e000000, 4); // stale efi_memmap
  put(r, 0x1d4, 48 * 40, 4); // efi_memmap_size
  put(r, 0x1d8, 0x1, 4); // efi_systab_hi
  return r;
}

const EFI_SYSFS: EfiSysfsInput = {
  runtimeMap: [
    { name: '1', type: '0xb\n', phys_addr: '0xffc00000\n', virt_addr: '0xfffffffeff800000\n', num_pages: '0x400\n', attribute: '0x8000000000000001\n' },
    { name: '0', type: '0x5\n', phys_addr: '0x7f9ee000\n', virt_addr: '0xfffffffeffb2e000\n', num_pages: '0x10\n', attribute: '0x800000000000000f\n' },
  ],
  systab: 'ACPI20=0x7fb7e014\nACPI=0x7fb7e000\nSMBIOS=0x7f9e8000\nSMBIOS3=0x7f9e6000\n',
  fwVendor: '0x7fb1f000\n',
  runtime: '0x7fb1eb98\n',
  configTable: '0x7fb1e098\n',
};

describe('EFI hand-over', () => {
  it('efi_info, the runtime map and SETUP_EFI when the image has XLF_EFI_KEXEC', () => {
    const running = efiRunning();
    const head = debianLikeImage();
    const header = probeBzImage64(head);
    const decision = decideEfiHandoff(header, running, EFI_SYSFS);
    expect(decision.reason).toBeNull();
    const acpi = findAcpiRsdp(running, EFI_SYSFS.systab);
    expect(acpi).toBe(0x7fb7e014n);
    const base = 0x7ff00000n;
    const got = buildParamsSegment(baseInput({ running, efi: decision.handoff, acpiRsdp: acpi }), base);
    expect(get(got, 0x070, 8)).toBe(0x7fb7e014n);
    expect(got[0x1ec]).toBe(3);
    expect(get(got, 0x1c0, 4)).toBe(0x34364c45n);
    expect(get(got, 0x1c4, 4)).toBe(0x7fb1e018n);
    expect(get(got, 0x1d8, 4)).toBe(1n); // systab_hi
    expect(get(got, 0x1c8, 4)).toBe(40n); // our descriptors are 40 bytes
    expect(get(got, 0x1cc, 4)).toBe(1n);
    expect(get(got, 0x1d4, 4)).toBe(80n);
    const map = Number(((get(got, 0x1dc, 4) << 32n) | get(got, 0x1d0, 4)) - base);
    const desc = (t: number, p: bigint, v: bigint, n: bigint, a: bigint): string => {
      const d = new Uint8Array(40);
      put(d, 0, t, 4);
      put(d, 8, p, 8);
      put(d, 16, v, 8);
      put(d, 24, n, 8);
      put(d, 32, a, 8);
      return Buffer.from(d).toString('hex');
    };
    expect(Buffer.from(got.subarray(map, map + 80)).toString('hex')).toBe(
      desc(5, 0x7f9ee000n, 0xfffffffeffb2e000n, 0x10n, 0x800000000000000fn) + desc(0xb, 0xffc00000n, 0xfffffffeff800000n, 0x400n, 0x8000000000000001n),
    );
    const sd = Number(get(got, 0x250, 8) - base);
    expect([get(got, sd, 8), get(got, sd + 8, 4), get(got, sd + 12, 4)]).toEqual([0n, 4n, 96n]);
    expect([0, 8, 16, 24].map((o) => get(got, sd + 16 + o, 8))).toEqual([0x7fb1f000n, 0x7fb1eb98n, 0x7fb1e098n, 0x7f9e8000n]);
    expect(got.subarray(sd + 48, sd + 112).every((b) => b === 0)).toBe(true);
  });

  it.each<[string, (h: ReturnType<typeof probeBzImage64>) => void, Uint8Array | null, EfiSysfsInput | null, RegExp]>([
    ['BIOS boot', () => {}, runningBios(), null, /no \/sys\/firmware\/efi/],
    ['image without XLF_EFI_KEXEC', (h) => (h.efiKexec = false), efiRunning(), EFI_SYSFS, /XLF_EFI_KEXEC/],
    ['no runtime map', () => {}, efiRunning(), { ...EFI_SYSFS, runtimeMap: [] }, /runtime-map/],
    ['no fw_vendor', () => {}, efiRunning(), { ...EFI_SYSFS, fwVendor: null }, /fw_vendor/],
    [
      'descriptor version 2',
      () => {},
      (() => {
        const r = efiRunning();
        put(r, 0x1cc, 2, 4);
        return r;
      })(),
      EFI_SYSFS,
      /version 2/,
    ],
    [
      '32-bit EFI',
      () => {},
      (() => {
        const r = efiRunning();
        put(r, 0x1c0, 0x32334c45, 4);
        return r;
      })(),
      EFI_SYSFS,
      /EL64/,
    ],
  ])('falls back without EFI data: %s', (_n, patchHeader, running, efi, reason) => {
    const header = probeBzImage64(debianLikeImage());
    patchHeader(header);
    const d = decideEfiHandoff(header, running, efi);
    expect(d.handoff).toBeNull();
    expect(d.reason).toMatch(reason);
    const got = buildParamsSegment(baseInput({ header, running, efi: null, acpiRsdp: findAcpiRsdp(running, efi?.systab ?? null) }), 0x10000n);
    expect(got.subarray(0x1c0, 0x1e0).every((b) => b === 0)).toBe(true); // no efi_info
    expect(get(got, 0x250, 8)).toBe(0n); // no setup_data
    expect(get(got, 0x070, 8)).not.toBe(0n); // ACPI still reachable
  });

  it('chains E820_EXT, EFI and RNG seed nodes, each next pointing at the following one', () => {
    const e820 = Array.from({ length: 129 }, (_, i) => ({ addr: BigInt(i) * 0x2000n, size: 0x1000n, type: 1 }));
    const header = probeBzImage64(debianLikeImage());
    const efi = decideEfiHandoff(header, efiRunning(), EFI_SYSFS).handoff;
    const seed = new Uint8Array(32).fill(0xab);
    const base = 0x40000000n;
    const got = buildParamsSegment(baseInput({ e820, efi, rngSeed: seed, running: efiRunning() }), base);
    const types: bigint[] = [];
    let p = get(got, 0x250, 8);
    while (p !== 0n) {
      const off = Number(p - base);
      expect(off).toBeGreaterThanOrEqual(0x1000);
      expect(off + 16).toBeLessThanOrEqual(got.length);
      types.push(get(got, off + 8, 4));
      if (get(got, off + 8, 4) === 9n) expect(got.subarray(off + 16, off + 48)).toEqual(seed);
      p = get(got, off, 8);
    }
    expect(types).toEqual([1n, 4n, 9n]);
  });
});
