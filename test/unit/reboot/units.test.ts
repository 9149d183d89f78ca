import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../..');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const UNITS = ['kexec-load.service', 'kexec-load.path', 'kexec-reload.service', 'kexec-load@.service'];

describe('systemd units', () => {
  it.skipIf(!has('systemd-analyze') || !has('/usr/lib/systemd/systemd'))('pass systemd-analyze verify', () => {
    const root = mkdtempSync(join(tmpdir(), 'kexecctl-units-'));
    try {
      mkdirSync(join(root, 'usr/sbin'), { recursive: true });
      mkdirSync(join(root, 'bin'), { recursive: true });
      for (const b of ['kexecctl', 'kexec']) {
        writeFileSync(join(root, 'usr/sbin', b), '#!/bin/sh\n');
        chmodSync(join(root, 'usr/sbin', b), 0o755);
      }
      cpSync('/bin/rm', join(root, 'bin/rm'));
      cpSync('/bin/sh', join(root, 'bin/sh'), { dereference: true }); // ExecStop's shell check (issue 14)
      cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
      for (const u of UNITS) cpSync(join(repo, 'systemd', u), join(root, 'usr/lib/systemd/system', u));
      const r = spawnSync(
        'systemd-analyze',
        ['verify', '--man=no', `--root=${root}`, 'kexec-load.service', 'kexec-load.path', 'kexec-reload.service', 'kexec-load@linux.service'],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('kexec-load.service loads at boot and refreshes at shutdown; kexec.target does not keep it running', () => {
    const u = readFileSync(join(repo, 'systemd/kexec-load.service'), 'utf8');
    expect(u).toMatch(/^Type=oneshot$/m);
    expect(u).toMatch(/^RemainAfterExit=yes$/m);
    expect(u).toMatch(/^Before=.*systemd-kexec\.service/m);
    expect(u).toMatch(/^WantedBy=multi-user\.target$/m);
    expect(u).not.toMatch(/^WantedBy=.*kexec\.target/m);
    expect(u).toMatch(/^ExecStop=.*--prepare --at-shutdown$/m);
  });
  it('kexec-load.path watches the config, GRUB, grubenv, BLS and the kernels', () => {
    const p = readFileSync(join(repo, 'systemd/kexec-load.path'), 'utf8');
    for (const path of ['/etc/default/kexec', '/etc/default/kexec.d', '/boot/grub/grub.cfg', '/boot/grub/grubenv', '/boot/loader/entries', '/boot']) {
      expect(p).toContain(`PathChanged=${path}\n`);
    }
    expect(p).toMatch(/^Unit=kexec-reload\.service$/m);
  });
});

describe('shell scripts', () => {
  const scripts = ['sysv/kexec', 'sysv/kexec-load', 'systemd/system-shutdown/kexecctl'];
  it.skipIf(!has('shellcheck'))('pass shellcheck', () => {
    expect(() =>
      execFileSync(
        'shellcheck',
        scripts.map((s) => join(repo, s)),
        { encoding: 'utf8' },
      ),
    ).not.toThrow();
  });
  it('sysv scripts have LSB headers and stay inert under systemd', () => {
    for (const s of ['sysv/kexec', 'sysv/kexec-load']) {
      const t = readFileSync(join(repo, s), 'utf8');
      expect(t).toMatch(/### BEGIN INIT INFO[\s\S]*# Provides:[\s\S]*# Default-Stop:\s+6[\s\S]*### END INIT INFO/);
      expect(t).toContain('/run/systemd/system');
    }
    expect(readFileSync(join(repo, 'sysv/kexec'), 'utf8')).toMatch(/X-Stop-After:\s+umountroot/);
  });
  // What it does is run in shutdown-hook.test.ts; here only that it acts on reboot and kexec alone.
  it('the system-shutdown hook acts on reboot (unless /no-kexec-reboot) and kexec, with a kernel loaded', () => {
    const t = readFileSync(join(repo, 'systemd/system-shutdown/kexecctl'), 'utf8');
    expect(t).toMatch(/reboot\) \[ -e "\$r\/no-kexec-reboot" \] && exit 0 ;;/);
    expect(t).toMatch(/\*\) exit 0 ;;/);
    expect(t).toMatch(/kexec_loaded/);
  });
});
