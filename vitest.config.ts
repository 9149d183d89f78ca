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
  },
});
