#!/bin/sh
# Guest scenarios of the guest tier (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
# One QEMU run, one firmware boot, four kernels:
#   stage 1 (firmware boot)  bad inputs (UKI/gzip ones of issue 11 too), -e with nothing loaded,
#                            fallback through the fake, -e's ifdown and restore with real ioctls
#                            (user+net namespace), the differential table against C kexec-tools
#                            (differential.sh), load/status/unload, then
#                            `kexec --load K.gz --append A --initrd I` (a gzip'ed bzImage) + `kexec -e`
#   stage 2 (first kexec)    marker check, then `kexecctl load` with three initrds (memfd) + `kexec -e`
#   stage 3 (second kexec)   each initrd part's files are present; -e refuses on a kernel without
#                            kexec support (/sys/kernel/kexec_loaded hidden); `kexec -l uki.efi` loads
#                            the UKI's kernel, initrd and command line; then the UKI as a BLS Type #2
#                            entry (/efi/EFI/Linux) through plan + `kexecctl load` + `kexec -e`
#   stage 4 (from the UKI)   the UKI's .cmdline marker and .initrd (this initramfs) are there; power off
# Files from the host: /payload/vmlinuz (the Debian kernel), /payload/base.img (this initramfs without
# /payload, zero-padded to 512 bytes), /payload/notkernel (not a kernel), /payload/vmlinuz.gz,
# /payload/uki.efi, /payload/stub.efi, /payload/nolinux.efi (build.sh).
# Every check prints "KXT RESULT <name> PASS|FAIL|NOTIMPL <detail>"; the host counts them (NOTIMPL:
# the check reached the kexec_load path, which is not implemented yet: neither a pass nor a failure).
. /kxt/lib.sh
# shellcheck source=differential.sh
. /kxt/differential.sh
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

# fallback_check ERRNO: kexec -d -l through a fake whose kexec_file_load fails with ERRNO; the fake
# starts with a kernel "loaded". EINVAL must lead to a kexec_load attempt: while no segment builder
# exists that is the "kexec_load not implemented" failure (NOTIMPL), never a kexec_load syscall.
# EPERM: kexec-tools' line, to which we may add why in parentheses (src/kexec/denied.ts; this guest
# mounts no securityfs, so it says lockdown cannot be read).
fallback_check() {
  e=$1 f=/tmp/fake-$1.json
  printf '{"loaded":true,"failures":{"kexec_file_load":"%s"}}\n' "$e" >"$f"
  KEXECCTL_FAKE=$f kxt_run kexec -d -l "$K" --initrd "$BASE" --append "$CONSOLE"
  nfile=$(grep -c '"syscall": "kexec_file_load"' "$f")
  nload=$(grep -c '"syscall": "kexec_load"' "$f")
  res=$(sed -n 's/^ *"result": "\(.*\)",*$/\1/p' "$f" | tr '\n' ',')
  kept=no; grep -q '"loaded": *true' "$f" && kept=yes
  first=$(grep -v '^kexec: ' /tmp/kxt.err | head -n 1)
  what="calls kexec_file_load=$nfile kexec_load=$nload results=$res exit=$KXT_RC old-load-kept=$kept real=$(loaded): $first"
  if [ "$nfile" != 1 ] || [ "$(loaded)" != 0 ]; then
    kxt_result "fallback-$e" FAIL "$what"
  elif [ "$e" = EPERM ]; then
    if [ "$nload" = 0 ] && [ "$res" = "-1 EPERM," ] && [ "$KXT_RC" = 255 ] && [ "$kept" = yes ] &&
      case $first in 'kexec_file_load failed: Operation not permitted' | 'kexec_file_load failed: Operation not permitted ('*')') true ;; *) false ;; esac; then
      kxt_result "fallback-$e" PASS "no fallback: $what"
    else
      kxt_result "fallback-$e" FAIL "$what"
    fi
  elif [ "$nload" = 1 ] && [ "$KXT_RC" = 0 ] && [ "$res" = "-1 $e,0," ]; then
    kxt_result "fallback-$e" PASS "kexec_load after kexec_file_load: $what"
  elif [ "$nload" = 0 ] && [ "$res" = "-1 $e," ] && [ "$KXT_RC" = 255 ] && [ "$kept" = yes ] &&
    case $first in "kexec_load not implemented: "*"(kexec_file_load failed: "*) true ;; *) false ;; esac; then
    kxt_result "fallback-$e" NOTIMPL "kexec_load not implemented: $what"
  else
    kxt_result "fallback-$e" FAIL "$what"
  fi
}

# ifdown_restore_check: see stage 1 (8).
ifdown_restore_check() {
  # Loaded and unloaded with the C tool: only the -e under test pays for a node start.
  kxt_run /usr/local/sbin/kexec-c -s -l "$K" --append="$CONSOLE kxt.stage=never"
  if [ "$KXT_RC" != 0 ] || [ "$(loaded)" != 1 ]; then
    kxt_result ifdown-restore FAIL "could not load a kernel first: exit $KXT_RC $(head -c 150 /tmp/kxt.err)"
    return 0
  fi
  rm -f /tmp/ns.*
  unshare -r -n sh -c '
    ip link add kx0 type dummy && ip link set kx0 up && ip addr add 10.98.0.1/24 dev kx0 &&
      ip route add 10.99.0.0/16 dev kx0 || { echo setup-failed >/tmp/ns.rc; exit 0; }
    ip route show >/tmp/ns.route-before
    kexec -e >/tmp/ns.out 2>/tmp/ns.err
    echo $? >/tmp/ns.rc
    ip -o link show kx0 >/tmp/ns.link
    ip route show >/tmp/ns.route-after' >/tmp/ns.sh-err 2>&1
  rc=$(cat /tmp/ns.rc 2>/dev/null)
  up=no; grep -q '<[^>]*[<,]UP[,>]' /tmp/ns.link 2>/dev/null && up=yes
  before=no; grep -q '^10.99.0.0/16 ' /tmp/ns.route-before 2>/dev/null && before=yes
  after=no; grep -q '^10.99.0.0/16 ' /tmp/ns.route-after 2>/dev/null && after=yes
  first=$(head -n 1 /tmp/ns.err 2>/dev/null)
  what="exit $rc, kx0 up=$up, manual route before=$before after=$after, kexec_loaded=$(loaded): $first $(head -c 100 /tmp/ns.sh-err)"
  if [ "$rc" = 255 ] && [ "$first" = 'kexec failed: Operation not permitted' ] && [ "$up" = yes ] &&
    [ "$before" = yes ] && [ "$after" = no ] && [ "$(loaded)" = 1 ]; then
    kxt_result ifdown-restore PASS "$what"
  else
    kxt_result ifdown-restore FAIL "$what"
  fi
  kxt_run /usr/local/sbin/kexec-c -u
}

# integrity_over_good_load MARKER (issue 18): with a good kernel loaded for stage 2, five damaged
# files are each refused with their own message and a non-zero exit; kexec_loaded stays 1 and the
# load record still names the good load. Stage 2 booting (its marker) proves the good load survived.
# kexec -l checks structure always and the payload only with --verify (kexec-tools does neither);
# kexecctl load verifies by default.
integrity_over_good_load() {
  t=$(kxt_ms)
  kern16=$((($(od -An -tu1 -j 497 -N 1 "$K" | tr -d ' ') + 1) * 512))
  head -c 1048576 "$K" >/tmp/cut.k
  head -c "$kern16" "$K" >/tmp/head.k
  cp "$K" /tmp/flip.k
  at=$(($(stat -c %s "$K") / 2))
  b=$(od -An -tu1 -j "$at" -N 1 "$K" | tr -d ' ')
  # shellcheck disable=SC2059 # the format is the octal escape of the new byte
  printf "\\$(printf %o $(((b + 1) % 256)))" | dd of=/tmp/flip.k bs=1 seek="$at" conv=notrunc 2>/dev/null
  : >/tmp/empty.img
  head -c $(($(stat -c %s "$BASE") / 2)) "$BASE" >/tmp/cut.img
  # name | command | what the one line must say
  while IFS='|' read -r name want cmd; do
    # shellcheck disable=SC2086 # cmd is a word list of our own
    kxt_run $cmd
    lines=$(wc -l </tmp/kxt.err | tr -d ' ')
    first=$(head -n 1 /tmp/kxt.err)
    # kexecctl's load record (what `kexecctl status` shows) still names the good load; read
    # directly, as a node start per row costs seconds under TCG.
    kept=no
    grep -q "kxt.marker=$1" /run/kexecctl/loaded.json 2>/dev/null && kept=yes
    what="exit $KXT_RC, $lines line(s), kexec_loaded=$(loaded), good load recorded=$kept: $(echo "$first" | head -c 260)"
    if [ "$KXT_RC" != 0 ] && [ "$lines" = 1 ] && [ "$(loaded)" = 1 ] && [ "$kept" = yes ] &&
      case $first in *$want*) true ;; *) false ;; esac; then
      kxt_result "integrity-$name" PASS "$what"
    else
      kxt_result "integrity-$name" FAIL "$what"
    fi
  done <<ROWS
truncated-kernel|/tmp/cut.k is cut short: 1048576 bytes|kexec -l /tmp/cut.k --initrd $BASE --append kxt.stage=never
header-only-kernel|/tmp/head.k holds only its setup code|kexec -l /tmp/head.k --append kxt.stage=never
corrupt-payload-byte|/tmp/flip.k*reinstall the kernel package|kexecctl load --kernel /tmp/flip.k --initrd $BASE --append kxt.stage=never
corrupt-payload-byte-kexec-verify|/tmp/flip.k*reinstall the kernel package|kexec -l /tmp/flip.k --verify --append kxt.stage=never
empty-initrd|/tmp/empty.img is empty (0 bytes)|kexec -l $K --initrd /tmp/empty.img --append kxt.stage=never
truncated-initrd|/tmp/cut.img:*ends early|kexecctl load --kernel $K --initrd /tmp/cut.img --append kxt.stage=never
ROWS
  rm -f /tmp/cut.k /tmp/head.k /tmp/flip.k /tmp/empty.img /tmp/cut.img
  kxt_time integrity-rows $(($(kxt_ms) - t))
}

stage1() {
  t0=$(kxt_ms)
  kxt_check guest-env "KEXECCTL_TEST is not set in the guest" [ -z "${KEXECCTL_TEST:-}" ]
  kxt_check kexec-supported "/sys/kernel/kexec_loaded exists and is 0" [ "$(loaded)" = 0 ]

  # (3) bad inputs: missing kernel, text file, directory, ... are rows of the differential table below;
  # a command line longer than the kernel takes is ours only (kexec-tools leaves it to the kernel).
  t=$(kxt_ms)
  long=$(head -c 3000 /dev/zero | tr '\0' 'a')
  kxt_run kexec -l "$K" --initrd "$BASE" --append "$CONSOLE x=$long"
  if [ "$KXT_RC" = 255 ] && grep -q '^command line too long: ' /tmp/kxt.err && [ "$(loaded)" = 0 ]; then
    kxt_result bad-input-longcmdline PASS "exit 255: $(head -c 150 /tmp/kxt.err)"
  else
    kxt_result bad-input-longcmdline FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 200 /tmp/kxt.err)"
  fi
  # Issue 11: a truncated gzip kernel, a PE that is not a UKI, a UKI without .linux: one line, exit
  # 255 (kexec-tools' EFAILED), nothing loaded.
  head -c 3000000 /payload/vmlinuz.gz >/tmp/trunc.gz
  for f in /tmp/trunc.gz /payload/stub.efi /payload/nolinux.efi; do
    kxt_run kexec -l "$f" --append "$CONSOLE"
    name=bad-input-$(basename "$f" | tr . -)
    if [ "$KXT_RC" = 255 ] && [ "$(wc -l </tmp/kxt.err | tr -d ' ')" = 1 ] && [ "$(loaded)" = 0 ]; then
      kxt_result "$name" PASS "exit 255: $(head -c 200 /tmp/kxt.err)"
    else
      kxt_result "$name" FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
    fi
  done
  rm -f /tmp/trunc.gz
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

  # (6) fallback rule through the file-backed fake (the real kernel must stay untouched): what was
  # called (the fake's log), the exit status, the first error line and what stays loaded.
  t=$(kxt_ms)
  fallback_check EINVAL
  fallback_check EPERM
  kxt_time fallback $(($(kxt_ms) - t))

  # (8) -e takes interfaces down with the real SIOCSIFFLAGS ioctls and brings them back when the jump
  # fails. In a user+network namespace (unshare -r -n) we hold CAP_NET_ADMIN over a dummy interface
  # but not CAP_SYS_BOOT, so reboot(LINUX_REBOOT_CMD_KEXEC) fails with EPERM. Proof that it went down:
  # the kernel drops routes through an interface that goes down, and does not restore a manual one.
  t=$(kxt_ms)
  ifdown_restore_check
  kxt_time ifdown-restore $(($(kxt_ms) - t))

  # (9) differential table: C kexec-tools 2.0.25 against ours, from the same state (differential.sh).
  t=$(kxt_ms)
  kxd_run_all
  kxt_time differential $(($(kxt_ms) - t))

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

  # (1) the systemd form, then exec: the next kernel must carry the marker. The kernel file is the
  # gzip'ed bzImage (issue 11): decompressed into a memfd, so stage 2 booting proves it.
  t=$(kxt_ms)
  marker="m$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cp "$BASE" /tmp/all.img
  payload_cpio /tmp/payload.cpio
  cat /tmp/payload.cpio >>/tmp/all.img
  rm -f /tmp/payload.cpio
  kxt_run kexec --load /payload/vmlinuz.gz --append "$CONSOLE kxt.stage=2 kxt.boot=2 kxt.marker=$marker" --initrd /tmp/all.img
  kxt_time load-for-exec $(($(kxt_ms) - t))
  if [ "$KXT_RC" != 0 ] || [ "$(loaded)" != 1 ]; then
    kxt_result load-for-exec FAIL "exit $KXT_RC: $(head -c 200 /tmp/kxt.err)"
    return 1
  fi
  kxt_result gzip-kernel-load PASS "kexec --load /payload/vmlinuz.gz loaded (kexec_loaded=1); stage 2 must boot it"
  rm -f /tmp/all.img
  integrity_over_good_load "$marker"
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
  if [ "$KXT_RC" = 1 ] && [ "$lo" = up ] && [ "$(wc -l </tmp/kxt.err | tr -d ' ')" = 1 ] && grep -q '^/sys/kernel/kexec_loaded is missing .*refusing to sync' /tmp/kxt.err; then
    kxt_result exec-no-kexec-support PASS "exit $KXT_RC, lo up: $(head -c 200 /tmp/kxt.err)"
  else
    kxt_result exec-no-kexec-support FAIL "exit $KXT_RC, lo $lo: $(cat /tmp/kxt.out /tmp/kxt.err | head -c 200)"
  fi
  kxt_time exec-no-kexec-support $(($(kxt_ms) - t))

  # Issue 11: `kexec -l uki.efi` alone takes the UKI's .linux, .initrd and .cmdline (the record shows
  # the command line and the UKI as the kernel), then unload.
  t=$(kxt_ms)
  kxt_run kexec -l /payload/uki.efi
  kexecctl status --json >/tmp/status-uki.json 2>/dev/null
  s=$(json /tmp/status-uki.json '[j.loaded, j.record && j.record.kernel, j.record && j.record.cmdline].join(" ")')
  case "$KXT_RC $(loaded) $s" in
    "0 1 true /payload/uki.efi "*kxt.ukimarker=*) kxt_result uki-kexec-l PASS "kexec -l uki.efi: $s" ;;
    *) kxt_result uki-kexec-l FAIL "exit $KXT_RC, kexec_loaded=$(loaded), status: $s $(head -c 200 /tmp/kxt.err)" ;;
  esac
  kxt_run kexec -u
  kxt_time uki-kexec-l $(($(kxt_ms) - t))

  # The same UKI as a BLS Type #2 entry on an ESP at /efi: plan picks it, `kexecctl load` (no --kernel)
  # loads it, and the fourth kernel boots from it.
  t=$(kxt_ms)
  mkdir -p /efi/EFI/Linux /etc/default
  cp /payload/uki.efi /efi/EFI/Linux/debian-kxt.efi
  printf 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=true\n' >/etc/default/kexec
  kexecctl plan --json >/tmp/plan-uki.json 2>/tmp/plan-uki.err
  p=$(json /tmp/plan-uki.json '[j.kernel, j.initrd.length, j.entry && j.entry.id].join(" ")')
  if [ "$p" = "/efi/EFI/Linux/debian-kxt.efi 0 debian-kxt.efi" ]; then
    kxt_result uki-type2-plan PASS "plan: $p"
  else
    kxt_result uki-type2-plan FAIL "plan: $p $(head -c 200 /tmp/plan-uki.err)"
  fi
  kxt_run kexecctl load
  kxt_time uki-type2-load $(($(kxt_ms) - t))
  if [ "$KXT_RC" != 0 ] || [ "$(loaded)" != 1 ]; then
    kxt_result uki-type2-load FAIL "exit $KXT_RC: $(head -c 300 /tmp/kxt.err)"
    return 1
  fi
  kxt_result uki-type2-load PASS "kexecctl load of the Type #2 entry: $(head -c 150 /tmp/kxt.out)"
  echo "KXT EXEC $(kxt_ms)"
  kexec -e
  kxt_result exec-3 FAIL "kexec -e returned $?"
}

stage4() {
  um=$(kxt_cmdline_get kxt.ukimarker)
  kxt_check uki-cmdline-marker "fourth kernel cmdline: $(cat /proc/cmdline)" [ -n "$um" ]
  kxt_check uki-initrd "booted into the UKI's .initrd (this initramfs: /kxt/scenario.sh, node; no /payload)" [ -x /kxt/scenario.sh -a -x /usr/bin/node -a ! -e /payload ]
}

case $stage in
  1) stage1 ;;
  2) stage2 ;;
  3) stage3 ;;
  4) stage4 ;;
  bench) node /kxt/bench.mjs "$(kxt_cmdline_get kxt.runs)" ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
