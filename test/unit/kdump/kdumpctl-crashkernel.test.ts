import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kdumpctlMain } from '../../../src/cli/kdumpctl/program.js';
import { fakeBzImage } from '../../helpers/fake-kernel-image.js';

let dir: string;
let root: string;
let out: string;
let err: string;
async function run(...argv: string[]): Promise<number> {
  out = '';
  err = '';
  return kdumpctlMain(argv);
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdumpctl-ck-'));
  root = join(dir, 'root');
  cpSync(join(import.meta.dirname, '../../fixtures/kdump/debian12'), root, { recursive: true });
  writeFileSync(join(root, 'boot/vmlinuz-6.1.0-27-amd64'), fakeBzImage({ version: '6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP' }));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

// The defaults are x86_64's: this machine (and CI) is x86_64; elsewhere these tests fail rather than skip.
describe('kdumpctl crashkernel commands', () => {
  it('get-default-crashkernel prints the x86_64 default', async () => {
    expect(await run('get-default-crashkernel', '--root', root)).toBe(0);
    expect(out).toBe('2G-64G:256M,64G-:512M\n');
  });
  it('reset-crashkernel on Debian writes the grub.d snippet under --root (dry run writes nothing)', async () => {
    mkdirSync(join(root, 'etc/default'), { recursive: true });
    writeFileSync(join(root, 'etc/default/grub'), 'GRUB_CMDLINE_LINUX_DEFAULT="quiet crashkernel=128M"\n');
    expect(await run('reset-crashkernel', '--root', root, '--dry-run')).toBe(0);
    expect(out).toBe('/etc/default/grub.d/kdump.cfg: (none) -> crashkernel=2G-64G:256M,64G-:512M (dry run)\n');
    expect(existsSync(join(root, 'etc/default/grub.d/kdump.cfg'))).toBe(false);
    expect(err).toMatch(/\/etc\/default\/grub also sets crashkernel=/);
    expect(await run('reset-crashkernel', '--root', root, '--value', '384M')).toBe(0);
    expect(readFileSync(join(root, 'etc/default/grub.d/kdump.cfg'), 'utf8')).toMatch(
      /^GRUB_CMDLINE_LINUX_DEFAULT="\$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M"$/m,
    );
    expect(out).toMatch(/run update-grub in that system/);
    expect(await run('reset-crashkernel', '--root', root, '--value', '384M')).toBe(0);
    expect(out).toBe('/etc/default/grub.d/kdump.cfg: crashkernel=384M already set\n');
  });
  it('reset-crashkernel edits every BLS entry (or the one --kernel names)', async () => {
    mkdirSync(join(root, 'boot/loader/entries'), { recursive: true });
    const a = join(root, 'boot/loader/entries/a-6.1.0-27-amd64.conf');
    const b = join(root, 'boot/loader/entries/b-6.1.0-26-amd64.conf');
    writeFileSync(a, 'title A\nlinux /vmlinuz-6.1.0-27-amd64\noptions root=/dev/vda ro\n');
    writeFileSync(b, 'title B\nlinux /vmlinuz-6.1.0-26-amd64\noptions root=/dev/vda ro crashkernel=128M\n');
    expect(await run('reset-crashkernel', '--root', root, '--value', '256M', '--kernel', '6.1.0-26-amd64')).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe('title B\nlinux /vmlinuz-6.1.0-26-amd64\noptions root=/dev/vda ro crashkernel=256M\n');
    expect(readFileSync(a, 'utf8')).toBe('title A\nlinux /vmlinuz-6.1.0-27-amd64\noptions root=/dev/vda ro\n');
    expect(await run('reset-crashkernel', '--root', root, '--value', '256M')).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe('title A\nlinux /vmlinuz-6.1.0-27-amd64\noptions root=/dev/vda ro crashkernel=256M\n');
  });
  it('refuses a malformed value with one line and exit 2', async () => {
    await expect(run('reset-crashkernel', '--root', root, '--value', '4G-2G:1M')).rejects.toThrow(/crashkernel=4G-2G:1M is not a valid crashkernel= value/);
  });
  it('estimate compares the reservation with the kernel and initrd', async () => {
    mkdirSync(join(root, 'sys/kernel'), { recursive: true });
    writeFileSync(join(root, 'sys/kernel/kexec_crash_size'), String(64 * 1048576));
    writeFileSync(join(root, 'proc/iomem'), '00100000-bfffffff : System RAM\n');
    expect(await run('estimate', '--root', root)).toBe(0);
    expect(out).toMatch(/^Reserved crashkernel: {4}64M\nRecommended crashkernel: 256M\n/);
    expect(out).toMatch(/WARNING: Current crashkernel size is lower than recommended size 256M\./);
  });
});
