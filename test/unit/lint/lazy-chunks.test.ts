// Issue 14 (start-up): the decompressors and their libraries (about 320 KB of JavaScript) must sit
// behind dynamic imports in the shipped bundle, so `kexecctl status`, the reboot path's unchanged
// load and `kexec -l` of an uncompressed kernel never make node compile them. Built with
// scripts/build-options.mjs's own options (what ships), read from esbuild's metafile: for each
// module that runs on those paths, the outputs it pulls in by static imports must hold none of the
// decoder modules.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../../scripts/build-options.mjs';

const DECODER_INPUT = /^(node_modules\/(fzstd|xz-decompress|seek-bzip|lzma1|xxhash-wasm)\/|src\/image\/integrity\/decoders\/(?!index\.ts$))/;

let dir = '';
const metas: Metafile[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-chunks-'));
  // bundleEntries takes esbuild's build; this one also keeps each build's metafile.
  const capture = (async (opts: BuildOptions) => {
    const r = await build({ ...opts, metafile: true, write: true });
    metas.push(r.metafile);
    return r;
  }) as typeof build;
  await bundleEntries(capture, { entries: ['kexec.ts', 'kexecctl.ts'], outdir: dir, version: '0.0.0-test', logLevel: 'error' });
}, 120000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The outputs `start` loads through static imports (itself included), in the metafile that has it. */
function staticClosure(meta: Metafile, start: string): string[] {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const out = meta.outputs[queue.shift() ?? ''];
    for (const i of out?.imports ?? []) {
      if (i.kind !== 'import-statement' || i.external || seen.has(i.path)) continue;
      seen.add(i.path);
      queue.push(i.path);
    }
  }
  return [...seen];
}

/** The metafile and output whose entry point is `entry` (a dynamic-import split point or a CLI). */
function outputFor(entry: string): { meta: Metafile; output: string } {
  for (const meta of metas) {
    for (const [output, o] of Object.entries(meta.outputs)) if (o.entryPoint === entry) return { meta, output };
  }
  throw new Error(`no output has entry point ${entry}`);
}

function decodersLoadedWith(entry: string): string[] {
  const { meta, output } = outputFor(entry);
  return staticClosure(meta, output).flatMap((o) => Object.keys(meta.outputs[o]?.inputs ?? {}).filter((i) => DECODER_INPUT.test(i)));
}

describe('decoders stay out of the start-up paths (issue 14)', () => {
  it('the bundle has decoder modules at all (the test looks at the right names)', () => {
    const all = metas.flatMap((m) => Object.values(m.outputs).flatMap((o) => Object.keys(o.inputs)));
    expect(all.filter((i) => DECODER_INPUT.test(i)).length).toBeGreaterThanOrEqual(8);
  });

  it.each([
    ['kexecctl status', 'src/cli/commands/status.ts'],
    ['the reboot path (host deps)', 'src/reboot/host-deps.ts'],
    ['kexecctl load', 'src/cli/commands/load.ts'],
    ['kexec (its main module)', 'src/cli/kexec/main.ts'],
  ])('%s loads no decoder by static import', (_name, entry) => {
    expect(decodersLoadedWith(entry)).toEqual([]);
  });
});
