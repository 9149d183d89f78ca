// Bundles test/vm/guest/kexec-inproc.ts for the guest (build.sh) with dist/'s esbuild options
// (scripts/build-options.mjs bundleOptions), as one file: no chunks to copy beside it.
// Usage: node test/vm/guest/build-inproc.mjs OUTFILE
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { bundleOptions } from '../../../scripts/build-options.mjs';

const outfile = process.argv[2];
if (!outfile) throw new Error('usage: build-inproc.mjs OUTFILE');
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
await build({
  ...bundleOptions(pkg.version),
  splitting: false,
  entryPoints: [new URL('kexec-inproc.ts', import.meta.url).pathname],
  outfile,
});
