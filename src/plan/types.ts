/**
 * What a reboot would load, as data. `kexecctl plan --json` prints a KexecPlan as is;
 * `kexecctl load` (no --kernel) and `kexecctl reboot` apply it.
 */
export type PlanSource = 'debian-default' | 'grub' | 'bls' | 'template' | 'cli';

export type PlanEntry = {
  title: string;
  id: string;
  /** ">"-joined id path (GRUB's $chosen) for GRUB; the entry id for BLS. */
  path: string;
};

export type KexecPlan = {
  action: 'load' | 'skip';
  /** Why this plan: what was chosen and by which setting, or why nothing is loaded. */
  reason: string;
  /** In-root path with symlinks resolved; null when skipping. */
  kernel: string | null;
  /** Concatenated in order. */
  initrd: string[];
  cmdline: string | null;
  entry: PlanEntry | null;
  source: PlanSource;
  warnings: string[];
  /** GRUB consumed grubenv's one-shot next_entry (grub-reboot): a caller may clear it after loading. */
  usedNextEntry: boolean;
  /** In-root path of the grubenv GRUB read, or null. */
  grubenv: string | null;
};

/** A boot target found by a source, before the command-line rules and validation. */
export type BootChoice = {
  source: PlanSource;
  reason: string;
  /** In-root kernel path (resolved). */
  kernel: string;
  initrd: string[];
  /** Initrds that were only a default (Debian's /initrd.img): missing ones are dropped with a warning. */
  optionalInitrd?: string[];
  /** The command line the boot loader would pass; null means "reuse /proc/cmdline". */
  cmdline: string | null;
  entry: PlanEntry | null;
  usedNextEntry: boolean;
  grubenv: string | null;
  warnings: string[];
};

/** Facts about one file, gathered by the system side for the pure validation. */
export type FileFacts = {
  path: string;
  exists: boolean;
  isFile: boolean;
  uid: number | null;
  mode: number | null;
};

export type KernelFacts = FileFacts & {
  /** parseKernelImage's answer, or its error message. */
  image: { format: 'x86-bzimage' | 'arm64-image'; cmdlineSize: number; release: string | null } | { error: string } | null;
  /** Whether /lib/modules/<release> (or /usr/lib/modules/<release>) exists; null when the release is unknown. */
  modulesPresent: boolean | null;
};
