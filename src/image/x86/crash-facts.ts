/**
 * The sysfs text behind the ELF core header's notes, parsed: drivers/base/cpu.c writes
 * cpuN/crash_notes as "%llx" (hex, no 0x) and crash_notes_size as "%zu" (decimal); kernel/ksysfs.c
 * writes /sys/kernel/vmcoreinfo as "%pa %x" ("0x<addr> <hex size>"). kexec-tools reads the same files
 * (kexec/crashdump.c `get_crash_notes_per_cpu`, `get_vmcoreinfo`). Pure.
 */
import { KexecError } from '../../errors.js';
import type { NoteRange } from './elfcorehdr.js';

export type CrashNoteText = { cpu: number; addr: string; size: string };

function bad(message: string): KexecError {
  return new KexecError({ code: 'ECRASHNOTES', exitCode: 1, message });
}

function hexNumber(text: string, what: string): bigint {
  const t = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(t)) throw bad(`${what}: not a hex number: ${JSON.stringify(text.slice(0, 40))}`);
  return BigInt(`0x${t}`);
}

/** One note range per CPU; a CPU whose notes are at 0 or empty is an error (the kernel has none for it). */
export function parseCrashNotes(records: readonly CrashNoteText[]): NoteRange[] {
  if (records.length === 0) throw bad('no /sys/devices/system/cpu/cpuN/crash_notes: this kernel was built without crash dump support');
  return records.map((r) => {
    const where = `/sys/devices/system/cpu/cpu${r.cpu}`;
    const addr = hexNumber(r.addr, `${where}/crash_notes`);
    if (!/^\d+$/.test(r.size.trim())) throw bad(`${where}/crash_notes_size: not a number: ${JSON.stringify(r.size.slice(0, 40))}`);
    const size = BigInt(r.size.trim());
    if (addr === 0n || size === 0n) throw bad(`${where}: empty crash notes (address ${r.addr}, size ${r.size})`);
    return { addr, size };
  });
}

/** "0x0000000100ba0000 1024" → {addr, size}; null text → null (no vmcoreinfo note). */
export function parseVmcoreinfo(text: string | null): NoteRange | null {
  if (text === null) return null;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(text);
  if (m === null) throw bad(`/sys/kernel/vmcoreinfo: expected "<addr> <size>", got ${JSON.stringify(text.slice(0, 60))}`);
  const addr = hexNumber(m[1] as string, '/sys/kernel/vmcoreinfo address');
  const size = hexNumber(m[2] as string, '/sys/kernel/vmcoreinfo size');
  return addr === 0n || size === 0n ? null : { addr, size };
}
