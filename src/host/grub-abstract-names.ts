/**
 * GRUB's names for abstract block devices (LVM logical volumes, md arrays, LUKS volumes) and the
 * Linux kernel device each stands for. Pure: the facts are gathered by grub-fs.ts from
 * /sys/block/<dm-N|mdN>, /dev/mapper, /dev/md and /dev/disk/by-id under the root.
 *
 * The names GRUB gives (grub-core/disk/lvm.c, diskfilter.c, mdraid1x_linux.c, mdraid_linux.c,
 * cryptodisk.c, and grub-probe's osdep/linux/getroot.c):
 * - "lvm/<vg>-<lv>", each '-' inside the VG and LV names doubled: the device-mapper name.
 * - "lvmid/<vg uuid>/<lv uuid>", both uuids in LVM's dashed 6-4-4-4-4-4-6 form; device-mapper's
 *   dm/uuid is "LVM-" + the two uuids without dashes.
 * - "md/<name>": the array name with the "homehost:" prefix stripped (1.x superblocks);
 *   0.90 superblocks are named "md/md<minor>".
 * - "mduuid/<32 hex digits>": the array uuid as mdadm prints it (MD_UUID, colons removed).
 * - "cryptouuid/<uuid>": the LUKS header uuid; GRUB compares it ignoring case and dashes.
 *   device-mapper's dm/uuid is "CRYPT-<TYPE>-<uuid without dashes>-<name>" (cryptsetup).
 */

export type AbstractFacts = {
  /** /sys/block/dm-N: kernel name → dm/name and dm/uuid ("" when unreadable). */
  dm: Readonly<Record<string, { name: string; uuid: string }>>;
  /** /sys/block/mdN: kernel name → md/uuid (%pU form) and md/metadata_version. */
  md: Readonly<Record<string, { uuid: string; metadata: string }>>;
  /** /dev/mapper/<name> → kernel name. */
  mapper: Readonly<Record<string, string>>;
  /** /dev/md/<name> → kernel name. */
  mdLinks: Readonly<Record<string, string>>;
  /** /dev/disk/by-id/<link> → kernel name. */
  byId: Readonly<Record<string, string>>;
};

export const NO_ABSTRACT: AbstractFacts = { dm: {}, md: {}, mapper: {}, mdLinks: {}, byId: {} };

const ABSTRACT = /^(lvm|lvmid|md|mduuid|cryptouuid)\//;

/** True for a GRUB device name that only a volume manager, md or cryptodisk can provide. */
export function isAbstractName(name: string): boolean {
  return ABSTRACT.test(name);
}

/** LVM's dashed form of a 32-character id: 6-4-4-4-4-4-6 (lvm.c inserts '-' after chars 5, 9, …, 25). */
export function lvmDashed(id32: string): string {
  const cuts = [6, 4, 4, 4, 4, 4, 6];
  const out: string[] = [];
  let at = 0;
  for (const n of cuts) {
    out.push(id32.slice(at, at + n));
    at += n;
  }
  return out.join('-');
}

/** Hex digits only, lower case: how uuids are compared (GRUB's grub_uuidcasecmp skips dashes). */
const bare = (uuid: string): string => uuid.replace(/[-:]/g, '').toLowerCase();

/** The kernel's md/uuid (%pU of the in-memory uuid) as GRUB's mduuid: 0.90 keeps each 32-bit word little-endian. */
function mdUuidFromSysfs(uuid: string, metadata: string): string | null {
  const hex = bare(uuid);
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  if (!metadata.startsWith('0.')) return hex;
  return (hex.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join('')).join('');
}

/** Canonical key of a GRUB name: uuids reduced to bare hex so both dashed and undashed forms match. */
function key(name: string): string {
  const m = /^(lvmid|mduuid|cryptouuid)\/(.*)$/.exec(name);
  if (m === null) return name;
  return `${m[1] as string}/${(m[2] as string)
    .split('/')
    .map((p) => bare(p))
    .join('/')}`;
}

/** GRUB name → kernel device name, for every abstract device the facts show. */
export function abstractAliases(f: AbstractFacts): Map<string, string> {
  const out = new Map<string, string>();
  const add = (name: string, kname: string): void => {
    const k = key(name);
    if (!out.has(k)) out.set(k, kname);
  };
  for (const [kname, { name, uuid }] of Object.entries(f.dm)) {
    const lvm = /^LVM-([0-9A-Za-z]{32})([0-9A-Za-z]{32})$/.exec(uuid);
    if (lvm !== null) {
      if (name !== '') add(`lvm/${name}`, kname);
      add(`lvmid/${lvmDashed(lvm[1] as string)}/${lvmDashed(lvm[2] as string)}`, kname);
    }
    const crypt = /^CRYPT-[A-Z0-9_]+-([0-9a-fA-F]{32})-/.exec(uuid);
    if (crypt !== null) add(`cryptouuid/${crypt[1] as string}`, kname);
  }
  for (const [link, kname] of Object.entries(f.byId)) {
    const lvm = /^dm-uuid-LVM-([0-9A-Za-z]{32})([0-9A-Za-z]{32})$/.exec(link);
    if (lvm !== null) add(`lvmid/${lvmDashed(lvm[1] as string)}/${lvmDashed(lvm[2] as string)}`, kname);
    const crypt = /^dm-uuid-CRYPT-[A-Z0-9_]+-([0-9a-fA-F]{32})-/.exec(link);
    if (crypt !== null) add(`cryptouuid/${crypt[1] as string}`, kname);
    const mdu = /^md-uuid-([0-9a-fA-F:]{35})$/.exec(link);
    if (mdu !== null) add(`mduuid/${mdu[1] as string}`, kname);
    const mdn = /^md-name-(.+)$/.exec(link);
    if (mdn !== null) add(`md/${(mdn[1] as string).replace(/^[^:]*:/, '')}`, kname);
  }
  for (const [kname, { uuid, metadata }] of Object.entries(f.md)) {
    const hex = mdUuidFromSysfs(uuid, metadata);
    if (hex !== null) add(`mduuid/${hex}`, kname);
    if (metadata.startsWith('0.')) add(`md/${kname}`, kname);
  }
  for (const [name, kname] of Object.entries(f.mdLinks)) add(`md/${name}`, kname);
  // A /dev/mapper name is an LV's "vg-lv" only when nothing says otherwise (no dm uuid known).
  for (const [name, kname] of Object.entries(f.mapper)) {
    const uuid = f.dm[kname]?.uuid ?? '';
    if (uuid === '' || uuid.startsWith('LVM-')) add(`lvm/${name}`, kname);
  }
  return out;
}

/** The kernel device a GRUB abstract name stands for, or null when no such volume is present. */
export function resolveAbstract(aliases: ReadonlyMap<string, string>, name: string): string | null {
  return aliases.get(key(name)) ?? null;
}

/** "vg--data-root" → ["vg-data", "root"]: device-mapper doubles each '-' inside the VG and LV names. */
function splitDmName(dm: string): [string, string] | null {
  const m = /^((?:[^-]|--)+)-((?:[^-]|--)+)$/.exec(dm);
  return m === null ? null : [(m[1] as string).replace(/--/g, '-'), (m[2] as string).replace(/--/g, '-')];
}

/**
 * Which volume an abstract name asks for and that it is missing, for messages ("LVM logical
 * volume vg/root is not active"); `where` ends the sentence ("on this machine").
 */
export function missingVolume(name: string, where: string): string {
  const [kind, ...rest] = name.split('/');
  const id = rest.join('/');
  switch (kind) {
    case 'lvm': {
      const vl = splitDmName(id);
      return vl === null ? `no LVM logical volume named ${id} is active ${where}` : `LVM logical volume ${vl[0]}/${vl[1]} is not active ${where}`;
    }
    case 'lvmid': {
      const [vg = '', lv = ''] = rest;
      return `no LVM logical volume with uuid ${lv} in a volume group with uuid ${vg} is active ${where}`;
    }
    case 'md':
      return `md RAID array ${id} is not assembled ${where}`;
    case 'mduuid':
      return `no md RAID array with uuid ${id} is assembled ${where}`;
    default:
      return `no LUKS volume with uuid ${id} is open ${where} (cryptsetup has not mapped it)`;
  }
}

/** What kind of volume a name asks for, for messages. */
export function abstractKind(name: string): string {
  if (name.startsWith('lvm')) return 'LVM logical volume';
  if (name.startsWith('md')) return 'md RAID array';
  return 'LUKS volume';
}
