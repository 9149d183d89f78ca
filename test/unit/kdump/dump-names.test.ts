import { describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { parseKdumpTools } from '../../../src/config/kdump-tools.js';
import { dumpNames, kdumpToolsStamp } from '../../../src/kdump/dump-names.js';
import { buildDumpPlan, describeDumpPlan } from '../../../src/kdump/dump-plan.js';
import { dumpDirsOldestFirst, dumpsToPrune } from '../../../src/kdump/prune.js';

const NOW = new Date(2026, 10, 6, 7, 8, 9);

describe('dump names', () => {
  it('kdump-utils: <host>-<YYYY-MM-DD-HH:MM:SS>/vmcore (vmcore.flat for a stream), vmcore-dmesg.txt', () => {
    expect(dumpNames({ layout: 'kdump-utils', host: 'web1', now: NOW, remote: false })).toEqual({
      dir: 'web1-2026-11-06-07:08:09',
      partial: 'vmcore-incomplete',
      vmcore: 'vmcore',
      dmesg: 'vmcore-dmesg.txt',
      dmesgPartial: 'vmcore-dmesg-incomplete.txt',
      dmesgUnavailable: 'vmcore-dmesg-unavailable.txt',
    });
    expect(dumpNames({ layout: 'kdump-utils', host: 'web1', now: NOW, remote: true, flat: true }).vmcore).toBe('vmcore.flat');
  });
  it('kdump-tools (kdump-config 1.8): <YYYYMMDDHHMM>/dump.<stamp> locally, <hosttag>-<stamp> for SSH/NFS, dump-incomplete first', () => {
    expect(kdumpToolsStamp(NOW)).toBe('202611060708');
    expect(dumpNames({ layout: 'kdump-tools', host: 'web1', now: NOW, remote: false })).toEqual({
      dir: '202611060708',
      partial: 'dump-incomplete',
      vmcore: 'dump.202611060708',
      dmesg: 'dmesg.202611060708',
      dmesgPartial: 'dmesg-incomplete.202611060708',
      dmesgUnavailable: 'dmesg-unavailable.202611060708',
    });
    expect(dumpNames({ layout: 'kdump-tools', host: 'web1', now: NOW, remote: true, hostTag: '192.168.1.7' }).dir).toBe('192.168.1.7-202611060708');
    expect(dumpNames({ layout: 'kdump-tools', host: 'web1', now: NOW, remote: true }).dir).toBe('web1-202611060708');
  });
  it('KDUMP_NUM_DUMPS sorts both kinds of directory by date; other names are never pruned', () => {
    const names = ['202611060708', 'lost+found', 'web1-2026-11-06-07:05:00', '202611060708.1', '202001010000', 'web1-2019-01-01-00:00:00'];
    expect(dumpDirsOldestFirst(names)).toEqual(['web1-2019-01-01-00:00:00', '202001010000', 'web1-2026-11-06-07:05:00', '202611060708', '202611060708.1']);
    expect(dumpsToPrune(names, 2, '202611060708.1')).toEqual(['web1-2019-01-01-00:00:00', '202001010000', 'web1-2026-11-06-07:05:00']);
  });
});

describe('which layout a dump plan uses', () => {
  const mdf = '/usr/bin/makedumpfile';
  it('kdump-tools alone: its names, its MAKEDUMP_ARGS default (-c -d 31), HOSTTAG', () => {
    const p = buildDumpPlan({ conf: null, tools: parseKdumpTools('USE_KDUMP=1\nHOSTTAG=hostname\n').value, makedumpfile: mdf });
    expect(p.layout.value).toBe('kdump-tools');
    expect(p.hostTag).toEqual({ value: 'hostname', from: '/etc/default/kdump-tools:2' });
    expect(p.collector).toEqual({ argv: [mdf, '-c', '-d', '31'], from: "default of kdump-tools' MAKEDUMP_ARGS" });
    expect(describeDumpPlan(p).find((r) => r.name === 'vmcore')?.value).toBe('<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM>, dmesg.<YYYYMMDDHHMM> (kdump-tools)');
  });
  it('with /etc/kdump.conf: kdump-utils names, even when kdump-tools is configured too', () => {
    const p = buildDumpPlan({ conf: parseKdumpConf('path /var/crash\n').value, tools: parseKdumpTools('USE_KDUMP=1\n').value, makedumpfile: mdf });
    expect(p.layout).toEqual({ value: 'kdump-utils', from: '/etc/kdump.conf' });
    expect(p.collector.argv).toEqual([mdf, '-l', '--message-level', '7', '-d', '31']);
  });
  it('an ssh target says how the dump travels', () => {
    const p = buildDumpPlan({ conf: parseKdumpConf('ssh u@h\n').value, tools: null, makedumpfile: mdf });
    expect(p.warnings).toEqual([]);
    expect(describeDumpPlan(p).find((r) => r.name === 'vmcore')?.value).toBe(
      '<host>-<YYYY-MM-DD-HH:MM:SS>/vmcore.flat, vmcore-dmesg.txt (makedumpfile streamed into ssh)',
    );
    const t = buildDumpPlan({ conf: null, tools: parseKdumpTools('USE_KDUMP=1\nSSH=u@h\n').value, makedumpfile: null });
    expect(describeDumpPlan(t).find((r) => r.name === 'vmcore')?.value).toBe(
      '<ip>-<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM>, dmesg.<YYYYMMDDHHMM> (kdump-tools) (full copy with scp)',
    );
  });
  it('HOSTTAG other than ip/hostname: a file:line warning, ip used', () => {
    const r = parseKdumpTools('USE_KDUMP=1\nHOSTTAG=mac\n');
    expect(r.value.hostTag).toEqual({ value: 'ip', from: 'default' });
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', line: 2, message: 'HOSTTAG="mac" is neither ip nor hostname; using ip' })]);
  });
});
