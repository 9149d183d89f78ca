/** A temp directory with a fake kernel, initrds and a root for /run/kexecctl, for kexec tests. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustPolicy } from '../../src/host/open-checked.js';
import { fakeBzImage } from './fake-kernel-image.js';
import { newcArchive } from './newc.js';

export type KexecFixture = { dir: string; root: string; kernel: string; initrd1: string; initrd2: string; trust: TrustPolicy; cleanup(): void };

export function makeKexecFixture(): KexecFixture {
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-test-'));
  const kernel = join(dir, 'vmlinuz');
  const initrd1 = join(dir, 'initrd1.img');
  const initrd2 = join(dir, 'initrd2.img');
  writeFileSync(kernel, fakeBzImage());
  // Whole cpio "newc" archives, so the initrd integrity checks (structural and deep) pass them;
  // initrd2 is over 3 MiB, so a load with both goes through a memfd large enough to matter.
  writeFileSync(initrd1, newcArchive([{ name: 'init', data: 'first-initrd\n' }]));
  writeFileSync(initrd2, newcArchive([{ name: 'big', data: Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a) }]));
  for (const f of [kernel, initrd1, initrd2]) chmodSync(f, 0o644);
  const uid = process.getuid?.() ?? 0;
  return {
    dir,
    root: join(dir, 'root'),
    kernel,
    initrd1,
    initrd2,
    trust: { trustedUids: [0, uid] },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
