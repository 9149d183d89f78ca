/**
 * kexec, compatible with kexec-tools 2.0.27+ for the options people and tools use. Messages
 * and exit codes follow kexec-tools (scripts grep them): usage errors and "Nothing has been
 * loaded!" exit 1, failed system calls exit 255 (EFAILED), a refused -s fallback 253.
 * Stricter on -e: nothing is synced or taken down unless a kernel is verifiably loaded.
 */
import { isKexecError, KexecError } from '../../errors.js';
import { assertLoaded, execLoaded } from '../../kexec/exec.js';
import { loadKernel } from '../../kexec/load.js';
import { readKexecState } from '../../kexec/state.js';
import { unloadKernel } from '../../kexec/unload.js';
import { makeContext, type CliContext } from '../context.js';
import { parseKexecArgs, type KexecInvocation } from './options.js';
import { concatCmdline, reusedCmdline } from './reuse-cmdline.js';
import { usageText, versionText } from './usage.js';

type Run = Extract<KexecInvocation, { action: 'run' }>;
const out = (s: string): void => void process.stdout.write(s);
const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

/** kexec-tools' exit status for an error code. */
export function kexecExitCode(code: string): number {
  if (code === 'ENOTLOADED' || code === 'ENOCRASHMEM' || code === 'ENOKEXEC' || code === 'EUSAGE') return 1;
  if (code === 'EFALLBACK') return 253;
  return 255;
}

export async function kexecMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const inv = parseKexecArgs(argv);
  switch (inv.action) {
    case 'help': out(usageText()); return 0;
    case 'version': out(versionText()); return 0;
    case 'usage-error': err(`kexec: ${inv.message}`); out(usageText()); return 1;
    case 'print-ckr-size': {
      const ctx = makeContext(undefined, { env, command: 'kexec' });
      out(`${readKexecState(ctx.fs, ctx.stateKernel()).crashSize}\n`);
      return 0;
    }
    case 'run': break;
  }
  const ctx = makeContext(undefined, { env, command: 'kexec' });
  try {
    return await run(inv, ctx);
  } catch (e) {
    if (!isKexecError(e)) throw e;
    err(e.message);
    return kexecExitCode(e.code);
  }
}

async function run(inv: Run, ctx: CliContext): Promise<number> {
  const debug = inv.debug ? (l: string): void => err(`kexec: ${l}`) : undefined;
  if (inv.status) {
    const st = readKexecState(ctx.fs, ctx.stateKernel());
    if (!st.supported) return 255; // kexec-tools: the sysfs file is missing → -1
    return (inv.statusCrash ? st.crashLoaded : st.loaded) ? 1 : 0;
  }
  // -e alone: refuse before even loading the binding when nothing is loaded.
  if (inv.exec && !inv.load && !inv.unload) assertLoaded(ctx.fs, ctx.stateKernel());
  const kernel = await ctx.getKernel();
  if (inv.unload) {
    unloadKernel(kernel, { crash: inv.crash, mode: inv.mode }, { root: ctx.root, ...(debug ? { debug } : {}) });
  }
  if (inv.load) {
    if (inv.kernel === null) {
      err('No kernel specified');
      out(usageText());
      return 255;
    }
    let base: string | null = null;
    if (inv.reuseCmdline) {
      const proc = ctx.fs.readText('/proc/cmdline');
      if (proc === null || proc === '') throw new KexecError({ code: 'EUSAGE', message: 'Failed to read /proc/cmdline' });
      base = reusedCmdline(proc, inv.crash);
    }
    const loaded = loadKernel(
      kernel,
      { kernelPath: inv.kernel, initrdPaths: inv.initrds, cmdline: concatCmdline(base, inv.append), crash: inv.crash, mode: inv.mode, ...(inv.type === null ? {} : { type: inv.type }) },
      { root: ctx.root, trust: ctx.trust, ...(debug ? { debug } : {}) },
    );
    for (const w of loaded.warnings) err(`kexec: warning: ${w}`);
  }
  if (inv.shutdown || inv.exec) assertLoaded(ctx.fs, kernel);
  if (inv.shutdown) return ctx.shutdownReboot(kernel);
  if (inv.exec) {
    await execLoaded(kernel, { fs: ctx.fs, sync: inv.sync, ifdown: inv.ifdown, net: ctx.net(kernel), warn: err, ...(debug ? { debug } : {}) });
  }
  return 0;
}
