/**
 * The DTB codec against bytes assembled by hand from the Devicetree Specification v0.4 ch. 5,
 * round trips, and the /chosen edits for the next arm64 kernel.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findNode, parseFdt, propString, serializeFdt, updateChosen, type Fdt, type FdtNode } from '../../../../src/image/fdt/index.js';

const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const be64 = (n: bigint): number[] => [...be32(Number(n >> 32n)), ...be32(Number(n & 0xffffffffn))];
const text = (s: string): number[] => {
  const b = [...Buffer.from(s, 'latin1'), 0];
  while (b.length % 4 !== 0) b.push(0);
  return b;
};

// strings block, names in first-use order: "#address-cells\0compatible\0bootargs\0linux,initrd-start\0..."
const NAMES = [
  '#address-cells',
  'compatible',
  'bootargs',
  'linux,initrd-start',
  'linux,initrd-end',
  'linux,elfcorehdr',
  'linux,uefi-system-table',
  'kaslr-seed',
  'device_type',
  'reg',
];
const STRINGS = NAMES.flatMap((n) => [...Buffer.from(n, 'latin1'), 0]);
const off = (name: string): number => NAMES.slice(0, NAMES.indexOf(name)).reduce((s, n) => s + n.length + 1, 0);
const prop = (name: string, value: number[]): number[] => {
  const v = [...value];
  while (v.length % 4 !== 0) v.push(0);
  return [...be32(3), ...be32(value.length), ...be32(off(name)), ...v];
};
const strv = (s: string): number[] => [...Buffer.from(s, 'latin1'), 0];

function handDtb(opts: { nop?: boolean } = {}): Uint8Array {
  const struct = [
    ...be32(1),
    ...text(''),
    ...prop('#address-cells', be32(2)),
    ...prop('compatible', strv('linux,dummy-virt')),
    ...(opts.nop === true ? be32(4) : []),
    ...be32(1),
    ...text('chosen'),
    ...prop('bootargs', strv('console=ttyAMA0 old')),
    ...prop('linux,initrd-start', be64(0x48000000n)),
    ...prop('linux,initrd-end', be64(0x48100000n)),
    ...prop('linux,elfcorehdr', [...be64(0x7f000000n), ...be64(0x10000n)]),
    ...prop('linux,uefi-system-table', be64(0xbfed0018n)),
    ...prop('kaslr-seed', be64(0x1234567887654321n)),
    ...be32(2),
    ...be32(1),
    ...text('memory@40000000'),
    ...prop('device_type', strv('memory')),
    ...prop('reg', [...be64(0x40000000n), ...be64(0x80000000n)]),
    ...be32(2),
    ...be32(2),
    ...be32(9),
  ];
  const rsv = [...be64(0x48000000n), ...be64(0x100000n), ...be64(0n), ...be64(0n)];
  const offStruct = 40 + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + STRINGS.length;
  const header = [0xd00dfeed, total, offStruct, offStrings, 40, 17, 16, 0, STRINGS.length, struct.length].flatMap(be32);
  return Uint8Array.from([...header, ...rsv, ...struct, ...STRINGS]);
}

const bytes = (a: number[]): Uint8Array => Uint8Array.from(a);

describe('parseFdt', () => {
  it('reads a hand-assembled DTB', () => {
    const fdt = parseFdt(handDtb());
    expect(fdt.bootCpuidPhys).toBe(0);
    expect(fdt.reserved).toEqual([{ address: 0x48000000n, size: 0x100000n }]);
    expect(fdt.root.name).toBe('');
    expect(fdt.root.props).toEqual([
      { name: '#address-cells', value: bytes(be32(2)) },
      { name: 'compatible', value: bytes(strv('linux,dummy-virt')) },
    ]);
    expect(fdt.root.children.map((c) => c.name)).toEqual(['chosen', 'memory@40000000']);
    const chosen = findNode(fdt.root, '/chosen') as FdtNode;
    expect(chosen.props.map((p) => p.name)).toEqual([
      'bootargs',
      'linux,initrd-start',
      'linux,initrd-end',
      'linux,elfcorehdr',
      'linux,uefi-system-table',
      'kaslr-seed',
    ]);
    expect(propString(chosen, 'bootargs')).toBe('console=ttyAMA0 old');
    expect(findNode(fdt.root, '/memory@40000000')?.props[1]?.value).toEqual(bytes([...be64(0x40000000n), ...be64(0x80000000n)]));
    expect(findNode(fdt.root, '/nope')).toBeNull();
  });

  it('skips NOP tokens', () => {
    expect(parseFdt(handDtb({ nop: true })).root).toEqual(parseFdt(handDtb()).root);
  });

  it.each<[string, (b: Uint8Array) => Uint8Array, RegExp]>([
    [
      'bad magic',
      (b) => {
        b[0] = 0;
        return b;
      },
      /bad magic/,
    ],
    ['short', (b) => b.subarray(0, 20), /too short/],
    ['truncated', (b) => b.subarray(0, b.length - 8), /totalsize/],
    [
      'version 15',
      (b) => {
        b[23] = 15;
        return b;
      },
      /unsupported version 15/,
    ],
    [
      'unknown token',
      (b) => {
        b[40 + 32 + 3] = 7;
        return b;
      },
      /unknown token 7/,
    ],
  ])('refuses %s with one message', (_n, mutate, msg) => {
    expect(() => parseFdt(mutate(handDtb()))).toThrow(msg);
  });
});

describe('serializeFdt', () => {
  it('writes back the same bytes for a DTB laid out as it lays them out', () => {
    const dtb = handDtb();
    expect(Buffer.from(serializeFdt(parseFdt(dtb))).toString('hex')).toBe(Buffer.from(dtb).toString('hex'));
  });

  const arbName = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\0'));
  const arbNode: fc.Arbitrary<FdtNode> = fc.letrec<{ node: FdtNode }>((tie) => ({
    node: fc.record({
      name: arbName,
      props: fc.array(fc.record({ name: arbName, value: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 4 }),
      children: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant<FdtNode[]>([]), fc.array(tie('node'), { maxLength: 3 })),
    }),
  })).node;

  it('round-trips any tree (property)', () => {
    fc.assert(
      fc.property(
        arbNode,
        fc.array(fc.record({ address: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), { maxLength: 3 }),
        fc.nat(8),
        (node, reserved, cpu) => {
          const fdt: Fdt = { bootCpuidPhys: cpu, reserved, root: { ...node, name: '' } };
          const out = serializeFdt(fdt);
          expect(new DataView(out.buffer).getUint32(4, false)).toBe(out.length); // totalsize
          expect(parseFdt(out)).toEqual(fdt);
        },
      ),
    );
  });
});

describe('updateChosen', () => {
  it('sets bootargs and the initrd, drops capture-kernel leftovers and the seed, keeps the rest', () => {
    const before = parseFdt(handDtb());
    const after = updateChosen(before, { bootargs: 'console=ttyAMA0 new', initrd: { start: 0x50000000n, end: 0x50234567n } });
    const chosen = findNode(after.root, '/chosen') as FdtNode;
    expect(chosen.props.map((p) => p.name)).toEqual(['linux,uefi-system-table', 'bootargs', 'linux,initrd-start', 'linux,initrd-end']);
    expect(chosen.props[1]?.value).toEqual(bytes(strv('console=ttyAMA0 new')));
    expect(chosen.props[2]?.value).toEqual(bytes(be64(0x50000000n)));
    expect(chosen.props[3]?.value).toEqual(bytes(be64(0x50234567n)));
    expect(chosen.props[0]?.value).toEqual(bytes(be64(0xbfed0018n)));
    // the input tree is untouched
    expect(propString(findNode(before.root, '/chosen') as FdtNode, 'bootargs')).toBe('console=ttyAMA0 old');
    // and the result serializes and reads back
    expect(parseFdt(serializeFdt(after))).toEqual(after);
  });

  it('without an initrd removes the initrd properties; fresh seeds replace old ones; a missing /chosen is created', () => {
    const seed = bytes(be64(0xaaaabbbbccccddddn));
    const after = updateChosen(parseFdt(handDtb()), { bootargs: '', initrd: null, kaslrSeed: seed, rngSeed: bytes([1, 2, 3, 4]) });
    const chosen = findNode(after.root, '/chosen') as FdtNode;
    expect(chosen.props.map((p) => p.name)).toEqual(['linux,uefi-system-table', 'bootargs', 'kaslr-seed', 'rng-seed']);
    expect(chosen.props[2]?.value).toEqual(seed);
    const bare: Fdt = { bootCpuidPhys: 0, reserved: [], root: { name: '', props: [], children: [] } };
    expect(findNode(updateChosen(bare, { bootargs: 'x', initrd: null }).root, '/chosen')?.props).toEqual([{ name: 'bootargs', value: bytes(strv('x')) }]);
  });
});
