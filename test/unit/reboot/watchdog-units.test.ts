/** Issue 12 units: the boot check early in each boot, the watchdog handover once the boot is complete. */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../..');
const unit = (n: string): string => readFileSync(join(repo, 'systemd', n), 'utf8');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('kexecctl-boot-check.service and kexecctl-watchdog-handover.service', () => {
  it('boot-check runs after kexec-load (so its unload wins) and pulls in the handover that marks boots good', () => {
    const u = unit('kexecctl-boot-check.service');
    expect(u).toMatch(/^After=.*\bkexec-load\.service\b/m);
    expect(u).toMatch(/^Wants=kexecctl-watchdog-handover\.service$/m);
    expect(u).toMatch(/^ExecStart=-\/usr\/sbin\/kexecctl boot-check$/m);
    expect(u).toMatch(/^WantedBy=multi-user\.target$/m);
  });
  it('the handover runs once the boot is complete: after boot-complete.target and multi-user.target', () => {
    const u = unit('kexecctl-watchdog-handover.service');
    expect(u).toMatch(/^After=.*\bmulti-user\.target\b.*\bboot-complete\.target\b/m);
    expect(u).toMatch(/^ExecStart=\/usr\/sbin\/kexecctl boot-complete$/m);
    expect(u).toMatch(/^WantedBy=multi-user\.target$/m);
  });
  it.skipIf(!has('systemd-analyze') || !has('/usr/lib/systemd/systemd'))('pass systemd-analyze verify', () => {
    const root = mkdtempSync(join(tmpdir(), 'kexecctl-units12-'));
    try {
      mkdirSync(join(root, 'usr/sbin'), { recursive: true });
      for (const b of ['kexecctl', 'kexec']) {
        writeFileSync(join(root, 'usr/sbin', b), '#!/bin/sh\n');
        chmodSync(join(root, 'usr/sbin', b), 0o755);
      }
      mkdirSync(join(root, 'bin'), { recursive: true });
      for (const b of ['/bin/rm', '/bin/sh']) cpSync(b, join(root, b), { dereference: true });
      cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
      const units = ['kexec-load.service', 'kexecctl-boot-check.service', 'kexecctl-watchdog-handover.service'];
      for (const u of [...units, 'kexec-load.path', 'kexec-reload.service']) cpSync(join(repo, 'systemd', u), join(root, 'usr/lib/systemd/system', u));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...units], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
