import { describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { buildDumpPlan } from '../../../src/kdump/dump-plan.js';
import { planSshDump } from '../../../src/kdump/ssh-target.js';

const SSH = ['ssh', '-i', '/root/.ssh/kdump_id_rsa', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'kdump@10.0.2.2'];

describe('ssh target (kdump.sh dump_ssh)', () => {
  it('makedumpfile -F streamed into dd on the server, renamed to vmcore.flat; dmesg first', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf('ssh kdump@10.0.2.2\npath /var/crash').value, tools: null, makedumpfile: '/usr/sbin/makedumpfile' });
    const s = planSshDump(plan, 'web1-2026-01-02-03:04:05');
    expect(s.producer).toEqual(['/usr/sbin/makedumpfile', '-l', '--message-level', '7', '-d', '31', '-F', '/proc/vmcore']);
    expect(s.finalName).toBe('vmcore.flat');
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
  it('without makedumpfile: our copy streamed, saved as vmcore; sshkey from kdump.conf', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf('ssh u@h\nsshkey /etc/kdump/key').value, tools: null, makedumpfile: null });
    const s = planSshDump(plan, 'd');
    expect(s.producer).toBeNull();
    expect(s.finalName).toBe('vmcore');
    expect(s.steps.at(-1)?.argv).toEqual([
      'ssh',
      '-i',
      '/etc/kdump/key',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      'u@h',
      "mv '/var/crash/d/vmcore-incomplete' '/var/crash/d/vmcore'",
    ]);
  });
  it('refuses a path with a single quote instead of quoting it for the remote shell', () => {
    const plan = buildDumpPlan({ conf: parseKdumpConf("ssh u@h\npath /x'y").value, tools: null, makedumpfile: null });
    expect(() => planSshDump(plan, 'd')).toThrow(/contains a single quote/);
  });
});
