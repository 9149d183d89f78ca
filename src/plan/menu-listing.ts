/**
 * `kexecctl list`: the boot loader's whole menu as it would show it (GRUB's tree with submenus,
 * or systemd-boot's sorted entries), the default marked, each entry with the files and command
 * line it would boot, mapped to running-system paths.
 */
import { grubCmdline } from '../boot/grub/cmdline.js';
import { expandMenu } from '../boot/grub/menu-expand.js';
import type { ExpandedNode, GrubDevice } from '../boot/grub/types.js';
import { KexecError, formatDiagnostic } from '../errors.js';
import type { RootFs } from '../host/rootfs.js';
import { blsPath, scanBls, type BlsItem, type BlsMenu } from './bls-source.js';
import { evaluateSystemGrub, grubFilePath, type GrubMenu } from './grub-source.js';
import { efiArch } from './system-plan.js';

export type ListNode = {
  kind: 'entry' | 'submenu';
  index: number;
  title: string;
  id: string;
  /** ">"-joined id path. */
  path: string;
  default: boolean;
  /** Running-system paths; null when the file is missing (see *Written). */
  kernel: string | null;
  kernelWritten: string | null;
  initrd: (string | null)[];
  initrdWritten: string[];
  cmdline: string | null;
  children?: ListNode[];
};

export type MenuListing = {
  source: 'grub' | 'bls';
  config: string;
  /** Path of the default entry, null when the menu is empty. */
  default: string | null;
  usedNextEntry: boolean;
  grubenv: string | null;
  entries: ListNode[];
  warnings: string[];
};

type Names = Readonly<Record<GrubDevice, GrubDevice>>;

function grubNodes(menu: GrubMenu, names: Names, nodes: readonly ExpandedNode[], parent: string, selected: number[] | null): ListNode[] {
  return nodes.map((n, i) => {
    const path = parent === '' ? n.id : `${parent}>${n.id}`;
    const onPath = selected !== null && selected[0] === i;
    if (n.kind === 'submenu') {
      return {
        kind: 'submenu',
        index: n.index,
        title: n.title,
        id: n.id,
        path,
        default: false,
        kernel: null,
        kernelWritten: null,
        initrd: [],
        initrdWritten: [],
        cmdline: null,
        children: grubNodes(menu, names, n.children, path, onPath ? selected.slice(1) : null),
      };
    }
    const b = n.boot;
    return {
      kind: 'entry',
      index: n.index,
      title: n.title,
      id: n.id,
      path,
      default: onPath && selected.length === 1,
      kernel: b === null ? null : grubFilePath(menu, b.kernel, names),
      kernelWritten: b?.kernel.written ?? null,
      initrd: b === null ? [] : b.initrds.map((f) => grubFilePath(menu, f, names)),
      initrdWritten: b === null ? [] : b.initrds.map((f) => f.written),
      cmdline: b === null ? null : grubCmdline(b),
    };
  });
}

function grubListing(menu: GrubMenu): MenuListing {
  const r = menu.result;
  // Every entry's body runs here (GRUB runs them only when booted); their diagnostics are listed too.
  const all = expandMenu(r);
  return {
    source: 'grub',
    config: menu.location.path,
    default: r.selection?.idPath ?? null,
    usedNextEntry: r.usedNextEntry,
    grubenv: menu.grubenv,
    entries: grubNodes(menu, all.deviceNames, all.menu, '', r.selection?.indexPath ?? null),
    warnings: all.diagnostics.map(formatDiagnostic),
  };
}

function blsListing(rootfs: RootFs, menu: BlsMenu): MenuListing {
  const existing = (item: BlsItem, p: string): string | null => {
    const real = blsPath(rootfs, item, p);
    return rootfs.isFile(real) ? real : null;
  };
  const def = menu.choice === null ? null : (menu.items[menu.choice.index]?.entry.id ?? null);
  return {
    source: 'bls',
    config: menu.loaderConf ?? 'loader/entries',
    default: def,
    usedNextEntry: menu.choice?.by === 'oneshot',
    grubenv: null,
    entries: menu.items.map((item, i) => {
      const e = item.entry;
      return {
        kind: 'entry',
        index: i,
        title: e.title ?? e.id,
        id: e.id,
        path: e.id,
        default: menu.choice?.index === i,
        kernel: e.linux === null ? null : existing(item, e.linux),
        kernelWritten: e.linux ?? e.efi,
        initrd: e.initrd.map((p) => existing(item, p)),
        initrdWritten: e.initrd,
        cmdline: e.options === '' ? null : e.options,
      };
    }),
    warnings: menu.diagnostics.map(formatDiagnostic),
  };
}

export function listBootMenu(rootfs: RootFs): MenuListing {
  const grub = evaluateSystemGrub(rootfs);
  if (grub !== null) return grubListing(grub);
  const bls = scanBls(rootfs, efiArch());
  if (bls !== null) return blsListing(rootfs, bls);
  throw new KexecError({
    code: 'ENOBOOTMENU',
    message: 'no boot loader menu found: no grub.cfg (/boot/grub, /boot/grub2, ESP) and no loader/entries (/efi, /boot, /boot/efi)',
  });
}
