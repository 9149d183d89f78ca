import { describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { parseKdumpTools } from '../../../src/config/kdump-tools.js';
import { dumpNames } from '../../../src/kdump/dump-names.js';
import { buildDumpPlan } from '../../../src/kdump/dump-plan.js';
import { planScpDump, planSshDump } from '../../../src/kdump/ssh-target.js';

const SSH = ['ssh', '-i', '/root/.ssh/kdump_id_rsa', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'kdump@10.0.2.2'];
const NOW = new Date(2026, 0, 2, 3, 4, 5);
const utils = (flat: boolean) => dumpNames({ layout: 'kdump-utils', host: 'web1', now: NOW, remote: true, flat });

describe('ssh target (kdump.sh dump_ssh)', () => {
  it('makedumpfile -F streamed into dd on the server, renamed to vmcore.flat; dmesg first', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf('ssh kdump@10.0.2.2\npath /var/crash').value, tools: null, makedumpfile: '/usr/sbin/makedumpfile' });
    expect(plan.vmcoreName).toBe('vmcore.flat');
    const s = planSshDump(plan, utils(true), true);
    expect(s.producer).toEqual(['/usr/sbin/makedumpfile', '-l', '--message-level', '7', '-d', '31', '-F', '/proc/vmcore']);
    expect(s.vmcore).toBe('/var/crash/web1-2026-01-02-03:04:05/vmcore.flat');
    expect(s.steps).toEqual([
      { argv: [...SSH, "mkdir -p '/var/crash/web1-2026-01-02-03:04:05'"], stdin: 'none' },
      { argv: [...SSH, "umask 0077 && dd of='/var/crash/web1-2026-01-02-03:04:05/vmcore-dmesg-incomplete.txt'"], stdin: 'dmesg' },
      {
        argv: [...SSH, "mv '/var/crash/web1-2026-01-02-03:04:05/vmcore-dmesg-incomplete.txt' '/var/crash/web1-2026-01-02-03:04:05/vmcore-dmesg.txt'"],
        stdin: 'none',
      },
      { argv: [...SSH, "umask 0077 && dd bs=512 of='/var/crash/web1-2026-01-02-03:04:05/vmcore-incomplete'"], stdin: 'collector' },
      { argv: [...SSH, "mv '/var/crash/web1-2026-01-02-03:04:05/vmcore-incomplete' '/var/crash/web1-2026-01-02-03:04:05/vmcore.flat'"], stdin: 'none' },
    ]);
  });
  it('no kernel log: no dmesg steps', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf('ssh kdump@10.0.2.2').value, tools: null, makedumpfile: '/usr/sbin/makedumpfile' });
    expect(planSshDump(plan, utils(true), false).steps.map((s) => s.stdin)).toEqual(['none', 'collector', 'none']);
  });
  it("kdump-tools' names over ssh: <ip>-<YYYYMMDDHHMM>/dump-incomplete renamed to dump.<stamp>, MAKEDUMP_ARGS plus -F", () => {
    const tools = parseKdumpTools('USE_KDUMP=1\nSSH="kdump@10.0.2.2"\nSSH_KEY=/root/.ssh/k\nMAKEDUMP_ARGS="-c -d 31"\n').value;
    const plan = buildDumpPlan({ conf: null, tools, makedumpfile: '/usr/bin/makedumpfile' });
    expect(plan.layout.value).toBe('kdump-tools');
    const names = dumpNames({ layout: 'kdump-tools', host: 'web1', now: NOW, remote: true, hostTag: '10.0.2.15' });
    const s = planSshDump(plan, names, true);
    expect(s.producer).toEqual(['/usr/bin/makedumpfile', '-c', '-d', '31', '-F', '/proc/vmcore']);
    const d = '/var/crash/10.0.2.15-202601020304';
    const ssh = (c: string) => ['ssh', '-i', '/root/.ssh/k', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'kdump@10.0.2.2', c];
    expect(s.steps.map((x) => x.argv)).toEqual([
      ssh(`mkdir -p '${d}'`),
      ssh(`umask 0077 && dd of='${d}/dmesg-incomplete.202601020304'`),
      ssh(`mv '${d}/dmesg-incomplete.202601020304' '${d}/dmesg.202601020304'`),
      ssh(`umask 0077 && dd bs=512 of='${d}/dump-incomplete'`),
      ssh(`mv '${d}/dump-incomplete' '${d}/dump.202601020304'`),
    ]);
  });
  it('without makedumpfile: scp of the full vmcore, saved as vmcore; sshkey from kdump.conf', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf('ssh u@h\nsshkey /etc/kdump/key').value, tools: null, makedumpfile: null });
    expect(() => planSshDump(plan, utils(false), true)).toThrow(/no collector to stream/);
    const steps = planScpDump(plan, dumpNames({ layout: 'kdump-utils', host: 'h', now: NOW, remote: true }), '/run/d/vmcore-dmesg.txt');
    const opts = ['-i', '/etc/kdump/key', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
    const d = '/var/crash/h-2026-01-02-03:04:05';
    expect(steps).toEqual([
      ['ssh', ...opts, 'u@h', `mkdir -p '${d}'`],
      ['scp', '-q', ...opts, '/run/d/vmcore-dmesg.txt', `u@h:${d}/vmcore-dmesg.txt`],
      ['scp', '-q', ...opts, '/proc/vmcore', `u@h:${d}/vmcore-incomplete`],
      ['ssh', ...opts, 'u@h', `mv '${d}/vmcore-incomplete' '${d}/vmcore'`],
    ]);
  });
  it('refuses a path with a single quote instead of quoting it for the remote shell', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf("ssh u@h\npath /x'y").value, tools: null, makedumpfile: '/usr/sbin/makedumpfile' });
    expect(() => planSshDump(plan, utils(true), true)).toThrow(/contains a single quote/);
  });
});
