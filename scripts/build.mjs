// Bundles each CLI entry into one ESM file under dist/ for Node 18.19+.
// koffi stays external: it carries a native module and is only loaded inside a real kexec.
import { build } from 'esbuild';
import { chmod, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entries = (await readdir(new URL('../src/cli/bin', import.meta.url))).filter((f) => f.endsWith('.ts'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: entries.map((f) => `src/cli/bin/${f}`),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node18.19',
  external: ['koffi'],
  define: { __KEXECCTL_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __kxcr } from 'node:module'; const require = __kxcr(import.meta.url);",
  },
  logLevel: 'warning',
});
for (const f of entries) await chmod(`dist/${f.replace(/\.ts$/, '.js')}`, 0o755);
