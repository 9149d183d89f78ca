import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __KEXECCTL_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['test/unit/**/*.test.ts'],
    env: { KEXECCTL_TEST: '1' },
    testTimeout: 30000,
    // Vitest's default is one worker fewer than the CPUs: a single worker on the 2-core CI machine,
    // idle while a CLI test waits for the node process it spawned. Two workers overlap those waits.
    maxWorkers: 2,
    minWorkers: 1,
    // One module registry per worker, not per test file: collecting and preparing 124 isolated
    // files took 48 s of the tier's 135 s in CI (82 s against 151 s for the whole run here).
    // Tests therefore must not rely on a fresh module state: shared state is reset in beforeEach,
    // and `npm run test:unit:shuffled` runs the files in random order to catch a dependence.
    isolate: false,
  },
});
