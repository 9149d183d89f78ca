/** The kernel command line GRUB builds (grub_create_loader_cmdline): quoted and escaped args. */
import type { BootSpec } from './types.js';

/** One argument: `\`, `'` and `"` backslash-escaped; wrapped in double quotes if it has a blank. */
export function grubQuoteArg(arg: string): string {
  const esc = arg.replace(/[\\'"]/g, (c) => `\\${c}`);
  return /[ \t\n\r\f\v]/.test(arg) ? `"${esc}"` : esc;
}

/**
 * `BOOT_IMAGE=<kernel as written> args...` for linux loaders. Multiboot kernels (Xen) get no
 * BOOT_IMAGE: their line is just the quoted arguments.
 */
export function grubCmdline(boot: BootSpec): string {
  const args = boot.args.map(grubQuoteArg);
  if (boot.loader.startsWith('multiboot')) return args.join(' ');
  return `BOOT_IMAGE=${[boot.kernel.written, ...boot.args].map(grubQuoteArg).join(' ')}`;
}
