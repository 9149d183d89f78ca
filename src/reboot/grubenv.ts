/**
 * GRUB clears grubenv's one-shot next_entry when it boots it ("set next_entry=; save_env
 * next_entry" in update-grub's header). A kexec skips GRUB, so we do the same at the moment the
 * loaded kernel is about to be booted. Like GRUB's save_env, the 1024-byte block is rewritten in
 * place with the same size: the line becomes "next_entry=" and the freed bytes become '#' padding.
 */
export function withoutNextEntry(block: string): string | null {
  const lines = block.split('\n');
  let changed = false;
  const kept = lines.map((l) => {
    if (/^next_entry=./.test(l)) {
      changed = true;
      return 'next_entry=';
    }
    return l;
  });
  if (!changed) return null;
  // Drop the old padding, then pad back to the original size (GRUB's block is fixed-size).
  const body = kept.join('\n').replace(/#+$/, '');
  const pad = block.length - body.length;
  if (pad < 0) return null;
  return body + '#'.repeat(pad);
}
