import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/commands/status.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { imaAppraisedHooks, memfdPolicyNotes, splitUkiReason } from '../../../src/kexec/split-policy.js';
import { readStatus } from '../../../src/kexec/status.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kexecctl-split-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(p: string, text: string): void {
  mkdirSync(join(root, p, '..'), { recursive: true });
  writeFileSync(join(root, p), text);
}

describe('split-policy', () => {
  it('reads which kexec hooks an IMA policy appraises (measure rules do not count)', () => {
    expect(imaAppraisedHooks('measure func=KEXEC_KERNEL_CHECK\n')).toEqual({ kernel: false, initramfs: false });
    expect(imaAppraisedHooks('appraise func=KEXEC_INITRAMFS_CHECK appraise_type=imasig\n')).toEqual({ kernel: false, initramfs: true });
    expect(imaAppraisedHooks(null)).toEqual({ kernel: false, initramfs: false });
  });

  it('no lockdown, no IMA: no refusal, no note', () => {
    expect(splitUkiReason({ lockdown: 'none', imaPolicy: null }, 'u.efi')).toBeNull();
    expect(memfdPolicyNotes({ lockdown: null, imaPolicy: '' })).toEqual([]);
  });

  it('kexecctl status says what lockdown and IMA do to UKIs and compressed kernels', () => {
    put('sys/kernel/security/lockdown', 'none [confidentiality]\n');
    put('sys/kernel/security/ima/policy', 'appraise func=KEXEC_KERNEL_CHECK appraise_type=imasig|modsig\n');
    const s = readStatus(new RootFs(root));
    expect(s.memfdPolicy).toHaveLength(2);
    expect(formatStatus(s)).toMatch(/UKI\/compressed kernels: +lockdown \(confidentiality\): UKIs are not taken apart.*; IMA appraises kexec kernels/);
    put('sys/kernel/security/lockdown', '[none] integrity confidentiality\n');
    put('sys/kernel/security/ima/policy', '');
    expect(formatStatus(readStatus(new RootFs(root)))).toMatch(/UKI\/compressed kernels: +loadable \(no lockdown, no IMA kexec appraisal\)\n/);
  });
});
