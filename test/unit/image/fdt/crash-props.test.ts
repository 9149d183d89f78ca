/**
 * linux,elfcorehdr / linux,usable-memory-range encoding (chosen.txt binding; kexec-tools'
 * `fill_property`, `get_cells_size`): cells from the root node, big-endian, hand-written bytes.
 */
import { describe, expect, it } from 'vitest';
import { crashChosenProps, encodeRanges, rootCells, updateChosen, type FdtNode } from '../../../../src/image/fdt/index.js';

const u32 = (n: number): Uint8Array => Uint8Array.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const root = (props: FdtNode['props']): FdtNode => ({ name: '', props, children: [] });
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

describe('crash /chosen properties', () => {
  it('reads #address-cells / #size-cells, 1 and 1 when absent, and refuses odd ones', () => {
    expect(rootCells(root([]))).toEqual({ addressCells: 1, sizeCells: 1 });
    expect(rootCells(root([{ name: '#address-cells', value: u32(2) }]))).toEqual({ addressCells: 2, sizeCells: 1 });
    expect(() => rootCells(root([{ name: '#size-cells', value: u32(3) }]))).toThrow(/#size-cells is 3: only 1 or 2 cells/);
    expect(() => rootCells(root([{ name: '#address-cells', value: new Uint8Array(8) }]))).toThrow(/8 bytes long, not one cell/);
  });

  it('encodes <address size> pairs in the given cells', () => {
    const r = [{ start: 0x1_2345_0000n, end: 0x1_2346_0000n }];
    expect(hex(encodeRanges(r, { addressCells: 2, sizeCells: 1 }, 'x'))).toBe('0000000123450000' + '00010000');
    expect(hex(encodeRanges([{ start: 0xa0000000n, end: 0xb0000000n }], { addressCells: 1, sizeCells: 2 }, 'x'))).toBe('a0000000' + '0000000010000000');
    expect(() => encodeRanges(r, { addressCells: 1, sizeCells: 1 }, 'linux,elfcorehdr')).toThrow(/linux,elfcorehdr address 0x123450000 does not fit/);
  });

  it('updateChosen adds both properties for a crash kernel and drops stale ones otherwise', () => {
    const tree = {
      bootCpuidPhys: 0,
      reserved: [],
      root: {
        name: '',
        props: [
          { name: '#address-cells', value: u32(2) },
          { name: '#size-cells', value: u32(2) },
        ],
        children: [{ name: 'chosen', props: [{ name: 'linux,elfcorehdr', value: new Uint8Array(16).fill(9) }], children: [] }],
      },
    };
    const crash = { elfcorehdr: { start: 0xafff0000n, end: 0xb0000000n }, usable: [{ start: 0xa0000000n, end: 0xb0000000n }] };
    const withCrash = updateChosen(tree, { bootargs: 'a', initrd: null, crash }).root.children[0]!.props;
    expect(withCrash.map((p) => p.name)).toEqual(['bootargs', 'linux,elfcorehdr', 'linux,usable-memory-range']);
    expect(hex(withCrash[1]?.value)).toBe('00000000afff0000' + '0000000000010000');
    expect(crashChosenProps(tree.root, crash).map((p) => hex(p.value))).toEqual(withCrash.slice(1).map((p) => hex(p.value)));
    const plain = updateChosen(tree, { bootargs: 'a', initrd: null }).root.children[0]!.props;
    expect(plain.map((p) => p.name)).toEqual(['bootargs']);
    expect(() => crashChosenProps(tree.root, { ...crash, usable: [] })).toThrow(/no usable memory range/);
  });
});
