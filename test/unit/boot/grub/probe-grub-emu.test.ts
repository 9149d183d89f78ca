/**
 * probe against real GRUB: test/grub-emu/probe-cases.json was written by grub-emu 2.06
 * (test/grub-emu/run-probe.mjs) over a disk image; here the evaluator answers from a device table
 * that describes the same disk (src/host/probe-facts.ts), with GRUB's (hd0,msdos1) bound to it as
 * `search --hint` would bind it. Documented divergences are listed below and must warn.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateGrub } from '../../../../src/boot/grub/evaluate.js';
import type { GrubFs, GrubResult } from '../../../../src/boot/grub/types.js';
import { buildDeviceTable } from '../../../../src/host/device-table.js';
import { probeDevice } from '../../../../src/host/probe-facts.js';
import { memFs } from './mem-fs.js';

type Case = { args: string; status: number; x: string | null; errors: string[] };
const fixture = JSON.parse(readFileSync(new URL('../../../grub-emu/probe-cases.json', import.meta.url), 'utf8')) as {
  producedBy: string;
  disk: { signature: string; uuid: string; label: string };
  gptDisk: { partGuid: string; uuid: string; label: string };
  cases: Case[];
};
const { disk, gptDisk } = fixture;

const table = buildDeviceTable({
  mountinfo: null,
  fstab: `UUID=${disk.uuid} /boot ext2 defaults 0 2\nUUID=${gptDisk.uuid} / ext4 defaults 0 1\n`,
  cmdline: null,
  byUuid: { [disk.uuid]: 'sda1', [gptDisk.uuid]: 'sdb1' },
  byLabel: { [disk.label.replace(/ /g, '\\x20')]: 'sda1', [gptDisk.label]: 'sdb1' },
  byPartuuid: { [`${disk.signature}-01`]: 'sda1', [gptDisk.partGuid]: 'sdb1' },
  nodes: {},
  hostRoot: '/',
});
const NAMES: Record<string, string> = { 'hd0,msdos1': 'dev:sda1', 'hd1,gpt1': 'dev:sdb1' };
const probeFs: Required<GrubFs>['probe'] = (d, t, p) => probeDevice(table, NAMES[d] ?? d, t, p);

/** What we do differently from GRUB, and why (each must be a warning and a failing status). */
const DIVERGES: Record<string, string> = {
  '--driver (hd0)': 'whole disks are not in the device table',
  '--partmap (hd0)': 'whole disks are not in the device table',
  '--part-uuid (hd0)': 'whole disks are not in the device table',
  '--partmap (hd1)': 'whole disks are not in the device table',
};

function probe(args: string): { status: number; x: string; result: GrubResult } {
  const cfg = `unset x\nprobe --set=x ${args}\nmenuentry "$?" --id "[$x]" { linux /k }\n`;
  const result = evaluateGrub({
    fs: { ...memFs({ '/boot/grub/grub.cfg': cfg }), probe: probeFs },
    configPath: '/boot/grub/grub.cfg',
    platform: { grub_platform: 'emu' },
  });
  const entry = result.menu[0];
  if (entry === undefined) throw new Error('no menu entry');
  return { status: Number(entry.title), x: entry.id.slice(1, -1), result };
}

describe(`probe agrees with ${fixture.producedBy}`, () => {
  it('has the cases run-probe.mjs wrote', () => expect(fixture.cases.length).toBeGreaterThan(15));
  for (const c of fixture.cases) {
    const why = DIVERGES[c.args];
    it(`probe --set=x ${c.args}${why === undefined ? '' : ` (diverges: ${why})`}`, () => {
      const got = probe(c.args);
      if (why !== undefined) {
        expect(got.status).not.toBe(0);
        expect(got.result.diagnostics.map((d) => [d.severity, d.line])).toEqual([['warning', 2]]);
        return;
      }
      expect([got.status, got.x]).toEqual([c.status, c.x ?? '']);
      // Where GRUB prints an error we report one diagnostic (a warning for an unknown device).
      expect(got.result.diagnostics.length).toBe(c.errors.length);
    });
  }
});
