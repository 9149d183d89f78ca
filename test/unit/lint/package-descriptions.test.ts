/**
 * Package descriptions stay within the widths the packaging linters enforce, so a wording change
 * cannot turn the package tier red: rpmlint's description-line-too-long (79 columns, rpmlint 2.4
 * TagsCheck `max-line-length`) and Debian policy 5.6.13 / lintian's extended-description-line-too-long (80).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../..');

/** The %description section(s) of the spec: lines after `%description` up to the next section macro. */
function rpmDescriptionLines(spec: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of spec.split('\n')) {
    if (/^%description\b/.test(line)) inside = true;
    else if (/^%(prep|build|install|files|changelog|package|pre|post|preun|postun|check)\b/.test(line)) inside = false;
    else if (inside && !/^%(if|endif|else)\b/.test(line)) out.push(line);
  }
  return out;
}

/** Continuation lines of every Description field in a Debian control file. */
function debDescriptionLines(control: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of control.split('\n')) {
    if (/^Description:/.test(line)) inside = true;
    else if (/^\S/.test(line)) inside = false;
    else if (inside) out.push(line);
  }
  return out;
}

describe('package descriptions', () => {
  it('the rpm %description has no line over 79 columns', () => {
    const lines = rpmDescriptionLines(readFileSync(join(repo, 'rpm/kexecctl.spec'), 'utf8'));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.filter((l) => l.length > 79)).toEqual([]);
  });
  it('the deb extended description has no line over 80 columns', () => {
    const lines = debDescriptionLines(readFileSync(join(repo, 'deb/control.in'), 'utf8'));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
  });
  it('the width check sees an over-long line', () => {
    expect(rpmDescriptionLines(`%description\n${'x'.repeat(90)}\n%prep\n`).filter((l) => l.length > 79)).toHaveLength(1);
  });
});
