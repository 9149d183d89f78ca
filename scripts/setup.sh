#!/usr/bin/env bash
# Installs everything the build and the test tiers need, from Debian's packages and npm.
# Idempotent: a warm machine skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(ansible-core ansible-lint openssh-client qemu-system-x86 qemu-utils busybox-static cpio debootstrap rpm lintian shellcheck systemd ovmf e2fsprogs zstd xz-utils lz4 bzip2 lzop fakeroot dpkg-dev rpmlint kmod qemu-system-arm binutils-aarch64-linux-gnu systemd-boot-efi grub-emu)
# The arm64 .deb's shlibs (dpkg-shlibdeps with DEB_HOST_ARCH=arm64) read libstdc++6:arm64's symbols;
# the aarch64 guest tier downloads arm64 packages too.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$(id -u)" -eq 0 ] || { echo "setup: root is needed for dpkg --add-architecture arm64" >&2; exit 1; }
  dpkg --add-architecture arm64
  apt-get update -qq
fi
pkgs+=(libstdc++6:arm64)
need=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: root is needed to install ${need[*]}: run this as root (or: sudo -E bash scripts/setup.sh)" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm 11 can write a lock file that its own `npm ci` then rejects (it leaves out rollup's
  # optional per-platform packages); fall back to an install that honours the locked versions.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
fi
