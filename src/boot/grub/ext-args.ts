/**
 * Option parsing of GRUB's extended commands (grub-core/lib/arg.c, grub_arg_parse), as `regexp`
 * and `probe` see their arguments: options may come anywhere, `--` ends them, a lone `-` is an
 * argument; `--name=V`, `--name V` (the next word, unless it starts with `-`), `-s V`; short flags
 * combine (`-fu`). Errors carry GRUB's message; GRUB returns GRUB_ERR_BAD_ARGUMENT (18) for them.
 */

export type OptSpec = { long: string; short?: string; value: boolean };
export type ParsedArgs = { ok: true; opts: { name: string; value: string | null }[]; args: string[] } | { ok: false; message: string };

/** GRUB_ERR_BAD_ARGUMENT: what `$?` becomes when a command rejects its arguments. */
export const GRUB_ERR_BAD_ARGUMENT = 18;

export function parseExtArgs(argv: readonly string[], spec: readonly OptSpec[]): ParsedArgs {
  const opts: { name: string; value: string | null }[] = [];
  const args: string[] = [];
  const bad = (message: string): ParsedArgs => ({ ok: false, message });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-') || a.length === 1) {
      args.push(a);
      continue;
    }
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      for (let k = 1; k < a.length; k++) {
        const o = spec.find((s) => s.short === a[k]);
        if (o === undefined) return bad(`unknown argument \`-${a[k] as string}'`);
        if (!o.value) {
          opts.push({ name: o.long, value: null });
          continue;
        }
        // Only the last letter may take a value: the next word.
        const next = k === a.length - 1 ? argv[i + 1] : undefined;
        if (next === undefined) return bad(`missing mandatory option for \`${o.long}'`);
        i++;
        opts.push({ name: o.long, value: next });
        break;
      }
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let value: string | null = eq < 0 ? null : a.slice(eq + 1);
    const o = spec.find((s) => s.long === name);
    if (o === undefined) return bad(`unknown argument \`${a}'`);
    if (o.value && value === null && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('-')) value = argv[++i] as string;
    if (o.value && value === null) return bad(`missing mandatory option for \`${o.long}'`);
    if (!o.value && value !== null) return bad(`a value was assigned to the argument \`${a}' while it doesn't require an argument`);
    opts.push({ name: o.long, value });
  }
  return { ok: true, opts, args };
}
