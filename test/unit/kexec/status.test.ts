import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';
import { readStatus } from '../../../src/kexec/status.js';
import { writeLoadRecord } from '../../../src/kexec/record.js';
import { formatStatus } from '../../../src/cli/commands/status.js';

let root: string;
const put = (p: string, c: string | Buffer) => {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), c);
};
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kexecctl-status-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readStatus', () => {
  it('combines sysfs state with our record, and hides a record the kernel contradicts', () => {
    put('sys/kernel/kexec_loaded', '0\n');
    put('sys/kernel/kexec_crash_loaded', '1\n');
    put('sys/kernel/kexec_crash_size', '0\n');
    put('proc/sys/kernel/kexec_load_disabled', '1\n');
    put('sys/kernel/security/lockdown', '[none] integrity confidentiality\n');
    mkdirSync(join(root, 'sys/firmware/efi'), { recursive: true });
    const rec = {
      kernel: '/boot/k',
      initrds: [],
      cmdline: 'c',
      time: 't',
      syscall: 'kexec_file_load' as const,
      crash: false,
      release: null,
      format: 'x86-bzimage',
    };
    writeLoadRecord(root, rec);
    writeLoadRecord(root, { ...rec, crash: true });
    const s = readStatus(new RootFs(root));
    expect(s).toMatchObject({
      kexecSupported: true,
      loaded: false,
      crashLoaded: true,
      kexecLoadDisabled: true,
      lockdown: 'none',
      secureBoot: 'unknown',
      record: null,
    });
    expect(s.crashRecord?.kernel).toBe('/boot/k');
    expect(formatStatus(s)).toMatch(/crash kernel loaded: +yes\n  crash kernel: +\/boot\/k\n/);
  });
  it('Secure Boot off is the data byte 0', () => {
    put('sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c', Buffer.from([6, 0, 0, 0, 0]));
    expect(readStatus(new RootFs(root)).secureBoot).toBe('disabled');
  });
});
