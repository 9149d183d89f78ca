/**
 * The order `run-parts --list DIR` gives (Debian's run-parts without --lsbsysinit): names made only
 * of [A-Za-z0-9_-] (so "*.conf", "foo~", ".hidden" and "x.dpkg-old" are skipped), sorted bytewise
 * as in the C locale.
 */
const VALID = /^[A-Za-z0-9_-]+$/;

export function runPartsOrder(names: readonly string[]): { accepted: string[]; skipped: string[] } {
  const accepted: string[] = [];
  const skipped: string[] = [];
  for (const name of names) (VALID.test(name) ? accepted : skipped).push(name);
  const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return { accepted: accepted.sort(bytewise), skipped: skipped.sort(bytewise) };
}
