/**
 * Golden plans for every fixture root: resolveSystemPlan in-process, and the real CLI
 * (`kexecctl plan --root <fixture> --json`) on the bundled build. A missing expected-plan.json
 * fails: the golden is never produced from the code under test during an ordinary run.
 * `npm run goldens` (UPDATE_GOLDEN=1) rewrites them explicitly; review the diff and `git add` them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { resolveSystemPlan } from '../../../src/plan/system-plan.js';
import type { KexecPlan } from '../../../src/plan/types.js';
import { bundleCli, type CliBundle } from '../../helpers/cli-bundle.js';
import { expectedPlanFile, fixtureNames, materializeFixture, stableWarnings, type Materialized } from '../../helpers/fixture-root.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
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

const REGEN = 'run `npm run goldens` (UPDATE_GOLDEN=1), review the diff and git add it';

/** The golden for one fixture; a missing file is a failure, never a fresh write. */
function readGolden(name: string): unknown {
  const file = expectedPlanFile(name);
  if (!existsSync(file)) throw new Error(`missing golden ${file}: ${REGEN}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function stable(p: KexecPlan): KexecPlan {
  return { ...p, warnings: stableWarnings(p.warnings) };
}

describe('fixture roots', () => {
  it('has the distributions the issue asks for', () => {
    for (const n of [
      'debian12',
      'debian12-separate-boot',
      'ubuntu2204',
      'ubuntu2404',
      'fedora39',
      'rhel8',
      'rhel9',
      'opensuse',
      'arch-sdboot',
      'btrfs-subvol',
      // Storage layouts (issue 17): btrfs snapshots, ZFS, LVM, md RAID, LUKS.
      'opensuse-snapper',
      'proxmox-zfs',
      'ubuntu-zsys',
      'debian12-lvm',
      'debian12-mdraid',
      'debian12-luks',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('every golden is tracked by git (not left over from a local run)', async () => {
    const files = names.map((n) => relative(repoRoot, expectedPlanFile(n)));
    const r = await execa('git', ['ls-files', '--', ...files], { cwd: repoRoot, reject: false });
    if (r.exitCode !== 0) throw new Error(`git ls-files failed (${r.stderr.trim()}): this check needs a git checkout`);
    const tracked = new Set(r.stdout.split('\n').filter((l) => l !== ''));
    expect(
      files.filter((f) => !tracked.has(f)),
      `untracked goldens: ${REGEN}`,
    ).toEqual([]);
  });

  it.each(names)('%s: resolveSystemPlan matches expected-plan.json', (name) => {
    const m = roots.get(name) as Materialized;
    const plan = stable(resolveSystemPlan(new RootFs(m.root)));
    const file = expectedPlanFile(name);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
    expect(plan).toEqual(readGolden(name));
  });

  it.each(names)('%s: kexecctl plan --root --json prints the same plan', async (name) => {
    const m = roots.get(name) as Materialized;
    const r = await execa('node', [cli.kexecctl, 'plan', '--root', m.root, '--json'], { reject: false, env: { KEXECCTL_TEST: '1' } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const plan = stable(JSON.parse(r.stdout) as KexecPlan);
    expect(plan).toEqual(readGolden(name));
  });
});
