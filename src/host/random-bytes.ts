/**
 * Random bytes from the kernel's /dev/urandom (what node:crypto's randomBytes gets from
 * getrandom(2) too), without loading node:crypto and OpenSSL into every `kexec -l`: the
 * kexec_load paths need 32 bytes of boot RNG seed (x86 setup_data SETUP_RNG_SEED, arm64
 * /chosen/rng-seed), as kexec-tools' and the kernel's own loaders put there.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let at = 0; at < n;) {
      const got = readSync(fd, out, at, n - at, null);
      if (got <= 0) throw new Error('/dev/urandom returned no bytes');
      at += got;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
