/** Issue 12 fault matrix: `kexecctl status` with nothing loaded and kernel.kexec_load_disabled=1. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let cli: CliBundle;
let fx: KexecFixture;
beforeAll(async () => {
  cli = await bundleCli();
  fx = makeKexecFixture();
}, 60_000);
afterAll(() => {
  cli.cleanup();
  fx.cleanup();
});

function root(disabled: string, init: 'systemd' | 'sysvinit'): string {
  const r = join(fx.dir, `root-${disabled}-${init}`);
  const w = (p: string, c: string) => {
    mkdirSync(join(r, p, '..'), { recursive: true });
    writeFileSync(join(r, p), c);
  };
  w('sys/kernel/kexec_loaded', '0\n');
  w('proc/sys/kernel/kexec_load_disabled', `${disabled}\n`);
  w('etc/default/kexec', 'LOAD_KEXEC=true\nKERNEL_IMAGE="/boot/vmlinuz"\nINITRD=""\nAPPEND="ro"\n');
  if (init === 'systemd') mkdirSync(join(r, 'run/systemd/system'), { recursive: true });
  else w('sbin/init', '');
  return r;
}

describe('kexecctl status under kexec_load_disabled', () => {
  for (const init of ['systemd', 'sysvinit'] as const) {
    it(`${init}: the next reboot is cold and the reason names kexec_load_disabled`, async () => {
      const r = await runNode(cli.kexecctl, ['status', '--json', '--root', root('1', init)], { KEXECCTL_TEST: '1' });
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).nextReboot).toEqual({
        kexec: false,
        reason: 'nothing is loaded and kernel.kexec_load_disabled is 1: no kexec load is possible until the next boot',
      });
      const r0 = await runNode(cli.kexecctl, ['status', '--json', '--root', root('0', init)], { KEXECCTL_TEST: '1' });
      expect(JSON.parse(r0.stdout).nextReboot.reason).not.toMatch(/kexec_load_disabled/);
    }, 30_000);
  }
});
