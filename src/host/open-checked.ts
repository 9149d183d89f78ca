/**
 * Opens a file that will be handed to the kernel, once, and checks it through that same
 * descriptor (fstat, header read), so what we checked is exactly what the kernel gets.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { KexecError } from '../errors.js';
import { strerror } from '../sys/errno.js';

export type OpenedFile = { path: string; fd: number; size: number; stat: Stats };

export type TrustPolicy = {
  /** Owners accepted (default [0], root). */
  trustedUids: readonly number[];
  /**
   * Unset (configuration-driven loads: plan, units, kdumpctl): a foreign owner or a group/world
   * writable file is refused. Set (an explicit `kexec -l FILE`, where kexec-tools checks nothing):
   * the problem is reported here and the file is loaded anyway.
   */
  warn?: (message: string) => void;
};

export const ROOT_ONLY: TrustPolicy = { trustedUids: [0] };

function errnoOf(e: unknown): number {
  const n = (e as { errno?: unknown }).errno;
  return typeof n === 'number' ? Math.abs(n) : 5;
}

/**
 * Opens path read-only and checks: regular file, owned by a trusted uid, not group- or
 * world-writable (the last two only warn when the policy has `warn`). `role` names the file in
 * messages ("kernel", "initrd").
 * Throws KexecError with codes EFILEOPEN, EFILETYPE, EFILEOWNER, EFILEMODE (exit 2).
 */
export function openChecked(path: string, role: string, policy: TrustPolicy = ROOT_ONLY): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY); // libuv adds O_CLOEXEC
  } catch (e) {
    const errno = errnoOf(e);
    throw new KexecError({ code: 'EFILEOPEN', message: `Failed to open ${role} file ${path}: ${strerror(errno)}`, errno, path, exitCode: 2 });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isDirectory() ? 'a directory' : 'not a regular file';
      throw new KexecError({ code: 'EFILETYPE', message: `${role} ${path} is ${what}`, path, exitCode: 2, ...(st.isDirectory() ? { errno: 21 } : {}) }); // EISDIR
    }
    const refuse = (code: string, what: string): void => {
      if (policy.warn === undefined) throw new KexecError({ code, message: `${what}: refusing to load it`, path, exitCode: 2 });
      policy.warn(`${what}: loading it anyway`);
    };
    if (!policy.trustedUids.includes(st.uid)) refuse('EFILEOWNER', `${role} ${path} is owned by uid ${st.uid}, not root`);
    if ((st.mode & 0o022) !== 0) {
      const who = (st.mode & 0o002) !== 0 ? 'world' : 'group';
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      refuse('EFILEMODE', `${role} ${path} is ${who}-writable (mode ${mode})`);
    }
    return { path, fd, size: st.size, stat: st };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads up to max bytes from the start of fd (pread, the offset is left alone). */
export function readHead(fd: number, max: number): Buffer {
  return preadFully(fd, 0, max);
}

/** `length` bytes of `fd` at `offset` (pread, retried on short reads); fewer only when the file ends first. */
export function preadFully(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

export function closeQuietly(fd: number | null | undefined): void {
  if (fd === null || fd === undefined || fd < 0) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
