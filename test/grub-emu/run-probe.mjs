#!/usr/bin/env node
/**
 * Runs `probe` cases through real GRUB (`grub-emu`) on two disk images built here: hd0, an MBR
 * with disk signature 1234abcd and one Linux partition, and hd1, a GPT with one partition; each
 * partition holds an ext2 filesystem (UUIDs and labels below, made by mkfs.ext2 from e2fsprogs). Writes probe-cases.json: for each argument list, the
 * status of `probe --set=x ARGS`, the value of x afterwards (null = unset) and GRUB's errors.
 * test/unit/boot/grub/probe-grub-emu.test.ts checks the evaluator against it, over a device
 * table that describes the same disk.
 *
 * Usage: node test/grub-emu/run-probe.mjs [--check]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grubEmuVersion, runCases, writeFixture } from './grub-emu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DISK = { signature: '1234abcd', uuid: '0a1b2c3d-4e5f-4789-abcd-ef0123456789', label: 'boot fs' };
/** hd1: a GPT disk, one partition (Linux filesystem type) holding another ext2 filesystem. */
export const GPT_DISK = { partGuid: '3b5f6d1e-8a2c-4f4e-9b7d-1c2e3f4a5b6c', uuid: '9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b', label: 'ROOT' };

const ARGS = [
  '--driver (hd0,msdos1)',
  '--partmap (hd0,msdos1)',
  '--part-uuid (hd0,msdos1)',
  '--fs (hd0,msdos1)',
  '--fs-uuid (hd0,msdos1)',
  '--label (hd0,msdos1)',
  '--driver (hd0)',
  '--partmap (hd0)',
  '--part-uuid (hd0)',
  '--fs hd0,msdos1',
  '-u hd0,msdos1',
  '-l (hd0,msdos1)',
  '-f -u (hd0,msdos1)',
  '-fu (hd0,msdos1)',
  '--label --fs (hd0,msdos1)',
  '--fs-uuid --partmap (hd0,msdos1)',
  '(hd0,msdos1)',
  '--fs',
  '--fs (hd0,msdos3)',
  '--partuuid (hd0,msdos1)',
  '--partmap (hd1,gpt1)',
  '--part-uuid (hd1,gpt1)',
  '--fs-uuid (hd1,gpt1)',
  '--label (hd1,gpt1)',
  '--driver (hd1,gpt1)',
  '--partmap (hd1)',
  '--fs=yes (hd0,msdos1)',
];

function makeDisk(dir) {
  const img = join(dir, 'disk.img');
  const fd = openSync(img, 'w');
  ftruncateSync(fd, 64 << 20);
  const mbr = Buffer.alloc(512);
  mbr.writeUInt32LE(parseInt(DISK.signature, 16), 440);
  Buffer.from([0x00, 0xfe, 0xff, 0xff, 0x83, 0xfe, 0xff, 0xff]).copy(mbr, 446);
  mbr.writeUInt32LE(2048, 454);
  mbr.writeUInt32LE((64 << 11) - 2048, 458);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  writeSync(fd, mbr, 0, 512, 0);
  closeSync(fd);
  mkfs(img, DISK);
  return `(hd0) ${img}\n(hd1) ${makeGptDisk(dir)}\n`;
}

function mkfs(img, fs) {
  execFileSync('mkfs.ext2', ['-q', '-F', '-E', 'offset=1048576', '-U', fs.uuid, '-L', fs.label, img, '63M'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A GUID as its on-disk bytes (first three fields little-endian). */
function guidBytes(g) {
  const h = g.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

/** UEFI spec GPT: protective MBR, header at LBA 1 (backup at the last LBA), 128 entries from LBA 2. */
function makeGptDisk(dir) {
  const img = join(dir, 'gpt.img');
  const sectors = 64 << 11;
  const fd = openSync(img, 'w');
  ftruncateSync(fd, sectors * 512);
  const mbr = Buffer.alloc(512);
  Buffer.from([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff]).copy(mbr, 446);
  mbr.writeUInt32LE(1, 454);
  mbr.writeUInt32LE(sectors - 1, 458);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  writeSync(fd, mbr, 0, 512, 0);
  const entries = Buffer.alloc(128 * 128);
  guidBytes('0fc63daf-8483-4772-8e79-3d69d8477de4').copy(entries, 0);
  guidBytes(GPT_DISK.partGuid).copy(entries, 16);
  entries.writeBigUInt64LE(2048n, 32);
  entries.writeBigUInt64LE(BigInt(sectors - 34), 40);
  const header = (self, other, table) => {
    const h = Buffer.alloc(92);
    h.write('EFI PART', 0, 'latin1');
    h.writeUInt32LE(0x10000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(BigInt(self), 24);
    h.writeBigUInt64LE(BigInt(other), 32);
    h.writeBigUInt64LE(34n, 40);
    h.writeBigUInt64LE(BigInt(sectors - 34), 48);
    guidBytes('11223344-5566-4778-899a-abbccddeeff0').copy(h, 56);
    h.writeBigUInt64LE(BigInt(table), 72);
    h.writeUInt32LE(128, 80);
    h.writeUInt32LE(128, 84);
    h.writeUInt32LE(crc32(entries), 88);
    h.writeUInt32LE(crc32(h), 16);
    return h;
  };
  writeSync(fd, header(1, sectors - 1, 2), 0, 92, 512);
  writeSync(fd, entries, 0, entries.length, 1024);
  writeSync(fd, entries, 0, entries.length, (sectors - 33) * 512);
  writeSync(fd, header(sectors - 1, 1, sectors - 33), 0, 92, (sectors - 1) * 512);
  closeSync(fd);
  mkfs(img, GPT_DISK);
  return img;
}

const lines = [];
ARGS.forEach((a, i) => lines.push('unset x', `probe --set=x ${a}`, `echo "@@ ${i} status $?"`, 'set', `echo "@@ ${i} end"`));
const version = grubEmuVersion();
const blocks = runCases(lines, ARGS.length, makeDisk);
const cases = ARGS.map((args, i) => {
  const block = blocks[i];
  const statusAt = block.findIndex((l) => l.startsWith(`@@ ${i} status `));
  const hit = block.slice(statusAt + 1).find((l) => l.startsWith('x='));
  return {
    args,
    status: Number(block[statusAt].slice(`@@ ${i} status `.length)),
    x: hit === undefined ? null : hit.slice(2),
    errors: block.slice(0, statusAt).filter((l) => l.startsWith('error: ')),
  };
});
await writeFixture(
  join(here, 'probe-cases.json'),
  { producedBy: `${version}, test/grub-emu/run-probe.mjs`, disk: DISK, gptDisk: GPT_DISK, cases },
  'run-probe',
);
