/** Test helper: an in-memory GrubFs. Keys are "/path" (on hd0) or "dev:/path". */
import type { GrubFs } from '../../../../src/boot/grub/types.js';

export type MemDisk = { uuid?: string; label?: string };

export function memFs(files: Record<string, string>, disks: Record<string, MemDisk> = {}, prefixDevice = 'hd0'): GrubFs {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(files)) {
    const m = /^([^/:]+):(\/.*)$/.exec(k);
    map.set(m ? `${m[1]}:${m[2]}` : `${prefixDevice}:${k}`, v);
  }
  const norm = (p: string): string => p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  const readFile = (device: string, path: string): string | null => map.get(`${device}:${norm(path)}`) ?? null;
  return {
    prefixDevice,
    readFile,
    listDir(device, path) {
      const dir = `${device}:${norm(path)}/`.replace(/\/\/$/, '/');
      const names = new Set<string>();
      for (const k of map.keys()) if (k.startsWith(dir)) names.add(k.slice(dir.length).split('/')[0] as string);
      return names.size === 0 ? null : [...names];
    },
    search(kind, value) {
      for (const [dev, d] of Object.entries(disks)) {
        if (kind === 'fs_uuid' && d.uuid?.toLowerCase() === value.toLowerCase()) return { device: dev, name: dev };
        if (kind === 'fs_label' && d.label === value) return { device: dev, name: dev };
      }
      if (kind === 'file') {
        for (const k of map.keys()) if (k.endsWith(`:${norm(value)}`)) return { device: k.slice(0, k.indexOf(':')), name: k.slice(0, k.indexOf(':')) };
      }
      return null;
    },
  };
}
