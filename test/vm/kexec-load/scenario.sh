#!/bin/sh
# kexec_load tier scenarios (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
# Proves our own segment builder and trampoline (issue 10) in a real kernel:
#   stage 1 (firmware boot)   `kexec -c -l K --initrd=ALL --append=...` where ALL = base.img + the
#                             payload; the load is made with kexec_load (the fake is not involved:
#                             kexecctl status says kexec_load); records memory and CPUs; kexec -e
#   stage 2 (first kexec)     the marker, all CPUs, the same memory, ACPI tables (and EFI runtime
#                             under OVMF); then, SeaBIOS only, `kexecctl load --mode legacy` with two
#                             initrds (base.img + second.cpio holding a random stamp) and kexec -e
#   stage 3 (second kexec)    the stamp file from the second initrd is there
#   stage lockdown            a firmware boot with lockdown=integrity (issue 12 matrix): see lockdown.sh
# Files from the host: /payload/vmlinuz, /payload/base.img (this initramfs without /payload).
. /kxt/lib.sh
stage=${1:-1}
K=/payload/vmlinuz
BASE=/payload/base.img
CONSOLE="console=ttyS0 panic=-1 oops=panic"
FW=$(kxt_cmdline_get kxt.fw)

loaded() { cat /sys/kernel/kexec_loaded 2>/dev/null || echo absent; }
memtotal() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }
pad512() { s=$(stat -c %s "$1"); truncate -s $(((s + 511) / 512 * 512)) "$1"; }
payload_cpio() { (cd / && find payload | cpio -o -H newc 2>/dev/null) >"$1"; pad512 "$1"; }
within_2pct() { [ $(($1 * 100)) -ge $(($2 * 98)) ] && [ $(($1 * 100)) -le $(($2 * 102)) ]; }
has_acpi() { [ -e /sys/firmware/acpi/tables/DSDT ] && [ -e /sys/firmware/acpi/tables/FACP ]; }
# EFI runtime services work when efivarfs mounts and lists variables (GetNextVariableName).
has_efi_runtime() {
  [ -d /sys/firmware/efi/efivars ] || return 1
  mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
  [ -n "$(ls /sys/firmware/efi/efivars 2>/dev/null)" ]
}
same_nonempty() { [ -n "$2" ] && [ "$1" = "$2" ]; }
json() { node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(String((0, eval)("(j) => " + process.argv[1])(j)));' "$1"; }

stage1() {
  kxt_check guest-env "KEXECCTL_TEST and KEXECCTL_FAKE are not set in the guest" [ -z "${KEXECCTL_TEST:-}${KEXECCTL_FAKE:-}" ]
  payload_cpio /tmp/payload.cpio
  cat "$BASE" /tmp/payload.cpio >/tmp/all.img
  rm -f /tmp/payload.cpio
  marker=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
  append="$CONSOLE kxt.stage=2 kxt.boot=2 kxt.fw=$FW kxt.marker=$marker kxt.mem1=$(memtotal) kxt.cpus1=$(nproc)"
  t=$(kxt_ms)
  if [ "$FW" = ovmf ]; then
    # The -a fallback for real: kexec_file_load answers EINVAL (KEXECCTL_FAIL_SYSCALL, which can only
    # fail a call), so the default mode must load through kexec_load, and that kernel must boot.
    name=fallback-load
    kxt_run env KEXECCTL_FAIL_SYSCALL=kexec_file_load:EINVAL kexec -d -l "$K" --initrd=/tmp/all.img --append="$append"
  else
    name=kexec-c-load
    kxt_run kexec -c -d -l "$K" --initrd=/tmp/all.img --append="$append"
  fi
  kxt_time "$name" $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result "$name" PASS "exit 0, kexec_loaded=1"
  else
    kxt_result "$name" FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  sc=$(kexecctl status --json 2>/dev/null | json 'j.record && j.record.syscall')
  kxt_check status-syscall "kexecctl status records the syscall: $sc" [ "$sc" = kexec_load ]
  echo "KXT EXPECT marker $marker"
  kexec -e
  kxt_result kexec-e FAIL "kexec -e returned $?"
}

stage2() {
  marker=$(kxt_cmdline_get kxt.marker)
  kxt_check marker "the kernel loaded by kexec_load runs with our command line (marker $marker)" [ -n "$marker" ]
  kxt_check cpus "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
  m1=$(kxt_cmdline_get kxt.mem1); m2=$(memtotal)
  # The same e820 map: MemTotal within 2% of the firmware-booted kernel's (the kernel's own size differs).
  kxt_check memory "MemTotal $m2 kB vs $m1 kB before" within_2pct "$m2" "$m1"
  kxt_check acpi "ACPI tables present (/sys/firmware/acpi/tables/DSDT, FACP)" has_acpi
  if [ "$FW" = ovmf ]; then
    kxt_check efi "EFI handed over: efivarfs lists the firmware variables" has_efi_runtime
    return 0
  fi
  stamp=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -p /tmp/second/kxt-second
  echo "$stamp" >/tmp/second/kxt-second/stamp
  (cd /tmp/second && find . | cpio -o -H newc 2>/dev/null) >/tmp/second.cpio
  t=$(kxt_ms)
  kxt_run kexecctl load --mode legacy --kernel "$K" --initrd "$BASE" --initrd /tmp/second.cpio --append "$CONSOLE kxt.stage=3 kxt.boot=3 kxt.fw=$FW kxt.stamp=$stamp" --json
  kxt_time kexecctl-legacy-load $(($(kxt_ms) - t))
  sc=$(json 'j.syscall' </tmp/kxt.out 2>/dev/null)
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ] && [ "$sc" = kexec_load ]; then
    kxt_result legacy-two-initrds PASS "kexecctl load --mode legacy with two initrds: $sc"
  else
    kxt_result legacy-two-initrds FAIL "exit $KXT_RC, kexec_loaded=$(loaded), syscall=$sc: $(head -c 300 /tmp/kxt.err)"
  fi
  kexec -e
  kxt_result kexec-e-2 FAIL "kexec -e returned $?"
}

stage3() {
  want=$(kxt_cmdline_get kxt.stamp)
  got=$(cat /kxt-second/stamp 2>/dev/null)
  kxt_check second-initrd "the file only the second initrd holds is there (stamp $got, want $want)" same_nonempty "$got" "$want"
  kxt_check base-initrd "the first initrd's files are there too" [ -x /kxt/scenario.sh ]
}

case $stage in
  1) stage1 ;;
  2) stage2 ;;
  3) stage3 ;;
  lockdown)
    # shellcheck source=lockdown.sh
    . /kxt/lockdown.sh
    stage_lockdown
    ;;
  lockdown-next) kxt_result signed-kexec PASS "the kernel kexec_file_load accepted under lockdown runs" ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
