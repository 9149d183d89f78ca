// Bundles test/vm/guest/kexec-inproc.ts for the guest (build.sh): dist/'s esbuild options
// (scripts/build-options.mjs: ESM for Node 18.19, koffi external, the require banner), one file.
// Usage: node test/vm/guest/build-inproc.mjs OUTFILE
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const outfile = process.argv[2];
if (!outfile) throw new Error('usage: build-inproc.mjs OUTFILE');
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: [new URL('kexec-inproc.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18.19',
  external: ['koffi'],
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  define: { __KEXECCTL_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __kxcr } from 'node:module'; const require = __kxcr(import.meta.url);" },
  logLevel: 'warning',
});
