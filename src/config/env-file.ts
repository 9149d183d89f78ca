/**
 * Shell-style KEY=value files (/etc/default/*, /etc/sysconfig/*) read with dotenv.parse and never
 * with a shell. dotenv gives the values; this module adds what a shell would have done differently
 * as located warnings: command substitution, backticks and variable expansion are kept literally,
 * lines that are not assignments are ignored, and unknown keys are reported.
 *
 * One file means one thing to every reader: only what a POSIX shell would take as an assignment
 * (NAME=value, NAME a shell name, no blank before '=') is a setting. dotenv alone would also take
 * `KEY: value`, `KEY = value` and `a.b=c`; those lines are warned about AND left out of what
 * dotenv sees, so a line reported as ignored is really ignored. Shell code (postinst, the kernel
 * hooks, kexecctl-reload) asks `kexecctl config get KEY` instead of parsing the file again.
 */
import { parse } from 'dotenv';
import type { Diagnostic } from '../errors.js';

export type EnvFile = {
  values: Record<string, string>;
  /** Line number of each key's last assignment (1-based). */
  lines: Record<string, number>;
};

export type EnvFileOptions = {
  /** When given, keys outside this list are warned about (and still returned). */
  knownKeys?: readonly string[];
};

const ASSIGN = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** What dotenv would also accept as a setting although a shell would not (dotenv's LINE regex). */
const DOTENV_ONLY = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)/;

function warn(origin: string, line: number, message: string): Diagnostic {
  return { severity: 'warning', origin, line, message };
}

/** Shell constructs in the raw value that dotenv keeps as text (single-quoted values are literal in sh too). */
function shellConstructs(raw: string): string[] {
  const v = raw.trim();
  if (v.startsWith("'")) return [];
  const found: string[] = [];
  if (v.includes('$(')) found.push('command substitution "$(...)" is not run');
  if (v.includes('`')) found.push('backticks are not run');
  if (/\$\{?[A-Za-z_]/.test(v) || /\$[0-9#?@*!$-]/.test(v)) found.push('"$VAR" is not expanded');
  return found;
}

/** Tracks whether a quoted value continues on the next line (dotenv allows multi-line quotes). */
function openQuote(raw: string): string | null {
  const v = raw.trimStart();
  const q = v[0];
  if (q !== '"' && q !== "'" && q !== '`') return null;
  for (let i = 1; i < v.length; i++) {
    if (v[i] === '\\' && q === '"') {
      i++;
      continue;
    }
    if (v[i] === q) return null;
  }
  return q;
}

function closes(line: string, q: string): boolean {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && q === '"') {
      i++;
      continue;
    }
    if (line[i] === q) return true;
  }
  return false;
}

export function parseEnvFile(text: string, origin: string, opts: EnvFileOptions = {}): { value: EnvFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lines: Record<string, number> = {};
  const rows = text.split(/\r?\n/);
  // The lines dotenv is allowed to see: accepted assignments and their continuation lines.
  const kept: string[] = [];
  let pending: string | null = null;
  rows.forEach((row, i) => {
    const n = i + 1;
    kept.push('');
    if (pending !== null) {
      kept[i] = row;
      if (closes(row, pending)) pending = null;
      return;
    }
    const t = row.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = ASSIGN.exec(row);
    if (m === null) {
      const why = DOTENV_ONLY.test(row)
        ? 'not a shell assignment (NAME=value, no blank before "="), ignored'
        : 'not a KEY=value line, ignored (no shell runs this file)';
      diagnostics.push(warn(origin, n, `${why}: ${t.slice(0, 60)}`));
      return;
    }
    kept[i] = row;
    const key = m[1] as string;
    const raw = m[2] as string;
    lines[key] = n;
    if (opts.knownKeys !== undefined && !opts.knownKeys.includes(key)) {
      diagnostics.push(warn(origin, n, `unknown key ${key}, ignored`));
    }
    for (const what of shellConstructs(raw)) {
      diagnostics.push(warn(origin, n, `${key}: ${what}; the value is used literally`));
    }
    pending = openQuote(raw);
  });
  const values = parse(kept.join('\n'));
  return { value: { values, lines }, diagnostics };
}
