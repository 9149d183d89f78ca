import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKdumpPlan } from '../../../src/cli/kdumpctl/plan.js';
import { fakeBzImage } from '../../helpers/fake-kernel-image.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdumpctl-conf-'));
  root = join(dir, 'root');
  cpSync(join(import.meta.dirname, '../../fixtures/kdump/debian12'), root, { recursive: true });
  writeFileSync(join(root, 'boot/vmlinuz-6.1.0-27-amd64'), fakeBzImage({ version: '6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP' }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function plan(json: boolean): string {
  let out = '';
  expect(runKdumpPlan({ root, json }, (s) => (out += s))).toBe(0);
  return out;
}

describe('kdumpctl plan with /etc/kdump.conf', () => {
  it('shows each dump setting with its file:line, and the warnings', () => {
    writeFileSync(join(root, 'etc/kdump.conf'), 'path /srv/crash\nextra_modules i40e\nfinal_action poweroff\n');
    const j = JSON.parse(plan(true)) as { dump: Record<string, { value: string; from: string }>; warnings: string[] };
    expect(j.dump['path']).toEqual({ value: '/srv/crash', from: '/etc/kdump.conf:1' });
    expect(j.dump['final_action']).toEqual({ value: 'poweroff', from: '/etc/kdump.conf:3' });
    expect(j.dump['failure_action']).toEqual({ value: 'reboot', from: 'default' });
    expect(j.dump['core_collector']).toEqual({ value: 'full copy (kexecctl)', from: 'default (makedumpfile is not installed)' });
    expect(j.warnings.some((w) => w.startsWith('/etc/kdump.conf:2: warning: extra_modules: no effect here'))).toBe(true);
    const text = plan(false);
    expect(text).toMatch(/^path: +\/srv\/crash {2}\(\/etc\/kdump\.conf:1\)$/m);
    expect(text).toMatch(/^\/etc\/kdump\.conf:2: warning: extra_modules/m);
  });
  it('picks makedumpfile when the root has one', () => {
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/makedumpfile'), '');
    const j = JSON.parse(plan(true)) as { dump: Record<string, { value: string; from: string }> };
    expect(j.dump['core_collector']).toEqual({ value: '/usr/sbin/makedumpfile -l --message-level 7 -d 31', from: 'default' });
  });
});

describe('free space check (mkdumprd check_size)', () => {
  it('warns when the dump directory has less free space than MemTotal', async () => {
    const { spaceWarning } = await import('../../../src/cli/kdumpctl/plan.js');
    const { RootFs } = await import('../../../src/host/rootfs.js');
    writeFileSync(join(root, 'proc/meminfo'), 'MemTotal:        2048000 kB\nMemFree: 1 kB\n');
    const fs = new RootFs(root);
    expect(spaceWarning(fs, '/var/crash', () => 100 * 1048576)).toMatch(
      /^there might not be enough space to save a vmcore: \/ has 100 MiB free, less than MemTotal \(2000 MiB\)/,
    );
    expect(spaceWarning(fs, '/var/crash', () => 3 * 1024 * 1048576)).toBeNull();
  });
});
