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
);
