/** Test helper: a GrubFs over one corpus case (read-only view of ../shared/corpus/grub). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import type { GrubFs } from '../../../../src/boot/grub/types.js';

/** GRUB device names have no blanks; the corpus's "<config device>" becomes this name. */
export const CONFIG_DEVICE = 'configdev';
export const deviceName = (name: string): string => (name === '<config device>' ? CONFIG_DEVICE : name);

export type Partition = { name: string; dir: string | null; files: Record<string, string>; uuid?: string; label?: string };

export type CaseJson = {
  source: string;
  kind: string;
  config: string | null;
  grubenv: string | null;
  partitions?: Record<string, Record<string, unknown>>;
  expected: Record<string, unknown> | null;
  grub_emu: Record<string, unknown> | null;
  note?: string;
};

const readText = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined);

export function partitionsFor(caseDir: string, c: CaseJson, uRoot: boolean): { parts: Partition[]; configDevice: string } {
  const parts: Partition[] = [];
  if (uRoot) {
    const top = resolve(caseDir, '..');
    for (const name of readdirSync(top).sort()) {
      const dir = join(top, name);
      if (!statSync(dir).isDirectory()) continue;
      const p: Partition = { name, dir, files: {} };
      const uuid = readText(join(dir, 'UUID'));
      const label = readText(join(dir, 'LABEL'));
      if (uuid !== undefined) p.uuid = uuid;
      if (label !== undefined) p.label = label;
      parts.push(p);
    }
    return { parts, configDevice: caseDir.split('/').pop() as string };
  }
  for (const [name, info] of Object.entries(c.partitions ?? {})) {
    const files = typeof info['files'] === 'object' && info['files'] !== null ? (info['files'] as Record<string, string>) : {};
    const p: Partition = { name: deviceName(name), dir: name === '<config device>' ? caseDir : null, files };
    const uuid = (info['fs_uuid'] ?? info['uuid']) as string | undefined;
    const label = (info['fs_label'] ?? info['label']) as string | undefined;
    if (uuid !== undefined) p.uuid = uuid;
    if (label !== undefined) p.label = label;
    parts.push(p);
  }
  return { parts, configDevice: CONFIG_DEVICE };
}

function locate(p: Partition, path: string): string | null {
  if (p.dir === null) return null;
  const rel = normalize(path.replace(/^\/+/, '') || '.');
  if (rel.startsWith('..')) return null;
  return join(p.dir, rel);
}

export function corpusFs(parts: Partition[], configDevice: string): GrubFs {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const readFile = (device: string, path: string): string | null => {
    const p = byName.get(device);
    if (p === undefined) return null;
    const inline = p.files[path.replace(/^\/+/, '')];
    if (inline !== undefined) return inline;
    const f = locate(p, path);
    return f !== null && existsSync(f) && statSync(f).isFile() ? readFileSync(f, 'utf8') : null;
  };
  return {
    prefixDevice: configDevice,
    readFile,
    listDir(device, path) {
      const p = byName.get(device);
      const f = p === undefined ? null : locate(p, path);
      return f !== null && existsSync(f) && statSync(f).isDirectory() ? readdirSync(f) : null;
    },
    search(kind, value) {
      for (const p of parts) {
        const hit = { device: p.name, name: p.name };
        if (kind === 'fs_uuid' && p.uuid !== undefined && p.uuid.toLowerCase() === value.toLowerCase()) return hit;
        if (kind === 'fs_label' && p.label === value) return hit;
        if (kind === 'file' && readFile(p.name, value) !== null) return hit;
      }
      return null;
    },
  };
}
