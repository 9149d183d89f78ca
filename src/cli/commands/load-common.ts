/** Options shared by kexecctl load/unload/exec. */
import { Option, type Command } from 'commander';
import type { LoadMode } from '../../kexec/load.js';

export type CommonOpts = { root?: string; dryRun?: boolean; json?: boolean; crash?: boolean; mode: LoadMode; debug?: boolean };

export function addCommon(cmd: Command, withMode = true): Command {
  cmd
    .option('--root <dir>', 'root for /proc, /sys and /run/kexecctl (default /); --kernel/--initrd are taken as given')
    .option('--dry-run', 'check everything and print the system call instead of making it')
    .option('--json', 'print JSON')
    .option('-d, --debug', 'print each system call as it is made');
  if (withMode) {
    cmd.addOption(
      new Option('--syscall <call>', 'kexec_file_load, kexec_load, or auto: kexec_file_load then kexec_load (kexec -s/-c/-a)').choices([
        'auto',
        'kexec_file_load',
        'kexec_load',
      ]),
    );
    cmd.addOption(
      new Option('--mode <mode>', 'the same as --syscall: auto, file (kexec_file_load) or legacy (kexec_load)')
        .choices(['auto', 'file', 'legacy'])
        .default('auto'),
    );
    cmd.hook('preAction', (_parent, action) => {
      const o = action.opts<{ syscall?: string; mode: LoadMode }>();
      if (o.syscall !== undefined) action.setOptionValue('mode', SYSCALL_MODE[o.syscall] ?? 'auto');
    });
  }
  return cmd;
}

const SYSCALL_MODE: Record<string, LoadMode> = { auto: 'auto', kexec_file_load: 'file', kexec_load: 'legacy' };

export function debugSink(on: boolean | undefined): { debug?: (l: string) => void } {
  return on ? { debug: (l: string) => void process.stderr.write(`kexecctl: ${l}\n`) } : {};
}

export function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}
