/**
 * Contract between the GRUB evaluator (pure; src/boot/grub/) and its callers (plan/list).
 * The evaluator never touches the file system itself: it asks a GrubFs.
 */
import type { Diagnostic } from '../../errors.js';

/**
 * A GRUB device name without parentheses, e.g. "hd0,gpt2" or "uuid:1234-..." as GrubFs names it.
 * It must contain no blanks and no ')' (scripts expand $root unquoted, as GRUB does).
 */
export type GrubDevice = string;

/** What `search` found: the device, and the name GRUB gives it (the value of $root), e.g. a --hint. */
export type GrubSearchHit = { device: GrubDevice; name: GrubDevice };

export interface GrubFs {
  /** Device that holds the first grub.cfg ($prefix's device, initial $root). */
  readonly prefixDevice: GrubDevice;
  /** Reads a file on a device (path is absolute on that filesystem); null if absent. */
  readFile(device: GrubDevice, path: string): string | null;
  /** File names in a directory on a device; null if the directory is absent. */
  listDir(device: GrubDevice, path: string): string[] | null;
  /**
   * search --fs-uuid/--label/--file: the first matching device, or null when none matches.
   * hints: the --hint/--hint-<platform> device names in the order GRUB tries them; an
   * implementation may name the device it found after the first one (`name`): the evaluator then
   * reads that name as `device` and reports the binding in GrubResult.deviceNames.
   */
  search(kind: 'fs_uuid' | 'fs_label' | 'file', value: string, hints?: readonly string[]): GrubSearchHit | null;
  /**
   * `probe`: what GRUB would report for a device (GRUB's names: fs "ext2" for ext2/3/4, "fat",
   * driver "biosdisk"/"efidisk"/"diskfilter"/"cryptodisk", partmap "gpt"/"msdos"/"none").
   * null when the device is unknown; `known: false` when the device is known but this fact is not.
   * `platform` is $grub_platform (pc, efi, emu), for the firmware disk driver. Optional: without
   * it `probe` fails with a warning.
   */
  probe?(device: GrubDevice, target: ProbeTarget, platform: string): ProbeAnswer | null;
  /**
   * Why a file GRUB would load cannot be read, when the storage says so (a logical volume that is
   * not active, a ZFS dataset that is not mounted, a deleted btrfs snapshot), else null. The
   * reason names neither the device nor the path. Optional: loader commands then say nothing.
   */
  explain?(device: GrubDevice, path: string): string | null;
}

export type ProbeTarget = 'driver' | 'partmap' | 'fs' | 'fs_uuid' | 'label' | 'part_uuid';
export type ProbeAnswer = { known: true; value: string } | { known: false; why: string };

/**
 * A file as GRUB names it: on a device ("(dev)/p" or "/p" on $root). `at`: "file:line" of the
 * loader command (linux, initrd, module ...) that named it, for messages.
 */
export type GrubFile = { device: GrubDevice; path: string; written: string; at?: string };

export type BootSpec = {
  /** Which loader command: linux, linux16, linuxefi, multiboot, multiboot2 ... */
  loader: string;
  kernel: GrubFile;
  /** Arguments after the kernel path, after GRUB expansion and quote removal. */
  args: string[];
  initrds: GrubFile[];
  /** multiboot/multiboot2 only: `module` lines in order (file, then its arguments). */
  modules?: { file: GrubFile; args: string[] }[];
};

export type MenuEntry = {
  kind: 'entry';
  title: string;
  id: string;
  /** Index within its own menu level. */
  index: number;
  /**
   * What the entry boots (null when it loads no kernel, e.g. chainloader). Present once its body
   * ran: on the default path in evaluateGrub's menu, on every entry in expandMenu's.
   */
  boot?: BootSpec | null;
  /** Where it came from: 'menuentry' or 'bls:<file-id>'. */
  origin: string;
  /** --users value ('' for --unrestricted), null/absent when neither was given. */
  users?: string | null;
  /** --class values. */
  classes?: string[];
};

export type Submenu = {
  kind: 'submenu';
  title: string;
  id: string;
  index: number;
  /** Present once the submenu body ran: on the default path, and everywhere in expandMenu's menu. */
  children?: MenuNode[];
};

export type MenuNode = MenuEntry | Submenu;

/** An entry whose body ran. */
export type BootEntry = MenuEntry & { boot: BootSpec | null };

/** The whole menu with every body run (expandMenu). */
export type ExpandedNode = BootEntry | (Submenu & { children: ExpandedNode[] });

export type MenuExpansion = {
  menu: ExpandedNode[];
  /** The result's diagnostics followed by those of the bodies run to expand the menu. */
  diagnostics: Diagnostic[];
  /** GrubResult.deviceNames with the names those bodies' searches gave. */
  deviceNames: Record<GrubDevice, GrubDevice>;
};

export type GrubSelection = {
  /** Indexes at each level, e.g. [1, 0]. */
  indexPath: number[];
  /** '>'-joined ids, GRUB's $chosen. */
  idPath: string;
  /** '>'-joined titles. */
  titlePath: string;
  entry: BootEntry;
};

/**
 * Plain data: the default path is evaluated, other entries and submenus are not (see expandMenu
 * and entryBoot). Nothing in it changes after evaluateGrub returns.
 */
export type GrubResult = {
  menu: MenuNode[];
  /**
   * Names `search` gave to devices ("hd0,gpt2" → the GrubFs device it found). A GrubFile's device
   * may be such a name: deviceOf() gives the device to read it from.
   */
  deviceNames: Record<GrubDevice, GrubDevice>;
  /** Final value of $default after the whole script (and env) ran, or null when unset. */
  defaultVar: string | null;
  fallbackVar: string | null;
  /** null when the menu is empty. */
  selection: GrubSelection | null;
  /** grubenv variables read by load_env (so callers can clear next_entry). */
  env: Record<string, string>;
  /** True when the script consumed next_entry (grub-reboot one-shot). */
  usedNextEntry: boolean;
  /** Variable names the script passed to save_env (recorded, never written). */
  savedEnvVars?: string[];
  /**
   * "file:line: why" for every command run by the script or the default entry's body whose
   * outcome in GRUB we could not know (an unsupported command, `probe` of a device or fact the
   * device table lacks, a `regexp` we cannot evaluate): the selection may differ from GRUB's.
   */
  uncertain?: string[];
  diagnostics: Diagnostic[];
};

export type GrubFlavor = 'upstream' | 'redhat';

export type EvaluateOptions = {
  fs: GrubFs;
  /** Path of grub.cfg on fs.prefixDevice, e.g. "/boot/grub/grub.cfg". */
  configPath: string;
  /**
   * How diagnostics name grub.cfg ("<configName>:<line>"); defaults to configPath. kexecctl
   * passes the running-system path, which is what a reader can open (/boot/grub/grub.cfg
   * rather than /grub/grub.cfg on a separate /boot, or /ROOT/pve-1@/boot/grub/grub.cfg on ZFS).
   */
  configName?: string;
  /** $prefix directory on fs.prefixDevice, e.g. "/boot/grub". Defaults to dirname(configPath). */
  prefix?: string;
  flavor?: GrubFlavor;
  /** Platform variables: grub_platform ('pc' | 'efi'), grub_cpu ('x86_64' | 'i386' | 'arm64'). */
  platform?: { grub_platform?: string; grub_cpu?: string };
  /** Hard limits so hostile input always ends. */
  limits?: { maxSteps?: number; maxDepth?: number; maxSourceDepth?: number };
};
