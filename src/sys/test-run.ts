/**
 * Is this process part of a test run? Only the project's own variable counts: KEXECCTL_TEST=1
 * (set by vitest.config.ts and every test script). NODE_ENV, VITEST and the like never switch a
 * production command into test behaviour.
 */
export function isTestRun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['KEXECCTL_TEST'] === '1';
}
