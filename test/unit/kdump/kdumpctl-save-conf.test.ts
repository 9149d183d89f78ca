import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kdumpctlMain } from '../../../src/cli/kdumpctl/program.js';
import { initialFakeState, type FakeState } from '../../../src/sys/fake-kernel.js';
import { buildCore } from './synthetic-core.js';

let dir: string;
let root: string;
let fake: string;
let err: string;
const fakeState = (): FakeState => JSON.parse(readFileSync(fake, 'utf8')) as FakeState;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdumpctl-save-conf-'));
  root = join(dir, 'root');
  cpSync(join(import.meta.dirname, '../../fixtures/kdump/debian12'), root, { recursive: true });
  writeFileSync(join(root, 'proc/vmcore'), buildCore({ records: [{ text: 'sysrq: Trigger a crash', tsNsec: 1n }] }));
  writeFileSync(join(root, 'proc/cmdline'), 'root=/dev/vda kexecctl.kdump=save\n');
  fake = join(dir, 'fake.json');
  writeFileSync(fake, JSON.stringify(initialFakeState({})));
  vi.stubEnv('KEXECCTL_FAKE', fake);
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('kdumpctl save configured by /etc/kdump.conf', () => {
  it('runs makedumpfile as argv through the Processes port, dmesg first, then final_action', async () => {
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/makedumpfile'), '');
    writeFileSync(join(root, 'etc/kdump.conf'), 'path /srv/crash\nfinal_action poweroff\n');
    // The fake records the command and "succeeds" without writing: the dump stays vmcore-incomplete.
    expect(await kdumpctlMain(['save', '--root', root])).toBe(1);
    const [d] = readdirSync(join(root, 'srv/crash'));
    const dumpDir = join(root, 'srv/crash', d ?? '');
    const runs = fakeState().calls.filter((c) => c.syscall === 'run');
    expect(runs.map((c) => c.args['argv'])).toEqual([
      ['/usr/sbin/makedumpfile', '-l', '--message-level', '7', '-d', '31', join(root, 'proc/vmcore'), join(dumpDir, 'vmcore-incomplete')],
    ]);
    expect(readdirSync(dumpDir)).toEqual(['vmcore-dmesg.txt']);
    expect(err).toMatch(/collector stopped after 0 bytes: ENOENT/);
    // failure_action (default reboot) after a failed save
    expect(
      fakeState()
        .calls.filter((c) => c.syscall === 'reboot')
        .map((c) => c.args['cmd']),
    ).toEqual(['0x1234567']);
  });
  it('final_action poweroff after a good full copy (no makedumpfile installed)', async () => {
    writeFileSync(join(root, 'etc/kdump.conf'), 'path /srv/crash\nfinal_action poweroff\n');
    expect(await kdumpctlMain(['save', '--root', root])).toBe(0);
    expect(
      fakeState()
        .calls.filter((c) => c.syscall === 'reboot')
        .map((c) => c.args['cmd']),
    ).toEqual(['0x4321fedc']);
    const [d] = readdirSync(join(root, 'srv/crash'));
    expect(readdirSync(join(root, 'srv/crash', d ?? '')).sort()).toEqual(['vmcore', 'vmcore-dmesg.txt']);
  });
  it('an ssh target with makedumpfile: the Processes pipe gets makedumpfile -F and ssh ... dd (both argvs recorded)', async () => {
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/makedumpfile'), '');
    writeFileSync(join(root, 'etc/kdump.conf'), 'ssh kdump@10.0.2.2\nsshkey /root/k\npath /srv/crash\nfinal_action poweroff\n');
    expect(await kdumpctlMain(['save', '--root', root])).toBe(0);
    const pipes = fakeState().calls.filter((c) => c.syscall === 'pipe');
    const ssh = ['ssh', '-i', '/root/k', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'kdump@10.0.2.2'];
    expect(pipes).toHaveLength(2);
    expect(pipes[0]?.args['producer']).toEqual(['cat', expect.stringMatching(/run\/kexecctl\/kdump-ssh\/.*\/vmcore-dmesg\.txt$/)]);
    expect(pipes[1]?.args['producer']).toEqual(['/usr/sbin/makedumpfile', '-l', '--message-level', '7', '-d', '31', '-F', join(root, 'proc/vmcore')]);
    expect(pipes[1]?.args['consumer']).toEqual([...ssh, expect.stringMatching(/^umask 0077 && dd bs=512 of='\/srv\/crash\/[^']+\/vmcore-incomplete'$/)]);
    const runs = fakeState()
      .calls.filter((c) => c.syscall === 'run')
      .map((c) => (c.args['argv'] as string[]).at(-1));
    expect(runs.at(-1)).toMatch(/^mv '\/srv\/crash\/[^']+\/vmcore-incomplete' '\/srv\/crash\/[^']+\/vmcore\.flat'$/);
    expect(
      fakeState()
        .calls.filter((c) => c.syscall === 'reboot')
        .map((c) => c.args['cmd']),
    ).toEqual(['0x4321fedc']);
  });
});
