/**
 * Fixture roots (test/fixtures/roots/<name>/): `root/` is a small file tree as a distribution
 * lays it out, `kernels.json` maps in-root kernel paths to version strings (the binary kernels
 * are generated here, not stored in git), `expected-plan.json` is the golden `kexecctl plan`.
 * materializeFixture copies the tree (symlinks kept) to a temp dir and writes the kernels.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fakeKernelFile } from './fake-bzimage.js';

export const FIXTURES_DIR = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'fixtures', 'roots');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((n) => existsSync(join(FIXTURES_DIR, n, 'root')))
    .sort();
}

export type Materialized = { root: string; cleanup(): void };

export function materializeFixture(name: string): Materialized {
  const dir = mkdtempSync(join(tmpdir(), `kexecctl-fx-${name}-`));
  const root = join(dir, 'root');
  cpSync(join(FIXTURES_DIR, name, 'root'), root, { recursive: true, verbatimSymlinks: true });
  const kernelsFile = join(FIXTURES_DIR, name, 'kernels.json');
  const kernels = existsSync(kernelsFile) ? (JSON.parse(readFileSync(kernelsFile, 'utf8')) as Record<string, string>) : {};
  for (const [path, version] of Object.entries(kernels)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, fakeKernelFile({ version }));
    chmodSync(file, 0o644);
  }
  return { root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function expectedPlanFile(name: string): string {
  return join(FIXTURES_DIR, name, 'expected-plan.json');
}

/** Ownership depends on who runs the tests (fixtures are copied as that user): not part of a golden. */
export function stableWarnings(warnings: readonly string[]): string[] {
  return warnings.filter((w) => !/ is owned by uid \d+, not root/.test(w));
}
