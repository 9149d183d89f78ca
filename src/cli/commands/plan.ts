/**
 * kexecctl plan [--root DIR] [--json] [--instance NAME]: what a reboot would load, and why.
 * A plan that cannot be loaded exits non-zero with the reason; a skip is a valid plan (exit 0).
 */
import type { Command } from 'commander';
import { KexecError } from '../../errors.js';
import { RootFs } from '../../host/rootfs.js';
import type { KexecPlan } from '../../plan/types.js';

export function formatPlan(p: KexecPlan): string {
  const rows: Array<[string, string]> = [
    ['action', p.action],
    ['source', p.source],
    ['reason', p.reason],
  ];
  if (p.action === 'load') {
    if (p.entry !== null) rows.push(['entry', p.entry.path === p.entry.id ? `${p.entry.title} (${p.entry.id})` : `${p.entry.title} (${p.entry.path})`]);
    rows.push(['kernel', p.kernel ?? '']);
    rows.push(['initrd', p.initrd.length === 0 ? '(none)' : p.initrd.join(' + ')]);
    rows.push(['cmdline', p.cmdline ?? '']);
    if (p.usedNextEntry) rows.push(['one-shot', `this is grub-reboot's next_entry${p.grubenv === null ? '' : ` (${p.grubenv})`}`]);
  }
  for (const w of p.warnings) rows.push(['warning', w]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${v}`).join('\n') + '\n';
}

/** The --root directory, which must exist (a typo would otherwise plan an empty system). */
export function openRoot(dir: string): RootFs {
  const fs = new RootFs(dir);
  if (!fs.isDir('/')) throw new KexecError({ code: 'ENOROOT', message: `--root ${dir}: no such directory`, exitCode: 2 });
  return fs;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('show the kernel, initrds and command line a reboot would load, and why')
    .option('--root <dir>', 'plan for the system under DIR (config, boot loader, /proc/cmdline)', '/')
    .option('--json', 'print JSON')
    .option('--instance <name>', 'plan the kexec-load@NAME template: /boot/vmlinuz-NAME, /boot/initramfs-NAME.img')
    .action(async (opts: { root: string; json?: boolean; instance?: string }) => {
      const plan = await cachedPlan(openRoot(opts.root), opts.instance);
      process.stdout.write(opts.json === true ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    });
}

/**
 * Issue 14: the plan kept in /run/kexecctl/plan-cache.json when none of its inputs changed (their
 * fingerprint holds), else a fresh plan, kept for next time where /run/kexecctl exists.
 * The evaluator loads only on a miss.
 */
async function cachedPlan(fs: RootFs, instance: string | undefined): Promise<KexecPlan> {
  const { readPlanCache, SYSTEM_PLAN_KEY } = await import('../../fingerprint/cached-plan.js');
  const key = instance === undefined ? SYSTEM_PLAN_KEY : `instance ${instance}`;
  const hit = readPlanCache(fs.root, key);
  if (hit !== null) return hit as KexecPlan;
  const [{ writePlanCache }, { codeFiles }, { resolveSystemPlan }, { RecordingRootFs }] = await Promise.all([
    import('../../fingerprint/store.js'),
    import('../../fingerprint/session.js'),
    import('../../plan/system-plan.js'), // lazy: --help stays light
    import('../../fingerprint/recording-rootfs.js'),
  ]);
  const rfs = new RecordingRootFs(fs.root);
  const plan = resolveSystemPlan(rfs, instance === undefined ? {} : { instance });
  writePlanCache(fs.root, key, { root: fs.root, notes: rfs.notes, startedMs: rfs.startedMs, code: codeFiles() }, plan);
  return plan;
}
