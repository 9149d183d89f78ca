#!/usr/bin/env bash
# kexec_load tier (npm run test:kexec-load): our own segment builder and trampoline (issue 10)
# booting the Debian cloud kernel in QEMU, under SeaBIOS (three kernels: firmware → kexec -c →
# kexecctl load --mode legacy with two initrds) and under OVMF (firmware → kexec -c, EFI handed
# over); and a third run, "lockdown" (issue 12 matrix): one SeaBIOS boot with lockdown=integrity on
# the command line, where kexec_load and unsigned or untrusted kexec_file_load are refused, then
# kexecctl coldreboot -f (test/vm/kexec-load/lockdown.sh). Host checks: one firmware POST per run
# (SeaBIOS's banner on the debug port; under -no-reboot a firmware reboot would end QEMU), the
# number of 'Linux version' banners, QEMU's exit reason (a poweroff, not a reset or a panic; the
# lockdown run: the reset of its cold reboot), and the guest's KXT RESULT lines.
# Appends "kexec-load <passed> <failed>" to $KEXECCTL_RESULTS; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export KEXECCTL_TEST=1 # host side: the real binding must never load here
# shellcheck source=../lib/vm.sh
. test/vm/lib/vm.sh

T0=$(kx_ms)
passed=0
failed=0
result() { # result NAME PASS|FAIL DETAIL
  printf '  %s %s %s\n' "$2" "$1" "$3"
  if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
finish() {
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "kexec-load $passed $failed" >>"$KEXECCTL_RESULTS"
  echo "kexec-load tier: total $(($(kx_ms) - T0)) ms"
  echo "kexec-load: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
trap 'kx_qemu_stop' EXIT

kx_need_pkgs qemu-system-x86 busybox-static cpio zstd kmod ovmf
kx_ensure_built
kx_kernel_fetch
WORK="$KX_CACHE/runs/kexec-load"
rm -rf "$WORK"
mkdir -p "$WORK"

# base.img: busybox, /init, node + the project, efivarfs (to prove EFI runtime services after the jump).
t=$(kx_ms)
tree="$WORK/tree"
kx_initramfs_base "$tree"
kx_initramfs_add_node "$tree"
kx_initramfs_add_project "$tree"
kx_modules_install "$tree" efivarfs
kx_initramfs_add_file "$tree" test/vm/kexec-load/scenario.sh /kxt/scenario.sh
kx_initramfs_add_file "$tree" test/vm/kexec-load/lockdown.sh /kxt/lockdown.sh
chmod 755 "$tree/kxt/scenario.sh"
kx_cpio "$tree" "$WORK/base.img" zstd
truncate -s $((($(stat -c %s "$WORK/base.img") + 511) / 512 * 512)) "$WORK/base.img"
mkdir -p "$WORK/pay/payload"
cp "$KX_KERNEL" "$WORK/pay/payload/vmlinuz"
cp "$WORK/base.img" "$WORK/pay/payload/base.img"
chmod 644 "$WORK/pay/payload/"*
kx_cpio "$WORK/pay" "$WORK/payload.cpio" none
cat "$WORK/base.img" "$WORK/payload.cpio" >"$WORK/initrd.img"
rm -rf "$tree" "$WORK/pay" "$WORK/payload.cpio"
echo "kexec-load: prepared in $(($(kx_ms) - t)) ms (kernel $KX_KERNEL_VERSION)"

ovmf=''
for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF.fd; do [ -f "$f" ] && { ovmf=$f; break; }; done

# run_fw FW KERNELS RESULTS [NAME STAGE EXTRA-CMDLINE]: one QEMU run; waits for KERNELS boots and the
# guest's poweroff; the guest must report exactly RESULTS results (a crash or a hang between stages
# reports fewer). Run "lockdown" ends with a cold reboot instead (see lockdown.sh).
run_fw() {
  local fw=$1 kernels=$2 want=$3 name=${4:-$1} stage=${5:-1} cmdx=${6:-}
  local log="$WORK/$name.console.log" dbg="$WORK/$name.firmware.log" events="$WORK/$name.events.jsonl" extra=()
  [ "$fw" = ovmf ] && extra=(-bios "$ovmf")
  local t
  t=$(kx_ms)
  kx_qemu_start --name "kexec-load-$name" --kernel "$KX_KERNEL" --initrd "$WORK/initrd.img" --serial "$log" --debugcon "$dbg" \
    --events "$events" --mem 2048 --smp 2 --append "console=ttyS0 panic=-1 oops=panic kxt.stage=$stage kxt.boot=1 kxt.fw=$fw$cmdx" -- "${extra[@]}"
  local end=$((SECONDS + ${KEXECCTL_GUEST_TIMEOUT:-480})) n
  for n in $(seq 1 "$kernels"); do
    kx_wait_for "$log" "KXT BOOT $n " $((end - SECONDS)) || { echo "kexec-load: $name: no boot $n"; break; }
    echo "kexec-load: $name: boot $n after $(($(kx_ms) - t)) ms"
  done
  kx_qemu_wait_exit $((end - SECONDS > 0 ? end - SECONDS : 1)) || kx_qemu_stop
  echo "kexec-load: $name: QEMU run $(($(kx_ms) - t)) ms"
  local clean reason banners r row status detail
  clean=$(tr -d '\r' <"$log")
  reason=$(kx_qemu_exit_reason "$events")
  if [ "$name" = lockdown ]; then
    # -no-reboot: the firmware reset of `kexecctl coldreboot -f` ends QEMU; the guest said so just before, and did not go on to poweroff.
    if [ "$reason" = guest-reset ] && [ "$(grep '^KXT ' <<<"$clean" | tail -n 1)" = 'KXT EXPECT cold-reboot' ]; then
      result "$name-exit" PASS "kexecctl coldreboot -f under lockdown reset the machine through the firmware (QEMU: $reason)"
    else result "$name-exit" FAIL "QEMU exit reason: $reason, last guest line: $(grep '^KXT ' <<<"$clean" | tail -n 1)"; fi
  elif [ "$reason" = guest-shutdown ]; then result "$fw-exit" PASS "QEMU ended with the guest's poweroff"
  else result "$fw-exit" FAIL "QEMU exit reason: $reason (a reset means a firmware reboot or triple fault)"; fi
  banners=$(grep -c 'Linux version' <<<"$clean" || true)
  if [ "$banners" = "$kernels" ]; then result "$name-kernels" PASS "$banners kernel banners in one QEMU run"
  else result "$name-kernels" FAIL "$banners kernel banners, want $kernels"; fi
  if [ "$fw" = seabios ]; then
    r=$(grep -c 'Running on QEMU' "$dbg" || true)
    if [ "$r" = 1 ]; then result "$name-post-once" PASS "SeaBIOS POST seen once for $banners kernels"
    else result "$name-post-once" FAIL "SeaBIOS POST seen $r times"; fi
  fi
  if grep -q 'Kernel panic' <<<"$clean"; then result "$name-no-panic" FAIL "$(grep -m1 'Kernel panic' <<<"$clean")"; fi
  local got=0
  while read -r row status detail; do
    result "$name-$row" "$status" "$detail"
    got=$((got + 1))
  done < <(sed -n 's/^KXT RESULT //p' <<<"$clean")
  if [ "$got" = "$want" ]; then result "$name-results" PASS "the guest reported all $want results"
  else result "$name-results" FAIL "the guest reported $got of $want results"; fi
  grep '^KXT \(TIME\|LOG\)' <<<"$clean" | sed "s/^/  $name: /" || true
}

run_fw seabios 3 10
# Issue 12 matrix: lockdown=integrity on the command line of a firmware boot; one kernel, six results, a cold reboot.
run_fw seabios 1 6 lockdown lockdown ' lockdown=integrity'
if [ -n "$ovmf" ]; then run_fw ovmf 2 8; else result ovmf-firmware FAIL "OVMF.fd not found (apt-get install ovmf)"; fi
finish
