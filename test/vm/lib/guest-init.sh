#!/bin/sh
# Generic /init for the test guests (busybox sh, PID 1). Installed by kx_initramfs_base.
# Mounts the API filesystems, loads /etc/kxt-modules, prints "KXT BOOT <n> stage=<stage>", runs
# "/kxt/scenario.sh <stage>" (kxt.stage=<stage> on the kernel cmdline, default 1), then prints
# "KXT DONE" and powers off. Nothing here sets KEXECCTL_TEST: the guest uses the real binding.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
unset KEXECCTL_TEST KEXECCTL_FAKE VITEST NODE_ENV
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs tmpfs /dev/shm
[ -e /dev/console ] || mknod /dev/console c 5 1
exec </dev/console >/dev/console 2>&1
if [ -f /etc/kxt-modules ]; then
  while read -r m; do
    [ -n "$m" ] && { insmod "$m" 2>/dev/null || echo "KXT WARN insmod $m failed"; }
  done </etc/kxt-modules
fi
# shellcheck source=guest-lib.sh
. /kxt/lib.sh
stage=$(kxt_cmdline_get kxt.stage)
[ -n "$stage" ] || stage=1
boots=$(kxt_cmdline_get kxt.boot)
echo "KXT BOOT ${boots:-1} stage=$stage kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
if [ -x /kxt/scenario.sh ]; then
  /bin/sh /kxt/scenario.sh "$stage"
  echo "KXT SCENARIO-EXIT $?"
else
  echo "KXT WARN no /kxt/scenario.sh"
fi
sync
echo "KXT DONE"
poweroff -f
sleep 5
echo o >/proc/sysrq-trigger
