#!/bin/sh
# Guest scenarios of the guest tier (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
# One QEMU run, one firmware boot, three kernels:
#   stage 1 (firmware boot)  bad inputs, -e with nothing loaded, fallback through the fake,
#                            load/status/unload, then `kexec --load K --append A --initrd I` + `kexec -e`
#   stage 2 (first kexec)    marker check, then `kexecctl load` with three initrds (memfd) + `kexec -e`
#   stage 3 (second kexec)   each initrd part's files are present; -e refuses on a kernel without
#                            kexec support (/sys/kernel/kexec_loaded hidden); then power off
# Files from the host: /payload/vmlinuz (the Debian kernel), /payload/base.img (this initramfs without
# /payload, zero-padded to 512 bytes), /payload/notkernel (not a kernel).
# Every check prints "KXT RESULT <name> PASS|FAIL <detail>"; the host counts them.
. /kxt/lib.sh
stage=${1:-1}
K=/payload/vmlinuz
BASE=/payload/base.img
CONSOLE="console=ttyS0 panic=-1 oops=panic"

loaded() { cat /sys/kernel/kexec_loaded 2>/dev/null || echo absent; }
# rc_loaded RC WANT: the command exited 0 and kexec_loaded is WANT.
rc_loaded() { [ "$1" = 0 ] && [ "$(loaded)" = "$2" ]; }

# json FILE JS-EXPR: evaluates JS-EXPR with j = the parsed file; prints the result.
json() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const r = (0, eval)("(j) => " + process.argv[2])(j); console.log(typeof r === "string" ? r : JSON.stringify(r));' "$1" "$2" 2>&1
}


# Pad a file with zeros to a multiple of 512 bytes, as the kernel needs 4-byte aligned cpio parts.
pad512() { s=$(stat -c %s "$1"); truncate -s $(((s + 511) / 512 * 512)) "$1"; }

# Repack /payload into a cpio so the next kernel has the same payload (the running initramfs cannot
# contain itself, so the host ships base.img and the guest appends what it has unpacked).
payload_cpio() { (cd / && find payload | cpio -o -H newc 2>/dev/null) >"$1"; pad512 "$1"; }

stage1() {
  t0=$(kxt_ms)
  kxt_check guest-env "KEXECCTL_TEST is not set in the guest" [ -z "${KEXECCTL_TEST:-}" ]
  kxt_check kexec-supported "/sys/kernel/kexec_loaded exists and is 0" [ "$(loaded)" = 0 ]

  # (3) bad inputs: each fails with its own message and code, and nothing gets loaded.
  t=$(kxt_ms)
  kxt_run kexec -l /payload/notkernel --append "x"
  rc1=$KXT_RC; m1=$(head -c 200 /tmp/kxt.err)
  kxt_run kexec -l /payload/does-not-exist --append "x"
  rc2=$KXT_RC; m2=$(head -c 200 /tmp/kxt.err)
  long=$(head -c 3000 /dev/zero | tr '\0' 'a')
  kxt_run kexec -l "$K" --initrd "$BASE" --append "$CONSOLE x=$long"
  rc3=$KXT_RC; m3=$(head -c 200 /tmp/kxt.err)
  for c in "notkernel:$rc1:$m1" "missing:$rc2:$m2" "longcmdline:$rc3:$m3"; do
    n=${c%%:*}; r=${c#*:}; r=${r%%:*}; m=${c#*:*:}
    if [ "$r" != 0 ] && [ -n "$m" ] && [ "$(loaded)" = 0 ]; then
      kxt_result "bad-input-$n" PASS "exit $r: $m"
    else
      kxt_result "bad-input-$n" FAIL "exit $r, kexec_loaded=$(loaded), stderr: $m"
    fi
  done
  if [ "$m1" != "$m2" ] && [ "$m2" != "$m3" ] && [ "$m1" != "$m3" ]; then
    kxt_result bad-input-distinct PASS "three different messages (exit codes $rc1/$rc2/$rc3)"
  else
    kxt_result bad-input-distinct FAIL "messages not distinct"
  fi
  echo "$m1" | grep -qi -e kernel -e bzimage -e image || kxt_result bad-input-notkernel-says-why FAIL "$m1"
  echo "$m2" | grep -q 'does-not-exist' || kxt_result bad-input-missing-names-file FAIL "$m2"
  echo "$m3" | grep -qi -e 'command line' -e cmdline || kxt_result bad-input-longcmdline-says-why FAIL "$m3"
  kxt_time bad-inputs $(($(kxt_ms) - t))

  # (4) -e with nothing loaded: message, non-zero exit, and we are still here.
  t=$(kxt_ms)
  ip link set lo up
  kxt_run kexec -e
  lo=down
  ip link show lo | grep -q '<.*UP' && lo=up
  if [ "$KXT_RC" != 0 ] && grep -q 'Nothing has been loaded!' /tmp/kxt.out /tmp/kxt.err && [ "$(loaded)" = 0 ] && [ "$lo" = up ]; then
    kxt_result exec-nothing-loaded PASS "exit $KXT_RC, printed 'Nothing has been loaded!', no reboot, lo still up"
  else
    kxt_result exec-nothing-loaded FAIL "exit $KXT_RC, lo $lo: $(cat /tmp/kxt.out /tmp/kxt.err | head -c 200)"
  fi
  kxt_time exec-nothing-loaded $(($(kxt_ms) - t))

  # (6) fallback rule through the file-backed fake (the real kernel must stay untouched).
  t=$(kxt_ms)
  for e in EINVAL EPERM; do
    f=/tmp/fake-$e.json
    printf '{"failures":{"kexec_file_load":"%s"}}\n' "$e" >"$f"
    KEXECCTL_FAKE=$f kxt_run kexec -d -l "$K" --initrd "$BASE" --append "$CONSOLE"
    seq=$(json "$f" 'j.calls.filter((c) => /^kexec/.test(c.syscall)).map((c) => c.syscall + "=" + c.result).join(",")')
    # Attempted: a kexec_load call in the fake's log, or (while no kexec_load segment builder
    # exists, so the syscall cannot be made) the -d trace of the fallback decision.
    fell=no
    case $seq in *kexec_load=*) fell=yes ;; esac
    grep -q 'falling back to kexec_load' /tmp/kxt.err && fell=yes
    want=yes; [ "$e" = EPERM ] && want=no
    case $seq in "kexec_file_load=-1 $e"*) first=ok ;; *) first=bad ;; esac
    if [ "$fell" = "$want" ] && [ "$first" = ok ] && [ "$(loaded)" = 0 ]; then
      kxt_result "fallback-$e" PASS "calls: $seq (fallback $fell), exit $KXT_RC"
    else
      kxt_result "fallback-$e" FAIL "calls: $seq (fallback $fell, want $want), exit $KXT_RC, loaded=$(loaded), $(head -c 150 /tmp/kxt.err)"
    fi
  done
  grep -q 'kexec_file_load failed: Operation not permitted' /tmp/kxt.err &&
    kxt_result fallback-EPERM-message PASS "kexec_file_load failed: Operation not permitted" ||
    kxt_result fallback-EPERM-message FAIL "$(head -c 200 /tmp/kxt.err)"
  kxt_time fallback $(($(kxt_ms) - t))

  # (2) load, status, unload, status.
  t=$(kxt_ms)
  kxt_run kexec -l "$K" --initrd "$BASE" --append "$CONSOLE kxt.stage=never"
  kxt_check load "kexec -l exit $KXT_RC, kexec_loaded=$(loaded) $(head -c 150 /tmp/kxt.err)" rc_loaded "$KXT_RC" 1
  kexecctl status --json >/tmp/status1.json 2>/tmp/status1.err
  s1=$(json /tmp/status1.json '[j.loaded, j.kexecSupported, j.record && j.record.cmdline].join(" ")')
  kxt_check status-loaded "status --json loaded/kexecSupported/record.cmdline: $s1" [ "${s1%% *}" = true ]
  case $s1 in
    "true true "*kxt.stage=never*) kxt_result status-records-cmdline PASS "status shows what was loaded" ;;
    *) kxt_result status-records-cmdline FAIL "status --json: $(head -c 250 /tmp/status1.json)" ;;
  esac
  kxt_run kexec -u
  kxt_check unload "kexec -u exit $KXT_RC, kexec_loaded=$(loaded)" rc_loaded "$KXT_RC" 0
  kexecctl status --json >/tmp/status2.json 2>/tmp/status2.err
  s2=$(json /tmp/status2.json 'j.loaded')
  kxt_check status-unloaded "status --json loaded=$s2" [ "$s2" = false ]
  kxt_time load-status-unload $(($(kxt_ms) - t))

  # (1) the systemd form, then exec: the next kernel must carry the marker.
  t=$(kxt_ms)
  marker="m$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cp "$BASE" /tmp/all.img
  payload_cpio /tmp/payload.cpio
  cat /tmp/payload.cpio >>/tmp/all.img
  rm -f /tmp/payload.cpio
  kxt_run kexec --load "$K" --append "$CONSOLE kxt.stage=2 kxt.boot=2 kxt.marker=$marker" --initrd /tmp/all.img
  kxt_time load-for-exec $(($(kxt_ms) - t))
  if [ "$KXT_RC" != 0 ] || [ "$(loaded)" != 1 ]; then
    kxt_result load-for-exec FAIL "exit $KXT_RC: $(head -c 200 /tmp/kxt.err)"
    return 1
  fi
  rm -f /tmp/all.img
  echo "KXT EXPECT stage=2 marker=$marker"
  kxt_time stage1 $(($(kxt_ms) - t0))
  echo "KXT EXEC $(kxt_ms)"
  kexec -e
  kxt_result exec-1 FAIL "kexec -e returned $?"
}

stage2() {
  t0=$(kxt_ms)
  marker=$(kxt_cmdline_get kxt.marker)
  kxt_check kexec-cmdline-marker "second kernel cmdline: $(cat /proc/cmdline)" [ -n "$marker" ]
  kxt_check kexec-cleared "kexec_loaded=0 after the jump" [ "$(loaded)" = 0 ]

  # (5) three initrds concatenated through a memfd by `kexecctl load`.
  t=$(kxt_ms)
  payload_cpio /tmp/part2.cpio
  stamp="s$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  mkdir -p /tmp/p3/kxt-part3
  echo "$stamp" >/tmp/p3/kxt-part3/stamp
  (cd /tmp/p3 && find kxt-part3 | cpio -o -H newc 2>/dev/null) >/tmp/part3.cpio
  pad512 /tmp/part3.cpio
  kxt_run kexecctl load --kernel "$K" --initrd "$BASE" --initrd /tmp/part2.cpio --initrd /tmp/part3.cpio \
    --append "$CONSOLE kxt.stage=3 kxt.boot=3 kxt.stamp=$stamp"
  kxt_time multi-initrd-load $(($(kxt_ms) - t))
  if [ "$KXT_RC" != 0 ] || [ "$(loaded)" != 1 ]; then
    kxt_result multi-initrd-load FAIL "exit $KXT_RC: $(head -c 200 /tmp/kxt.err)"
    return 1
  fi
  kxt_result multi-initrd-load PASS "kexecctl load with 3 initrds"
  rm -f /tmp/part2.cpio
  echo "KXT EXPECT stage=3 stamp=$stamp"
  kxt_time stage2 $(($(kxt_ms) - t0))
  echo "KXT EXEC $(kxt_ms)"
  kexec -e
  kxt_result exec-2 FAIL "kexec -e returned $?"
}

stage3() {
  stamp=$(kxt_cmdline_get kxt.stamp)
  kxt_check multi-initrd-part1 "base initramfs present (/init, node)" [ -x /init -a -x /usr/bin/node ]
  kxt_check multi-initrd-part2 "payload part present (/payload/vmlinuz)" [ -s /payload/vmlinuz -a -s /payload/base.img ]
  kxt_check multi-initrd-part3 "third part's stamp $(cat /kxt-part3/stamp 2>/dev/null) = $stamp" [ -n "$stamp" -a "$(cat /kxt-part3/stamp 2>/dev/null)" = "$stamp" ]

  # Stricter than kexec-tools: with /sys/kernel/kexec_loaded absent (a kernel without kexec, simulated
  # by a tmpfs over /sys/kernel), -e refuses before any sync or interface change.
  t=$(kxt_ms)
  ip link set lo up
  mount -t tmpfs none /sys/kernel
  kxt_run kexec -e
  lo=down
  ip link show lo | grep -q '<.*UP' && lo=up
  umount /sys/kernel
  if [ "$KXT_RC" != 0 ] && [ "$lo" = up ] && [ -s /tmp/kxt.err ]; then
    kxt_result exec-no-kexec-support PASS "exit $KXT_RC, lo up: $(head -c 200 /tmp/kxt.err)"
  else
    kxt_result exec-no-kexec-support FAIL "exit $KXT_RC, lo $lo: $(cat /tmp/kxt.out /tmp/kxt.err | head -c 200)"
  fi
  kxt_time exec-no-kexec-support $(($(kxt_ms) - t))
}

case $stage in
  1) stage1 ;;
  2) stage2 ;;
  3) stage3 ;;
  bench) node /kxt/bench.mjs "$(kxt_cmdline_get kxt.runs)" ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
