import { describe, expect, it } from 'vitest';
import { e820TypeOf, findAcpiRsdp, initrdLayout, joinInitrds, parseSystab } from '../../../../src/image/x86/index.js';

describe('initrds joined like GRUB', () => {
  it('starts each part on a 4-byte boundary with zero padding between, none after the last', () => {
    expect(initrdLayout([5, 8, 3])).toEqual({ offsets: [0, 8, 16], total: 19 });
    expect(initrdLayout([4, 4])).toEqual({ offsets: [0, 4], total: 8 });
    expect(initrdLayout([])).toEqual({ offsets: [], total: 0 });
  });
  it('joins bytes in order; one part is passed through without a copy', () => {
    const a = Uint8Array.from([1, 2, 3, 4, 5]);
    const b = Uint8Array.from([6, 7]);
    expect([...(joinInitrds([a, b]) as Uint8Array)]).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 6, 7]);
    expect(joinInitrds([a])).toBe(a);
    expect(joinInitrds([])).toBeNull();
  });
});

describe('e820 type names', () => {
  it.each([
    ['System RAM', 1],
    ['Reserved', 2],
    ['reserved', 2],
    ['ACPI Tables', 3],
    ['ACPI Non-volatile Storage', 4],
    ['Unusable memory', 5],
    ['Persistent Memory', 7],
    ['Persistent Memory (legacy)', 12],
    ['Type 13', 13],
    ['Soft Reserved', 0xefffffff],
    ['Unknown E820 type', 2],
    ['PCI Bus 0000:00', 2],
  ])('%s -> %d', (name, type) => {
    expect(e820TypeOf(name)).toBe(type);
  });
});

describe('ACPI RSDP', () => {
  const bp = (rsdp: bigint): Uint8Array => {
    const b = new Uint8Array(4096);
    new DataView(b.buffer).setBigUint64(0x70, rsdp, true);
    return b;
  };
  it('prefers the running boot_params, then ACPI20=, then ACPI=', () => {
    const systab = 'SMBIOS=0x7f9e8000\nACPI=0x7fb7e000\nACPI20=0x7fb7e014\n';
    expect(findAcpiRsdp(bp(0xf5a40n), systab)).toBe(0xf5a40n);
    expect(findAcpiRsdp(bp(0n), systab)).toBe(0x7fb7e014n);
    expect(findAcpiRsdp(null, 'ACPI=0x7fb7e000\n')).toBe(0x7fb7e000n);
    expect(findAcpiRsdp(null, null)).toBe(0n);
  });
  it('reads systab KEY=0x lines and ignores others', () => {
    expect([...parseSystab('ACPI20=0x10\nnonsense\nSMBIOS3=0xABC\n').entries()]).toEqual([
      ['ACPI20', 0x10n],
      ['SMBIOS3', 0xabcn],
    ]);
  });
});
