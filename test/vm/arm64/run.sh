#!/usr/bin/env bash
# aarch64 guest tier (npm run test:arm64): issue 11's arm64 end to end and issue 10's arm64
# kexec_load, in QEMU's virt machine (qemu-system-aarch64 -M virt -cpu max, TCG, -smp 2, 2 GiB)
# booting Debian's arm64 cloud kernel with -kernel (no firmware: nothing prints a banner before
# Linux, and -no-reboot ends QEMU on any reset), Debian's nodejs:arm64 and the project with koffi's
# linux_arm64 module. One QEMU run, three kernels:
#   boot 1 (QEMU -kernel)  kexec -s -l (kexec_file_load) of the Debian kernel, kexec -e
#   boot 2                 marker, CPUs; kexec -c -l (our arm64 kexec_load segments), kexec -e
#   boot 3                 marker, CPUs; poweroff
# Host checks: the number of 'Linux version' banners, QEMU's exit reason (guest-shutdown: a
# poweroff, not a reset or a panic), and the guest's KXT RESULT lines.
# Appends "arm64 <passed> <failed>" to $KEXECCTL_RESULTS; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export KEXECCTL_TEST=1 # host side: the real binding must never load here
# shellcheck source=../lib/vm.sh
. test/vm/lib/vm.sh
# shellcheck source=../lib/arm64.sh
. test/vm/lib/arm64.sh

T0=$(kx_ms)
passed=0
failed=0
result() { # result NAME PASS|FAIL DETAIL
  printf '  %s %s %s\n' "$2" "$1" "$3"
  if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
finish() {
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "arm64 $passed $failed" >>"$KEXECCTL_RESULTS"
  echo "arm64 tier: total $(($(kx_ms) - T0)) ms"
  echo "arm64: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
trap 'kx_qemu_stop' EXIT

kx_need_pkgs qemu-system-arm busybox-static cpio zstd
kx_arm64_ready
kx_ensure_built
kx_kernel_fetch_arm64
WORK="$KX_CACHE/runs/arm64"
rm -rf "$WORK"
mkdir -p "$WORK"

t=$(kx_ms)
tree="$WORK/tree"
kx_initramfs_base_arm64 "$tree"
kx_initramfs_add_node_arm64 "$tree"
kx_initramfs_add_project_arm64 "$tree"
kx_initramfs_add_file "$tree" test/vm/arm64/scenario.sh /kxt/scenario.sh
chmod 755 "$tree/kxt/scenario.sh"
kx_cpio "$tree" "$WORK/base.img" zstd
truncate -s $((($(stat -c %s "$WORK/base.img") + 511) / 512 * 512)) "$WORK/base.img"
mkdir -p "$WORK/pay/payload"
cp "$KX_A64_KERNEL_GZ" "$WORK/pay/payload/vmlinuz"
# Issue 11: Image.gz, Debian's Image gzip'ed (Debian 12 ships it uncompressed, "MZ"), which stage 2
# hands to kexecctl as is; kexecctl decompresses it into a memfd for kexec_load.
if [ "$(head -c 2 "$KX_A64_KERNEL_GZ" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
  cp "$KX_A64_KERNEL_GZ" "$WORK/pay/payload/Image.gz"
else
  gzip -9 -n -c "$KX_A64_KERNEL_GZ" >"$WORK/pay/payload/Image.gz"
fi
cp "$WORK/base.img" "$WORK/pay/payload/base.img"
chmod 644 "$WORK/pay/payload/"*
kx_cpio "$WORK/pay" "$WORK/payload.cpio" none
cat "$WORK/base.img" "$WORK/payload.cpio" >"$WORK/initrd.img"
rm -rf "$tree" "$WORK/pay" "$WORK/payload.cpio"
echo "arm64: prepared in $(($(kx_ms) - t)) ms (kernel $KX_A64_KERNEL_VERSION, initrd $(($(stat -c %s "$WORK/initrd.img") / 1048576)) MiB)"

kernels=3
want=12 # guest-env kexec-s auto-load marker cpus memory image-gz kexec-c-load status-syscall-2 marker-2 cpus-2 memory-2
log="$WORK/console.log"
events="$WORK/events.jsonl"
t=$(kx_ms)
kx_qemu_start_aarch64 --name arm64 --kernel "$KX_A64_KERNEL" --initrd "$WORK/initrd.img" --serial "$log" \
  --events "$events" --mem 2048 --smp 2 --append "console=ttyAMA0 panic=-1 oops=panic kxt.stage=1 kxt.boot=1"
end=$((SECONDS + ${KEXECCTL_GUEST_TIMEOUT:-1200}))
for n in $(seq 1 "$kernels"); do
  kx_wait_for "$log" "KXT BOOT $n " $((end - SECONDS)) || { echo "arm64: no boot $n"; break; }
  echo "arm64: boot $n after $(($(kx_ms) - t)) ms"
done
kx_qemu_wait_exit $((end - SECONDS > 0 ? end - SECONDS : 1)) || kx_qemu_stop
echo "arm64: QEMU run $(($(kx_ms) - t)) ms"
clean=$(tr -d '\r' <"$log")
reason=$(kx_qemu_exit_reason "$events")
if [ "$reason" = guest-shutdown ]; then result exit PASS "QEMU ended with the guest's poweroff"
else result exit FAIL "QEMU exit reason: $reason (a reset or a panic, or the run timed out)"; fi
banners=$(grep -c 'Linux version' <<<"$clean" || true)
if [ "$banners" = "$kernels" ]; then result kernels PASS "$banners kernel banners in one QEMU run (no firmware in between: -kernel, -no-reboot)"
else result kernels FAIL "$banners kernel banners, want $kernels"; fi
if grep -q 'Kernel panic' <<<"$clean"; then result no-panic FAIL "$(grep -m1 'Kernel panic' <<<"$clean")"; fi
got=0
while read -r name status detail; do
  result "$name" "$status" "$detail"
  got=$((got + 1))
done < <(sed -n 's/^.*KXT RESULT //p' <<<"$clean")
if [ "$got" = "$want" ]; then result results PASS "the guest reported all $want results"
else result results FAIL "the guest reported $got of $want results"; fi
grep '^KXT \(TIME\|LOG\)' <<<"$clean" | sed 's/^/  /' || true
finish
