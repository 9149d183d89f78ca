/**
 * kexecctl verify [--json] [--root DIR] [--allow-cold]: after a reboot, is the running kernel the
 * planned one (release, command line, initrd unchanged), did it come through kexec, is the
 * boot_id new? Exit 0 yes, 1 a check failed, 2 nothing recorded to verify (docs/fleet-json.md).
 */
import type { Command } from 'commander';
import { makeContext } from '../context.js';
import { usageExit2 } from './needs-reboot.js';

type Opts = { json?: boolean; root?: string; allowCold?: boolean };

export function register(program: Command): void {
  program
    .command('verify')
    .description('after a reboot: is the running kernel the one kexecctl planned, and did it come through kexec?')
    .option('--json', 'print JSON (schema kexecctl.verify/1)')
    .option('--root <dir>', 'read /proc, /sys and /var/lib/kexecctl under DIR')
    .option('--allow-cold', 'a boot through the firmware onto the planned kernel passes')
    .exitOverride(usageExit2)
    .action(async (o: Opts) => {
      const ctx = makeContext(o.root, { command: 'kexecctl verify' });
      const { readRunning } = await import('../../fleet/running.js');
      const { readIntent } = await import('../../fleet/last-kexec.js');
      const { initrdDigest } = await import('../../fleet/planned.js');
      const { decideVerify, verifyExit, VERIFY_SCHEMA } = await import('../../fleet/verify.js');
      const intent = readIntent(ctx.root);
      const running = readRunning(ctx.fs);
      const digest = intent === null || intent.initrdDigest === null ? null : initrdDigest(ctx.fs, intent.initrds);
      const { bootOfIntent, readBootState } = await import('../../reboot/watchdog-boot.js');
      const intentBoot = bootOfIntent(readBootState(ctx.root), intent);
      const v = decideVerify(intent, running, digest, { allowCold: o.allowCold === true, intentBoot });
      if (o.json === true) {
        const out = { schema: VERIFY_SCHEMA, ok: v.ok, booted: v.booted, reason: v.reason, checks: v.checks, planned: intent, running };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(`${v.ok ? 'ok' : 'FAILED'}: ${v.reason}\n`);
        for (const c of v.checks) process.stdout.write(`  ${c.name}: ${c.ok === null ? 'unknown' : c.ok ? 'ok' : 'FAILED'}: ${c.detail}\n`);
      }
      process.exitCode = verifyExit(v);
    });
}
