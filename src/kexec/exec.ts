/**
 * kexec -e, stricter than kexec-tools: refuse before any sync or network change unless a
 * kernel is verifiably loaded (/sys/kernel/kexec_loaded present and 1); then sync, take the
 * interfaces down (remembering which), reboot(LINUX_REBOOT_CMD_KEXEC); and if that returns,
 * bring those interfaces back up before failing.
 */
import { KexecError } from '../errors.js';
import type { NetControl } from '../host/net-ifaces.js';
import type { RootFs } from '../host/rootfs.js';
import { LINUX_REBOOT_CMD_KEXEC } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { readKexecState } from './state.js';

export type ExecOptions = {
  fs: RootFs;
  /** sync() first (kexec without -y). */
  sync: boolean;
  /** Take network interfaces down first (kexec without -x). */
  ifdown: boolean;
  net: NetControl;
  debug?: (line: string) => void;
  warn?: (line: string) => void;
};

/** What exec did before the jump; only seen when the jump "returns" (the fake, or a failure). */
export type ExecResult = { synced: boolean; downed: string[] };

/** Throws unless a kernel is loaded; used by -e and by the shutdown path of `kexec KERNEL`. */
export function assertLoaded(fs: RootFs, kernel: Kernel | null): void {
  const st = readKexecState(fs, kernel);
  if (!st.supported) {
    throw new KexecError({ code: 'ENOKEXEC', message: 'this kernel does not support kexec (/sys/kernel/kexec_loaded is missing); nothing was synced or taken down' });
  }
  if (!st.loaded) throw new KexecError({ code: 'ENOTLOADED', message: 'Nothing has been loaded!' });
}

export async function execLoaded(kernel: Kernel, opts: ExecOptions): Promise<ExecResult> {
  const debug = opts.debug ?? (() => undefined);
  const warn = opts.warn ?? (() => undefined);
  assertLoaded(opts.fs, kernel);
  if (opts.sync) {
    debug('sync()');
    kernel.sync();
  }
  const downed: string[] = [];
  if (opts.ifdown) {
    for (const name of await opts.net.listUp()) {
      try {
        await opts.net.setUp(name, false);
        downed.push(name);
        debug(`ip link set dev ${name} down`);
      } catch (e) {
        warn(`ifdown: could not take ${name} down: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
  }
  debug(`reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)`);
  const res = kernel.reboot(LINUX_REBOOT_CMD_KEXEC);
  if (res.ok) return { synced: opts.sync, downed };
  const restored: string[] = [];
  for (const name of downed) {
    try {
      await opts.net.setUp(name, true);
      restored.push(name);
    } catch (e) {
      warn(`could not bring ${name} back up: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  const note = downed.length === 0 ? '' : `\nbrought back up: ${restored.join(' ') || '(none)'}`;
  throw new KexecError({ code: 'EKEXECEXEC', errno: res.errno, syscall: 'reboot', message: `kexec failed: ${strerror(res.errno)}${note}` });
}
