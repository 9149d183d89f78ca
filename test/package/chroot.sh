# shellcheck shell=bash
# Debian 12 chroot for the package tier: a cached debootstrap base tarball, unpacked fresh for
# every run, with the guards that keep maintainer scripts away from the host's kernel and init.
# Source after test/vm/lib/common.sh (kx_debian_mirror, KX_CACHE, kx_log).
#
#   pkg_base_tarball            prints the cached base tarball, building it once (debootstrap)
#   pkg_chroot_up DIR           unpack the base into DIR, add policy-rc.d, mount /proc (with /proc/sys
#                               and /proc/sysrq-trigger read-only), bind the apt cache
#   pkg_chroot_down DIR         unmount what pkg_chroot_up mounted (safe to call twice)
#   pkg_in DIR CMD...           run CMD in the chroot with the guard environment

PKG_SUITE=bookworm
PKG_BASE_VERSION=1   # bump when the base's contents change

pkg_base_tarball() {
  local dir="$KX_CACHE/package" tarball mirror tmp
  tarball="$dir/debian-$PKG_SUITE-minbase-v$PKG_BASE_VERSION.tar.zst"
  if [ -s "$tarball" ]; then printf '%s\n' "$tarball"; return 0; fi
  mkdir -p "$dir"
  mirror=$(kx_debian_mirror)
  tmp=$(mktemp -d "$dir/base.XXXXXX")
  kx_log "debootstrap $PKG_SUITE (minbase) from $mirror into the cache, once"
  if ! debootstrap --variant=minbase --include=init-system-helpers,ca-certificates \
      "$PKG_SUITE" "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    tail -n 20 "$tmp/debootstrap.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  # Package lists for the install step (refreshed by the test when the mirror has moved on).
  printf 'deb %s %s main\n' "$mirror" "$PKG_SUITE" >"$tmp/root/etc/apt/sources.list"
  chroot "$tmp/root" apt-get update -qq >/dev/null 2>&1 || kx_log "apt-get update in the base failed; retried at install"
  chroot "$tmp/root" apt-get clean
  tar --zstd -C "$tmp/root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$tmp"
  printf '%s\n' "$tarball"
}

pkg_chroot_up() {
  local dir=$1 tarball
  tarball=$(pkg_base_tarball) || return 1
  mkdir -p "$dir"
  tar --zstd -C "$dir" -xf "$tarball"
  # invoke-rc.d and deb-systemd-invoke ask policy-rc.d: 101 = never start or stop anything.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
  mount -t proc proc "$dir/proc"
  # Nothing in the chroot may set kernel.kexec_load_disabled or other sysctls, or send a sysrq to the
  # host (as container runtimes do): read-only binds over the host's /proc/sys and sysrq-trigger.
  local p
  for p in sys sysrq-trigger; do
    [ -e "$dir/proc/$p" ] || continue # a kernel without CONFIG_MAGIC_SYSRQ has no sysrq-trigger
    mount --bind "$dir/proc/$p" "$dir/proc/$p" && mount -o remount,bind,ro "$dir/proc/$p" || return 1
  done
  mkdir -p "$KX_CACHE/package/apt-archives/partial" "$dir/var/cache/apt/archives"
  mount --bind "$KX_CACHE/package/apt-archives" "$dir/var/cache/apt/archives"
}

pkg_chroot_down() {
  local dir=$1
  mountpoint -q "$dir/var/cache/apt/archives" && umount "$dir/var/cache/apt/archives"
  local p
  for p in sysrq-trigger sys; do
    findmnt -rn --mountpoint "$dir/proc/$p" >/dev/null 2>&1 && umount "$dir/proc/$p"
  done
  mountpoint -q "$dir/proc" && umount -l "$dir/proc"
  return 0
}

# The guard environment: the kernel refuses kexec_load, kexec_file_load and reboot(2) to every
# process in the chroot (CAP_SYS_BOOT dropped from the bounding set, so not even a setuid binary gets
# it back) and CAP_NET_ADMIN (no ifdown of the host's interfaces, which a C `kexec -e` does before reboot),
# in its own PID namespace (no signal reaches the host's init); KEXECCTL_FAKE
# sends every syscall of every kexecctl process to a file-backed fake, KEXECCTL_TEST=1 makes asking
# for the real binding an error, and the package's scripts skip loading in a chroot anyway.
# test/package/kexec-guard.sh checks these fences.
pkg_in() {
  local dir=$1; shift
  setpriv --bounding-set -sys_boot,-net_admin --inh-caps -sys_boot,-net_admin -- unshare --pid --fork --kill-child -- \
    chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive KEXECCTL_TEST=1 KEXECCTL_FAKE=/run/kexecctl-fake.json "$@"
}
