#!/usr/bin/env node
/**
 * Runs `probe` cases through real GRUB (`grub-emu`) on a disk image built here: an MBR with disk
 * signature 1234abcd and one Linux partition holding an ext2 filesystem (UUID and label below,
 * made by mkfs.ext2 from e2fsprogs). Writes probe-cases.json: for each argument list, the
 * status of `probe --set=x ARGS`, the value of x afterwards (null = unset) and GRUB's errors.
 * test/unit/boot/grub/probe-grub-emu.test.ts checks the evaluator against it, over a device
 * table that describes the same disk.
 *
 * Usage: node test/grub-emu/run-probe.mjs [--check]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grubEmuVersion, runCases, writeFixture } from './grub-emu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DISK = { signature: '1234abcd', uuid: '0a1b2c3d-4e5f-4789-abcd-ef0123456789', label: 'boot fs' };

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
  execFileSync('mkfs.ext2', ['-q', '-F', '-E', 'offset=1048576', '-U', DISK.uuid, '-L', DISK.label, img, '63M'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return `(hd0) ${img}\n`;
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
await writeFixture(join(here, 'probe-cases.json'), { producedBy: `${version}, test/grub-emu/run-probe.mjs`, disk: DISK, cases }, 'run-probe');
