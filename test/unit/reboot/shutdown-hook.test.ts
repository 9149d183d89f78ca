// The system-shutdown hook (systemd/system-shutdown/kexecctl) run as systemd-shutdown runs it: the verb
// as $1, next to sibling hooks started by the same parent (execute_directories(), EXEC_DIR_PARALLEL,
// systemd src/shared/exec-util.c). Everything it touches lives under KEXECCTL_SHUTDOWN_ROOT, a temp
// dir with a fake kexec that only records its call; the hook also runs without CAP_SYS_BOOT in its
// bounding set when we are root, so no process under it could kexec or reboot this machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const HOOK = join(import.meta.dirname, '../../../systemd/system-shutdown/kexecctl');
let root = '';

function file(rel: string, text: string, mode = 0o644): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kexecctl-shutdown-hook-'));
  file('sys/kernel/kexec_loaded', '1\n');
  file('dev/kmsg', '');
  // The fake kexec notes its arguments and whether the sibling hook had finished by then.
  file(
    'usr/sbin/kexec',
    `#!/bin/sh\necho "$* sibling=$(cat '${root}/sibling' 2>/dev/null || echo running)" >>'${root}/kexec.log'\nexit "\${FAKE_KEXEC_RC:-1}"\n`,
    0o755,
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs the hook with VERB next to a sibling that needs siblingSec seconds; returns its exit status. */
function runHook(verb: string, siblingSec = 0): number {
  const sibling = siblingSec > 0 ? `(sleep ${siblingSec}; echo done >'${root}/sibling') & ` : '';
  const script = `${sibling}sh '${HOOK}' '${verb}'; rc=$?; wait; exit $rc`;
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? ['setpriv', '--bounding-set', '-sys_boot', '--inh-caps', '-sys_boot', '--', 'sh', '-c', script] : ['sh', '-c', script];
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KEXECCTL_SHUTDOWN_ROOT: root }, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status ?? -1;
}
const kexecCalls = (): string[] => (existsSync(join(root, 'kexec.log')) ? readFileSync(join(root, 'kexec.log'), 'utf8').trim().split('\n') : []);
const kmsg = (): string => readFileSync(join(root, 'dev/kmsg'), 'utf8');

describe('system-shutdown hook', () => {
  it('jumps on kexec too, so that a dracut shutdown initramfs never gets to run kexec -e', () => {
    expect(runHook('kexec')).toBe(0);
    expect(kexecCalls()).toEqual(['-e sibling=running']);
    expect(kmsg()).toMatch(/^kexecctl: a kexec kernel is loaded \(kexec\), jumping to it from the system-shutdown hook\n$/);
  });

  it('jumps on reboot with a kernel loaded', () => {
    expect(runHook('reboot')).toBe(0);
    expect(kexecCalls()).toEqual(['-e sibling=running']);
  });

  it('says so when systemd-shutdown would switch to dracut next', () => {
    file('run/initramfs/shutdown', '#!/bin/sh\n', 0o755);
    runHook('kexec');
    expect(kmsg()).toContain('before systemd-shutdown switches to the shutdown initramfs in /run/initramfs');
  });

  it('waits for the sibling hooks before it jumps', () => {
    const t0 = Date.now();
    expect(runHook('kexec', 1)).toBe(0);
    expect(kexecCalls()).toEqual(['-e sibling=done']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('leaves reboot to the firmware after coldreboot (/no-kexec-reboot)', () => {
    file('no-kexec-reboot', '');
    expect(runHook('reboot')).toBe(0);
    expect(kexecCalls()).toEqual([]);
  });

  it('still kexecs an explicit kexec with /no-kexec-reboot, as systemd-shutdown itself would', () => {
    file('no-kexec-reboot', '');
    runHook('kexec');
    expect(kexecCalls()).toEqual(['-e sibling=running']);
  });

  it.each(['reboot', 'kexec'])('does nothing on %s without a loaded kernel', (verb) => {
    file('sys/kernel/kexec_loaded', '0\n');
    expect(runHook(verb)).toBe(0);
    expect(kexecCalls()).toEqual([]);
    expect(kmsg()).toBe('');
  });

  it.each(['poweroff', 'halt', 'exit', ''])('does nothing on %j', (verb) => {
    expect(runHook(verb)).toBe(0);
    expect(kexecCalls()).toEqual([]);
  });

  it('does nothing without a kexec binary', () => {
    rmSync(join(root, 'usr/sbin/kexec'));
    expect(runHook('kexec')).toBe(0);
    expect(kmsg()).toBe('');
  });

  it('returns 0 when kexec -e fails, so systemd-shutdown goes on with its own path', () => {
    expect(runHook('kexec')).toBe(0);
    expect(kexecCalls()).toHaveLength(1);
  });
});
