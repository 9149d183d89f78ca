# shellcheck shell=bash
# Builds the kdump proof's guest (needs test/vm/lib/vm.sh); sourced by run.sh.
#   kxd_build WORK   writes
#     WORK/initrd.img  a small initramfs: busybox, virtio_blk and test/vm/kdump/initrd-init.sh as /init,
#                      which mounts root= and switches to it. Both kernels boot it: it is also the
#                      crash kernel's initrd (/boot/initrd.img-<release> on the root disk).
#     WORK/disk.img    the root file system (ext4 without a journal, so the host can read it back with
#                      debugfs after a crash), made with mke2fs -d: busybox, the generic test /init,
#                      /kxt/scenario.sh (test/vm/kdump/scenario.sh), node 18, the built project,
#                      /boot/vmlinuz-<release> + /boot/initrd.img-<release>, /etc/hostname, /var/crash,
#                      and Debian's makedumpfile (/usr/bin/makedumpfile, where Debian puts it, with its shared libraries), which the
#                      capture system runs as kdump.conf's core_collector.
#   Sets KXD_INITRD_SIZE and KXD_ROOT_SIZE (bytes).
KXD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Debian's makedumpfile and its shared libraries, extracted once into the cache.
kxd_makedumpfile_fetch() {
  local root="$KX_CACHE/makedumpfile" pkg
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    for pkg in $(kx_deb_closure makedumpfile libc6 zlib1g); do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    touch "$root/.done"
  fi
  KXD_MAKEDUMPFILE_ROOT=$root
}

kxd_build() {
  local work=$1 small="$1/initrd-tree" tree="$1/root-tree"
  kx_initramfs_base "$small"
  cp "$KXD_DIR/initrd-init.sh" "$small/init"
  chmod 755 "$small/init"
  mkdir -p "$small/newroot"
  kx_modules_install "$small" virtio_pci virtio_blk
  kx_cpio "$small" "$work/initrd.img" zstd

  kx_initramfs_base "$tree"
  kx_initramfs_add_node "$tree"
  kx_initramfs_add_project "$tree"
  kx_initramfs_add_file "$tree" "$KXD_DIR/scenario.sh" /kxt/scenario.sh
  kxd_makedumpfile_fetch
  kx_copy_elf "$KXD_MAKEDUMPFILE_ROOT" usr/bin/makedumpfile "$tree"
  chmod 755 "$tree/kxt/scenario.sh"
  printf 'kdumpvm\n' >"$tree/etc/hostname"
  mkdir -p "$tree/boot" "$tree/var/crash"
  cp "$KX_KERNEL" "$tree/boot/vmlinuz-$KX_KERNEL_VERSION"
  cp "$work/initrd.img" "$tree/boot/initrd.img-$KX_KERNEL_VERSION"
  chmod 644 "$tree/boot/"*
  KXD_ROOT_SIZE=$(du -sb "$tree" | cut -f1)
  truncate -s 2G "$work/disk.img"
  mke2fs -q -F -t ext4 -O ^has_journal -L kdumproot -d "$tree" "$work/disk.img" || kx_die "mke2fs -d failed"
  rm -rf "$small" "$tree"
  KXD_INITRD_SIZE=$(stat -c %s "$work/initrd.img")
  export KXD_INITRD_SIZE KXD_ROOT_SIZE
}
