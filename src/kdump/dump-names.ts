/**
 * What a dump is called on its target (pure), in the two layouts admins know:
 *  - kdump-utils (kdumpctl; kdump.sh dump_fs/dump_ssh): <host>-<YYYY-MM-DD-HH:MM:SS>/, written as
 *    vmcore-incomplete then renamed to vmcore (vmcore.flat for a makedumpfile -F stream over ssh),
 *    the kernel log in vmcore-dmesg.txt;
 *  - kdump-tools (Debian's kdump-config 1.8 kdump_save_core / kdump_save_core_to_ssh, used when only
 *    /etc/default/kdump-tools configures the dump): <KDUMP_COREDIR>/<YYYYMMDDHHMM>/ for a local dump,
 *    <ip or hostname (HOSTTAG)>-<YYYYMMDDHHMM>/ for SSH and NFS (define_stampdir), written as
 *    dump-incomplete then renamed to dump.<YYYYMMDDHHMM>, the kernel log in dmesg.<YYYYMMDDHHMM>.
 *    (KDUMP_COMPRESSION's .gz/.bz2/... suffix does not apply: that key is not supported.)
 * Times are local, as `date` prints them in both scripts.
 */
import { dumpDirName } from './save.js';

export type DumpLayout = 'kdump-utils' | 'kdump-tools';

export type DumpNames = {
  /** Directory of this dump, under the target's path. */
  dir: string;
  /** The collector's output until it is complete. */
  partial: string;
  vmcore: string;
  dmesg: string;
  /** The kernel log while it streams over ssh. */
  dmesgPartial: string;
  /** Written instead of `dmesg` when the kernel log cannot be read, saying why. */
  dmesgUnavailable: string;
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** kdump-config's KDUMP_STAMP: date +"%Y%m%d%H%M". */
export function kdumpToolsStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}`;
}

export type NameInput = {
  layout: DumpLayout;
  host: string;
  now: Date;
  /** ssh or NFS target (kdump-tools prefixes the directory with the host tag). */
  remote: boolean;
  /** A makedumpfile -F stream over ssh (kdump-utils calls it vmcore.flat). */
  flat?: boolean;
  /** kdump-tools HOSTTAG: the host's IP address (when known) or its name. */
  hostTag?: string;
};

export function dumpNames(n: NameInput): DumpNames {
  if (n.layout === 'kdump-utils') {
    return {
      dir: dumpDirName(n.host, n.now),
      partial: 'vmcore-incomplete',
      vmcore: n.flat === true ? 'vmcore.flat' : 'vmcore',
      dmesg: 'vmcore-dmesg.txt',
      dmesgPartial: 'vmcore-dmesg-incomplete.txt',
      dmesgUnavailable: 'vmcore-dmesg-unavailable.txt',
    };
  }
  const stamp = kdumpToolsStamp(n.now);
  const tag = (n.hostTag ?? n.host).replace(/[^A-Za-z0-9._:-]/g, '_');
  return {
    dir: n.remote ? `${tag}-${stamp}` : stamp,
    partial: 'dump-incomplete',
    vmcore: `dump.${stamp}`,
    dmesg: `dmesg.${stamp}`,
    dmesgPartial: `dmesg-incomplete.${stamp}`,
    dmesgUnavailable: `dmesg-unavailable.${stamp}`,
  };
}
