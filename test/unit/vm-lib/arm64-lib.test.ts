/**
 * test/vm/lib/arm64.sh with the Debian tools and QEMU replaced by recording fakes on PATH (no
 * network, no VM): the arm64 library closure keeps libnode's non-lib dependencies (zlib1g) and
 * drops -dev packages and the ":arm64" suffix; kx_qemu_start_aarch64 runs the virt machine the
 * tier promises (-M virt -cpu max, TCG, -smp 2, 2 GiB, -kernel/-initrd/-append, -no-reboot).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LIB = resolve(__dirname, '../../vm/lib');
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kx-a64lib-'));
  mkdirSync(join(dir, 'bin'));
  const fake = (name: string, body: string): void => {
    writeFileSync(join(dir, 'bin', name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(dir, 'bin', name), 0o755);
  };
  fake('dpkg', 'case $1 in --print-foreign-architectures) echo arm64 ;; *) exit 1 ;; esac');
  fake('dpkg-query', "printf 'install ok installed'");
  fake(
    'apt-cache',
    `
[ "$1" = show ] && exit 0
[ "$1" = depends ] || exit 1
for a; do p=$a; done
case $p in
  libnode108:arm64) printf '%s\\n' libnode108 '  Depends: libc6:arm64' '  Depends: zlib1g:arm64' '  Depends: libicu72:arm64' '  Depends: node-acorn' ;;
  zlib1g:arm64) printf '%s\\n' zlib1g '  Depends: libc6:arm64' ;;
  libicu72:arm64) printf '%s\\n' libicu72 '  Depends: libstdc++6:arm64' '  Depends: libicu-dev:arm64' '  Depends: <libfoo>' ;;
  libstdc++6:arm64) printf '%s\\n' 'libstdc++6' '  Depends: libgcc-s1:arm64' '  Depends: libc6:arm64' ;;
  *) echo "$p" ;;
esac`,
  );
  fake('qemu-system-aarch64', `printf '%s\\n' "$@" > "${dir}/qemu.args"`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sh(script: string): string {
  return execFileSync('bash', ['-c', `. "${LIB}/vm.sh"; . "${LIB}/arm64.sh"; ${script}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}/bin:${process.env['PATH'] ?? ''}`, KEXECCTL_CACHE: join(dir, 'cache') },
  });
}

describe('test/vm/lib/arm64.sh', () => {
  it('kx_deb_closure_arch: libraries recursively, without :arm64, -dev or virtual packages', () => {
    const out = sh('kx_deb_closure_arch arm64 libc6 libnode108 zlib1g').trim().split('\n');
    expect(out.sort()).toEqual(['libc6', 'libgcc-s1', 'libicu72', 'libnode108', 'libstdc++6', 'zlib1g']);
  });

  it('kx_qemu_start_aarch64: virt, max CPU, TCG, 2 CPUs, 2 GiB, direct kernel boot, no reboot', () => {
    sh(
      `kx_qemu_start_aarch64 --kernel /k/Image --initrd /k/initrd.img --serial "${dir}/console.log" --append "console=ttyAMA0 kxt.stage=1"; wait "$KX_QEMU_PID"`,
    );
    const args = readFileSync(join(dir, 'qemu.args'), 'utf8').trim().split('\n');
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(after('-M')).toBe('virt');
    expect(after('-cpu')).toBe('max');
    expect(after('-accel')).toBe('tcg');
    expect(after('-smp')).toBe('2');
    expect(after('-m')).toBe('2048');
    expect(after('-kernel')).toBe('/k/Image');
    expect(after('-initrd')).toBe('/k/initrd.img');
    expect(after('-append')).toBe('console=ttyAMA0 kxt.stage=1');
    expect(after('-serial')).toBe(`file:${dir}/console.log`);
    expect(args).toContain('-no-reboot');
  });
});
