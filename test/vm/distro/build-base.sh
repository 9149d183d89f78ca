#!/usr/bin/env bash
# Builds (or reuses) the cached Debian 12 base root filesystems for the distro tier:
#   $DISTRO_CACHE/base-<hash>/systemd   debootstrap + systemd-sysv + nodejs + two cloud kernels + grub-common
#   $DISTRO_CACHE/base-<hash>/sysvinit  the same with sysvinit-core replacing systemd-sysv
#   $DISTRO_CACHE/base-<hash>/dracut    the systemd base with dracut replacing initramfs-tools (issue 12)
# <hash> covers the recipe revision and the package list, so a warm run reuses them; nothing of the project is in here
# (the project layer is applied on a copy at every run, see build-image.sh).
# Usage: build-base.sh [systemd|sysvinit|dracut|all]   prints the base directory on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/vm/distro/mirror.sh
. "$here/mirror.sh"

SUITE=bookworm
PKGS="systemd-sysv udev dbus nodejs linux-image-cloud-amd64 initramfs-tools grub-common grub2-common e2fsprogs kmod procps iproute2 util-linux login passwd"
CACHE=${KEXECCTL_CACHE:-/var/cache/kexecctl-test}/distro
want=${1:-all}

# Bump BASE_REV when the recipe below changes in a way that must rebuild the cached bases.
BASE_REV=1
hash=$(echo "$BASE_REV $SUITE $PKGS" | sha256sum | cut -c1-12)
base="$CACHE/base-$hash"
mkdir -p "$base"
log() { echo "[distro-base $(date +%T)] $*" >&2; }

in_chroot() { chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "${@:2}"; }

mount_chroot() {
  mount -t proc proc "$1/proc"; mount -t sysfs sys "$1/sys"; mount --bind /dev "$1/dev"; mount --bind /dev/pts "$1/dev/pts"
}
umount_chroot() {
  local m
  for m in dev/pts dev sys proc; do umount -l "$1/$m" 2>/dev/null || true; done
}

build_systemd() {
  local dir="$base/systemd" tmp="$base/systemd.tmp" mirror sec
  [ -f "$dir/.complete" ] && return 0
  mirror=$(distro_mirror); sec=$(distro_security_mirror)
  rm -rf "$tmp"; mkdir -p "$tmp"
  log "debootstrap $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$tmp" "$mirror" >"$base/debootstrap.log" 2>&1 \
    || { tail -20 "$base/debootstrap.log" >&2; return 1; }
  {
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
    [ -n "$sec" ] && echo "deb $sec $SUITE-security main"
  } >"$tmp/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod +x "$tmp/usr/sbin/policy-rc.d"
  trap 'umount_chroot "$tmp"' EXIT
  mount_chroot "$tmp"
  in_chroot "$tmp" apt-get update -qq
  # Two kernel ABIs: the newest cloud kernel (the metapackage's) and the one the plain suite ships, or
  # else the next older ABI the archive still has.
  local newk oldk
  # shellcheck disable=SC2016
  newk=$(in_chroot "$tmp" apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-6[^ ]*-cloud-amd64\)$/\1/p' | head -n1)
  oldk=$(in_chroot "$tmp" apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-cloud-amd64$' | awk '{print $1}' \
    | grep -vx "$newk" | sort -V | tail -n1)
  log "kernels: $newk (default) and $oldk (older)"
  # shellcheck disable=SC2086 # PKGS is a word list
  in_chroot "$tmp" apt-get install -y -qq --no-install-recommends $PKGS "$oldk" >"$base/apt.log" 2>&1 \
    || { tail -30 "$base/apt.log" >&2; return 1; }
  in_chroot "$tmp" apt-get clean
  umount_chroot "$tmp"; trap - EXIT
  touch "$tmp/.complete"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "systemd base ready: $(du -sh "$dir" | cut -f1)"
}

build_sysvinit() {
  local dir="$base/sysvinit" tmp="$base/sysvinit.tmp"
  [ -f "$dir/.complete" ] && return 0
  build_systemd
  rm -rf "$tmp"; cp -a "$base/systemd" "$tmp"; rm -f "$tmp/.complete"
  trap 'umount_chroot "$tmp"' EXIT
  mount_chroot "$tmp"
  log "sysvinit-core"
  in_chroot "$tmp" apt-get update -qq
  in_chroot "$tmp" apt-get install -y -qq --no-install-recommends sysvinit-core sysv-rc initscripts orphan-sysvinit-scripts >"$base/apt-sysv.log" 2>&1 \
    || { tail -30 "$base/apt-sysv.log" >&2; return 1; }
  in_chroot "$tmp" apt-get clean
  umount_chroot "$tmp"; trap - EXIT
  touch "$tmp/.complete"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "sysvinit base ready"
}

# --- dracut (issue 12): the systemd base with dracut's initrds, so that the shutdown goes through
# dracut-shutdown.service and /run/initramfs. Its own recipe revision: a change here rebuilds only it.
DRACUT_REV=1
build_dracut() {
  local dir="$base/dracut" tmp="$base/dracut.tmp"
  [ "$(cat "$dir/.complete" 2>/dev/null)" = "$DRACUT_REV" ] && return 0
  build_systemd
  rm -rf "$tmp"; cp -a "$base/systemd" "$tmp"; rm -f "$tmp/.complete"
  # Not host-only (the build host's disks are not the guest's), and only what QEMU's direct boot of
  # root=/dev/vda needs, plus the shutdown module (dracut-shutdown.service's /run/initramfs):
  # dracut's default initrd carries every storage driver and tool (dm, crypt, md), which costs
  # minutes to build in the chroot and time to unpack under TCG.
  mkdir -p "$tmp/etc/dracut.conf.d"
  printf '%s\n' 'hostonly="no"' 'dracutmodules="systemd systemd-initrd dracut-systemd base fs-lib rootfs-block kernel-modules udev-rules shutdown"' \
    'drivers="virtio_pci virtio_blk ext4"' 'filesystems="ext4"' 'compress="gzip"' >"$tmp/etc/dracut.conf.d/10-kexecctl-test.conf"
  trap 'umount_chroot "$tmp"' EXIT
  mount_chroot "$tmp"
  log "dracut"
  in_chroot "$tmp" apt-get update -qq
  in_chroot "$tmp" apt-get install -y -qq --no-install-recommends dracut >"$base/apt-dracut.log" 2>&1 \
    || { tail -30 "$base/apt-dracut.log" >&2; return 1; }
  ls -l "$tmp/boot" >>"$base/apt-dracut.log"
  in_chroot "$tmp" apt-get clean
  umount_chroot "$tmp"; trap - EXIT
  echo "$DRACUT_REV" >"$tmp/.complete"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "dracut base ready"
}

case $want in
  systemd) build_systemd ;;
  sysvinit) build_sysvinit ;;
  dracut) build_dracut ;;
  all) build_systemd; build_sysvinit ;;
  *) echo "usage: $0 [systemd|sysvinit|dracut|all]" >&2; exit 2 ;;
esac
echo "$base"
