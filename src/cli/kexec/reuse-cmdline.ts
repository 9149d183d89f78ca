/**
 * --reuse-cmdline: this kernel's /proc/cmdline without BOOT_IMAGE= (the boot loader's note
 * about a kernel that may not be the one we load) and, for a crash kernel, without
 * crashkernel= (kexec-tools get_command_line()). A parameter is dropped when a word starts
 * with its name, which also catches crashkernel=…,low style variants.
 */
export function dropParams(line: string, names: readonly string[]): string {
  return line
    .split(' ')
    .filter((w) => w !== '' && !names.some((n) => w.startsWith(n)))
    .join(' ');
}

export function reusedCmdline(procCmdline: string, crash: boolean): string {
  const first = procCmdline.split(/[\r\n]/)[0] ?? '';
  return dropParams(first, crash ? ['BOOT_IMAGE', 'crashkernel'] : ['BOOT_IMAGE']);
}

/** kexec-tools concat_cmdline(): base, then a space, then the appended text. */
export function concatCmdline(base: string | null, append: string | null): string {
  if (base === null) return append ?? '';
  if (append === null) return base;
  return `${base} ${append}`;
}
