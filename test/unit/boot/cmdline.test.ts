import { describe, expect, it } from 'vitest';
import {
  appendParams,
  hasParam,
  joinCmdline,
  paramName,
  paramValue,
  removeParams,
  reuseCmdline,
  setParam,
  tokenizeCmdline,
} from '../../../src/boot/cmdline.js';

describe('cmdline', () => {
  it('tokenizes on blanks outside double quotes, keeping quotes', () => {
    expect(tokenizeCmdline('  root=/dev/sda1 ro  quiet\tfoo="a b" "bar=c d"\n')).toEqual(['root=/dev/sda1', 'ro', 'quiet', 'foo="a b"', '"bar=c d"']);
    expect(paramName('"bar=c d"')).toBe('bar');
    expect(paramValue('foo="a b"')).toBe('a b');
    expect(paramValue('quiet')).toBeNull();
  });

  it('removes key=value and bare keys, treating - and _ alike', () => {
    const t = tokenizeCmdline('BOOT_IMAGE=/vmlinuz crashkernel=256M panic-on-warn panic_on_warn=1 crashkernelx=1 quiet');
    expect(removeParams(t, ['crashkernel', 'panic_on_warn'])).toEqual(['BOOT_IMAGE=/vmlinuz', 'crashkernelx=1', 'quiet']);
    expect(hasParam(t, 'panic_on_warn')).toBe(true);
  });

  it('sets and appends', () => {
    const t = tokenizeCmdline('ro BOOT_IMAGE=/old quiet');
    expect(joinCmdline(setParam(t, 'BOOT_IMAGE', '/boot/new', 'first'))).toBe('BOOT_IMAGE=/boot/new ro quiet');
    expect(joinCmdline(setParam(t, 'x', 'a b'))).toBe('ro BOOT_IMAGE=/old quiet x="a b"');
    expect(joinCmdline(appendParams(t, 'nr_cpus=1  reset_devices'))).toBe('ro BOOT_IMAGE=/old quiet nr_cpus=1 reset_devices');
  });

  it('reuses /proc/cmdline for a new kernel', () => {
    expect(reuseCmdline('BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=UUID=abc ro quiet\n', '/boot/vmlinuz-6.1.0-18-amd64')).toBe(
      'BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=abc ro quiet',
    );
    expect(reuseCmdline('initrd=\\initramfs-linux.img root=/dev/vda2 rw', '/boot/vmlinuz-linux')).toBe('BOOT_IMAGE=/boot/vmlinuz-linux root=/dev/vda2 rw');
  });
});
