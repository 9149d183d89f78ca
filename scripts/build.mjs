// Bundles each CLI entry into dist/ for Node 18.19+ (options in build-options.mjs).
import { build } from 'esbuild';
import { chmod, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { bundleEntries } from './build-options.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entries = (await readdir(new URL('../src/cli/bin', import.meta.url))).filter((f) => f.endsWith('.ts'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await bundleEntries(build, { entries, outdir: 'dist', version: pkg.version });
for (const f of entries) await chmod(`dist/${f.replace(/\.ts$/, '.js')}`, 0o755);
