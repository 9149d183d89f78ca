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

  it("sends kexec -e's output to the kernel log, not to systemd-shutdown's /dev/null (the watchdog line, pre-exec hooks)", () => {
    file('usr/sbin/kexec', `#!/bin/sh\necho "kexec: watchdog /dev/watchdog0 armed for 60 s across the jump" >&2\necho "pre-exec.d/10-x: hi"\nexit 1\n`, 0o755);
    file('etc/default/kexec', 'KEXEC_WATCHDOG_SEC=60\n');
    expect(runHook('reboot')).toBe(0);
    expect(kmsg()).toContain('kexec: watchdog /dev/watchdog0 armed for 60 s across the jump\n');
    expect(kmsg()).toContain('pre-exec.d/10-x: hi\n');
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

  // Issue 14: the jump without node. A fake perl (the syscall) and a fake ip record their calls; the
  // syscall number is the kernel ABI's (x86_64 syscall_64.tbl 169, asm-generic unistd.h 142).
  describe('without node', () => {
    const nr = process.arch === 'arm64' ? '142' : '169';
    beforeEach(() => {
      file(
        'usr/bin/perl',
        `#!/bin/sh\nshift; shift\necho "perl $* sibling=$(cat '${root}/sibling' 2>/dev/null || echo running)" >>'${root}/kexec.log'\nexit 1\n`,
        0o755,
      );
      file('usr/sbin/ip', `#!/bin/sh\necho "ip $*" >>'${root}/kexec.log'\n`, 0o755);
      for (const [n, flags] of [
        ['lo', '0x9'],
        ['eth0', '0x1003'],
        ['shaper0', '0x1003'],
        ['wlan0', '0x1002'],
      ] as const)
        file(`sys/class/net/${n}/flags`, `${flags}\n`);
      file('etc/default/kexec', '# shipped file: documented, commented out\n#KEXEC_WATCHDOG_SEC=0\n  # KEXEC_COLD_IF_DRIVERS="mlx4_core"\nLOAD_KEXEC=true\n');
    });
    const downs = ['ip link set dev shaper0 down', 'ip link set dev eth0 down'];
    const ups = ['ip link set dev shaper0 up', 'ip link set dev eth0 up'];

    it('syncs, takes the up interfaces down as kexec -e does and calls reboot(KEXEC) through perl, after the siblings', () => {
      expect(runHook('reboot', 1)).toBe(0);
      // The fake "returns" like a failed syscall would, so the interfaces come back and node runs.
      expect(kexecCalls()).toEqual([...downs, `perl ${nr} sibling=done`, ...ups, '-e sibling=done']);
      expect(kmsg()).toContain('jumping to it from the system-shutdown hook (no node: no watchdog, pre-exec hook or KEXEC_COLD_IF_DRIVERS applies)');
    });

    it.each([
      ['KEXEC_WATCHDOG_SEC=30\n', 'etc/default/kexec'],
      ['export KEXEC_WATCHDOG_SEC = 5\r\n', 'etc/default/kexec'],
      ['\ufeffKEXEC_COLD_IF_DRIVERS="nvidia"\r\n', 'etc/default/kexec'],
      ['KEXEC_COLD_IF_DRIVERS: mlx4_core\n', 'etc/default/kexec.d/10-fleet.conf'],
    ])('leaves the jump to node when the config asks for more (%j in %s)', (text, rel) => {
      file(rel, text);
      expect(runHook('kexec')).toBe(0);
      expect(kexecCalls()).toEqual(['-e sibling=running']);
    });

    it('leaves the jump to node with a watchdog asked by kexecctl reboot --watchdog', () => {
      file('run/kexecctl/watchdog-sec', '30\n');
      runHook('kexec');
      expect(kexecCalls()).toEqual(['-e sibling=running']);
    });

    it('leaves the jump to node with anything in pre-exec.d', () => {
      file('etc/kexecctl/pre-exec.d/10-unbind', '#!/bin/sh\n', 0o755);
      runHook('kexec');
      expect(kexecCalls()).toEqual(['-e sibling=running']);
    });

    it('leaves the jump to node when an interface is up and there is no ip', () => {
      rmSync(join(root, 'usr/sbin/ip'));
      runHook('kexec');
      expect(kexecCalls()).toEqual(['-e sibling=running']);
    });

    it('needs no ip when no interface but lo is up', () => {
      rmSync(join(root, 'usr/sbin/ip'));
      for (const n of ['eth0', 'shaper0']) file(`sys/class/net/${n}/flags`, '0x1002\n');
      runHook('kexec');
      expect(kexecCalls()).toEqual([`perl ${nr} sibling=running`, '-e sibling=running']);
    });

    it('falls back to node when there is no perl', () => {
      rmSync(join(root, 'usr/bin/perl'));
      runHook('kexec');
      expect(kexecCalls()).toEqual(['-e sibling=running']);
    });
  });
});
