#!/usr/bin/env bash
# Guest tier: boots the Debian cloud kernel in QEMU (TCG unless KVM proves itself) on an initramfs
# with busybox, Debian's node 18 and the built project, and proves kexec end to end inside the guest
# (scenarios in scenario.sh, the differential table against C kexec-tools in differential.sh). Also
# runs the fallback-rule check on the host through the fake. Rebuilds a stale dist/ first.
# Prints timings; appends "guest <passed> <failed>" to $KEXECCTL_RESULTS; exits non-zero on failure.
# NOTIMPL results (a check that reached kexec_load, which has no segment builder yet) are counted and
# printed apart: neither passed nor failed.
# Env: KEXECCTL_CACHE (downloads, default /var/cache/kexecctl-test), KEXECCTL_ACCEL=kvm|tcg,
#      KEXECCTL_GUEST_TIMEOUT (seconds for the whole QEMU run, default 900). Logs stay in the cache.
set -euo pipefail
trap 'echo "$0: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/../../.."
export KEXECCTL_TEST=1 # host side: the real binding must never load here
# shellcheck source=../lib/vm.sh
. test/vm/lib/vm.sh
# shellcheck source=build.sh
. test/vm/guest/build.sh

T0=$(kx_ms)
passed=0
failed=0
notimpl=0
result() { # result NAME PASS|FAIL|NOTIMPL DETAIL (host-side checks)
  printf '  %s %s %s\n' "$2" "$1" "$3"
  case $2 in
    PASS) passed=$((passed + 1)) ;;
    NOTIMPL) notimpl=$((notimpl + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
}
finish() {
  local rc=$1
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "guest $passed $failed" >>"$KEXECCTL_RESULTS"
  echo "guest tier: total $(($(kx_ms) - T0)) ms"
  echo "guest: $passed passed, $failed failed, $notimpl not implemented (a kexec_load path without a segment builder)"
  if [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then exit 0; fi
  exit 1
}
trap 'kx_qemu_stop' EXIT

t=$(kx_ms)
kx_need_pkgs qemu-system-x86 busybox-static cpio zstd kmod systemd-boot-efi binutils
kx_ensure_built # a stale dist/ (older than src/, scripts/build*.mjs, package.json) is rebuilt
kx_kernel_fetch
ACCEL=$(kx_accel)
WORK="$KX_CACHE/runs/guest"
rm -rf "$WORK"
mkdir -p "$WORK"
kxg_build "$WORK"
echo "guest: prepared in $(($(kx_ms) - t)) ms (kernel $KX_KERNEL_VERSION, node $(cat "$KX_NODE_ROOT/.version"), accel $ACCEL, initrd $((KXG_INITRD_SIZE / 1048576)) MiB)"

# Scenario 6 on the host too: every errno of the fallback rule, through the fake only.
t=$(kx_ms)
fh_rc=0
bash test/vm/guest/fallback-host.sh "$KX_KERNEL" "$WORK/base.img" >"$WORK/fallback-host.txt" 2>&1 || fh_rc=$?
while read -r tag name status detail; do
  [ "$tag" = KXT ] && [ "$name" = RESULT ] || continue
  read -r n s d <<<"$status $detail"
  result "host-$n" "$s" "$d"
done <"$WORK/fallback-host.txt"
[ "$fh_rc" = 0 ] || result host-fallback FAIL "fallback-host.sh exited $fh_rc"
grep -q '^KXT RESULT ' "$WORK/fallback-host.txt" ||
  result host-fallback FAIL "fallback-host.sh printed no results: $(head -c 300 "$WORK/fallback-host.txt")"
echo "guest: host fallback checks in $(($(kx_ms) - t)) ms"

# One QEMU run: firmware -> kernel 1 (stage 1) -> kexec of the gzip'ed bzImage -> kernel 2 (stage 2)
# -> kexec -> kernel 3 (stage 3) -> kexec of the UKI from a Type #2 entry -> kernel 4 (stage 4).
LOG="$WORK/console.log"
FW="$WORK/firmware.log"
timeout_s=${KEXECCTL_GUEST_TIMEOUT:-900}
t=$(kx_ms)
kx_qemu_start --name guest-tier --kernel "$KX_KERNEL" --initrd "$WORK/initrd.img" --serial "$LOG" --debugcon "$FW" \
  --events "$WORK/qemu-events.jsonl" --mem 2048 --append "console=ttyS0 panic=-1 oops=panic kxt.stage=1 kxt.boot=1"
end=$((SECONDS + timeout_s))
prev=$t
for m in 'KXT BOOT 1 ' 'KXT BOOT 2 ' 'KXT BOOT 3 ' 'KXT BOOT 4 '; do
  if kx_wait_for "$LOG" "$m" $((end - SECONDS)); then
    now=$(kx_ms)
    echo "guest: host clock: '$m' after $((now - t)) ms (+$((now - prev)) ms)"
    prev=$now
  else
    echo "guest: timed out or QEMU ended waiting for '$m'"
    break
  fi
done
# The fourth kernel powers off when its checks are done: QEMU must end on its own, by a guest shutdown.
left=$((end - SECONDS))
[ "$left" -gt 30 ] || left=30
ended=yes
kx_qemu_wait_exit "$left" || { ended=no; kx_qemu_stop; }
reason=$(kx_qemu_exit_reason)
echo "guest: QEMU run $(($(kx_ms) - t)) ms, ended by itself: $ended, exit reason: $reason"

# Host-side checks on the console and firmware logs.
read -r gp gf < <(kx_results "$LOG")
passed=$((passed + gp))
failed=$((failed + gf))
kx_print_results "$LOG"
clean=$(tr -d '\r' <"$LOG")
notimpl=$((notimpl + $(grep -cE 'KXT RESULT [^ ]+ NOTIMPL' <<<"$clean" || true)))
echo "guest: differential table (ours vs C kexec-tools 2.0.25):"
grep -E '^KXT DIFF ' <<<"$clean" | sed 's/^KXT DIFF /  /' || true
rows=$(grep -c '^KXT DIFF ' <<<"$clean" || true)
want=$(sed -n "/^  cat <<'EOF'\$/,/^EOF\$/p" test/vm/guest/differential.sh | grep -c '|')
if [ "$rows" = "$want" ] && [ "$want" -ge 25 ]; then
  result differential-rows PASS "all $rows rows of the table ran"
else
  result differential-rows FAIL "$rows of $want rows ran"
fi
posts=$(grep -c 'Running on QEMU' "$FW" || true)
kernels=$(grep -c 'Linux version ' <<<"$clean" || true)
[ "$posts" = 1 ] && result firmware-once PASS "SeaBIOS POST seen $posts time(s) for $kernels kernel boots" ||
  result firmware-once FAIL "SeaBIOS POST seen $posts time(s) (want 1) for $kernels kernel boots"
[ "$kernels" = 4 ] && result four-kernels PASS "4 'Linux version' banners on the console, one firmware boot" ||
  result four-kernels FAIL "$kernels 'Linux version' banners (want 4)"
marker=$(sed -n 's/^KXT EXPECT stage=2 marker=\([a-z0-9]*\).*/\1/p' <<<"$clean" | head -n 1)
boot2=$(sed -n '/^KXT BOOT 2 /,$p' <<<"$clean" | grep -m1 'KXT RESULT kexec-cmdline-marker' || true)
if [ -n "$marker" ] && grep -q "kxt.marker=$marker" <<<"$boot2"; then
  result marker-matches PASS "second kernel's /proc/cmdline carries kxt.marker=$marker"
else
  result marker-matches FAIL "expected marker '${marker:-none}' in: ${boot2:-no stage-2 result}"
fi
# The kernel booted from the UKI (kexecctl load of a Type #2 entry) shows the marker of the UKI's own
# .cmdline, written on the host when the UKI was built (issue 11).
boot4=$(sed -n '/^KXT BOOT 4 /,$p' <<<"$clean")
if grep -q "KXT RESULT uki-cmdline-marker PASS .*kxt.ukimarker=$KXG_UKI_MARKER" <<<"$boot4"; then
  result uki-marker-matches PASS "the fourth kernel (from the UKI) carries kxt.ukimarker=$KXG_UKI_MARKER from the UKI's .cmdline"
else
  result uki-marker-matches FAIL "expected kxt.ukimarker=$KXG_UKI_MARKER in: $(grep -m1 'uki-cmdline-marker' <<<"$boot4" || echo 'no stage-4 result')"
fi
# Outcome, not what the guest says about itself: QEMU ended by itself with a guest shutdown (a firmware
# reboot would be guest-reset, a hang a timeout), and the last kernel printed its own power-off.
if [ "$ended" = yes ] && [ "$reason" = guest-shutdown ] && grep -q 'reboot: Power down' <<<"$boot4"; then
  result guest-completed PASS "the fourth kernel powered off (QEMU exit reason $reason)"
else
  result guest-completed FAIL "QEMU ended by itself: $ended, exit reason: $reason, power-off after boot 4: $(grep -c 'reboot: Power down' <<<"$boot4")"
fi
if grep -qE 'Kernel panic|BUG:|Oops' <<<"$clean"; then
  result no-panic FAIL "$(grep -m1 -E 'Kernel panic|BUG:|Oops' <<<"$clean")"
fi
# Issue 12's watchdog proof (generic kernel, i6300esb, a hang ended by the reset) runs in the distro
# tier's watchdog variant (test/vm/distro/scenario-watchdog.mjs), which replaced this tier's own run.
echo "guest: logs in $WORK (console.log, firmware.log, fallback-host.txt)"
rc=0
[ "$failed" -eq 0 ] || rc=1
finish "$rc"
