/**
 * Which init system will carry out a reboot. systemd is running when /run/systemd/system
 * exists (sd_booted()'s own test); sysvinit when /run/initctl or telinit is there instead.
 */
import type { InitSystem, RebootDeps, Runner } from './types.js';

export function detectInitSystem(exists: (path: string) => boolean): InitSystem {
  if (exists('/run/systemd/system')) return 'systemd';
  if (exists('/run/initctl') || exists('/sbin/telinit') || exists('/usr/sbin/telinit')) return 'sysvinit';
  return 'unknown';
}

/** "systemd 252 (252.38-1~deb12u1)" → 252; null when systemctl is missing or says something else. */
export function parseSystemdVersion(text: string): number | null {
  const m = /^systemd (\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

export async function systemdVersion(runner: Runner): Promise<number | null> {
  try {
    const r = await runner.run('systemctl', ['--version']);
    return r.exitCode === 0 ? parseSystemdVersion(r.stdout) : null;
  } catch {
    return null;
  }
}

/**
 * Does a plain `reboot` (or `systemctl reboot`) kexec when a kernel is loaded?
 * systemd >= 255 does it itself (unless SYSTEMCTL_SKIP_AUTO_KEXEC=1); before that, our
 * system-shutdown hook does it; sysvinit does it through /etc/init.d/kexec at runlevel 6.
 */
export function rebootPathKexecs(init: InitSystem, version: number | null, deps: Pick<RebootDeps, 'exists'>): { yes: boolean; why: string } {
  if (init === 'systemd') {
    if (version !== null && version >= 255) return { yes: true, why: `systemd ${version} kexecs on reboot when a kernel is loaded` };
    if (deps.exists('/usr/lib/systemd/system-shutdown/kexecctl') || deps.exists('/lib/systemd/system-shutdown/kexecctl')) {
      return { yes: true, why: `systemd ${version ?? '?'} reboots through kexecctl's system-shutdown hook when a kernel is loaded` };
    }
    return { yes: false, why: `systemd ${version ?? '?'} < 255 and the kexecctl system-shutdown hook is not installed` };
  }
  if (init === 'sysvinit') {
    if (deps.exists('/etc/init.d/kexec')) return { yes: true, why: '/etc/init.d/kexec execs the loaded kernel at runlevel 6' };
    return { yes: false, why: '/etc/init.d/kexec is not installed' };
  }
  return { yes: false, why: 'no known init system (neither systemd nor sysvinit is running)' };
}
