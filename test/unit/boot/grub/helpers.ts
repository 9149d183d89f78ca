/** Test helper: evaluate a grub.cfg text (plus other files) and summarise the choice. */
import { evaluateGrub } from '../../../../src/boot/grub/evaluate.js';
import type { EvaluateOptions, GrubResult } from '../../../../src/boot/grub/types.js';
import { memFs, type MemDisk } from './mem-fs.js';

export function run(cfg: string, files: Record<string, string> = {}, opts: Partial<EvaluateOptions> & { disks?: Record<string, MemDisk> } = {}): GrubResult {
  const fs = memFs({ '/boot/grub/grub.cfg': cfg, ...files }, opts.disks ?? {});
  const { disks: _d, ...rest } = opts;
  return evaluateGrub({ fs, configPath: '/boot/grub/grub.cfg', ...rest });
}

/** Title path of the chosen entry, or null. */
export const chosen = (r: GrubResult): string | null => r.selection?.titlePath ?? null;
export const kernelOf = (r: GrubResult): string | null => r.selection?.entry.boot?.kernel.written ?? null;
export const argsOf = (r: GrubResult): string[] | null => r.selection?.entry.boot?.args ?? null;
