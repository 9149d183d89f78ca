/**
 * Unified Kernel Images (systemd's UKI specification, uapi-group.org/specifications/specs/
 * unified_kernel_image): a PE file whose sections carry the kernel (.linux), initrd (.initrd),
 * microcode initrd (.ucode, placed before .initrd as systemd-stub does), command line (.cmdline),
 * os-release (.osrel) and kernel release (.uname). Multi-profile UKIs: sections before the first
 * .profile section are the base; each .profile starts a profile whose sections replace the base
 * ones of the same name (systemd-stub's pe.c). Profile 0 is the default, as systemd-boot's.
 *
 * kexec-tools 2.0.31 (kexec/kexec-uki.c uki_image_probe()) takes .linux as the kernel and .initrd
 * as the initrd used when no --initrd is given; it ignores .cmdline, which we use when the load
 * names no command line (a UKI's own command line is what its stub would boot). Pure.
 */
import { KexecError } from '../../errors.js';
import type { PeSection } from './pe-sections.js';

export type FileRange = { offset: number; size: number };

export type UkiParts = {
  linux: FileRange;
  /** .ucode then .initrd, each only when present and non-empty. */
  initrds: FileRange[];
  cmdline: FileRange | null;
  osrel: FileRange | null;
  uname: FileRange | null;
  /** Number of .profile sections (0 for a single-profile UKI). */
  profiles: number;
  profile: number;
};

/** Sections only a UKI has: a PE with one of them but no .linux is a broken UKI, not some other EFI binary. */
const UKI_ONLY = ['.osrel', '.cmdline', '.initrd', '.ucode', '.uname', '.profile'];

function err(code: string, message: string): KexecError {
  return new KexecError({ code, message, exitCode: 2 });
}

/** The sections profile `n` sees: the base, overridden by the profile's own. */
function profileView(sections: readonly PeSection[], n: number): { view: Map<string, PeSection>; profiles: number } {
  const base = new Map<string, PeSection>();
  const own = new Map<string, PeSection>();
  let current = -1;
  for (const s of sections) {
    if (s.name === '.profile') {
      current++;
      continue;
    }
    if (current === -1 && !base.has(s.name)) base.set(s.name, s);
    if (current === n && !own.has(s.name)) own.set(s.name, s);
  }
  return { view: new Map([...base, ...own]), profiles: current + 1 };
}

/** Whether a PE's sections make it a UKI (a .linux section, or another section only UKIs have). */
export function looksLikeUki(sections: readonly PeSection[]): boolean {
  return sections.some((s) => s.name === '.linux' || UKI_ONLY.includes(s.name));
}

export function parseUki(sections: readonly PeSection[], fileSize: number, what = 'kernel', profile = 0): UkiParts {
  if (!looksLikeUki(sections)) {
    throw err('ENOTUKI', `${what} is a PE/EFI program but not a kernel image nor a UKI (no .linux section, no HdrS or ARM\\x64 header)`);
  }
  const { view, profiles } = profileView(sections, profile);
  if (profile > 0 && profile >= profiles) throw err('EUKIPROFILE', `${what} is a UKI with ${profiles} profile(s); it has no profile ${profile}`);
  for (const s of view.values()) {
    if (s.offset + s.size > fileSize) {
      throw err('EUKITRUNCATED', `${what} is a UKI cut short: its ${s.name} section ends at byte ${s.offset + s.size} but the file has ${fileSize}`);
    }
  }
  const range = (name: string): FileRange | null => {
    const s = view.get(name);
    return s === undefined || s.size === 0 ? null : { offset: s.offset, size: s.size };
  };
  const linux = range('.linux');
  if (linux === null) throw err('EUKINOLINUX', `${what} is a UKI without a .linux section (no kernel inside)`);
  const initrds = [range('.ucode'), range('.initrd')].filter((r): r is FileRange => r !== null);
  return { linux, initrds, cmdline: range('.cmdline'), osrel: range('.osrel'), uname: range('.uname'), profiles, profile };
}

/** A .cmdline section's text: NUL-terminated or not, trailing newline and spaces dropped (systemd-stub). */
export function ukiText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, nul < 0 ? bytes.length : nul))
    .toString('utf8')
    .replace(/\s+$/, '');
}
