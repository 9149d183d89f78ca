/**
 * Fake bzImages for the fixture roots: "HdrS", boot protocol 2.15, XLF_KERNEL_64, a cmdline_size
 * and the kernel_version string kexecctl reads the release from. The byte layout lives in
 * fake-kernel-image.ts (shared with the image tests); this adds the Linux-style version banner.
 */
import { fakeBzImage } from './fake-kernel-image.js';

export type FakeKernelSpec = { version: string; cmdlineSize?: number };

export function fakeKernelFile(spec: FakeKernelSpec): Buffer {
  return fakeBzImage({ version: spec.version, cmdlineSize: spec.cmdlineSize ?? 2048, size: 16384 });
}
