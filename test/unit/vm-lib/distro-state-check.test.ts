/**
 * The soak's checks (test/vm/distro/state-check.mjs, issue 12 part 5): the state kexecctl keeps must
 * not grow from boot to boot, and a run that recorded too little must fail rather than pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import { STATE_CMD, fsckImage, growthVerdict, parseState } from '../../vm/distro/state-check.mjs';

type State = Record<string, { files: number; bytes: number }>;
const parse = parseState as (text: string) => State;
const verdict = growthVerdict as (boots: State[], slack?: number) => { ok: boolean; detail: string };
const fsck = fsckImage as (image: string) => { ok: boolean; detail: string };
const boot = (runFiles: number, runBytes: number, libFiles = 2, libBytes = 400): State =>
  parse(`STATE /run/kexecctl ${runFiles} ${runBytes}\nSTATE /var/lib/kexecctl ${libFiles} ${libBytes}\n`);

describe('soak state growth', () => {
  it('parses only anchored STATE lines', () => {
    expect(parse('  | STATE /run/kexecctl 1 2\nSTATE /run/kexecctl 3 4000\nnoise')).toEqual({ '/run/kexecctl': { files: 3, bytes: 4000 } });
  });

  it('the same state at every boot, give or take a few digits, is no growth', () => {
    expect(verdict([boot(4, 9000), boot(4, 9100), boot(4, 8990), boot(4, 9050)]).ok).toBe(true);
  });

  it('a file more at the last boot is growth', () => {
    const v = verdict([boot(4, 9000), boot(4, 9000), boot(5, 9000)]);
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('/run/kexecctl: files 4→5');
  });

  it('a record appended at every boot is growth, in either directory', () => {
    const boots = Array.from({ length: 20 }, (_, i) => boot(4, 9000, 2, 400 + 100 * i));
    const v = verdict(boots);
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('/var/lib/kexecctl: files 2→2, bytes 400→2300');
  });

  it('one boot recorded, or a directory missing at a boot, fails instead of passing', () => {
    expect(verdict([boot(4, 9000)]).ok).toBe(false);
    expect(verdict([boot(4, 9000), parse('STATE /run/kexecctl 4 9000')]).ok).toBe(false);
  });

  it('the guest command names both directories', () => {
    expect(STATE_CMD).toContain('/run/kexecctl');
    expect(STATE_CMD).toContain('/var/lib/kexecctl');
  });
});

describe('e2fsck on the image', () => {
  const haveMkfs = (() => {
    try {
      execFileSync('mkfs.ext4', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it('a fresh ext4 image is clean; one with a zeroed superblock magic is not', () => {
    // e2fsprogs is a dependency of the VM tiers (scripts/setup.sh); without it this test must fail.
    expect(haveMkfs).toBe(true);
    const d = mkdtempSync(join(tmpdir(), 'kx-fsck-'));
    try {
      const img = join(d, 'fs.img');
      execFileSync('truncate', ['-s', '8M', img]);
      execFileSync('mkfs.ext4', ['-q', '-F', img]);
      expect(fsck(img).ok).toBe(true);
      // s_free_blocks_count (superblock offset 1024 + 0x0C) set wrong: e2fsck -n reports it, exit 4.
      execFileSync('sh', ['-c', `printf '\\001\\000\\000\\000' | dd of=${img} bs=1 seek=1036 conv=notrunc status=none`]);
      const bad = fsck(img);
      expect(bad.ok).toBe(false);
      expect(bad.detail).toMatch(/e2fsck -fn exit [1-9]/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
