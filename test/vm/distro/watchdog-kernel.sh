# shellcheck shell=bash
# The distro tier's watchdog variant (issue 12; sourced by build-image.sh, needs test/vm/lib/common.sh):
# Debian's generic kernel, whose i6300esb driver the cloud flavour lacks, installed with dpkg into a
# copy of the systemd base (no debootstrap of its own). The package is the one linux-image-amd64
# depends on, from the same download cache as the other tiers' kernels (kx_deb_download), or
# KEXECCTL_WATCHDOG_KERNEL_PKG=linux-image-<ver>-amd64.
#   WD_REBOOT_SEC                      KEXEC_WATCHDOG_SEC of the image (every kexec reboot arms it)
#   wd_install_generic_kernel ROOT OUT installs it, sets WD_KERNEL (e.g. 6.1.0-56-amd64)
WD_REBOOT_SEC=60
export WD_REBOOT_SEC

wd_install_generic_kernel() {
  local root=$1 out=$2 pkg deb t
  t=$(date +%s)
  pkg=${KEXECCTL_WATCHDOG_KERNEL_PKG:-}
  if [ -z "$pkg" ]; then
    kx_apt_ready
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ {print $2; exit}')
    [ -n "$pkg" ] || { echo "distro: cannot resolve linux-image-amd64 to a versioned kernel package" >&2; return 1; }
  fi
  deb=$(kx_deb_download "$pkg") || return 1
  WD_KERNEL=${pkg#linux-image-}
  # Its initrd carries only what QEMU's root=/dev/vda needs (initramfs-tools' MODULES=most would put
  # every storage driver of the generic flavour in, which costs build time and unpacking under TCG).
  printf 'MODULES=list\n' >"$root/etc/initramfs-tools/conf.d/kx-watchdog.conf"
  printf '%s\n' virtio_pci virtio_blk ext4 >>"$root/etc/initramfs-tools/modules"
  cp "$deb" "$root/tmp/linux-image.deb"
  # As for the project's .deb: no process in the chroot can reach the host's kernel (CAP_SYS_BOOT).
  setpriv --bounding-set -sys_boot --inh-caps -sys_boot -- chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/linux-image.deb >"$out/dpkg-kernel.log" 2>&1 || {
    tail -20 "$out/dpkg-kernel.log" >&2
    return 1
  }
  rm -f "$root/tmp/linux-image.deb"
  [ -s "$root/boot/vmlinuz-$WD_KERNEL" ] && [ -s "$root/boot/initrd.img-$WD_KERNEL" ] || {
    echo "distro: $pkg left no vmlinuz or initrd in /boot" >&2
    return 1
  }
  echo "[distro-image $(date +%T)] $pkg installed in $(($(date +%s) - t)) s (initrd $(du -h "$root/boot/initrd.img-$WD_KERNEL" | cut -f1))" >&2
}
