/**
 * The distro tier's plan (test/vm/distro/plan.mjs): the fault matrix is part of the systemd full
 * suite, in CI too, unless KEXECCTL_DISTRO_MATRIX=0; its irreversible kexec_load_disabled row runs
 * inside broken-config, whose cold reboot is that row's next reboot. Row names are spelled out here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain ES module of the VM harness, no types
import { planFor } from '../../vm/distro/plan.mjs';

const plan = (suite: string, variant: string): string[] => planFor(suite, variant, 0) as string[];

afterEach(() => vi.unstubAllEnvs());

describe('distro plan: the fault matrix', () => {
  it('is in the systemd full suite by default, with its load-disabled row inside broken-config', () => {
    const p = plan('full', 'systemd');
    expect(p.filter((n) => n.startsWith('matrix-'))).toHaveLength(18);
    const at = (n: string) => p.indexOf(n);
    expect(at('matrix-start')).toBeGreaterThan(at('corrupt-upgrade-journal-says-why'));
    expect(at('matrix-restored')).toBeLessThan(at('broken-config-unloaded'));
    expect(p.slice(at('broken-config-unloaded'), at('broken-config-unloaded') + 5)).toEqual([
      'broken-config-unloaded',
      'matrix-load-disabled',
      'broken-config-cold-reboot',
      'broken-config-logged-why',
      'matrix-load-disabled-cold-reboot',
    ]);
    expect(p.slice(-2)).toEqual(['soak-state-no-growth', 'soak-fsck-clean']);
  });
  it('KEXECCTL_DISTRO_MATRIX=0 leaves it out; other suites never have it', () => {
    vi.stubEnv('KEXECCTL_DISTRO_MATRIX', '0');
    expect(plan('full', 'systemd').filter((n) => n.startsWith('matrix-'))).toEqual([]);
    vi.unstubAllEnvs();
    for (const [suite, variant] of [
      ['basic', 'sysvinit'],
      ['basic', 'watchdog'],
      ['basic', 'dracut'],
      ['basic', 'systemd'],
    ] as const) {
      expect(plan(suite, variant).filter((n) => n.startsWith('matrix-'))).toEqual([]);
    }
  });
});
