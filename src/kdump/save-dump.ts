/**
 * One dump, the way kdump-utils' kdump.sh dump_fs() does it: a fresh <host>-<date> directory, the
 * kernel log first (vmcore-dmesg.txt, read from the unfiltered /proc/vmcore, as save_vmcore_dmesg_fs
 * runs before the collector), then the core collector writing vmcore-incomplete, fsync, and the
 * rename to vmcore. The collector is either kexecctl's streaming copy or a program run as argv
 * (makedumpfile ... /proc/vmcore <dir>/vmcore-incomplete) through the Processes port; a failing
 * collector or a full disk leaves vmcore-incomplete in place. Before copying, the free space of
 * the target is compared with the size of the full vmcore and the result logged.
 * Never a truncated vmcore: the name vmcore only ever appears by rename after the data was synced
 * (kdump-utils' dracut-kdump.sh save_vmcore and kdump-tools' kdump-config write vmcore-incomplete /
 * dump-incomplete and mv it). Beyond them, the directory entries are synced as soon as the partial
 * file exists, so a power loss mid-copy leaves a visible vmcore-incomplete, and an aborted signal
 * (SIGTERM: the CLI's handler) stops the copy, or keeps a collector's output unrenamed.
 */
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, statSync, statfsSync } from 'node:fs';
import { posix } from 'node:path';
import { KexecError } from '../errors.js';
import { strerror } from '../sys/errno.js';
import { pruneDumps } from './prune.js';
import { dumpNames, type DumpNames } from './dump-names.js';
import { copyStream, createDumpDir, errnoOf, fdSource, fsyncDir, saveDmesg, type SaveResult } from './save.js';

/** Runs argv with the console as stdout/stderr; resolves to its exit status. */
export type Runner = (argv: readonly string[]) => Promise<number>;

export type SaveDumpOptions = {
  vmcore: string;
  dir: string;
  host: string;
  now: Date;
  log: (line: string) => void;
  /** null: our streaming copy; else the collector argv, completed with <vmcore> <output>. */
  collector: readonly string[] | null;
  run: Runner;
  dmesg?: boolean;
  /** File names (dump-names.ts); default: kdump-utils' <host>-<date>/vmcore. */
  names?: DumpNames;
  /** KDUMP_NUM_DUMPS: keep this many dumps in `dir` after a complete save (0 = all). */
  numDumps?: number;
  chunkSize?: number;
  /** fsync every this many bytes of a full copy (default 64 MiB; 0: only at the end). */
  syncEvery?: number;
  /** Aborted by a signal handler: the copy stops, nothing is renamed to vmcore. */
  signal?: AbortSignal;
  openOutput?: (path: string) => number;
  /** Free bytes of the file system holding `path` (tests substitute it); null when unknown. */
  freeBytes?: (path: string) => number | null;
};

export type FitCheck = { vmcoreBytes: number; freeBytes: number | null; fits: boolean | null; message: string };

export type SaveDumpResult = SaveResult & { filtered: boolean; fit: FitCheck; pruned: string[] };

export function statfsFree(path: string): number | null {
  try {
    const s = statfsSync(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`;

/** The estimate: the full vmcore must fit for a copy; a filtering collector usually needs far less. */
export function checkFit(vmcoreBytes: number, freeBytes: number | null, filtered: boolean): FitCheck {
  if (freeBytes === null) return { vmcoreBytes, freeBytes, fits: null, message: `cannot tell the free space of the target; the vmcore is ${mib(vmcoreBytes)}` };
  if (freeBytes >= vmcoreBytes) return { vmcoreBytes, freeBytes, fits: true, message: `${mib(freeBytes)} free, the full vmcore (${mib(vmcoreBytes)}) fits` };
  const message = filtered
    ? `only ${mib(freeBytes)} free for a ${mib(vmcoreBytes)} vmcore: the full vmcore would not fit; counting on the collector's filtering and compression`
    : `the dump will not fit: the vmcore is ${mib(vmcoreBytes)} and only ${mib(freeBytes)} is free; what fits is kept as vmcore-incomplete`;
  return { vmcoreBytes, freeBytes, fits: false, message };
}

function fsyncPath(path: string): { errno: number; code: string } | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (e) {
    return errnoOf(e);
  }
}

export async function saveDump(o: SaveDumpOptions): Promise<SaveDumpResult> {
  let inFd: number;
  try {
    inFd = openSync(o.vmcore, 'r');
  } catch (e) {
    throw new KexecError({
      code: 'ENOVMCORE',
      path: o.vmcore,
      message: `cannot open ${o.vmcore}: ${strerror(errnoOf(e).errno)} (kdumpctl save runs in the capture kernel, after a crash)`,
    });
  }
  try {
    const names = o.names ?? dumpNames({ layout: 'kdump-utils', host: o.host, now: o.now, remote: false });
    const dumpDir = createDumpDir(o.dir, names.dir);
    fsyncDir(o.dir);
    const partial = posix.join(dumpDir, names.partial);
    const filtered = o.collector !== null;
    const fit = checkFit(fstatSync(inFd).size, (o.freeBytes ?? statfsFree)(dumpDir), filtered);
    const result: SaveDumpResult = {
      dumpDir,
      vmcoreFile: partial,
      complete: false,
      bytes: 0,
      copyMs: 0,
      dmesgFile: '',
      dmesgOk: false,
      filtered,
      fit,
      pruned: [],
    };
    if (o.dmesg !== false) saveDmesg(fdSource(inFd), dumpDir, result, o.log, names);
    o.log(fit.message);
    const t0 = Date.now();
    let error: { errno: number; code: string } | string | undefined;
    let interrupted: string | undefined;
    if (o.collector === null) {
      o.log(`saving ${o.vmcore} to ${partial} (full copy)`);
      const outFd = (o.openOutput ?? ((p: string) => openSync(p, 'wx', 0o600)))(partial);
      try {
        fsyncDir(dumpDir); // the name vmcore-incomplete survives a power loss from now on
        const copy = await copyStream(inFd, outFd, {
          chunk: o.chunkSize ?? 4 * 1024 * 1024,
          syncEvery: o.syncEvery ?? 64 * 1024 * 1024,
          ...(o.signal === undefined ? {} : { signal: o.signal }),
        });
        result.bytes = copy.bytes;
        error = copy.error;
        interrupted = copy.interrupted;
        try {
          fsyncSync(outFd);
        } catch (e) {
          error ??= errnoOf(e);
        }
      } finally {
        closeSync(outFd);
      }
    } else {
      const argv = [...o.collector, o.vmcore, partial];
      const code = o.signal?.aborted === true ? null : (o.log(`running ${argv.join(' ')}`), await o.run(argv));
      try {
        result.bytes = statSync(partial).size;
      } catch {
        result.bytes = 0;
      }
      // A signal while the collector ran: its output is not trusted as complete, whatever it exited with.
      if (o.signal?.aborted === true) interrupted = String(o.signal.reason);
      else if (code !== 0) error = `${o.collector[0] ?? 'collector'} exited with status ${code}`;
      else error = fsyncPath(partial);
    }
    result.copyMs = Date.now() - t0;
    if (interrupted !== undefined) {
      result.interrupted = interrupted;
      result.error = error === undefined ? interrupted : typeof error === 'string' ? error : `${error.code} (${strerror(error.errno)})`;
      // No log line here: the caller says it once (kdumpctl: "SIGTERM: save stopped after ...").
    } else if (error !== undefined) {
      result.error = typeof error === 'string' ? error : `${error.code} (${strerror(error.errno)})`;
      o.log(`${filtered ? 'collector' : 'copy'} stopped after ${result.bytes} bytes: ${result.error}; keeping the partial dump as ${partial}`);
    } else {
      const final = posix.join(dumpDir, names.vmcore);
      renameSync(partial, final);
      fsyncDir(dumpDir);
      result.vmcoreFile = final;
      result.complete = true;
      const rate = (result.bytes / 1048576 / Math.max(result.copyMs / 1000, 0.001)).toFixed(1);
      o.log(
        `saved vmcore: ${result.bytes} bytes in ${result.copyMs} ms (${rate} MiB/s) to ${final}${filtered ? ` (filtered from ${fit.vmcoreBytes} bytes)` : ''}`,
      );
      if ((o.numDumps ?? 0) > 0) result.pruned = pruneDumps(o.dir, o.numDumps ?? 0, posix.basename(dumpDir), o.log);
    }
    fsyncDir(dumpDir);
    return result;
  } finally {
    closeSync(inFd);
  }
}
