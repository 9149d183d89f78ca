/**
 * The reboot paths' load and verify through loadKernelChecked (issue 18): the same paths under the
 * root and the same trust as host-deps, with the payload's deep check unless --no-verify, made once
 * per file version (kexec/verified-cache.ts; a dry run only reads what earlier loads remembered).
 */
import { posix } from 'node:path';
import { loadKernelChecked, type LoadRequest } from '../kexec/load.js';
import { isIntegrityRefusal } from '../reboot/refresh.js';
import type { RebootDeps, WantedLoad } from '../reboot/types.js';
import type { Kernel } from '../sys/kernel.js';
import { FileVerifiedCache } from '../kexec/verified-cache.js';
import type { CliContext } from './context.js';

type WantedLoadOf = Extract<WantedLoad, { action: 'load' }>;

/** The load a planned `want` asks for: its paths under the root, not a crash kernel, either syscall. */
function loadRequest(ctx: CliContext, want: WantedLoadOf, verify: boolean): LoadRequest {
  const at = (p: string): string => (ctx.root === '/' ? p : posix.join(ctx.root, p));
  return { kernelPath: at(want.kernel), initrdPaths: want.initrds.map(at), cmdline: want.cmdline, crash: false, mode: 'auto', verify };
}

/** host-deps' load (same paths under the root, same trust), through loadKernelChecked so the payload can be verified. */
export function checkedLoad(kernel: Kernel, ctx: CliContext, verify: boolean): RebootDeps['load'] {
  return async (want) => {
    const verified = new FileVerifiedCache(ctx.root, { write: true, trustedUids: ctx.trust.trustedUids });
    await loadKernelChecked(kernel, loadRequest(ctx, want, verify), { root: ctx.root, trust: ctx.trust, verified });
  };
}

/** The same checks as checkedLoad, made by a dry-run load (no system call): the refusal's message, or null. */
export function checkedVerify(kernel: Kernel, ctx: CliContext, verify: boolean): NonNullable<RebootDeps['verify']> {
  return async (want) => {
    try {
      const verified = new FileVerifiedCache(ctx.root, { write: false, trustedUids: ctx.trust.trustedUids });
      await loadKernelChecked(kernel, loadRequest(ctx, want, verify), { root: ctx.root, trust: ctx.trust, dryRun: true, verified });
      return null;
    } catch (e) {
      if (!isIntegrityRefusal(e)) return null; // not a damaged file: the real load reports it
      return e instanceof Error ? e.message : String(e);
    }
  };
}
