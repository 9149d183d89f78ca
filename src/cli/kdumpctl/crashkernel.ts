/** kdumpctl get-default-crashkernel | reset-crashkernel | estimate (kdump-utils' commands of the same names). */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KexecError } from '../../errors.js';
import type { RootFs } from '../../host/rootfs.js';
import { KEXEC_CRASH_SIZE, readSysInt } from '../../host/kexec-sysfs.js';
import { readKdumpPlan } from '../../kdump/control.js';
import { crashSize, defaultCrashkernel, parseCrashkernel, systemRamFromIomem, type ArchFacts } from '../../kdump/crashkernel.js';
import { BLS_DIR, blsEntryMatches, editBlsEntry, GRUB_SNIPPET, grubSnippet, snippetValue } from '../../kdump/reset-crashkernel.js';
import { makeContext } from '../context.js';

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const warn = (s: string): void => void process.stderr.write(`kdumpctl: warning: ${s}\n`);
const UNAME: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x' };

export function archFacts(fs: RootFs): ArchFacts {
  return {
    arch: UNAME[process.arch] ?? process.arch,
    release: (fs.readText('/proc/sys/kernel/osrelease') ?? '').trim(),
    aarch64Smmu: fs.list('/sys/devices/platform').some((n) => n.startsWith('arm-smmu-')),
    mlx5: fs.isDir('/sys/bus/pci/drivers/mlx5_core'),
  };
}

function defaultValue(fs: RootFs): string {
  const v = defaultCrashkernel(archFacts(fs));
  if (v === null) throw new KexecError({ code: 'ENOARCHDEFAULT', message: `no default crashkernel= for ${archFacts(fs).arch} (kdump-utils has none either)` });
  return v;
}

type ResetOpts = { root?: string; kernel?: string; dryRun?: boolean; value?: string };

async function reset(o: ResetOpts): Promise<number> {
  const ctx = makeContext(o.root, { command: 'kdumpctl reset-crashkernel' });
  const fs = ctx.fs;
  const value = o.value ?? defaultValue(fs);
  if (parseCrashkernel(value) === null)
    throw new KexecError({ code: 'EUSAGE', message: `crashkernel=${value} is not a valid crashkernel= value`, exitCode: 2 });
  const dry = o.dryRun === true;
  const write = (p: string, text: string): void => {
    if (dry) return;
    mkdirSync(dirname(fs.hostPath(p)), { recursive: true });
    writeFileSync(fs.hostPath(p), text);
  };
  const entries = fs.list(BLS_DIR).filter((n) => n.endsWith('.conf'));
  if (entries.length > 0) {
    const release = (fs.readText('/proc/sys/kernel/osrelease') ?? '').trim();
    const spec = o.kernel ?? 'ALL';
    let n = 0;
    for (const name of entries.sort()) {
      const p = `${BLS_DIR}/${name}`;
      const text = fs.readText(p) ?? '';
      if (!blsEntryMatches(text, spec, release)) continue;
      const e = editBlsEntry(text, value, p);
      e.warnings.forEach(warn);
      n++;
      if (!e.changed) {
        say(`${p}: crashkernel=${value} already set`);
        continue;
      }
      say(`${p}: ${e.old.join(' ') || '(no crashkernel=)'} -> crashkernel=${value}${dry ? ' (dry run)' : ''}`);
      write(p, e.text);
    }
    if (n === 0) throw new KexecError({ code: 'ENOENTRY', message: `no boot entry in ${BLS_DIR} matches --kernel=${spec}` });
    return 0;
  }
  if (!fs.isFile('/etc/default/grub')) {
    throw new KexecError({
      code: 'ENOBOOTCFG',
      message: `neither ${BLS_DIR}/*.conf nor /etc/default/grub exists: cannot tell where this system keeps its kernel command line`,
    });
  }
  if (o.kernel !== undefined && o.kernel !== 'ALL') warn('--kernel: /etc/default/grub applies to every kernel; set for all');
  const grub = fs.readText('/etc/default/grub') ?? '';
  if (/crashkernel=/.test(grub)) warn(`/etc/default/grub also sets crashkernel=; ${GRUB_SNIPPET} comes later on the command line and wins`);
  const other = fs.list('/etc/default/grub.d').filter((n) => n !== 'kdump.cfg' && /crashkernel=/.test(fs.readText(`/etc/default/grub.d/${n}`) ?? ''));
  for (const n of other) warn(`/etc/default/grub.d/${n} also sets crashkernel=; the one read last wins`);
  const old = snippetValue(fs.readText(GRUB_SNIPPET));
  if (old === value) {
    say(`${GRUB_SNIPPET}: crashkernel=${value} already set`);
    return 0;
  }
  say(`${GRUB_SNIPPET}: ${old === null ? '(none)' : `crashkernel=${old}`} -> crashkernel=${value}${dry ? ' (dry run)' : ''}`);
  write(GRUB_SNIPPET, grubSnippet(value));
  if (dry) return 0;
  if (o.root !== undefined && !ctx.fake) {
    say(`written under ${o.root}; run update-grub in that system to regenerate grub.cfg`);
    return 0;
  }
  const r = await (await ctx.effects(false)).processes.run('update-grub', [], undefined, { inherit: true });
  if (r.exitCode !== 0) throw new KexecError({ code: 'EUPDATEGRUB', message: `update-grub exited with status ${r.exitCode}; ${GRUB_SNIPPET} is written` });
  say('reboot for the new reservation to take effect');
  return 0;
}

/** bzImage init_size (the memory the kernel needs to decompress and run), else the file size. */
function kernelSize(fs: RootFs, path: string): number {
  const b = fs.readBytes(path, 0x270);
  if (b !== null && b.length >= 0x264 && b.toString('latin1', 0x202, 0x206) === 'HdrS') return b.readUInt32LE(0x260);
  return fs.stat(path)?.size ?? 0;
}

function estimate(o: { root?: string }): number {
  const ctx = makeContext(o.root, { command: 'kdumpctl estimate' });
  const fs = ctx.fs;
  const MB = 1048576;
  const ram = systemRamFromIomem(fs.readText('/proc/iomem') ?? '');
  const spec = parseCrashkernel(defaultValue(fs));
  const baseline = spec === null ? 0 : Number(crashSize(spec, ram));
  const reserved = readSysInt(fs, KEXEC_CRASH_SIZE) ?? 0;
  const { plan } = readKdumpPlan(fs);
  const k = kernelSize(fs, plan.kernel);
  const initrd = plan.initrd.reduce((s, p) => s + (fs.stat(p)?.size ?? 0), 0);
  const runtime = 16 * MB;
  // As kdump-utils' do_estimate: the initrd is loaded, then unpacked into a tmpfs (3x its size).
  const estimated = k + initrd * 3 + runtime;
  const recommended = Math.max(baseline, estimated);
  say(`Reserved crashkernel:    ${Math.floor(reserved / MB)}M`);
  say(`Recommended crashkernel: ${Math.ceil(recommended / MB)}M`);
  say('');
  say(`Kernel image size:   ${Math.ceil(k / MB)}M`);
  say(`Initramfs size:      ${Math.ceil(initrd / MB)}M`);
  say(`Runtime reservation: ${runtime / MB}M`);
  if (ram === 0n) warn('/proc/iomem shows no System RAM (run as root); the baseline for this memory size is unknown');
  if (reserved < recommended) say(`WARNING: Current crashkernel size is lower than recommended size ${Math.ceil(recommended / MB)}M.`);
  return 0;
}

export function addCrashkernelCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('get-default-crashkernel')
    .description("print kdump-utils' default crashkernel= for this architecture")
    .option('--root <dir>', 'read /sys and /proc under DIR')
    .action((x: { root?: string }) => {
      say(defaultValue(makeContext(x.root, { command: 'kdumpctl get-default-crashkernel' }).fs));
      setExit(0);
    });
  program
    .command('reset-crashkernel')
    .description('set crashkernel= to the default (or --value) where this system keeps the kernel command line')
    .option('--kernel <spec>', 'BLS: ALL (default), DEFAULT (the running release), a kernel path or release')
    .option('--value <crashkernel>', 'crashkernel= value instead of the default')
    .option('--root <dir>', 'edit the files under DIR (update-grub is not run)')
    .option('--dry-run', 'show the change, write nothing')
    .action(async (x: ResetOpts) => setExit(await reset(x)));
  program
    .command('estimate')
    .description('compare the reserved crash memory with what the crash kernel and initrd need')
    .option('--root <dir>', 'read configuration, /proc and /sys under DIR')
    .action((x: { root?: string }) => setExit(estimate(x)));
}
