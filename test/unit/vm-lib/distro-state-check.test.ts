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
import { SOAK_SHORT_CHECKS, STATE_CMD, fsckImage, growthVerdict, parseState } from '../../vm/distro/state-check.mjs';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import { planFor } from '../../vm/distro/plan.mjs';

type State = { key?: string; dirs: Record<string, { files: number; bytes: number }>; files: Record<string, number> };
const parse = parseState as (text: string) => State;
const verdict = growthVerdict as (boots: State[], slack?: number) => { ok: boolean; detail: string };
const fsck = fsckImage as (image: string) => { ok: boolean; detail: string };
const KEY = 'STATE-KEY 6.1.0-56-cloud-amd64 1234 5678';
const boot = (runFiles: number, runBytes: number, libFiles = 2, libBytes = 400, key = KEY): State =>
  parse(
    `${key}\nSTATE /run/kexecctl ${runFiles} ${runBytes}\nSTATE /var/lib/kexecctl ${libFiles} ${libBytes}\n` +
      `STATE-FILE ${runBytes} /run/kexecctl/loaded.json\nSTATE-FILE ${libBytes} /var/lib/kexecctl/last-kexec.json\n`,
  );

describe('soak state growth', () => {
  it('parses only anchored STATE lines', () => {
    const s = parse(`${KEY}\n  | STATE /run/kexecctl 1 2\nSTATE /run/kexecctl 3 4000\nSTATE-FILE 12 /run/kexecctl/fingerprint\nnoise`);
    expect(s).toEqual({
      key: '6.1.0-56-cloud-amd64 1234 5678',
      dirs: { '/run/kexecctl': { files: 3, bytes: 4000 } },
      files: { '/run/kexecctl/fingerprint': 12 },
    });
  });

  it('the same state at every boot, give or take a few digits, is no growth', () => {
    expect(verdict([boot(4, 9000), boot(4, 9100), boot(4, 8990), boot(4, 9050)]).ok).toBe(true);
  });

  it('a file more at the last boot is growth', () => {
    const v = verdict([boot(4, 9000), boot(4, 9000), boot(5, 9000)]);
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('/run/kexecctl: files 4→5');
  });

  it('a record appended at every boot is growth, in either directory, and the file is named', () => {
    const boots = Array.from({ length: 20 }, (_, i) => boot(4, 9000, 2, 400 + 100 * i));
    const v = verdict(boots);
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('/var/lib/kexecctl: files 2→2, bytes 400→2300');
    expect(v.detail).toContain('/var/lib/kexecctl/last-kexec.json 400→2300');
  });

  it('boots of another kernel or grubenv are compared only among themselves', () => {
    // grub-set-default writes a longer saved_entry: its boots keep more bytes, and that is no growth.
    const other = 'STATE-KEY 6.1.0-55-cloud-amd64 999 5678';
    const v = verdict([boot(4, 9000), boot(4, 9000), boot(4, 9400, 2, 400, other), boot(4, 9420, 2, 400, other)]);
    expect(v.ok).toBe(true);
    expect(verdict([boot(4, 9000), boot(4, 9400, 2, 400, other), boot(4, 9000), boot(4, 9800, 2, 400, other)]).ok).toBe(false);
  });

  it('one boot recorded, no two boots alike, or a directory missing at a boot, fails instead of passing', () => {
    expect(verdict([boot(4, 9000)]).ok).toBe(false);
    expect(verdict([boot(4, 9000), boot(4, 9000, 2, 400, 'STATE-KEY other 1 2')]).ok).toBe(false);
    expect(verdict([boot(4, 9000), parse(`${KEY}\nSTATE /run/kexecctl 4 9000`)]).ok).toBe(false);
  });

  it('the guest command names both directories and the key', () => {
    expect(STATE_CMD).toContain('/run/kexecctl');
    expect(STATE_CMD).toContain('/var/lib/kexecctl');
    expect(STATE_CMD).toContain('STATE-KEY');
  });

  it('the systemd full suite ends with the short soak (it powers the guest off)', () => {
    const p = (planFor as (s: string, v: string, r: number) => string[])('full', 'systemd', 3);
    expect(p.slice(-2)).toEqual(SOAK_SHORT_CHECKS);
    expect((planFor as (s: string, v: string, r: number) => string[])('basic', 'systemd', 3)).not.toContain('soak-fsck-clean');
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
