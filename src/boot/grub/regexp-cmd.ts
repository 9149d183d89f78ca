/**
 * `regexp [--set [NUMBER:]VARNAME ...] REGEXP STRING` as grub-core/commands/regexp.c (GRUB
 * 2.06/2.12) runs it: true (0) when REGEXP matches somewhere in STRING; then each --set, in
 * order, sets VARNAME to match group NUMBER (1 when no NUMBER is given, 0 is the whole match),
 * or unsets it when that group did not take part. No match: false (1). An invalid pattern is
 * false too (GRUB's error is GRUB_ERR_TEST_FAILURE, which it does not print); we warn, so a
 * plan that depended on it is explained. Behaviour checked against grub-emu 2.06
 * (test/grub-emu/regexp-cases.json).
 */
import type { Shell } from './context.js';
import { compileEre, execEre } from './ere-match.js';
import { GRUB_ERR_BAD_ARGUMENT, parseExtArgs } from './ext-args.js';

/** set_matches(): --set values in order; the first malformed NUMBER stops with GRUB's error. */
function setMatches(sh: Shell, specs: readonly string[], groups: readonly (string | null)[]): number {
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    let name = spec;
    let n = 1;
    if (colon >= 0) {
      const digits = spec.slice(0, colon);
      if (!/^[0-9]*$/.test(digits)) {
        sh.diag('error', `regexp: invalid variable name format ${spec}`);
        return GRUB_ERR_BAD_ARGUMENT;
      }
      // grub_strtoul("") fails with "unrecognized number" but the command goes on with 0.
      if (digits === '') sh.diag('warning', `regexp --set=${spec}: GRUB reports "unrecognized number" and uses group 0`);
      n = digits === '' ? 0 : Number(digits);
      name = spec.slice(colon + 1);
    }
    const value = groups[n];
    if (value === undefined || value === null) sh.unset(name);
    else sh.set(name, value);
  }
  return 0;
}

export function regexpCommand(sh: Shell, argv: string[]): number {
  const parsed = parseExtArgs(argv, [{ long: 'set', short: 's', value: true }]);
  if (!parsed.ok) {
    sh.diag('error', `regexp: ${parsed.message}`);
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const [pattern, text] = parsed.args;
  if (parsed.args.length !== 2 || pattern === undefined || text === undefined) {
    sh.diag('error', 'regexp: two arguments expected');
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const re = compileEre(pattern);
  if (!re.ok) {
    // An invalid pattern is false in GRUB too; one we cannot run leaves GRUB's outcome unknown.
    if (re.unsupported) sh.unsure(`regexp '${pattern}' cannot be evaluated: ${re.message} (treated as not matching)`);
    else sh.diag('warning', `regexp '${pattern}' is invalid: ${re.message} (treated as not matching)`);
    return 1;
  }
  const run = execEre(re.value, text);
  if (run.tooLong) {
    sh.unsure(`regexp '${pattern}': string too long to evaluate (treated as not matching)`);
    return 1;
  }
  if (run.match === null) return 1;
  const specs = parsed.opts.map((o) => o.value ?? '');
  return setMatches(sh, specs, run.match);
}
