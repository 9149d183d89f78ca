import { describe, expect, it } from 'vitest';
import { getKernel, isTestRun } from '../../src/sys/get-kernel.js';

describe('test guard', () => {
  it('knows it is inside a test run', () => {
    expect(isTestRun()).toBe(true);
  });
  it('refuses the real binding during tests', async () => {
    await expect(getKernel({ env: { KEXECCTL_TEST: '1' } })).rejects.toMatchObject({ code: 'ETESTGUARD' });
    await expect(getKernel({ env: { VITEST: 'true' } })).rejects.toMatchObject({ code: 'ETESTGUARD' });
  });
  it('hands out the fake for dry runs', async () => {
    const k = await getKernel({ dryRun: true, env: { KEXECCTL_TEST: '1' } });
    expect(k.kind).toBe('fake');
  });
});
