import { describe, expect, it } from 'vitest';
import { errnoName, errnoNumber, strerror } from '../../../src/sys/errno.js';

describe('errno table', () => {
  it('names and describes the errnos kexec reports', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(strerror(129)).toBe('Key was rejected by service');
    expect(errnoNumber('ENOTSUP')).toBe(95);
    expect(errnoName(4242)).toBe('E4242');
  });

  it('has glibc 2.36 texts for the signature and file errors kexec_file_load returns', () => {
    // Texts as glibc's strerror() prints them (checked with python3 os.strerror on Debian 12).
    const glibc: Array<[string, number, string]> = [
      ['ETXTBSY', 26, 'Text file busy'],
      ['ENOPKG', 65, 'Package not installed'],
      ['ELIBBAD', 80, 'Accessing a corrupted shared library'],
      ['EMSGSIZE', 90, 'Message too long'],
      ['EKEYEXPIRED', 127, 'Key has expired'],
      ['EKEYREVOKED', 128, 'Key has been revoked'],
      ['EBADMSG', 74, 'Bad message'],
      ['ENOKEY', 126, 'Required key not available'],
      ['EOVERFLOW', 75, 'Value too large for defined data type'],
      ['ENOTDIR', 20, 'Not a directory'],
      ['ELOOP', 40, 'Too many levels of symbolic links'],
      ['ENXIO', 6, 'No such device or address'],
      ['EAFNOSUPPORT', 97, 'Address family not supported by protocol'],
      ['EHWPOISON', 133, 'Memory page has hardware error'],
    ];
    for (const [name, n, text] of glibc) {
      expect([errnoName(n), errnoNumber(name), strerror(n)]).toEqual([name, n, text]);
    }
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoNumber('EDEADLOCK')).toBe(35);
  });

  it('never says "Unknown error" for an errno Linux defines (1..133 but the unused 41 and 58)', () => {
    const unknown = Array.from({ length: 133 }, (_, i) => i + 1).filter((n) => strerror(n).startsWith('Unknown error'));
    expect(unknown).toEqual([41, 58]);
  });
});
