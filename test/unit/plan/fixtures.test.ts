/**
 * Golden plans for every fixture root: resolveSystemPlan in-process, and the real CLI
 * (`kexecctl plan --root <fixture> --json`) on the bundled build. UPDATE_GOLDEN=1 rewrites
 * the expected-plan.json files (review the diff before committing).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import type { KexecPlan } from '../../../src/plan/types.js';
import { bundleCli, type CliBundle } from '../../helpers/cli-bundle.js';
import { expectedPlanFile, fixtureNames, materializeFixture, stableWarnings, type Materialized } from '../../helpers/fixture-root.js';

const names = fixtureNames();
const roots = new Map<string, Materialized>();
let cli: CliBundle;

beforeAll(async () => {
  for (const n of names) roots.set(n, materializeFixture(n));
  cli = await bundleCli();
}, 60000);

afterAll(() => {
  for (const m of roots.values()) m.cleanup();
  cli?.cleanup();
});

function stable(p: KexecPlan): KexecPlan {
  return { ...p, warnings: stableWarnings(p.warnings) };
}

describe('fixture roots', () => {
  it('has the distributions the issue asks for', () => {
    for (const n of ['debian12', 'debian12-separate-boot', 'ubuntu2204', 'ubuntu2404', 'fedora39', 'rhel8', 'rhel9', 'opensuse', 'arch-sdboot', 'btrfs-subvol']) {
      expect(names).toContain(n);
    }
  });

  it.each(names)('%s: resolveSystemPlan matches expected-plan.json', (name) => {
    const m = roots.get(name) as Materialized;
    const plan = stable(resolveSystemPlan(new RootFs(m.root)));
    const file = expectedPlanFile(name);
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
      writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
    }
    expect(plan).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it.each(names)('%s: kexecctl plan --root --json prints the same plan', async (name) => {
    const m = roots.get(name) as Materialized;
    const r = await execa('node', [cli.kexecctl, 'plan', '--root', m.root, '--json'], { reject: false, env: { KEXECCTL_TEST: '1' } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const plan = stable(JSON.parse(r.stdout) as KexecPlan);
    expect(plan).toEqual(JSON.parse(readFileSync(expectedPlanFile(name), 'utf8')));
  });
});
