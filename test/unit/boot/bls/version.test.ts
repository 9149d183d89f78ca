import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../../../src/boot/bls/version.js';

// Pairs where the left side is older, in the spirit of systemd's test-string-util strverscmp cases.
const OLDER: [string, string][] = [
  ['1', '2'],
  ['1.2', '1.10'],
  ['6.1.0-17-amd64', '6.1.0-18-amd64'],
  ['6.9.9', '6.10.0'],
  ['123~rc1', '123'],
  ['1~rc1', '1~rc2'],
  ['123-9', '123.1'],
  ['1.1', '1.1^1'],
  ['1.1^1', '1.1.1'],
  ['1.a', '1a'],
  ['1.0', '1a'],
  ['a', '1'],
  ['122', '123a'],
  ['5.14.0-362.8.1.el9_3.x86_64', '5.14.0-427.13.1.el9_4.x86_64'],
  ['6.5.6-300.fc39.x86_64', '6.6.2-201.fc39.x86_64'],
  ['arch-linux-lts.conf', 'arch-linux.conf'],
  ['', 'a'],
];

describe('compareVersions (sd-boot)', () => {
  it.each(OLDER)('%s < %s', (a, b) => {
    expect(compareVersions(a, b)).toBeLessThan(0);
    expect(compareVersions(b, a)).toBeGreaterThan(0);
  });

  it('treats leading zeros and invalid characters as equal', () => {
    expect(compareVersions('00123', '123')).toBe(0);
    expect(compareVersions('1_2', '1!2')).toBe(0);
    expect(compareVersions('6.1', '6.1')).toBe(0);
  });
});
