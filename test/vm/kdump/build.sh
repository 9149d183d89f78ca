# shellcheck shell=bash
# Builds the kdump proof's initramfs (needs test/vm/lib/vm.sh); sourced by run.sh.
#   kxd_build WORK   writes WORK/initrd.img = base.img + boot.cpio, where
#     base.img   busybox, /init, /kxt/scenario.sh (test/vm/kdump/scenario.sh), node 18, the built project,
#                virtio_blk, /etc/hostname; zstd, padded to 512 bytes. It is also the crash kernel's initrd.
#     boot.cpio  /boot/vmlinuz-<release> (the same Debian kernel) and /boot/initrd.img-<release> (= base.img),
#                so `kdumpctl start` finds them where Debian keeps them.
#   Sets KXD_BASE_SIZE and KXD_INITRD_SIZE (bytes).
KXD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kxd_pad512() {
  local s
  s=$(stat -c %s "$1")
  truncate -s $(((s + 511) / 512 * 512)) "$1"
}

kxd_build() {
  local work=$1 tree="$1/tree" boot="$1/boot"
  kx_initramfs_base "$tree"
  kx_initramfs_add_node "$tree"
  kx_initramfs_add_project "$tree"
  kx_modules_install "$tree" virtio_blk
  kx_initramfs_add_file "$tree" "$KXD_DIR/scenario.sh" /kxt/scenario.sh
  chmod 755 "$tree/kxt/scenario.sh"
  printf 'kdumpvm\n' >"$tree/etc/hostname"
  kx_cpio "$tree" "$work/base.img" zstd
  kxd_pad512 "$work/base.img"
  rm -rf "$boot"
  mkdir -p "$boot/boot"
  cp "$KX_KERNEL" "$boot/boot/vmlinuz-$KX_KERNEL_VERSION"
  cp "$work/base.img" "$boot/boot/initrd.img-$KX_KERNEL_VERSION"
  chmod 644 "$boot/boot/"*
  kx_cpio "$boot" "$work/boot.cpio" none
  cat "$work/base.img" "$work/boot.cpio" >"$work/initrd.img"
  rm -rf "$tree" "$boot" "$work/boot.cpio"
  KXD_BASE_SIZE=$(stat -c %s "$work/base.img")
  KXD_INITRD_SIZE=$(stat -c %s "$work/initrd.img")
  export KXD_BASE_SIZE KXD_INITRD_SIZE
}
