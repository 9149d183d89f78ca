/**
 * `probe [--set VAR] --driver|--partmap|--fs|--fs-uuid|--label|--part-uuid DEVICE` as
 * grub-core/commands/probe.c (GRUB 2.06/2.12) runs it: one target, chosen in probe.c's order
 * (driver, partmap, part-uuid, then fs, fs-uuid, label); DEVICE with or without parentheses;
 * the answer goes to VAR (printed by GRUB without --set, which we do not model). Answers come
 * from the device name where GRUB's naming fixes them (`hd0,gpt2` is on a GPT, `lvm/...` is
 * the diskfilter driver) and otherwise from GrubFs.probe (the device table). A device we do
 * not know, or a fact the table does not have, is a warning at file:line and the command fails,
 * so nothing downstream is built from a guess. Checked against grub-emu 2.06
 * (test/grub-emu/probe-cases.json).
 */
import type { Shell } from './context.js';
import { GRUB_ERR_BAD_ARGUMENT, parseExtArgs, type OptSpec } from './ext-args.js';
import type { ProbeTarget } from './types.js';

/** GRUB_ERR_UNKNOWN_DEVICE: what `$?` is when GRUB cannot open the device. */
export const GRUB_ERR_UNKNOWN_DEVICE = 12;

const OPTIONS: OptSpec[] = [
  { long: 'set', short: 's', value: true },
  { long: 'driver', short: 'd', value: false },
  { long: 'partmap', short: 'p', value: false },
  { long: 'fs', short: 'f', value: false },
  { long: 'fs-uuid', short: 'u', value: false },
  { long: 'label', short: 'l', value: false },
  { long: 'part-uuid', value: false },
];

/** probe.c tests its flags in this order and answers the first one given. */
const ORDER: [string, ProbeTarget][] = [
  ['driver', 'driver'],
  ['partmap', 'partmap'],
  ['part-uuid', 'part_uuid'],
  ['fs', 'fs'],
  ['fs-uuid', 'fs_uuid'],
  ['label', 'label'],
];

/** Disk drivers of GRUB's firmware disks (grub-core/disk/{i386/pc/biosdisk,efi/efidisk}.c, emu hostdisk). */
const FIRMWARE_DISK: Record<string, string> = { pc: 'biosdisk', efi: 'efidisk', emu: 'hostdisk' };
const PARTMAPS = /,(gpt|msdos|bsd|apple|sun|sunpc|dvh|plan|acorn|amiga)[0-9]+$/;

/** What GRUB's device naming alone says, or null. */
export function probeFromName(name: string, target: ProbeTarget, platform: string): string | null {
  if (target === 'driver') {
    if (/^(lvm|lvmid|md|mduuid)\//.test(name) || /^md[0-9]+$/.test(name)) return 'diskfilter';
    if (/^(cryptouuid\/|crypto[0-9]+$)/.test(name)) return 'cryptodisk';
    if (/^(hd|cd|fd)[0-9]+(,|$)/.test(name)) return Object.hasOwn(FIRMWARE_DISK, platform) ? (FIRMWARE_DISK[platform] as string) : null;
    return null;
  }
  if (target === 'partmap' || target === 'part_uuid') {
    if (/^(hd|cd|fd)[0-9]+$/.test(name) || /^(lvm|lvmid|md|mduuid)\//.test(name)) return 'none';
    if (target === 'partmap') return PARTMAPS.exec(name)?.[1] ?? null;
  }
  return null;
}

export function probeCommand(sh: Shell, argv: string[]): number {
  const parsed = parseExtArgs(argv, OPTIONS);
  if (!parsed.ok) {
    sh.diag('error', `probe: ${parsed.message}`);
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const given = new Set(parsed.opts.map((o) => o.name));
  const variable = parsed.opts.find((o) => o.name === 'set')?.value ?? null;
  const written = parsed.args[0];
  if (written === undefined) {
    sh.diag('error', 'probe: device name required');
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const name = written.startsWith('(') && written.endsWith(')') ? written.slice(1, -1) : written;
  const target = ORDER.find(([opt]) => given.has(opt));
  if (target === undefined) {
    sh.diag('error', 'probe: unrecognised target');
    return GRUB_ERR_BAD_ARGUMENT;
  }
  const [opt, what] = target;
  if (sh.fs.probe === undefined) {
    sh.unsure(`probe --${opt} (${name}): no device information here (treated as failing)`);
    return 1;
  }
  const platform = sh.lookup('grub_platform') ?? 'pc';
  const answer = sh.fs.probe(name, what, platform);
  if (answer === null) {
    sh.unsure(`probe --${opt} (${name}): no such device (treated as failing)`);
    return GRUB_ERR_UNKNOWN_DEVICE;
  }
  const value = probeFromName(name, what, platform) ?? (answer.known ? answer.value : null);
  if (value === null) {
    sh.unsure(`probe --${opt} (${name}): ${answer.known ? 'unknown' : answer.why} (treated as failing)`);
    return 1;
  }
  if (variable !== null) sh.set(variable, value);
  return 0;
}
