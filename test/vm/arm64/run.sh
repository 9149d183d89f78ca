#!/usr/bin/env bash
# aarch64 guest tier (npm run test:arm64): issue 11's arm64 end to end and issue 10's arm64
# kexec_load, in QEMU's virt machine (qemu-system-aarch64 -M virt -cpu max, TCG, -smp 2, 2 GiB)
# booting Debian's arm64 cloud kernel with -kernel (no firmware: nothing prints a banner before
# Linux, and -no-reboot ends QEMU on any reset), Debian's nodejs:arm64 and kexecctl as npm run
# package's arm64 .deb installs it (koffi's linux_arm64 module from the package). One QEMU run, six
# kernels (see scenario.sh):
#   boot 1 (QEMU -kernel)  kexec -s -l (kexec_file_load) of the Debian kernel, kexec -l, kexec -e
#   boot 2                 marker, CPUs; kexec -c -l Image.gz (our arm64 kexec_load segments), kexec -e
#   boot 3                 marker, CPUs; an EFI zboot image (bad ones refused), kexec -l, kexec -e
#   boot 4 (crashkernel=)  marker, CPUs; kexec -l uki.efi alone (its .cmdline and .initrd), unload, again;
#                          kexec -p Image.gz (our arm64 kexec_load crash mode), a bad one refused; sysrq c
#   boot 5 (capture)       /proc/vmcore (ELF header, notes, memory through a PT_LOAD, size); kexec -l uki.efi, kexec -e
#   boot 6 (from the UKI)  the UKI's marker, its initrd; poweroff
# Host checks: the number of 'Linux version' banners, QEMU's exit reason (guest-shutdown: a
# poweroff, not a reset or a panic), one panic (the sysrq crash), the capture kernel's command line,
# and the guest's KXT RESULT lines.
# Appends "arm64 <passed> <failed>" to $KEXECCTL_RESULTS; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export KEXECCTL_TEST=1 # host side: the real binding must never load here
# shellcheck source=../lib/vm.sh
. test/vm/lib/vm.sh
# shellcheck source=../lib/arm64.sh
. test/vm/lib/arm64.sh
# shellcheck source=build.sh
. test/vm/arm64/build.sh

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

kx_need_pkgs qemu-system-arm busybox-static cpio zstd dpkg-dev rpm binutils-aarch64-linux-gnu libstdc++6:arm64
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
ka_install_deb "$tree" "$WORK"
kx_initramfs_add_file "$tree" test/vm/arm64/scenario.sh /kxt/scenario.sh
kx_initramfs_add_file "$tree" test/vm/arm64/zboot.mjs /kxt/zboot.mjs
kx_initramfs_add_file "$tree" test/vm/arm64/vmcore.mjs /kxt/vmcore.mjs
chmod 755 "$tree/kxt/scenario.sh"
kx_cpio "$tree" "$WORK/base.img" zstd
truncate -s $((($(stat -c %s "$WORK/base.img") + 511) / 512 * 512)) "$WORK/base.img"
mkdir -p "$WORK/pay/payload"
# Issue 11: Image.gz, Debian's Image gzip'ed (Debian 12 ships it uncompressed, "MZ"): stage 1 gunzips
# it (its sha256 must be Debian's), stage 2 hands it to kexecctl as is, stage 3 wraps it in an EFI
# zboot container (zboot.mjs, in the guest). uki.efi: systemd's arm64 stub + .osrel + .cmdline (a
# marker, stage 5) + .linux (the Image) + .initrd (mini.img: busybox and the scenario).
gzip -9 -n -c "$KX_A64_KERNEL" >"$WORK/pay/payload/Image.gz"
IMAGE_SHA=$(sha256sum "$KX_A64_KERNEL" | cut -d' ' -f1)
UKI_MARKER="u$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ka_mini_initrd "$WORK/mini.img" "$UKI_MARKER"
printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID=12\nPRETTY_NAME="kexecctl arm64 test UKI"\n' >"$WORK/osrel"
printf 'console=ttyAMA0 panic=-1 oops=panic kxt.stage=5 kxt.boot=6 kxt.cpus1=2 kxt.ukimarker=%s\n' "$UKI_MARKER" >"$WORK/cmdline"
ka_uki "$WORK/pay/payload/uki.efi" "$KX_A64_KERNEL" "$WORK/mini.img" "$WORK/cmdline" "$WORK/osrel"
cp "$WORK/base.img" "$WORK/pay/payload/base.img"
chmod 644 "$WORK/pay/payload/"*
kx_cpio "$WORK/pay" "$WORK/payload.cpio" none
cat "$WORK/base.img" "$WORK/payload.cpio" >"$WORK/initrd.img"
rm -rf "$tree" "$WORK/pay" "$WORK/payload.cpio"
echo "arm64: prepared in $(($(kx_ms) - t)) ms (kernel $KX_A64_KERNEL_VERSION, initrd $(($(stat -c %s "$WORK/initrd.img") / 1048576)) MiB," \
  "$(basename "$KA_DEB") $(stat -c %s "$KA_DEB") bytes)"

kernels=6
# boot 1: guest-env deb-installed image-sha kexec-s auto-load; boot 2: marker cpus memory image-gz kexec-c-load
# status-syscall-2; boot 3: marker-2 cpus-2 memory-2 zboot-built zboot-load zboot-unknown-comp zboot-truncated;
# boot 4: marker-3 cpus-3 uki-load unload uki-reload crash-load crash-refused; boot 5 (capture): crash-boot
# capture-memory vmcore-elf vmcore-notes vmcore-memory vmcore-size capture-uki-load; boot 6: uki-cmdline
# uki-initrd cpus-5
want=35
log="$WORK/console.log"
events="$WORK/events.jsonl"
t=$(kx_ms)
kx_qemu_start_aarch64 --name arm64 --kernel "$KX_A64_KERNEL" --initrd "$WORK/initrd.img" --serial "$log" \
  --events "$events" --mem 2048 --smp 2 --append "console=ttyAMA0 panic=-1 oops=panic kxt.stage=1 kxt.boot=1 kxt.imagesha=$IMAGE_SHA"
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
# One panic, the fourth kernel's sysrq crash that starts the capture kernel.
panics=$(grep 'Kernel panic' <<<"$clean" || true)
if [ "$(grep -c . <<<"$panics")" = 1 ] && grep -q 'sysrq triggered crash' <<<"$panics"; then result crash-panic PASS "one panic: $panics"
else result crash-panic FAIL "want one 'sysrq triggered crash' panic, got: $(head -c 300 <<<"${panics:-none}")"; fi
# The capture kernel's command line as it printed it: our --append, no elfcorehdr= (arm64 passes the
# ELF header in the DTB's linux,elfcorehdr, as kexec-tools does).
cmdline5=$(grep 'Kernel command line:' <<<"$clean" | sed -n 5p)
if grep -q 'kxt.stage=crash ' <<<"$cmdline5" && ! grep -q 'elfcorehdr=' <<<"$cmdline5"; then
  result crash-cmdline-host PASS "the capture kernel printed our -p command line without elfcorehdr=: ${cmdline5#*line: }"
else
  result crash-cmdline-host FAIL "fifth 'Kernel command line:' is '${cmdline5:-missing}', want kxt.stage=crash and no elfcorehdr="
fi
# The sixth kernel's command line, as it printed it: the UKI's .cmdline, written here on the host.
cmdline6=$(grep 'Kernel command line:' <<<"$clean" | sed -n 6p)
if [ -n "$cmdline6" ] && grep -q "kxt.ukimarker=$UKI_MARKER\( \|\$\)" <<<"$cmdline6"; then
  result uki-cmdline-host PASS "the sixth kernel printed the UKI's .cmdline (marker $UKI_MARKER)"
else
  result uki-cmdline-host FAIL "sixth 'Kernel command line:' is '${cmdline6:-missing}', want kxt.ukimarker=$UKI_MARKER"
fi
got=0
while read -r name status detail; do
  result "$name" "$status" "$detail"
  got=$((got + 1))
done < <(sed -n 's/^.*KXT RESULT //p' <<<"$clean")
if [ "$got" = "$want" ]; then result results PASS "the guest reported all $want results"
else result results FAIL "the guest reported $got of $want results"; fi
grep '^KXT \(TIME\|LOG\)' <<<"$clean" | sed 's/^/  /' || true
finish
