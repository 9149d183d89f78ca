/**
 * kexec, compatible with kexec-tools 2.0.27+ (kexec/kexec.c main()) for the options people and
 * tools use. Messages and exit codes follow kexec-tools (scripts grep them; see messages.ts).
 * The order of kexec-tools' checks is kept: usage errors, then -S, then a crash load without
 * reserved memory dies before any file is opened, then --hotplug's sysfs file, then x86's
 * --serial values, then unload / load / shutdown / exec. Stricter on -e: nothing is synced or
 * taken down unless a kernel is verifiably loaded.
 */
import { isKexecError, KexecError } from '../../errors.js';
import { assertLoaded, execLoaded } from '../../kexec/exec.js';
import { checkLoadRequest, loadKernelChecked, NO_CRASH_MEMORY, type LoadRequest } from '../../kexec/load.js';
import { readKexecState } from '../../kexec/state.js';
import { unloadKernel } from '../../kexec/unload.js';
import { makeContext, type CliContext } from '../context.js';
import { kexecFailure } from './messages.js';
import { parseKexecArgs, type KexecRun } from './options.js';
import { concatCmdline, reusedCmdline } from './reuse-cmdline.js';
import { strtoulFull } from './strtoul.js';
import { usageText, versionText } from './usage.js';

export { kexecExitCode } from './messages.js';

const out = (s: string): void => void process.stdout.write(s);
const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

const ELFCOREHDR_SIZE = '/sys/kernel/crash_elfcorehdr_size';

export async function kexecMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const inv = parseKexecArgs(argv);
  switch (inv.action) {
    case 'help':
      out(usageText());
      return 0;
    case 'version':
      out(versionText());
      return 0;
    case 'usage-error':
      if (inv.line !== null) err(inv.line);
      out(usageText());
      return inv.exitCode;
    case 'print-ckr-size': {
      const ctx = makeContext(undefined, { env, command: 'kexec' });
      out(`${readKexecState(ctx.fs, ctx.stateKernel()).crashSize}\n`);
      return 0;
    }
    case 'run':
      break;
  }
  const ctx = makeContext(undefined, { env, command: 'kexec' });
  try {
    return await run(inv, ctx);
  } catch (e) {
    if (!isKexecError(e)) throw e;
    const f = kexecFailure(e, inv);
    err(f.text);
    return f.exitCode;
  }
}

/** Steps before any file or system call, in kexec-tools main()'s order; a number is an early exit. */
function preflight(inv: KexecRun, ctx: CliContext, debug: ((l: string) => void) | undefined): number | null {
  if (inv.extraOperands.length > 0) err(`kexec: warning: ignoring extra arguments after the kernel: ${inv.extraOperands.join(' ')}`);
  for (const o of inv.noEffect) debug?.(`${o}: accepted, no effect on kexec_file_load`);
  if (inv.status) {
    const st = readKexecState(ctx.fs, ctx.stateKernel());
    if (!st.supported) return 255; // kexec-tools: the sysfs file is missing → -1
    return (inv.statusCrash ? st.crashLoaded : st.loaded) ? 1 : 0;
  }
  if (inv.load && inv.crash && readKexecState(ctx.fs, ctx.stateKernel()).crashSize === 0) {
    throw new KexecError({ code: 'ENOCRASHMEM', message: NO_CRASH_MEMORY });
  }
  if (inv.hotplug) {
    const text = ctx.fs.readText(ELFCOREHDR_SIZE);
    const size = text === null ? null : strtoulFull(text.replace(/\n$/, ''));
    if (size === null || !size.ok || size.value === 0n)
      throw new KexecError({ code: 'EDIE', message: `Path ${ELFCOREHDR_SIZE} does not exist, the kernel needs CONFIG_CRASH_HOTPLUG` });
  }
  if (inv.serialError !== null) {
    err(inv.serialError);
    out(usageText());
    return 255;
  }
  return null;
}

function loadRequest(inv: KexecRun, ctx: CliContext, kernelPath: string): LoadRequest {
  let base: string | null = null;
  if (inv.reuseCmdline) {
    const proc = ctx.fs.readText('/proc/cmdline');
    if (proc === null || proc === '') throw new KexecError({ code: 'EUSAGE', message: 'Failed to read /proc/cmdline' });
    base = reusedCmdline(proc, inv.crash);
  }
  return {
    kernelPath,
    initrdPaths: inv.initrds,
    cmdline: concatCmdline(base, inv.append),
    crash: inv.crash,
    mode: inv.mode,
    fileFlags: inv.fileFlags,
    hotplug: inv.hotplug,
    verify: inv.verify,
    ...(inv.type === null ? {} : { type: inv.type }),
    ...(inv.x86Entry === null ? {} : { x86Entry: inv.x86Entry }),
  };
}

async function run(inv: KexecRun, ctx: CliContext): Promise<number> {
  const debug = inv.debug ? (l: string): void => err(`kexec: ${l}`) : undefined;
  const early = preflight(inv, ctx, debug);
  if (early !== null) return early;
  // -e alone: refuse before even loading the binding when nothing is loaded.
  if (inv.exec && !inv.load && !inv.unload) assertLoaded(ctx.fs, ctx.stateKernel());
  const kernel = await ctx.getKernel();
  // An explicit `kexec -l FILE` trusts the file it names, as kexec-tools does: owner and mode only warn.
  const trust = { trustedUids: ctx.trust.trustedUids, warn: (m: string): void => err(`kexec: warning: ${m}`) };
  const loadOpts = { root: ctx.root, trust, ...(debug ? { debug } : {}) };
  if (inv.unload) {
    // -u -l: kexec-tools unloads, then loads; a kernel or initrd our integrity checks refuse must not
    // cost the loaded one, so they run (on their own descriptors) before the unload.
    // (Owner/mode warnings are printed once, by the load.)
    const quiet = { root: ctx.root, trust: { ...trust, warn: (): void => undefined } };
    if (inv.load && inv.kernel !== null) await checkLoadRequest(kernel, loadRequest(inv, ctx, inv.kernel), quiet);
    unloadKernel(kernel, { crash: inv.crash, mode: inv.mode }, { root: ctx.root, ...(debug ? { debug } : {}) });
  }
  if (inv.load) {
    if (inv.kernel === null) {
      err('No kernel specified');
      out(usageText());
      return 255;
    }
    // Structural integrity checks always; the payload's deep check with --verify only (kexec-tools has neither).
    const loaded = await loadKernelChecked(kernel, loadRequest(inv, ctx, inv.kernel), loadOpts);
    for (const w of loaded.warnings) err(`kexec: warning: ${w}`);
  }
  if (inv.shutdown || inv.exec) assertLoaded(ctx.fs, kernel);
  if (inv.shutdown) return ctx.shutdownReboot();
  // Issue 12: the pre-exec.d hooks run through the Processes port (recorded under a fake); KEXEC_WATCHDOG_SEC applies.
  if (inv.exec) {
    const runner = (await ctx.effects()).processes;
    await execLoaded(kernel, {
      fs: ctx.fs,
      sync: inv.sync,
      ifdown: inv.ifdown,
      warn: err,
      info: (l: string) => err(`kexec: ${l}`),
      runner,
      ...(debug ? { debug } : {}),
    });
  }
  return 0;
}
