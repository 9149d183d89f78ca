import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Only the sys/ edge may import koffi; only host/, sys/, kdump capture and cli/ do I/O.
    files: ['src/**/*.ts'],
    ignores: ['src/sys/koffi-kernel.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'koffi', message: 'koffi is imported only by src/sys/koffi-kernel.ts' }] }],
    },
  },
  {
    // Parsers and planners are pure: no file system, no processes.
    files: ['src/boot/**/*.ts', 'src/plan/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'koffi', message: 'koffi is imported only by src/sys/koffi-kernel.ts' },
            { name: 'node:fs', message: 'pure code: read files through RootFs (src/host)' },
            { name: 'fs', message: 'pure code: read files through RootFs (src/host)' },
            { name: 'node:child_process', message: 'pure code: no processes' },
            { name: 'execa', message: 'pure code: no processes' },
          ],
        },
      ],
    },
  },
  {
    // No import cycles anywhere (issue 16): modules form a tree, as in changesets' assemble-release-plan.
    // Type-only imports are erased at build time and are not counted.
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
