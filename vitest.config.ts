import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __KEXECCTL_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['test/unit/**/*.test.ts'],
    env: { KEXECCTL_TEST: '1' },
    testTimeout: 30000,
  },
});
