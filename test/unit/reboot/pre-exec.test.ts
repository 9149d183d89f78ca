import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { boundColdDrivers, describeColdDrivers } from '../../../src/reboot/cold-drivers.js';
import { listPreExecHooks, runPreExecHooks } from '../../../src/reboot/pre-exec.js';
import type { Processes, RunResult } from '../../../src/sys/processes.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function tree(): string {
  const r = mkdtempSync(join(tmpdir(), 'kexecctl-hooks-'));
  roots.push(r);
  return r;
}
function put(r: string, p: string, mode = 0o644, text = '#!/bin/sh\n'): void {
  mkdirSync(join(r, p, '..'), { recursive: true });
  writeFileSync(join(r, p), text);
  chmodSync(join(r, p), mode);
}
const D = 'etc/kexecctl/pre-exec.d';

describe('pre-exec.d hooks (issue 12)', () => {
  it('run-parts order and filter: valid names, executables only; not root-owned or group/other-writable are skipped', () => {
    const r = tree();
    put(r, `${D}/50-b`, 0o755);
    put(r, `${D}/10-a`, 0o700);
    put(r, `${D}/B-upper`, 0o755); // C-locale order: '1' (0x31) < '5' < 'B' (0x42)
    put(r, `${D}/30-off`, 0o644); // not executable: disabled, silently
    put(r, `${D}/x.sh`, 0o755); // not a run-parts name
    put(r, `${D}/40-gw`, 0o775); // group-writable
    mkdirSync(join(r, D, '60-dir'));
    const l = listPreExecHooks(new RootFs(r), [process.getuid?.() ?? 0]);
    expect(l.run).toEqual(['10-a', '50-b', 'B-upper']);
    expect(l.skipped.map((s) => s.name)).toEqual(['x.sh', '40-gw']);
    expect(l.skipped[1]?.why).toBe('writable by its group (mode 775)');
    // Owned by someone not trusted: skipped too.
    expect(listPreExecHooks(new RootFs(r), [4242]).run).toEqual([]);
  });

  it('each hook runs under timeout -k 5 N with KEXECCTL_PHASE; a failure or a timeout (124) warns and the next hook still runs', async () => {
    const r = tree();
    for (const n of ['10-fails', '20-hangs', '30-ok']) put(r, `${D}/${n}`, 0o755);
    const exits: Record<string, RunResult> = {
      '10-fails': { exitCode: 3, stdout: '', stderr: 'unbind failed\n' },
      '20-hangs': { exitCode: 124, stdout: '', stderr: '' },
      '30-ok': { exitCode: 0, stdout: 'unbound 0000:03:00.0\n', stderr: '' },
    };
    const calls: string[] = [];
    const runner: Processes = {
      run: async (cmd, args, env) => {
        calls.push(`${env?.['KEXECCTL_PHASE']} ${cmd} ${args.slice(0, 3).join(' ')}`);
        return exits[String(args.at(-1)).split('/').at(-1) ?? ''] ?? { exitCode: 99, stdout: '', stderr: '' };
      },
      pipe: async () => ({ producer: 0, consumer: 0 }),
    };
    const log: string[] = [];
    const warn: string[] = [];
    const out = await runPreExecHooks({
      fs: new RootFs(r),
      runner,
      timeoutSec: 7,
      trustedUids: [process.getuid?.() ?? 0],
      log: (l) => log.push(l),
      warn: (l) => warn.push(l),
    });
    expect(calls).toEqual(['pre-exec timeout -k 5 7', 'pre-exec timeout -k 5 7', 'pre-exec timeout -k 5 7']);
    expect(out.map((h) => [h.name, h.exitCode, h.timedOut])).toEqual([
      ['10-fails', 3, false],
      ['20-hangs', 124, true],
      ['30-ok', 0, false],
    ]);
    expect(warn).toEqual([
      'pre-exec hook 10-fails exited with 3; going on with the kexec',
      'pre-exec hook 20-hangs timed out after 7 s; going on with the kexec',
    ]);
    expect(log).toEqual(['pre-exec.d/10-fails: unbind failed', 'pre-exec.d/30-ok: unbound 0000:03:00.0', 'pre-exec hook 30-ok: ok']);
  });

  it('an empty or missing directory runs nothing', async () => {
    const runner: Processes = { run: async () => Promise.reject(new Error('must not run')), pipe: async () => ({ producer: 0, consumer: 0 }) };
    expect(await runPreExecHooks({ fs: new RootFs(tree()), runner, log: () => undefined, warn: () => undefined })).toEqual([]);
  });
});

describe('KEXEC_COLD_IF_DRIVERS: bound drivers from sysfs (issue 12)', () => {
  function sys(): string {
    const r = tree();
    mkdirSync(join(r, 'sys/module/mlx4_core/drivers/pci:mlx4_core'), { recursive: true });
    for (const d of ['sys/bus/pci/drivers/mlx4_core', 'sys/bus/pci/drivers/nvidia', 'sys/bus/platform/drivers/nvidia']) {
      mkdirSync(join(r, d), { recursive: true });
      for (const f of ['bind', 'unbind', 'uevent', 'new_id']) writeFileSync(join(r, d, f), '');
    }
    symlinkSync('../../../../module/mlx4_core', join(r, 'sys/bus/pci/drivers/mlx4_core/module'));
    return r;
  }
  it('a loaded module or driver with no device is not bound; a device link makes it bound', () => {
    const r = sys();
    const fs = new RootFs(r);
    expect(boundColdDrivers(fs, ['mlx4-core', 'nvidia', 'absent', '../etc'])).toEqual([]);
    symlinkSync('../../../../devices/pci0000:00/0000:03:00.0', join(r, 'sys/bus/pci/drivers/mlx4_core/0000:03:00.0'));
    symlinkSync('../../../../devices/platform/nvidia.0', join(r, 'sys/bus/platform/drivers/nvidia/nvidia.0'));
    const b = boundColdDrivers(fs, ['mlx4-core', 'nvidia']);
    expect(b).toEqual([
      { name: 'mlx4-core', driver: 'pci:mlx4_core', devices: ['0000:03:00.0'] },
      { name: 'nvidia', driver: 'platform:nvidia', devices: ['nvidia.0'] },
    ]);
    expect(describeColdDrivers(b)).toBe(
      'KEXEC_COLD_IF_DRIVERS: pci:mlx4_core (0000:03:00.0); platform:nvidia (nvidia.0) are bound, so this reboot goes through the firmware',
    );
  });
});
