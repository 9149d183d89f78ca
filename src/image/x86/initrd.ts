/**
 * Several initrd files as one ramdisk: each part starts on a 4-byte boundary with zero bytes
 * between, as GRUB's `initrd a b c` does (grub-core/loader/i386/linux.c, ALIGN_UP(size, 4)); the
 * kernel's initramfs unpacker skips the zero padding between cpio archives (init/initramfs.c).
 * The layout lets a caller read each file straight into its place in one buffer.
 */
export type InitrdLayout = { offsets: number[]; total: number };

export function initrdLayout(lengths: readonly number[]): InitrdLayout {
  const offsets: number[] = [];
  let at = 0;
  lengths.forEach((len, i) => {
    offsets.push(at);
    at += len;
    if (i < lengths.length - 1) at = Math.ceil(at / 4) * 4;
  });
  return { offsets, total: at };
}

/** The parts joined per initrdLayout; a single part is returned as is (no copy); none gives null. */
export function joinInitrds(parts: readonly Uint8Array[]): Uint8Array | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] as Uint8Array;
  const layout = initrdLayout(parts.map((p) => p.length));
  const out = new Uint8Array(layout.total);
  parts.forEach((p, i) => out.set(p, layout.offsets[i] as number));
  return out;
}
