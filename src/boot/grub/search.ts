/** `search` and its aliases: set a variable (default `root`) to the first matching device. */
import type { Shell } from './context.js';

type Kind = 'fs_uuid' | 'fs_label' | 'file';

const KIND_OPTS: Record<string, Kind> = {
  '--fs-uuid': 'fs_uuid',
  '-u': 'fs_uuid',
  '--label': 'fs_label',
  '-l': 'fs_label',
  '--file': 'file',
  '-f': 'file',
};

const OPTION_NAME: Record<Kind, string> = { fs_uuid: '--fs-uuid', fs_label: '--label', file: '--file' };

export function searchCommand(sh: Shell, fixed: Kind | null, args: string[]): number {
  let kind: Kind | null = fixed;
  let variable: string | null = null;
  const pos: string[] = [];
  const hints: string[] = [];
  const platformHints: string[] = [];
  const platformHint = sh.lookup('grub_platform') === 'efi' ? '--hint-efi' : '--hint-bios';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const k = KIND_OPTS[a];
    if (k !== undefined && fixed === null) kind = k;
    else if (a === '--set' || a === '-s') variable = 'root';
    else if (a.startsWith('--set=')) variable = a.slice(6);
    else if (a.startsWith('--hint')) {
      // --hint[-PLATFORM]=DEV or --hint[-PLATFORM] DEV: devices to try first (GRUB's search_wrap).
      const eq = a.indexOf('=');
      const opt = eq < 0 ? a : a.slice(0, eq);
      const value = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (value === undefined) continue;
      if (opt === '--hint') hints.push(value);
      else if (opt === platformHint || opt === '--hint-baremetal') platformHints.push(value);
    } else if (a.startsWith('-') && a.length > 1) continue;
    else pos.push(a);
  }
  const name = pos[0];
  if (fixed !== null) variable = pos[1] ?? 'root';
  if (name === undefined) {
    sh.diag('error', 'search: one argument expected');
    return 1;
  }
  if (kind === null) {
    sh.diag('error', `search ${name}: unspecified search type (GRUB needs --fs-uuid, --label or --file)`);
    return 1;
  }
  const hit = sh.fs.search(kind, name, [...platformHints, ...hints]);
  if (hit === null) {
    sh.diag('warning', `search ${OPTION_NAME[kind]} ${name}: no such device`);
    return 1;
  }
  if (hit.name !== hit.device) sh.effects.deviceNames.set(hit.name, hit.device);
  if (variable !== null) sh.set(variable, hit.name);
  return 0;
}
