#!/usr/bin/env bash
# Watchdog across the kexec jump, proven in QEMU (issue 12), as part of the guest tier: Debian's
# generic kernel (the cloud flavour has no i6300esb driver), an i6300esb watchdog with
# `-action watchdog=reset` and resets that reboot (not end QEMU), a small raw disk for state.
# The guest (watchdog-scenario.sh) arms the watchdog for 10 s and kexecs into a kernel that hangs
# (panic=0, no root device); the machine must come back through the firmware by itself and the
# tool must make the next reboot cold. Host-side checks: QMP events (WATCHDOG action reset, then
# RESET), the firmware POST twice, the hook output before the jump, and the recovery time.
# Usage: watchdog.sh WORKDIR   (sourced libs from test/vm/lib; prints KXT RESULT / KXT TIME lines)
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=../lib/vm.sh
. test/vm/lib/vm.sh
WORK=$1
WD_SEC=25 # not i6300esb's default heartbeat (30 s): the reset time shows WDIOC_SETTIMEOUT took effect
KEXECCTL_KERNEL_PKG=${KEXECCTL_WATCHDOG_KERNEL_PKG:-linux-image-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ {print $2; exit}' | sed 's/^linux-image-//')}
export KEXECCTL_KERNEL_PKG
kx_kernel_fetch
res() { echo "KXT RESULT $1 $2 $3"; }
tree="$WORK/wd-tree"
rm -rf "$tree"
kx_initramfs_base "$tree"
mkdir -p "$tree/payload"
kx_initramfs_add_node "$tree"
kx_initramfs_add_project "$tree"
kx_initramfs_add_file "$tree" test/vm/guest/watchdog-scenario.sh /kxt/scenario.sh
chmod 755 "$tree/kxt/scenario.sh"
kx_modules_install "$tree" virtio_pci virtio_blk
# watchdog.ko and i6300esb.ko are loaded by the scenario (watchdog twice, with and without stop_on_reboot=0).
for m in watchdog i6300esb; do
  for p in $(kx_modules_resolve "$m"); do
    mkdir -p "$tree/lib/modules/$KX_KERNEL_VERSION/$(dirname "$p")"
    cp "$KX_KERNEL_ROOT/lib/modules/$KX_KERNEL_VERSION/$p" "$tree/lib/modules/$KX_KERNEL_VERSION/$p"
  done
done
cp "$KX_KERNEL" "$tree/payload/vmlinuz"
kx_cpio "$tree" "$WORK/wd-initrd.img" zstd
rm -rf "$tree"
truncate -s 0 "$WORK/wd-disk.img"
truncate -s 16M "$WORK/wd-disk.img"

LOG="$WORK/wd-console.log"
FW="$WORK/wd-firmware.log"
EV="$WORK/wd-events.jsonl"
t=$(kx_ms)
kx_qemu_start --name watchdog --kernel "$KX_KERNEL" --initrd "$WORK/wd-initrd.img" --serial "$LOG" --debugcon "$FW" \
  --events "$EV" --disk "$WORK/wd-disk.img" --mem 1536 --append "console=ttyS0 panic=-1 kxt.stage=w" \
  -- -device i6300esb -action watchdog=reset -action reboot=reset
trap 'kx_qemu_stop' EXIT
if ! kx_wait_for "$LOG" 'KXT WD-JUMP' 300; then
  res wd-jump FAIL "no jump: $(tr -d '\r' <"$LOG" | grep -E 'KXT (RESULT|WARN)' | tail -n 3 | tr '\n' ' ')"
  tr -d '\r' <"$LOG" | grep -oE 'KXT (RESULT|TIME) .*'
  exit 1
fi
# The jump: the line execLoaded prints right after arming, just before reboot(KEXEC).
kx_wait_for "$LOG" 'watchdog /dev/watchdog0 armed for' 120 || true
t0=$(kx_ms)
echo "KXT TIME wd-boot-a-to-jump $((t0 - t))"
t1=''
for _ in $(seq 240); do
  grep -q '"WATCHDOG"' "$EV" 2>/dev/null && { t1=$(kx_ms); break; }
  kx_qemu_running || break
  sleep 0.25
done
t2=''
kx_wait_for "$LOG" 'KXT WD-BOOT B' 240 && t2=$(kx_ms)
kx_qemu_wait_exit 180 || kx_qemu_stop
reason=$(kx_qemu_exit_reason "$EV")
clean=$(tr -d '\r' <"$LOG")
grep -oE 'KXT (RESULT|TIME) .*' <<<"$clean" # the guest's own checks, as they were printed
if [ -n "$t1" ]; then
  echo "KXT TIME wd-jump-to-watchdog-reset $((t1 - t0))"
  # The reset comes N seconds after arming (give or take the host's polling), not at the driver's default.
  if [ $((t1 - t0)) -le $(((WD_SEC + 5) * 1000)) ] && [ $((t1 - t0)) -ge $(((WD_SEC - 3) * 1000)) ]; then
    res wd-reset PASS "QMP WATCHDOG (action reset) $((t1 - t0)) ms after the jump (timeout ${WD_SEC} s): $(grep -m1 '"WATCHDOG"' "$EV")"
  else
    res wd-reset FAIL "QMP WATCHDOG $((t1 - t0)) ms after the jump (want ${WD_SEC} s, -3/+5 s)"
  fi
else
  res wd-reset FAIL "no QMP WATCHDOG event; events: $(tr '\n' ' ' <"$EV" | head -c 300)"
fi
[ -n "$t2" ] && echo "KXT TIME wd-jump-to-userspace-again $((t2 - t0))"
grep -q '"RESET"' "$EV" && res wd-qmp-reset PASS "$(grep -m1 '"RESET"' "$EV")" || res wd-qmp-reset FAIL "no QMP RESET event"
posts=$(grep -c 'Running on QEMU' "$FW" || true)
[ "$posts" = 2 ] && res wd-firmware-twice PASS "SeaBIOS POST seen 2 times: the reset went through the firmware" ||
  res wd-firmware-twice FAIL "SeaBIOS POST seen $posts time(s) (want 2)"
hang=$(sed -n '/KXT WD-JUMP/,/KXT WD-BOOT B/p' <<<"$clean")
if grep -q 'Command line: .*kxt.target=hang' <<<"$hang" && grep -q 'Kernel panic' <<<"$hang"; then
  res wd-target-hung PASS "the kexec'd kernel booted with kxt.target=hang and panicked (panic=0: it hangs)"
else
  res wd-target-hung FAIL "the kexec'd kernel did not reach its panic before the reset: $(grep -cE 'Linux version' <<<"$hang") banner(s) between the jump and the second boot"
fi
pre=$(sed -n '/KXT WD-JUMP/,/Linux version/p' <<<"$clean")
if grep -q 'pre-exec.d/10-first: first hook' <<<"$pre" && grep -q 'pre-exec.d/50-persist: saving state' <<<"$pre" &&
  [ "$(grep -n 'first hook' <<<"$pre" | cut -d: -f1)" -lt "$(grep -n 'saving state' <<<"$pre" | cut -d: -f1)" ] &&
  ! grep -q 'must not run' <<<"$pre" && grep -q "watchdog /dev/watchdog0 armed for $WD_SEC s" <<<"$pre"; then
  res wd-hooks PASS "pre-exec.d hooks ran in run-parts order with their output logged, skip.sh skipped, then the watchdog was armed"
else
  res wd-hooks FAIL "$(grep -E 'pre-exec|watchdog' <<<"$pre" | head -n 5 | tr '\n' ' ')"
fi
[ "$reason" = guest-shutdown ] && res wd-completed PASS "the second boot powered off (QEMU exit reason $reason)" ||
  res wd-completed FAIL "QEMU exit reason $reason"
echo "guest: watchdog logs in $WORK (wd-console.log, wd-firmware.log, wd-events.jsonl)"
