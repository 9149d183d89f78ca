#!/usr/bin/env bash
# Makes a bootable ext4 image of Debian 12 with the project installed, from a cached base.
# Usage: build-image.sh systemd|sysvinit|dracut|watchdog OUTDIR (dracut: the systemd image with dracut initrds;
#        watchdog: the systemd base plus Debian's generic kernel, which has i6300esb, as GRUB's default; issue 12)
# Writes OUTDIR/root.img (ext4, root=/dev/vda), OUTDIR/vmlinuz + OUTDIR/initrd.img (the default
# kernel, for QEMU's direct boot) and OUTDIR/image.env (KERNEL_NEW, KERNEL_OLD, APPEND).
# The base (debootstrap + packages) is cached by build-base.sh; this project layer is re-applied
# at every run: the .deb named by KEXECCTL_DISTRO_DEB (KEXECCTL_DISTRO_INSTALL=deb, the default) or
# the built tree (=tree, only on request), config, grub.cfg + grubenv as update-grub/grub-set-default
# would write.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
variant=${1:?systemd|sysvinit|dracut|watchdog}
out=${2:?OUTDIR}
log() { echo "[distro-image $(date +%T)] $*" >&2; }
# shellcheck source=test/vm/lib/common.sh
. "$repo/test/vm/lib/common.sh"

# The watchdog variant adds no debootstrap: it is the systemd base plus one kernel package (below).
from=$variant
[ "$variant" = watchdog ] && from=systemd
base=$("$here/build-base.sh" "$from")
mkdir -p "$out"
root="$out/rootfs"
rm -rf "$root"
cp -a "$base/$from" "$root"
rm -f "$root/.complete"

# shellcheck disable=SC2012 # kernel file names are plain
kernels=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V)
KERNEL_NEW=$(echo "$kernels" | tail -n1)
KERNEL_OLD=$(echo "$kernels" | head -n1)
[ "$KERNEL_NEW" != "$KERNEL_OLD" ] || { echo "distro: the base needs two kernels" >&2; exit 1; }
if [ "$variant" = watchdog ]; then
  # shellcheck source=test/vm/distro/watchdog-kernel.sh
  . "$here/watchdog-kernel.sh"
  wd_install_generic_kernel "$root" "$out" # sets WD_KERNEL (e.g. 6.1.0-56-amd64)
  # GRUB's default is the generic kernel, so every kexec reboot lands on a kernel with i6300esb;
  # the newest cloud kernel stays as the other entry (and the target that hangs, scenario-watchdog.mjs).
  KERNEL_OLD=$KERNEL_NEW
  KERNEL_NEW=$WD_KERNEL
fi

# --- the project -----------------------------------------------------------------------------
# deb (default): exactly the .deb named by KEXECCTL_DISTRO_DEB (run.sh packages it in this run);
# tree: the built tree copied by hand, only when asked for. Nothing falls back to the other.
mode=${KEXECCTL_DISTRO_INSTALL:-deb}
if [ "$mode" = deb ]; then
  deb=${KEXECCTL_DISTRO_DEB:-}
  [ -s "$deb" ] || { echo "distro: KEXECCTL_DISTRO_DEB does not name a .deb (run.sh sets it)" >&2; exit 1; }
  log "installing $(basename "$deb")"
  cp "$deb" "$root/tmp/kexecctl.deb"
  # The maintainer scripts must never reach the host's kernel from this chroot: without CAP_SYS_BOOT
  # in the bounding set no process in it can kexec_load, kexec_file_load or reboot (kernel/kexec.c,
  # kernel/kexec_file.c, kernel/reboot.c check capable(CAP_SYS_BOOT)); KEXECCTL_TEST makes the real
  # binding refuse, KEXECCTL_FAKE gives them a fake kernel (and policy-rc.d stops units).
  setpriv --bounding-set -sys_boot --inh-caps -sys_boot -- chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    KEXECCTL_TEST=1 KEXECCTL_FAKE=/tmp/kexecctl-fake.json dpkg -i /tmp/kexecctl.deb >"$out/dpkg.log" 2>&1 || { tail -20 "$out/dpkg.log" >&2; exit 1; }
  rm -f "$root/tmp/kexecctl.deb" "$root/tmp/kexecctl-fake.json"
elif [ "$mode" = tree ]; then
  log "installing the built tree by hand (KEXECCTL_DISTRO_INSTALL=tree)"
  kx_ensure_built
  lib="$root/usr/lib/kexecctl"
  mkdir -p "$lib/node_modules"
  cp -a "$repo/dist" "$lib/dist"
  cp -a "$repo/node_modules/koffi" "$lib/node_modules/koffi"
  cp "$repo/package.json" "$lib/"
  for b in kexecctl kexec coldreboot; do
    [ -f "$repo/dist/$b.js" ] || continue
    printf '#!/bin/sh\nexec /usr/bin/node /usr/lib/kexecctl/dist/%s.js "$@"\n' "$b" >"$root/usr/sbin/$b"
    chmod 755 "$root/usr/sbin/$b"
  done
  cp "$repo"/systemd/*.service "$repo"/systemd/*.path "$root/usr/lib/systemd/system/"
  install -D -m 755 "$repo/systemd/system-shutdown/kexecctl" "$root/usr/lib/systemd/system-shutdown/kexecctl"
  install -D -m 755 "$repo/kernel/kexecctl-unchanged" "$root/usr/lib/kexecctl/kexecctl-unchanged"
  install -m 755 "$repo/sysv/kexec" "$repo/sysv/kexec-load" "$root/etc/init.d/"
  install -D -m 644 "$repo/etc-defaults/kexec" "$root/etc/default/kexec"
else
  echo "distro: KEXECCTL_DISTRO_INSTALL must be deb or tree, not $mode" >&2
  exit 1
fi
if [ "$variant" != sysvinit ]; then
  systemctl --root="$root" enable kexec-load.service kexec-load.path >/dev/null 2>&1
else
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c \
    'update-rc.d kexec-load defaults >/dev/null && update-rc.d kexec defaults >/dev/null'
fi

# --- the system --------------------------------------------------------------------------------
APPEND="root=/dev/vda ro console=ttyS0,115200 quiet kx.grub=1"
# i6300esb stops at reboot unless the watchdog core is told otherwise (watchdog-status.ts).
WD_ARG=''
[ "$variant" = watchdog ] && WD_ARG=' watchdog.stop_on_reboot=0'
APPEND="$APPEND$WD_ARG"
echo distro-guest >"$root/etc/hostname"
# A fixed machine-id from the first boot on, so every boot's journal lands in one directory.
tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
chroot "$root" passwd -dq root >/dev/null 2>&1 || chroot "$root" passwd -d root >/dev/null
rm -f "$root/usr/sbin/policy-rc.d"
# The serial console logs root in; the profile prints the ready line the host times.
cat >"$root/root/.bash_profile" <<'EOF'
export PS1='KX# ' SYSTEMD_PAGER='' PAGER=cat TERM=dumb
stty -echo 2>/dev/null
echo "KXREADY boot=$(cat /proc/sys/kernel/random/boot_id) kernel=$(uname -r)"
EOF
if [ "$variant" != sysvinit ]; then
  mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d" "$root/var/log/journal"
  cat >"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I dumb
EOF
  # Nothing the test needs, and each costs boot time under TCG.
  for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer getty@tty1.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$u"
  done
else
  sed -i -e '/^[1-6]:/d' -e '/^T0:/d' "$root/etc/inittab"
  echo 'T0:2345:respawn:/sbin/agetty --autologin root --noclear -L 115200 ttyS0 dumb' >>"$root/etc/inittab"
fi
if [ "$variant" = dracut ]; then
  # Test only (scenario-dracut.mjs reads the console): a second system-shutdown hook says whether
  # systemd-shutdown would switch to dracut's shutdown initramfs next (its own test: an executable
  # /run/initramfs/shutdown), and puts a pre-shutdown hook into that initramfs that says when it is
  # entered. kexecctl's hook waits for this sibling before it jumps.
  cat >"$root/usr/lib/systemd/system-shutdown/kxtest-exitrd" <<'EOF'
#!/bin/sh
if [ -x /run/initramfs/shutdown ]; then
  d=/run/initramfs/lib/dracut/hooks/pre-shutdown
  mkdir -p "$d" && echo 'echo "KXEXITRD entered action=$ACTION" >/dev/console' >"$d/00-kxtest.sh"
  echo "KXHOOK verb=$1 exitrd=ready marker=$([ -s "$d/00-kxtest.sh" ] && echo set || echo missing)" >/dev/console
else
  echo "KXHOOK verb=$1 exitrd=absent" >/dev/console
fi
EOF
  chmod 755 "$root/usr/lib/systemd/system-shutdown/kxtest-exitrd"
fi

# --- GRUB, as update-grub writes it with GRUB_DEFAULT=saved ----------------------------------
uuid=$(cat /proc/sys/kernel/random/uuid)
entry() { # title id kernel indent
  cat <<EOF
$4menuentry '$1' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option '$2' {
$4	load_video
$4	insmod gzio
$4	insmod part_msdos
$4	insmod ext2
$4	search --no-floppy --fs-uuid --set=root $uuid
$4	echo	'Loading Linux $3 ...'
$4	linux	/boot/vmlinuz-$3 $APPEND
$4	echo	'Loading initial ramdisk ...'
$4	initrd	/boot/initrd.img-$3
$4}
EOF
}
mkdir -p "$root/boot/grub"
{
  cat <<EOF
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
if [ -s \$prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi

if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi

export menuentry_id_option

if [ "\${prev_saved_entry}" ]; then
  set saved_entry="\${prev_saved_entry}"
  save_env saved_entry
  set prev_saved_entry=
  save_env prev_saved_entry
  set boot_once=true
fi

function savedefault {
  if [ -z "\${boot_once}" ]; then
    saved_entry="\${chosen}"
    save_env saved_entry
  fi
}
terminal_output console
set timeout=5
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
EOF
  entry 'Debian GNU/Linux' "gnulinux-simple-$uuid" "$KERNEL_NEW" ''
  echo "submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-$uuid' {"
  entry "Debian GNU/Linux, with Linux $KERNEL_NEW" "gnulinux-$KERNEL_NEW-advanced-$uuid" "$KERNEL_NEW" '	'
  entry "Debian GNU/Linux, with Linux $KERNEL_OLD" "gnulinux-$KERNEL_OLD-advanced-$uuid" "$KERNEL_OLD" '	'
  echo "}"
  echo "### END /etc/grub.d/10_linux ###"
} >"$root/boot/grub/grub.cfg"
chroot "$root" grub-editenv /boot/grub/grubenv create
# /etc/default/grub as grub-pc's postinst installs it (from grub2-common's template), set so that a
# real update-grub in the guest (kdumpctl reset-crashkernel runs it) writes the same command line
# as the grub.cfg above: root=/dev/vda (no UUID), the serial console and the kx.grub=1 marker.
sed -e 's/^GRUB_DEFAULT=.*/GRUB_DEFAULT=saved/' -e "s/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX=\"console=ttyS0,115200 kx.grub=1$WD_ARG\"/" \
  -e 's/^#GRUB_DISABLE_LINUX_UUID=.*/GRUB_DISABLE_LINUX_UUID=true/' -e 's/^#GRUB_TERMINAL=.*/GRUB_TERMINAL=console/' \
  "$root/usr/share/grub/default/grub" >"$root/etc/default/grub"
grep -q "^GRUB_CMDLINE_LINUX=\"console=ttyS0,115200 kx.grub=1$WD_ARG\"\$" "$root/etc/default/grub" || { echo "distro: could not write /etc/default/grub" >&2; exit 1; }
{
  echo "LOAD_KEXEC=true"
  echo "USE_GRUB_CONFIG=true"
  echo 'KERNEL_IMAGE="/vmlinuz"'
  echo 'INITRD="/initrd.img"'
  echo 'APPEND=""'
  # Issue 12: the watchdog variant arms /dev/watchdog0 for every kexec reboot.
  if [ "$variant" = watchdog ]; then echo "KEXEC_WATCHDOG_SEC=$WD_REBOOT_SEC"; fi
} >"$root/etc/default/kexec"

cp "$root/boot/vmlinuz-$KERNEL_NEW" "$out/vmlinuz"
cp "$root/boot/initrd.img-$KERNEL_NEW" "$out/initrd.img"
{
  echo "KERNEL_NEW=$KERNEL_NEW"
  echo "KERNEL_OLD=$KERNEL_OLD"
  echo "GRUB_UUID=$uuid"
  echo "APPEND='$APPEND'"
  echo "INSTALL_MODE=$mode"
  if [ "$variant" = watchdog ]; then echo "WATCHDOG_SEC=$WD_REBOOT_SEC"; fi
  # QEMU's direct boot (the first boot, and every firmware boot after it) has no kx.grub=1 marker.
  echo "FIRST_APPEND='root=/dev/vda ro console=ttyS0,115200 quiet$WD_ARG'"
} >"$out/image.env"

rm -f "$out/root.img"
size=$(( $(du -sm "$root" | cut -f1) + 600 ))
mkfs.ext4 -q -F -L distro-root -d "$root" "$out/root.img" "${size}M"
rm -rf "$root"
log "$variant image ready: $out/root.img (${size} MB, install=$mode, kernels $KERNEL_NEW + $KERNEL_OLD)"
