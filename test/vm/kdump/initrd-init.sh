#!/bin/sh
# /init of the kdump proof's small initramfs (busybox sh, PID 1), used by both kernels: the first
# kernel and, after the panic, the crash kernel (it is the initrd `kdumpctl start` loads).
# Like a distribution initramfs, it only finds the real root: loads virtio_blk, mounts root= (the
# virtio disk, which holds node, kexecctl and /var/crash) and switches to it; the root's /init (the
# generic test init) runs the scenario. Keeping node out of the initramfs is what lets the crash
# kernel live in a 256M reservation.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
if [ -f /etc/kxt-modules ]; then
  while read -r m; do
    [ -n "$m" ] && { insmod "$m" 2>/dev/null || echo "KXT WARN insmod $m failed"; }
  done </etc/kxt-modules
fi
root=''
mode=ro
read -r cmdline </proc/cmdline
# shellcheck disable=SC2086 # split the command line into words
set -- $cmdline
for w in "$@"; do
  case $w in
    root=*) root=${w#root=} ;;
    rw) mode=rw ;;
  esac
done
n=0
while [ -n "$root" ] && [ ! -b "$root" ] && [ "$n" -lt 100 ]; do
  sleep 0.1
  n=$((n + 1))
done
mkdir -p /newroot
if [ -z "$root" ] || ! mount -t ext4 -o "$mode" "$root" /newroot; then
  echo "KXT RESULT root-mount FAIL cannot mount root=$root"
  echo "KXT DONE"
  poweroff -f
fi
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /init
