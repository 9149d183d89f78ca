/**
 * Kernel command-line edits shared by the reboot plan and the kdump plan. Tokens are kept as
 * written (quotes included) so an edited line only changes what was asked. Splitting follows
 * the kernel's own rule (lib/cmdline.c next_arg): blanks separate parameters except inside
 * double quotes. Parameter names compare as the kernel compares them: "-" equals "_".
 */

/** Splits a command line into parameters, keeping quotes. */
export function tokenizeCmdline(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** Parameter name of a token ("root" for root=/dev/x, "quiet" for quiet), quotes removed. */
export function paramName(token: string): string {
  const eq = token.indexOf('=');
  return (eq < 0 ? token : token.slice(0, eq)).replace(/"/g, '');
}

/** Value of a token after the first "=", quotes removed; null for a bare flag. */
export function paramValue(token: string): string | null {
  const eq = token.indexOf('=');
  return eq < 0 ? null : token.slice(eq + 1).replace(/"/g, '');
}

function sameName(a: string, b: string): boolean {
  return a.replace(/-/g, '_') === b.replace(/-/g, '_');
}

/** Removes every parameter named in keys, both "key=value" and a bare "key". */
export function removeParams(tokens: readonly string[], keys: readonly string[]): string[] {
  return tokens.filter((t) => !keys.some((k) => sameName(paramName(t), k)));
}

/** Whether any parameter has this name. */
export function hasParam(tokens: readonly string[], key: string): boolean {
  return tokens.some((t) => sameName(paramName(t), key));
}

/** Quotes a value the way the kernel reads it back: double quotes when it holds blanks. */
export function quoteParam(key: string, value: string | null): string {
  if (value === null) return key;
  return /\s/.test(value) ? `${key}="${value}"` : `${key}=${value}`;
}

/**
 * Sets a parameter: drops every existing one of that name and puts the new one first
 * (where GRUB puts BOOT_IMAGE=) or last.
 */
export function setParam(tokens: readonly string[], key: string, value: string | null, where: 'first' | 'last' = 'last'): string[] {
  const rest = removeParams(tokens, [key]);
  const tok = quoteParam(key, value);
  return where === 'first' ? [tok, ...rest] : [...rest, tok];
}

/** Appends the parameters of another command line, in order. */
export function appendParams(tokens: readonly string[], extra: string): string[] {
  return [...tokens, ...tokenizeCmdline(extra)];
}

export function joinCmdline(tokens: readonly string[]): string {
  return tokens.join(' ');
}

/**
 * The running command line reused for a new kernel (Debian's APPEND="" rule and the
 * kexec-load@ template): BOOT_IMAGE= names the kernel being loaded, initrd= (an EFI-stub
 * argument naming the old initramfs) is dropped.
 */
export function reuseCmdline(procCmdline: string, kernelPath: string): string {
  const tokens = removeParams(tokenizeCmdline(procCmdline), ['initrd']);
  return joinCmdline(setParam(tokens, 'BOOT_IMAGE', kernelPath, 'first'));
}
