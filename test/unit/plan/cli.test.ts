/** kexecctl plan / list / load (no --kernel) as processes, on fixture roots, with the fake kernel. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, type CliBundle } from '../../helpers/cli-bundle.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

let cli: CliBundle;
const open: Materialized[] = [];
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => {
  cli?.cleanup();
  for (const m of open) m.cleanup();
});

function fx(name: string): string {
  const m = materializeFixture(name);
  open.push(m);
  return m.root;
}

const run = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [cli.kexecctl, ...args], { reject: false, env: { KEXECCTL_TEST: '1', ...env } });

describe('kexecctl plan/list/load on fixture roots', () => {
  it('plan prints a readable summary', async () => {
    const r = await run(['plan', '--root', fx('rhel9')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^action: +load$/m);
    expect(r.stdout).toMatch(/^kernel: +\/boot\/vmlinuz-5\.14\.0-427\.13\.1\.el9_4\.x86_64$/m);
    expect(r.stdout).toMatch(/^one-shot: +this is grub-reboot's next_entry \(\/boot\/grub2\/grubenv\)$/m);
  });

  it('a plan that cannot load exits 1 with the reason and no stack trace', async () => {
    const root = fx('ubuntu2204');
    rmSync(join(root, 'boot/initrd.img-5.15.0-91-generic'));
    const r = await run(['plan', '--root', root, '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'kexecctl: GRUB entry "Ubuntu": initrd /boot/initrd.img-5.15.0-91-generic not found on hd0,gpt2 = uuid:a81b5c3d-6e2f-4a9b-8c7d-1e0f2a3b4c5d (mounted at /)',
    );
  });

  it('list --json gives the tree with the default marked; text marks it with *', async () => {
    const root = fx('debian12-separate-boot');
    const r = await run(['list', '--root', root, '--json']);
    expect(r.exitCode).toBe(0);
    const m = JSON.parse(r.stdout) as {
      default: string;
      usedNextEntry: boolean;
      entries: { kind: string; children?: { default: boolean; kernel: string; kernelWritten: string }[] }[];
    };
    expect(m.usedNextEntry).toBe(true);
    expect(m.default).toMatch(/^gnulinux-advanced-.*>gnulinux-6\.1\.0-17-amd64-advanced-/);
    const chosen = m.entries[1]?.children?.find((c) => c.default);
    expect(chosen).toMatchObject({ kernel: '/boot/vmlinuz-6.1.0-17-amd64', kernelWritten: '/vmlinuz-6.1.0-17-amd64' });
    const t = await run(['list', '--root', root]);
    expect(t.stdout).toMatch(/^ {2}\* 2 {2}Debian GNU\/Linux, with Linux 6\.1\.0-17-amd64$/m);
  });

  it('load without --kernel loads the plan (dry run through the fake)', async () => {
    const root = fx('fedora39');
    const env = fakeEnv(join(root, '..'));
    const r = await run(['load', '--root', root, '--dry-run'], env.env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`kernel_fd=`);
    expect(r.stdout).toContain(`${root}/boot/vmlinuz-6.10.11-100.fc39.x86_64>`);
    expect(r.stdout).toContain(
      'cmdline="BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.10.11-100.fc39.x86_64 root=UUID=2d3e4f50-6172-4839-a4b5-c6d7e8f90a1b ro rootflags=subvol=root rhgb quiet"',
    );
  });

  it('load without --kernel loads nothing and says why when the plan skips', async () => {
    const root = fx('debian12');
    writeFileSync(join(root, 'no-kexec-reboot'), '');
    const env = fakeEnv(join(root, '..'));
    const r = await run(['load', '--root', root], env.env);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^kexecctl: nothing loaded: \/no-kexec-reboot exists/);
    expect(env.state().calls).toEqual([]);
  });
});

describe('kexecctl plan --root checks', () => {
  it('refuses a --root that does not exist', async () => {
    const r = await run(['plan', '--root', '/nonexistent/kexecctl-root']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('kexecctl: --root /nonexistent/kexecctl-root: no such directory');
    const l = await run(['list', '--root', '/nonexistent/kexecctl-root', '--json']);
    expect(l.exitCode).toBe(2);
  });
});
