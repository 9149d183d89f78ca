/**
 * kexec -c -p on x86_64 (src/kexec/legacy-x86.ts with crash: true) over a recorded machine under a
 * temp root: the host facts (cpuN/crash_notes, /sys/kernel/vmcoreinfo) reach the ELF core header,
 * every segment and the entry land in the crash region above its control reserve, and missing crash
 * facts are one clear error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeQuietly, openChecked, type OpenedFile } from '../../../src/host/open-checked.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { readX86BootFacts } from '../../../src/host/x86-boot-facts.js';
import { buildX86LegacyPlan } from '../../../src/kexec/legacy-x86.js';
import { debianLikeImage } from '../image/x86/fixtures.js';

const IOMEM = `00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-000fffff : Reserved
00100000-7ffdffff : System RAM
  01000000-01ffffff : Kernel code
  30000000-3fffffff : Crash kernel
  7f000000-7f0fffff : reserved
7ffe0000-7fffffff : Reserved
`;

let dir = '';
const opened: OpenedFile[] = [];
afterEach(() => {
  for (const f of opened.splice(0)) closeQuietly(f.fd);
  rmSync(dir, { recursive: true, force: true });
});

function machine(withNotes = true): RootFs {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-legacy-crash-'));
  const w = (p: string, text: string | Uint8Array): void => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  w('proc/iomem', IOMEM);
  w('proc/cmdline', 'root=/dev/vda crashkernel=256M\n');
  w('sys/kernel/boot_params/data', new Uint8Array(4096));
  // cpu10 sorts after cpu2 numerically; "cpufreq" is not a CPU
  mkdirSync(join(dir, 'sys/devices/system/cpu/cpufreq'), { recursive: true });
  if (withNotes) {
    w('sys/kernel/vmcoreinfo', '0x0000000002a0c000 1024\n');
    for (const [cpu, addr] of [
      [0, '7fc1d000'],
      [2, '7fc5d000'],
      [10, '7fd1d000'],
    ] as const) {
      w(`sys/devices/system/cpu/cpu${cpu}/crash_notes`, `${addr}\n`);
      w(`sys/devices/system/cpu/cpu${cpu}/crash_notes_size`, '336\n');
    }
  }
  return new RootFs(dir);
}

function file(name: string, bytes: Uint8Array): OpenedFile {
  const p = join(dir, name);
  writeFileSync(p, bytes, { mode: 0o644 });
  const f = openChecked(p, name, { trustedUids: [0, process.getuid?.() ?? 0] });
  opened.push(f);
  return f;
}

describe('buildX86LegacyPlan with crash: true', () => {
  it('crash_notes and vmcoreinfo from sysfs become the first PT_NOTEs; all segments in the crash region', () => {
    const fs = machine();
    const plan = buildX86LegacyPlan({
      kernel: file('vmlinuz', debianLikeImage()),
      initrds: [],
      cmdline: 'root=/dev/vda',
      facts: readX86BootFacts(fs),
      rngSeed: null,
      crash: true,
    });
    const hdr = plan.segments.find((s) => s.what === 'elfcorehdr');
    expect(hdr?.mem).toBe(0x3ffff000n);
    const v = new DataView((hdr?.buf as Uint8Array).buffer);
    const note = (i: number): [number, bigint, bigint] => [
      v.getUint32(64 + i * 56, true),
      v.getBigUint64(64 + i * 56 + 24, true),
      v.getBigUint64(64 + i * 56 + 32, true),
    ];
    expect([note(0), note(1), note(2), note(3)]).toEqual([
      [4, 0x7fc1d000n, 336n],
      [4, 0x7fc5d000n, 336n],
      [4, 0x7fd1d000n, 336n],
      [4, 0x2a0c000n, 0x1024n],
    ]);
    // System RAM minus the crash region, reserved children included (they are dumped)
    expect(plan.crash?.dumpRam).toEqual([
      { start: 0x1000n, end: 0x9fc00n },
      { start: 0x100000n, end: 0x30000000n },
      { start: 0x40000000n, end: 0x7ffe0000n },
    ]);
    for (const s of plan.segments) {
      expect(s.mem >= 0x30100000n && s.mem + s.memsz <= 0x40000000n, `${s.what} at 0x${s.mem.toString(16)}`).toBe(true);
    }
    expect(plan.entry >= 0x30100000n && plan.entry < 0x40000000n).toBe(true);
    expect(plan.crash?.cmdline).toBe('root=/dev/vda elfcorehdr=1048572K');
    expect(plan.table).toContain('segment[3].buf   = elfcorehdr');
  });

  it('a kernel without crash_notes: one clear error', () => {
    const fs = machine(false);
    expect(() =>
      buildX86LegacyPlan({ kernel: file('vmlinuz', debianLikeImage()), initrds: [], cmdline: '', facts: readX86BootFacts(fs), rngSeed: null, crash: true }),
    ).toThrow(/no \/sys\/devices\/system\/cpu\/cpuN\/crash_notes/);
  });
});
