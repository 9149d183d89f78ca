/** grubenv (GRUB environment block) parser: read-only, as GRUB's envblk reads it. */
import type { Diagnostic } from '../../errors.js';

const SIGNATURE = '# GRUB Environment Block\n';

export function parseGrubenv(text: string, origin: string): { value: Record<string, string>; diagnostics: Diagnostic[] } {
  const value: Record<string, string> = {};
  if (!text.startsWith(SIGNATURE)) {
    return {
      value,
      diagnostics: [{ severity: 'error', origin, line: 1, message: 'not a GRUB environment block (signature missing)' }],
    };
  }
  let i = SIGNATURE.length;
  let line = 2;
  while (i < text.length) {
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl + 1;
      line++;
      continue;
    }
    const eq = text.indexOf('=', i);
    const nl = text.indexOf('\n', i);
    if (eq < 0 || (nl >= 0 && nl < eq)) break;
    const name = text.slice(i, eq);
    let v = '';
    let j = eq + 1;
    let ended = false;
    const startLine = line;
    while (j < text.length) {
      const c = text[j] as string;
      if (c === '\\' && j + 1 < text.length) {
        const n = text[j + 1] as string;
        if (n === '\n') line++;
        v += n;
        j += 2;
        continue;
      }
      if (c === '\n') {
        ended = true;
        break;
      }
      v += c;
      j++;
    }
    if (!ended) {
      // GRUB ignores a final line without its newline.
      return { value, diagnostics: [{ severity: 'warning', origin, line: startLine, message: `unterminated line for "${name}" ignored` }] };
    }
    value[name] = v;
    i = j + 1;
    line++;
  }
  return { value, diagnostics: [] };
}
