/** BLS entry files (loader/entries/*.conf) read the way rhboot's blscfg reads them. */
import type { Diagnostic } from '../../errors.js';

export type BlsEntry = {
  /** Key/value pairs in file order (keys may repeat). */
  fields: [string, string][];
};

export function blsFirst(e: BlsEntry, key: string): string | undefined {
  for (const f of e.fields) if (f[0] === key) return f[1];
  return undefined;
}

export function blsAll(e: BlsEntry, key: string): string[] {
  const out: string[] = [];
  for (const f of e.fields) if (f[0] === key) out.push(f[1]);
  return out;
}

/**
 * Lines are trimmed on the left, `#` lines skipped; the key ends at the first space (a tab only
 * when the line has no space); a line without a value (an empty line too) stops reading.
 */
export function parseBlsEntry(text: string, origin: string): { value: BlsEntry; diagnostics: Diagnostic[] } {
  const fields: [string, string][] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r/g, '');
    const line = raw.replace(/^[ \t]+/, '');
    if (line.startsWith('#')) continue;
    let sep = line.indexOf(' ');
    if (sep < 0) sep = line.indexOf('\t');
    if (sep < 0 || sep === line.length - 1) {
      const trailing = lines.slice(n + 1).some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      if (trailing) {
        diagnostics.push({
          severity: 'warning',
          origin,
          line: n + 1,
          message: 'line without a value: GRUB (blscfg) stops reading this entry here',
        });
      }
      break;
    }
    const value = line.slice(sep + 1).replace(/^[ \t]+/, '');
    fields.push([line.slice(0, sep), value]);
  }
  return { value: { fields }, diagnostics };
}
