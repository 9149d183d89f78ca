import { describe, expect, it } from 'vitest';
import { errnoName, errnoNumber, strerror } from '../../src/sys/errno.js';

describe('errno table', () => {
  it('names and describes the errnos kexec reports', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(strerror(129)).toBe('Key was rejected by service');
    expect(errnoNumber('ENOTSUP')).toBe(95);
    expect(errnoName(4242)).toBe('E4242');
  });
});
