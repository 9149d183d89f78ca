/** Issue 12 fault matrix: a kernel file replaced by another release after the plan named it. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKernel } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { FakeKernel } from '../../../src/sys/fake-kernel.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

function loadAs(name: string): string[] {
  const path = join(fx.dir, name);
  copyFileSync(fx.kernel, path); // the fixture kernel's header says 6.1.0-18-amd64
  const r = loadKernel(
    new FakeKernel(),
    { kernelPath: path, initrdPaths: [fx.initrd1], cmdline: 'ro', crash: false, mode: 'auto' },
    { root: fx.root, trust: fx.trust },
  );
  return r.warnings;
}

describe('a kernel whose name and header disagree', () => {
  it('loads what the file holds, records its release, and says so', () => {
    const path = join(fx.dir, 'vmlinuz-6.1.0-56-cloud-amd64');
    expect(loadAs('vmlinuz-6.1.0-56-cloud-amd64')).toEqual([
      `${path} holds Linux 6.1.0-18-amd64, not 6.1.0-56-cloud-amd64 as its name says (replaced after the plan?): loading what it holds, which needs /lib/modules/6.1.0-18-amd64`,
    ]);
    expect(readLoadRecord(fx.root, false)?.release).toBe('6.1.0-18-amd64');
  });

  it('is quiet when they agree or the name carries no release', () => {
    expect(loadAs('vmlinuz-6.1.0-18-amd64')).toEqual([]);
    expect(loadAs('bzImage')).toEqual([]);
  });
});
