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
#                      capture system runs as kdump.conf's core_collector; Debian's ssh client (/usr/bin/ssh) for the
#                      ssh dump target, and the files of KXD_SSH_GUEST (ssh-server.sh: the kdump key, known_hosts).
#                      For the NFS target (nfs-server.sh): Debian's util-linux mount as /opt/kxt-nfs/mount (the
#                      scenario puts it first in PATH for that save only; busybox's mount cannot negotiate NFSv4)
#                      and nfs-common's /sbin/mount.nfs, its helper.
#                      The small initramfs also loads virtio_net (QEMU's user network, ssh-server.sh), nfs and nfsv4.
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

# Debian's ssh client and its shared libraries, extracted once into the cache.
kxd_ssh_client_fetch() {
  local root="$KX_CACHE/openssh-client" pkg
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    # The packages of what ssh loads (libfido2 and the rest of its closure are only for hardware keys).
    for pkg in openssh-client libc6 zlib1g libssl3 libselinux1 libpcre2-8-0 libgssapi-krb5-2 libkrb5-3 libk5crypto3 \
      libkrb5support0 libcom-err2 libkeyutils1; do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    touch "$root/.done"
  fi
  KXD_SSH_CLIENT_ROOT=$root
}

# Debian's mount (util-linux) and mount.nfs (nfs-common) with their libraries, extracted once.
kxd_nfs_client_fetch() {
  local root="$KX_CACHE/nfs-client" pkg
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    # The packages of what mount and mount.nfs load (their whole closure is ten times larger).
    for pkg in mount nfs-common libc6 libblkid1 libmount1 libselinux1 libpcre2-8-0 libtirpc3 libgssapi-krb5-2 libkrb5-3 \
      libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1; do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    touch "$root/.done"
  fi
  KXD_NFS_CLIENT_ROOT=$root
}

# kxd_nfs_client_install TREE: /opt/kxt-nfs/mount and /sbin/mount.nfs, libraries in /lib/x86_64-linux-gnu.
kxd_nfs_client_install() {
  local tree=$1 stage="$1.nfs-stage"
  kxd_nfs_client_fetch
  rm -rf "$stage"
  kx_copy_elf "$KXD_NFS_CLIENT_ROOT" bin/mount "$stage"
  kx_copy_elf "$KXD_NFS_CLIENT_ROOT" sbin/mount.nfs "$stage"
  mkdir -p "$tree/opt/kxt-nfs" "$tree/sbin"
  cp -n "$stage/lib/x86_64-linux-gnu/"* "$tree/lib/x86_64-linux-gnu/"
  cp "$stage/bin/mount" "$tree/opt/kxt-nfs/mount"
  cp "$stage/sbin/mount.nfs" "$tree/sbin/mount.nfs"
  rm -rf "$stage"
}

kxd_build() {
  local work=$1 small="$1/initrd-tree" tree="$1/root-tree"
  kx_initramfs_base "$small"
  cp "$KXD_DIR/initrd-init.sh" "$small/init"
  chmod 755 "$small/init"
  mkdir -p "$small/newroot"
  kx_modules_install "$small" virtio_pci virtio_blk virtio_net nfs nfsv4
  kx_cpio "$small" "$work/initrd.img" zstd

  kx_initramfs_base "$tree"
  kx_initramfs_add_node "$tree"
  kx_initramfs_add_project "$tree"
  kx_initramfs_add_file "$tree" "$KXD_DIR/scenario.sh" /kxt/scenario.sh
  kxd_makedumpfile_fetch
  kx_copy_elf "$KXD_MAKEDUMPFILE_ROOT" usr/bin/makedumpfile "$tree"
  kxd_ssh_client_fetch
  kx_copy_elf "$KXD_SSH_CLIENT_ROOT" usr/bin/ssh "$tree"
  kxd_nfs_client_install "$tree"
  [ -n "${KXD_SSH_GUEST:-}" ] && cp -a "$KXD_SSH_GUEST/." "$tree/"
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
