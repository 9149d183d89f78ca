/**
 * crashkernel= (pure): parsing as Linux kernel/crash_reserve.c does, and kdump-utils' per-arch
 * defaults (kdump-lib.sh kdump_get_arch_recommend_crashkernel, get_recommend_size, _crashkernel_add).
 *
 * Forms (Documentation/admin-guide/kernel-parameters.txt, crash_reserve.c):
 *   crashkernel=size[KMGTPE][@offset]                   a fixed size (optionally at an address)
 *   crashkernel=start-[end]:size[,start-[end]:size...][@offset]   size chosen by system RAM
 *   crashkernel=size,high | size,low                    x86_64/arm64/riscv: above 4G, and the low part
 *   crashkernel=size,cma                                extra reservation from CMA (Linux 6.16+), usable
 *                                                       by the crash kernel only; needs a base crashkernel=
 * The kernel takes the last crashkernel= without a suffix for the base (get_last_crashkernel), and the
 * last one with each suffix for that suffix. For ranges, system RAM is rounded up to 128 MiB first.
 */

export type CrashRange = { start: bigint; end: bigint | null; size: bigint };
export type CrashSpec =
  | { kind: 'size'; size: bigint; offset: bigint | null }
  | { kind: 'ranges'; ranges: CrashRange[]; offset: bigint | null }
  | { kind: 'high' | 'low' | 'cma'; size: bigint };

const UNITS: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n, E: 1n << 60n };

/** memparse(): a number (decimal, or 0x hex) with an optional K/M/G/T/P/E suffix; null when malformed. */
export function memparse(s: string): bigint | null {
  const m = /^(0x[0-9a-fA-F]+|[0-9]+)([KMGTPEkmgtpe]?)$/.exec(s);
  if (m === null) return null;
  const n = BigInt(m[1] ?? '0');
  return m[2] === '' || m[2] === undefined ? n : n * (UNITS[m[2].toUpperCase()] ?? 1n);
}

export function parseCrashkernel(value: string): CrashSpec | null {
  const suffix = /^([^,:@]+),(high|low|cma)$/.exec(value);
  if (suffix !== null) {
    const size = memparse(suffix[1] ?? '');
    return size === null ? null : { kind: suffix[2] as 'high' | 'low' | 'cma', size };
  }
  let body = value;
  let offset: bigint | null = null;
  const at = value.lastIndexOf('@');
  if (at >= 0) {
    offset = memparse(value.slice(at + 1));
    if (offset === null) return null;
    body = value.slice(0, at);
  }
  if (!body.includes(':')) {
    const size = memparse(body);
    return size === null ? null : { kind: 'size', size, offset };
  }
  const ranges: CrashRange[] = [];
  for (const part of body.split(',')) {
    const m = /^([^-:]+)-([^:]*):(.+)$/.exec(part);
    if (m === null) return null;
    const start = memparse(m[1] ?? '');
    const end = m[2] === '' ? null : memparse(m[2] ?? '');
    const size = memparse(m[3] ?? '');
    if (start === null || size === null || (m[2] !== '' && end === null)) return null;
    if (end !== null && end <= start) return null; // crash_reserve.c: "end <= start"
    ranges.push({ start, end, size });
  }
  return { kind: 'ranges', ranges, offset };
}

const ALIGN_128M = 128n << 20n;

/** The size the kernel reserves for a spec on a machine with `systemRam` bytes (0 when no range matches). */
export function crashSize(spec: CrashSpec, systemRam: bigint): bigint {
  if (spec.kind !== 'ranges') return spec.size;
  const ram = ((systemRam + ALIGN_128M - 1n) / ALIGN_128M) * ALIGN_128M;
  const hit = spec.ranges.find((r) => ram >= r.start && (r.end === null || ram < r.end));
  return hit?.size ?? 0n;
}

export type CrashParams = { base: string | null; high: string | null; low: string | null; cma: string | null };

/** The crashkernel= values that count on a command line (the last of each kind). */
export function crashkernelParams(tokens: readonly string[]): CrashParams {
  const out: CrashParams = { base: null, high: null, low: null, cma: null };
  for (const t of tokens) {
    if (!t.startsWith('crashkernel=')) continue;
    const v = t.slice('crashkernel='.length);
    const s = /,(high|low|cma)$/.exec(v);
    if (s === null) out.base = v;
    else out[s[1] as 'high' | 'low' | 'cma'] = v;
  }
  return out;
}

export type ArchFacts = {
  arch: string;
  /** AMD SME/SEV active (x86_64, s390x: +64M). */
  smeOrSev?: boolean;
  /** Kernel release (aarch64: a "64k" page-size kernel needs more). */
  release?: string;
  aarch64Smmu?: boolean;
  mlx5?: boolean;
  /** ppc64le: nr_cpus= of the capture command line (1 MiB per CPU). */
  nrCpus?: number;
};

/** kdump_get_arch_recommend_crashkernel (kdump mode). Returns null for an architecture kdump-utils has no default for. */
export function defaultCrashkernel(f: ArchFacts): string | null {
  let ck: string;
  let delta = 0;
  if (f.arch === 'x86_64' || f.arch === 's390x') {
    ck = '2G-64G:256M,64G-:512M';
    if (f.smeOrSev === true) delta += 64;
  } else if (f.arch === 'aarch64') {
    ck = '2G-4G:256M,4G-64G:320M,64G-:576M';
    if ((f.release ?? '').includes('64k')) {
      delta += 100;
      if (f.aarch64Smmu === true) delta += 384;
      if (f.mlx5 === true) delta += 200;
    } else if (f.mlx5 === true) delta += 150;
  } else if (f.arch === 'ppc64le') {
    ck = '2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G';
    delta += f.nrCpus ?? 1;
  } else return null;
  return delta === 0 ? ck : crashkernelAdd(ck, delta);
}

/** kdump-lib.sh memsize_add: bytes in the largest unit that divides them exactly. */
function formatSize(bytes: bigint): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let a = bytes;
  let i = 0;
  while (a / 1024n !== 0n && a % 1024n === 0n && i < units.length - 1) {
    a /= 1024n;
    i++;
  }
  return `${a}${units[i] ?? ''}`;
}

/** _crashkernel_add: adds deltaMiB to every size of a range list (ranges kept as written). */
export function crashkernelAdd(ck: string, deltaMiB: number): string {
  return ck
    .split(',')
    .map((e) => {
      const colon = e.lastIndexOf(':');
      const range = colon >= 0 ? e.slice(0, colon + 1) : '';
      const size = memparse(e.slice(colon + 1)) ?? 0n;
      return `${range}${formatSize(size + BigInt(deltaMiB) * (1n << 20n))}`;
    })
    .join(',');
}

/** get_system_size: System RAM from /proc/iomem in bytes (the sum of the "System RAM" ranges). */
export function systemRamFromIomem(iomem: string): bigint {
  let sum = 0n;
  for (const line of iomem.split('\n')) {
    const m = /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : System RAM$/.exec(line);
    if (m !== null) sum += BigInt(`0x${m[2] ?? '0'}`) - BigInt(`0x${m[1] ?? '0'}`) + 1n;
  }
  return sum;
}
