// How the CLI entries are bundled: shared by scripts/build.mjs (dist/) and the CLI tests'
// temporary bundles (test/helpers/cli-bundle.ts), so tests run what ships.
import { readFile } from 'node:fs/promises';

/**
 * Two dependencies load a heavy Node built-in at startup for a feature kexecctl never uses:
 * commander requires child_process (only for executable subcommands) and dotenv requires crypto
 * (only for encrypted .env.vault files). Deferring those requires to first use saves ~10-20 ms of
 * every CLI start. If a dependency update changes the line, the file is bundled unchanged (a
 * warning, never a broken build).
 */
const LAZY_BUILTINS = [
  {
    file: /[\\/]commander[\\/]lib[\\/]command\.js$/,
    from: "const childProcess = require('node:child_process');",
    to: "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
  },
  {
    file: /[\\/]dotenv[\\/]lib[\\/]main\.js$/,
    from: "const crypto = require('crypto')",
    to: "const crypto = { createDecipheriv: (...a) => require('crypto').createDecipheriv(...a) }",
  },
];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    for (const { file, from, to } of LAZY_BUILTINS) {
      b.onLoad({ filter: file }, async ({ path }) => {
        const text = await readFile(path, 'utf8');
        if (!text.includes(from)) return { contents: text, loader: 'js', warnings: [{ text: `lazy-builtins: "${from}" not found, left as is` }] };
        return { contents: text.replace(from, to), loader: 'js' };
      });
    }
  },
};

// kexec is built on its own: kexecctl's many lazy split points would otherwise cut the modules
// kexec shares with it into ~17 small chunks, and every extra ES module costs startup time.
const SEPARATE = ['kexec.ts'];

/**
 * The esbuild options of every bundle of ours: dist/'s entries below, and the guest tier's
 * in-process kexec (test/vm/guest/build-inproc.mjs). ESM with code splitting for Node 18.19+;
 * koffi stays external: it carries a native module and is only loaded inside a real kexec.
 */
export function bundleOptions(version, logLevel = 'warning') {
  return {
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node18.19',
    external: ['koffi'],
    // Not tsconfig.json: its "paths" only redirect type checking (src/types/*.d.ts), never the bundle.
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    define: { __KEXECCTL_VERSION__: JSON.stringify(version) },
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __kxcr } from 'node:module'; const require = __kxcr(import.meta.url);",
    },
    plugins: [lazyBuiltins],
    logLevel,
  };
}

/**
 * Bundles src/cli/bin/<entry> for each entry file name into outdir (ESM for Node 18.19+;
 * koffi stays external: it carries a native module and is only loaded inside a real kexec).
 */
export async function bundleEntries(build, { entries, outdir, version, logLevel = 'warning' }) {
  const common = { outdir, ...bundleOptions(version, logLevel) };
  await build({
    ...common,
    entryPoints: entries.filter((f) => !SEPARATE.includes(f)).map((f) => `src/cli/bin/${f}`),
    chunkNames: 'chunks/[name]-[hash]',
  });
  for (const f of SEPARATE.filter((x) => entries.includes(x))) {
    await build({ ...common, entryPoints: [`src/cli/bin/${f}`], chunkNames: `chunks/${f.replace(/\.ts$/, '')}-[name]-[hash]` });
  }
}
