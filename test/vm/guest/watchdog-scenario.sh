#!/bin/sh
# Guest side of the watchdog proof (issue 12; watchdog.sh runs it as /kxt/scenario.sh on Debian's
# generic kernel, which has i6300esb). No root file system: /var/lib/kexecctl is kept across the
# firmware reset in a tar on the raw virtio disk (/dev/vda), written by a pre-exec.d hook (which
# proves the hooks run before the jump) and read back at boot.
#   boot A  status names watchdog.stop_on_reboot (-1 then 0), a kernel that hangs (panic=0, no root
#           device) is loaded, `kexecctl exec --watchdog 25` jumps
#   boot B  (the firmware again, after the watchdog reset) boot-check finds the failed kexec and
#           makes the next reboot cold (/no-kexec-reboot), status says why; power off
. /kxt/lib.sh
K=/payload/vmlinuz
M=/lib/modules/$(uname -r)/kernel/drivers/watchdog
mkdir -p /var/lib /etc/kexecctl/pre-exec.d /etc/default
restored=no
if tar -xf /dev/vda -C /var/lib 2>/dev/null && [ -f /var/lib/kexecctl/last-kexec.json ]; then restored=yes; fi
st() { kexecctl status 2>&1 | tr -d '\r'; }

if [ "$restored" = no ]; then
  echo "KXT WD-BOOT A"
  insmod "$M"/watchdog.ko* && insmod "$M"/i6300esb.ko*
  s=$(st | grep 'watchdog across kexec')
  case $s in *'stop_on_reboot=-1'*'stop it at the kexec reboot'*'watchdog.stop_on_reboot=0'*) kxt_result wd-status-default PASS "$s" ;;
    *) kxt_result wd-status-default FAIL "$s" ;; esac
  # What modprobe does with watchdog.stop_on_reboot=0 on the command line (busybox insmod does not).
  rmmod i6300esb && rmmod watchdog
  insmod "$M"/watchdog.ko* stop_on_reboot=0 && insmod "$M"/i6300esb.ko*
  printf 'KEXEC_WATCHDOG_SEC=0\n' >/etc/default/kexec
  s=$(st | grep 'watchdog across kexec')
  case $s in *'/dev/watchdog0 (i6300ESB timer)'*'keeps running across the jump'*) kxt_result wd-status-fixed PASS "$s" ;;
    *) kxt_result wd-status-fixed FAIL "$s" ;; esac
  # The hook that carries the state across the reset; run-parts order and output logging are checked after the reset.
  printf '#!/bin/sh\necho "saving state"\ntar -cf /dev/vda -C /var/lib kexecctl\n' >/etc/kexecctl/pre-exec.d/50-persist
  printf '#!/bin/sh\necho "first hook"\n' >/etc/kexecctl/pre-exec.d/10-first
  printf '#!/bin/sh\necho "must not run"\n' >/etc/kexecctl/pre-exec.d/skip.sh
  chmod 755 /etc/kexecctl/pre-exec.d/*
  kxt_run kexecctl load --kernel "$K" --append "console=ttyS0 panic=0 root=/dev/kxt-nonexistent kxt.target=hang"
  [ "$KXT_RC" = 0 ] || kxt_run kexec -l "$K" --append "console=ttyS0 panic=0 root=/dev/kxt-nonexistent kxt.target=hang"
  kxt_check wd-load-hang "rc=$KXT_RC loaded=$(cat /sys/kernel/kexec_loaded) $(head -c 200 /tmp/kxt.err)" [ "$(cat /sys/kernel/kexec_loaded)" = 1 ]
  echo "KXT WD-JUMP uptime=$(cut -d' ' -f1 /proc/uptime)"
  kexecctl exec --watchdog 25 >/dev/console 2>&1
  kxt_result wd-jump FAIL "kexecctl exec returned $?"
  exit 1
fi

echo "KXT WD-BOOT B"
kxt_run kexecctl boot-check
kxt_check wd-boot-check-cold "rc=$KXT_RC $(tr '\n' ' ' </tmp/kxt.err)" sh -c "[ $KXT_RC = 1 ] && grep -q 'came through the firmware' /tmp/kxt.err && [ -e /no-kexec-reboot ]"
s=$(st)
n=$(echo "$s" | grep '^next reboot will kexec')
l=$(echo "$s" | grep '^last kexec boot')
case $n in 'next reboot will kexec: no (the kexec into '*'never reached'*) kxt_result wd-status-next-cold PASS "$n" ;; *) kxt_result wd-status-next-cold FAIL "$n" ;; esac
case $l in 'last kexec boot: FAILED: '*'this reboot goes through the firmware') kxt_result wd-status-last-failed PASS "$l" ;; *) kxt_result wd-status-last-failed FAIL "$l" ;; esac
i=$(tr -d ' \n' </var/lib/kexecctl/last-kexec.json)
kxt_check wd-intent "last-kexec.json from before the jump: $(echo "$i" | cut -c1-160)" sh -c "echo '$i' | grep -q '\"mode\":\"kexec\"' && echo '$i' | grep -q '\"by\":\"kexecctlexec\"'"
