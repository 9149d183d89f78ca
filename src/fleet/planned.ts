/**
 * What the next reboot would boot, in the fleet signals' terms: the plan (src/plan, as
 * `kexecctl plan` prints it) plus the planned kernel's release, read from its image header the
 * way the load record gets it (parseKernelImage), or else from a Debian file name vmlinuz-<release>.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { RootFs } from '../host/rootfs.js';
import { readHeadUnder } from '../host/read-head.js';
import { KERNEL_HEADER_BYTES, parseKernelImage } from '../image/kernel-image.js';
import type { KexecPlan } from '../plan/types.js';

export type PlannedBoot = {
  kernel: string;
  initrds: string[];
  cmdline: string;
  release: string | null;
  source: string;
};

export function releaseOfKernel(fs: RootFs, kernel: string): string | null {
  const head = readHeadUnder(fs, kernel, KERNEL_HEADER_BYTES);
  if (head !== null) {
    try {
      const r = parseKernelImage(head, kernel).release;
      if (r !== null) return r;
    } catch {
      // not a kernel image we can read: fall back to the file name
    }
  }
  const m = /^(?:vmlinuz|vmlinux|Image)-(.+)$/.exec(posix.basename(kernel));
  return m?.[1] ?? null;
}

/** null with the plan's reason when the plan loads nothing (or lacks a kernel or command line). */
export function plannedBoot(fs: RootFs, plan: KexecPlan): { boot: PlannedBoot } | { boot: null; reason: string } {
  if (plan.action !== 'load' || plan.kernel === null || plan.cmdline === null) return { boot: null, reason: plan.reason };
  const source = plan.entry ? `${plan.source}: ${plan.entry.title}` : plan.source;
  return { boot: { kernel: plan.kernel, initrds: [...plan.initrd], cmdline: plan.cmdline, release: releaseOfKernel(fs, plan.kernel), source } };
}

/**
 * sha256 over the initrds in load order (what kexecctl joins into one ramdisk), as "sha256:<hex>";
 * null when one cannot be read. Paths are in-root.
 */
export function initrdDigest(fs: RootFs, initrds: readonly string[]): string | null {
  if (initrds.length === 0) return 'none';
  const h = createHash('sha256');
  try {
    for (const p of initrds) h.update(readFileSync(fs.resolve(p)));
  } catch {
    return null;
  }
  return `sha256:${h.digest('hex')}`;
}
