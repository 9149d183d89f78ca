import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/host/random-bytes.js';

describe('randomBytes (/dev/urandom)', () => {
  it('returns exactly n bytes, different each call', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(randomBytes(0)).toHaveLength(0);
  });
});
