/** kexec -t TYPE: the names kexec-tools uses for the formats we load. */
import { KexecError } from '../errors.js';
import type { KernelImageInfo } from '../image/kernel-image.js';

const TYPE_NAMES: Record<KernelImageInfo['format'], readonly string[]> = {
  'x86-bzimage': ['bzImage', 'bzImage64'],
  'arm64-image': ['Image'],
};

export function checkImageType(type: string, info: KernelImageInfo): void {
  const names = TYPE_NAMES[info.format];
  if (!names.includes(type)) {
    throw new KexecError({ code: 'EBADTYPE', message: `Unsupported kernel type ${type} (this file is ${names.join('/')})`, exitCode: 2 });
  }
}
