/**
 * kexecctl config [get KEY] [--root DIR] [--file FILE] [--json]: /etc/default/kexec (+ kexec.d/*)
 * as kexecctl reads it, for people and for shell code. The package scripts, the kernel hooks and
 * kexecctl-reload ask `kexecctl config get LOAD_KEXEC` instead of parsing the file a second way,
 * so one file means one thing to every reader. Warnings (file:line) go to stderr.
 */
import type { Command } from 'commander';
import { formatDiagnostic, KexecError, type Diagnostic } from '../../errors.js';
import { mergeKexecDefaults, readKexecDefaults, KEXEC_KEYS, type KexecDefaults, type KexecKey } from '../../config/kexec-defaults.js';
import { openRoot } from './plan.js';

type Opts = { root: string; file?: string; json?: boolean };

/** The effective value of each key, as kexecctl uses it (booleans as true/false). */
export function effectiveValues(d: KexecDefaults): Record<KexecKey, string> {
  return {
    LOAD_KEXEC: String(d.loadKexec),
    KERNEL_IMAGE: d.kernelImage,
    INITRD: d.initrd.join(' '),
    APPEND: d.append,
    USE_GRUB_CONFIG: String(d.useGrubConfig),
    KEXEC_WATCHDOG_SEC: String(d.watchdogSec),
    KEXEC_COLD_IF_DRIVERS: d.coldIfDrivers.join(' '),
  };
}

function read(opts: Opts): { value: KexecDefaults; diagnostics: Diagnostic[] } {
  const fs = openRoot(opts.root);
  if (opts.file === undefined) return readKexecDefaults(fs);
  const text = fs.readText(opts.file);
  if (text === null) throw new KexecError({ code: 'ENOENT', message: `${opts.file}: cannot read it`, exitCode: 2 });
  return mergeKexecDefaults([{ origin: opts.file, text }]);
}

function warnAll(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(`kexecctl: ${formatDiagnostic(d)}\n`);
}

function asKey(key: string): KexecKey {
  if ((KEXEC_KEYS as readonly string[]).includes(key)) return key as KexecKey;
  throw new KexecError({ code: 'EUSAGE', message: `unknown key ${key} (known: ${KEXEC_KEYS.join(', ')})`, exitCode: 2 });
}

export function register(program: Command): void {
  const config = program
    .command('config')
    .description("show /etc/default/kexec (+ kexec.d) as kexecctl reads it: each key's value and where it was set")
    .option('--root <dir>', 'read the files under DIR', '/')
    .option('--file <file>', 'read only this file (e.g. /etc/default/kexec without kexec.d)')
    .option('--json', 'print JSON: {values, origins, files, warnings}')
    .action((opts: Opts) => {
      const { value, diagnostics } = read(opts);
      const values = effectiveValues(value);
      if (opts.json === true) {
        process.stdout.write(
          `${JSON.stringify({ values, origins: value.origins, files: value.files, warnings: diagnostics.map(formatDiagnostic) }, null, 2)}\n`,
        );
        return;
      }
      warnAll(diagnostics);
      for (const k of KEXEC_KEYS) process.stdout.write(`${k}=${values[k]}${value.origins[k] === undefined ? '  # default' : `  # ${value.origins[k]}`}\n`);
    });
  config
    .command('get <key>')
    .description("print one key's effective value (LOAD_KEXEC and USE_GRUB_CONFIG print true or false)")
    .action((key: string) => {
      const opts = config.opts<Opts>();
      const k = asKey(key);
      const { value, diagnostics } = read(opts);
      warnAll(diagnostics);
      process.stdout.write(`${effectiveValues(value)[k]}\n`);
    });
}
