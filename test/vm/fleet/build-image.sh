#!/usr/bin/env bash
# The fleet tier's guest image: the distro tier's Debian 12 systemd image (test/vm/distro/build-image.sh,
# the project's .deb installed, two kernels, grub.cfg) plus what Ansible needs on a target —
# openssh-server and python3 — a static address on QEMU's user network and our SSH key for root.
# Usage: build-image.sh DISTRO_IMAGE_DIR OUTDIR
# Writes OUTDIR/fleet.img (raw ext4; each VM boots a qcow2 overlay of it), OUTDIR/id_ed25519(.pub),
# and copies vmlinuz, initrd.img and image.env. The .debs are downloaded once into
# $KX_CACHE/fleet/debs-<hash> (from a throwaway overlay of the distro tier's cached base).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# shellcheck source=test/vm/lib/common.sh
. "$repo/test/vm/lib/common.sh"
src=${1:?DISTRO_IMAGE_DIR}
out=${2:?OUTDIR}
GUEST_PKGS="openssh-server python3"
log() { echo "[fleet-image $(date +%T)] $*" >&2; }

in_chroot() { setpriv --bounding-set -sys_boot --inh-caps -sys_boot -- chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "${@:2}"; }

# The distro tier's cached base (build-base.sh prints its directory; nothing is rebuilt when warm).
base=$("$repo/test/vm/distro/build-base.sh" systemd)
debs="$KX_CACHE/fleet/debs-$(echo "$GUEST_PKGS $(basename "$base")" | sha256sum | cut -c1-12)"
fetch_debs() {
  local ov="$KX_CACHE/fleet/overlay.$$" m
  mkdir -p "$ov/upper" "$ov/work" "$ov/root"
  mount -t overlay overlay -o "lowerdir=$base/systemd,upperdir=$ov/upper,workdir=$ov/work" "$ov/root"
  mount -t proc proc "$ov/root/proc"; mount --bind /dev "$ov/root/dev"
  trap 'for m in dev proc ""; do umount -l "$ov/root/$m" 2>/dev/null || true; done; rm -rf "$ov"' RETURN
  cp /etc/resolv.conf "$ov/root/etc/resolv.conf" 2>/dev/null || true
  log "downloading $GUEST_PKGS and their dependencies for the guests"
  # shellcheck disable=SC2086 # word list
  in_chroot "$ov/root" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends --download-only $GUEST_PKGS" >"$KX_CACHE/fleet/apt.log" 2>&1 \
    || { tail -20 "$KX_CACHE/fleet/apt.log" >&2; return 1; }
  mkdir -p "$debs.tmp"
  cp "$ov/root/var/cache/apt/archives/"*.deb "$debs.tmp/"
  mv "$debs.tmp" "$debs"
}
mkdir -p "$KX_CACHE/fleet" "$out"
[ -d "$debs" ] || fetch_debs

log "fleet image from $src/root.img + $(find "$debs" -name '*.deb' | wc -l) packages"
rm -f "$out/fleet.img"
cp --reflink=auto --sparse=always "$src/root.img" "$out/fleet.img"
cp "$src/vmlinuz" "$src/initrd.img" "$src/image.env" "$out/"
mnt="$out/mnt"
mkdir -p "$mnt"
mount -o loop "$out/fleet.img" "$mnt"
trap 'umount -l "$mnt/proc" "$mnt/dev" 2>/dev/null; umount "$mnt" 2>/dev/null || umount -l "$mnt"' EXIT
mount -t proc proc "$mnt/proc"; mount --bind /dev "$mnt/dev"
printf '#!/bin/sh\nexit 101\n' >"$mnt/usr/sbin/policy-rc.d"; chmod +x "$mnt/usr/sbin/policy-rc.d"
mkdir -p "$mnt/tmp/fleet-debs"
cp "$debs"/*.deb "$mnt/tmp/fleet-debs/"
# python3-minimal pre-depends on python3.11-minimal, which sorts after it: those two (and python3) last.
in_chroot "$mnt" sh -c 'cd /tmp/fleet-debs && dpkg -i $(ls *.deb | grep -v "^python3_\|^python3-minimal_") && dpkg -i python3-minimal_*.deb && dpkg -i python3_*.deb' >"$out/dpkg.log" 2>&1 || { tail -20 "$out/dpkg.log" >&2; exit 1; }
rm -rf "$mnt/tmp/fleet-debs" "$mnt/usr/sbin/policy-rc.d"

# SSH: our key for root (sshd's default PermitRootLogin prohibit-password allows keys).
[ -f "$out/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C kexecctl-fleet -f "$out/id_ed25519"
install -d -m 700 "$mnt/root/.ssh"
install -m 600 "$out/id_ed25519.pub" "$mnt/root/.ssh/authorized_keys"
# QEMU user networking: the guest is 10.0.2.15, the host 10.0.2.2; only a loopback port is forwarded to 22.
mkdir -p "$mnt/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' >"$mnt/etc/systemd/network/10-fleet.network"
systemctl --root="$mnt" enable systemd-networkd.service ssh.service >/dev/null 2>&1
# systemd-networkd-wait-online would hold boot up for nothing; sshd answers as soon as it starts.
ln -sf /dev/null "$mnt/etc/systemd/system/systemd-networkd-wait-online.service"
# The harness times each host's downtime from the console: KXDOWN when shutdown begins (this unit is
# stopped early, being ordered after basic.target), KXREADY at the next login (the distro image's profile).
cat >"$mnt/etc/systemd/system/kx-down-marker.service" <<'UNIT'
[Unit]
Description=fleet test: say on the serial console when a shutdown begins

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/bin/sh -c 'echo KXDOWN >/dev/ttyS0'

[Install]
WantedBy=multi-user.target
UNIT
systemctl --root="$mnt" enable kx-down-marker.service >/dev/null 2>&1
umount "$mnt/proc" "$mnt/dev"
umount "$mnt"
trap - EXIT
rmdir "$mnt"
log "fleet image ready: $out/fleet.img"
