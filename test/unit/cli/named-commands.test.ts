/**
 * Issue 9 §3: messages, man pages and docs never tell users to run a command that does not exist.
 * Every `kdumpctl X` / `kexecctl X` written as a command (in quotes, backticks, roff bold, or after
 * "run") in src/, man/, docs/, README.md and etc-defaults/ must name a subcommand the program has.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKdumpctl } from '../../../src/cli/kdumpctl/program.js';
import { buildKexecctl } from '../../../src/cli/kexecctl.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const SOURCES = [...files('src'), ...files('man'), ...files('docs'), ...files('etc-defaults'), 'README.md'];
// A command, not prose: after a quote, a backtick (not in .ts), roff bold (\fB or .B/.BR "), or the word run.
const NAMED = /(["'`]|\\fB|^\.BR? "?|\brun )(kdumpctl|kexecctl) ([a-z](?:[a-z]|-(?=[a-z])|\\-)*)/gm;

function named(): Array<{ file: string; prog: string; sub: string }> {
  const out: Array<{ file: string; prog: string; sub: string }> = [];
  for (const file of SOURCES) {
    for (const m of readFileSync(file, 'utf8').matchAll(NAMED)) {
      if (file.endsWith('.ts') && m[1] === '`') continue; // a template literal's start, not markdown code
      out.push({ file, prog: m[2] as string, sub: (m[3] as string).replace(/\\-/g, '-') });
    }
  }
  return out;
}

describe('commands named in messages and docs exist', () => {
  it('finds the references it checks (the pattern is not dead)', () => {
    expect(named().length).toBeGreaterThan(20);
  });
  it('every kdumpctl/kexecctl subcommand named exists', async () => {
    const kdump = new Set(buildKdumpctl(() => undefined).commands.map((c) => c.name()));
    const ctl = new Set((await buildKexecctl()).commands.map((c) => c.name()));
    const missing = named().filter(({ prog, sub }) => !(prog === 'kdumpctl' ? kdump : ctl).has(sub));
    expect(missing).toEqual([]);
  });
});
