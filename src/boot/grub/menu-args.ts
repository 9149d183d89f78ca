/**
 * The arguments of `menuentry`/`submenu` (GRUB's commands/menuentry.c options table): --id,
 * --class, --users, --unrestricted, --hotkey, --source; the first positional argument is the
 * title and the id defaults to it (menuentry.c: menu_id = id ? : menu_title).
 */

export type MenuArgs = { title: string; id: string; argv: string[]; users: string | null; classes: string[] };

/** Parsed arguments, or the error GRUB reports (keepStatus: GRUB fails before setting `$?`). */
export type MenuArgsResult = { ok: true; value: MenuArgs } | { ok: false; message: string; keepStatus: boolean };

const OPTIONS = new Set(['id', 'class', 'users', 'hotkey', 'source']);

export function parseMenuArgs(argv: readonly string[], sub: boolean): MenuArgsResult {
  const what = sub ? 'submenu' : 'menuentry';
  const pos: string[] = [];
  let id: string | null = null;
  let users: string | null = null;
  const classes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      pos.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      pos.push(a);
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(a);
    const opt = m?.[1] ?? '';
    if (opt === 'unrestricted') {
      users = users ?? '';
      continue;
    }
    if (!OPTIONS.has(opt)) return { ok: false, message: `${what}: unknown option ${a}`, keepStatus: false };
    let v = m?.[2];
    if (v === undefined) v = argv[++i];
    if (v === undefined) return { ok: false, message: `menuentry: option --${opt} needs a value`, keepStatus: true };
    if (opt === 'id') id = v;
    else if (opt === 'class') classes.push(v);
    else if (opt === 'users') users = v;
  }
  const title = pos[0];
  if (title === undefined) return { ok: false, message: `${what} without a title is ignored`, keepStatus: false };
  return { ok: true, value: { title, id: id ?? title, argv: pos, users, classes } };
}
