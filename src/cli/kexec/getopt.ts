/**
 * A getopt_long work-alike, because scripts call kexec the way glibc parses it: bundled short
 * options (-lx), "-tTYPE" and "-t TYPE", "--opt=value" and "--opt value", unambiguous long
 * prefixes ("--command=" for --command-line), options after the kernel (permutation), and
 * "--" ending options. Error texts are glibc's (posix/getopt.c), without the argv[0] prefix.
 */
/** minPrefix: shortest abbreviation accepted (kexecctl's own options, so none of kexec-tools' prefixes changes meaning). */
export type OptSpec = { long: string; short?: string; arg: boolean; id: string; minPrefix?: number };

export type ParsedOpt = { id: string; name: string; value: string | null };
/** error: the first bad option; opts holds those before it (getopt reports errors in order). */
export type GetoptResult = { opts: ParsedOpt[]; operands: string[]; error: string | null };

export class GetoptError extends Error {}

/**
 * glibc's process_long_option(): an exact name wins; otherwise the first prefix match, unless a
 * later prefix match differs from it in argument or id (kexec-tools' val), which makes the
 * prefix ambiguous. The message lists the first match and every differing one, in table order.
 */
function findLong(specs: readonly OptSpec[], name: string, text: string): OptSpec {
  const named = name === '' ? [] : specs.filter((s) => s.long !== '');
  const exact = named.find((s) => s.long === name);
  if (exact) return exact;
  const pre = named.filter((s) => s.long.startsWith(name) && name.length >= (s.minPrefix ?? 0));
  const first = pre[0];
  if (first === undefined) throw new GetoptError(`unrecognized option '--${text}'`);
  const ambiguous = pre.filter((s, i) => i === 0 || s.id !== first.id || s.arg !== first.arg);
  if (ambiguous.length > 1) throw new GetoptError(`option '--${text}' is ambiguous; possibilities: ${ambiguous.map((s) => `'--${s.long}'`).join(' ')}`);
  return first;
}

export function getopt(argv: readonly string[], specs: readonly OptSpec[]): GetoptResult {
  const opts: ParsedOpt[] = [];
  const operands: string[] = [];
  try {
    scan(argv, specs, opts, operands);
  } catch (e) {
    if (e instanceof GetoptError) return { opts, operands, error: e.message };
    throw e;
  }
  return { opts, operands, error: null };
}

function scan(argv: readonly string[], specs: readonly OptSpec[], opts: ParsedOpt[], operands: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = findLong(specs, name, a.slice(2));
      if (!spec.arg) {
        if (eq >= 0) throw new GetoptError(`option '--${spec.long}' doesn't allow an argument`);
        opts.push({ id: spec.id, name: `--${spec.long}`, value: null });
        continue;
      }
      let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new GetoptError(`option '--${spec.long}' requires an argument`);
      opts.push({ id: spec.id, name: `--${spec.long}`, value });
      value = undefined;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j] as string;
        const spec = specs.find((s) => s.short === ch);
        if (!spec) throw new GetoptError(`invalid option -- '${ch}'`);
        if (!spec.arg) {
          opts.push({ id: spec.id, name: `-${ch}`, value: null });
          continue;
        }
        const rest = a.slice(j + 1);
        const value = rest !== '' ? rest : argv[++i];
        if (value === undefined) throw new GetoptError(`option requires an argument -- '${ch}'`);
        opts.push({ id: spec.id, name: `-${ch}`, value });
        break;
      }
      continue;
    }
    operands.push(a);
  }
}
