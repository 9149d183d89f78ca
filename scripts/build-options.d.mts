import type { build } from 'esbuild';

export function bundleEntries(
  esbuildBuild: typeof build,
  opts: { entries: string[]; outdir: string; version: string; logLevel?: 'warning' | 'error' | 'silent' },
): Promise<void>;
