/**
 * `npm run lint` refuses import cycles (issue 16): the import-x/no-cycle block of eslint.config.js,
 * run as configured on a throw-away tree, reports a value-import cycle and passes a tree without one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-cycles-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The repository's cycle rule block, applied to every .ts file of the temp tree. */
async function cycleConfig(): Promise<Linter.Config[]> {
  const url = pathToFileURL(join(import.meta.dirname, '../../../eslint.config.js')).href;
  const { default: config } = (await import(url)) as { default: Linter.Config[] };
  const blocks = config.filter((b) => b.rules?.['import-x/no-cycle'] !== undefined);
  expect(blocks, 'eslint.config.js has an import-x/no-cycle block').toHaveLength(1);
  const block = blocks[0] as Linter.Config;
  return [{ ...block, files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, sourceType: 'module' } }];
}

async function lint(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmp, 'tree-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: await cycleConfig() });
  const results = await eslint.lintFiles(Object.keys(files).map((f) => join(dir, f)));
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}: ${m.ruleId ?? 'fatal'}: ${m.message}`));
}

describe('import cycle check', () => {
  it('reports a cycle through three modules (a -> b -> c -> a)', async () => {
    const out = await lint({
      'a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { c } from './c.js';\nexport const b = (): number => c() + 1;\n",
      'c.ts': "import { a } from './a.js';\nexport const c = (): number => (a.length > 0 ? 1 : 0);\n",
    });
    expect(out.filter((m) => m.includes('import-x/no-cycle'))).toHaveLength(3);
  }, 60_000);

  it('accepts the same modules without the back edge, and a type-only back edge', async () => {
    const out = await lint({
      'a.ts': "import { b } from './b.js';\nexport type A = { n: number };\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { c } from './c.js';\nexport const b = (): number => c() + 1;\n",
      'c.ts': "import type { A } from './a.js';\nexport const c = (x?: A): number => x?.n ?? 0;\n",
    });
    expect(out).toEqual([]);
  }, 60_000);
});
