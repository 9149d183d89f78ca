#!/bin/sh
# aarch64 tier scenarios (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
#   stage 1 (QEMU -kernel)  kexec -s -l (kexec_file_load) of Debian's arm64 kernel, the vmlinuz file
#                           as Debian ships it (bookworm's signed one is a plain Image with an EFI
#                           stub); a gzip'ed one that kexecctl refuses is gunzipped here with busybox
#                           (said in a KXT LOG line); kexec -e
#   stage 2 (first kexec)   the marker and all CPUs; kexec -c -l (kexec_load: our arm64 segments,
#                           DTB from /sys/firmware/fdt, trampoline) of the uncompressed Image; kexec -e
#   stage 3 (second kexec)  the second marker and all CPUs
# Files from the host: /payload/vmlinuz (Debian's file), /payload/base.img (this initramfs).
. /kxt/lib.sh
stage=${1:-1}
GZ=/payload/vmlinuz
BASE=/payload/base.img
CONSOLE="console=ttyAMA0 panic=-1 oops=panic"

loaded() { cat /sys/kernel/kexec_loaded 2>/dev/null || echo absent; }
pad512() { s=$(stat -c %s "$1"); truncate -s $(((s + 511) / 512 * 512)) "$1"; }
payload_cpio() { (cd / && find payload | cpio -o -H newc 2>/dev/null) >"$1"; pad512 "$1"; }
json() { node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(String((0, eval)("(j) => " + process.argv[1])(j)));' "$1"; }
new_marker() { head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
all_initrd() {
  payload_cpio /tmp/payload.cpio
  cat "$BASE" /tmp/payload.cpio >/tmp/all.img
  rm -f /tmp/payload.cpio
}
status_syscall() { kexecctl status --json 2>/dev/null | json 'j.record && j.record.syscall'; }

stage1() {
  kxt_check guest-env "KEXECCTL_TEST and KEXECCTL_FAKE are not set in the guest" [ -z "${KEXECCTL_TEST:-}${KEXECCTL_FAKE:-}" ]
  kxt_log "arch $(uname -m), node $(node -v 2>&1), $(nproc) CPUs"
  all_initrd
  marker=$(new_marker)
  append="$CONSOLE kxt.stage=2 kxt.boot=2 kxt.marker=$marker kxt.cpus1=$(nproc)"
  t=$(kxt_ms)
  kxt_run kexec -s -l "$GZ" --initrd=/tmp/all.img --append="$append"
  how="the gzip'ed vmlinuz as Debian ships it"
  if [ "$KXT_RC" != 0 ]; then
    kxt_log "kexecctl refused the gzip'ed Image ($(head -c 200 /tmp/kxt.err | tr '\n' ' ')): gunzipped with busybox for this step"
    gunzip -c "$GZ" >/tmp/Image
    how="the Image gunzipped by busybox"
    t=$(kxt_ms)
    kxt_run kexec -s -l /tmp/Image --initrd=/tmp/all.img --append="$append"
  fi
  kxt_time kexec-s-load $(($(kxt_ms) - t))
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result kexec-s-load PASS "kexec_file_load of $how: exit 0, kexec_loaded=1"
  else
    kxt_result kexec-s-load FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  sc=$(status_syscall)
  kxt_check status-syscall "kexecctl status records the syscall: $sc" [ "$sc" = kexec_file_load ]
  kexec -e
  kxt_result kexec-e FAIL "kexec -e returned $?"
}

stage2() {
  marker=$(kxt_cmdline_get kxt.marker)
  kxt_check marker "the kernel loaded by kexec_file_load runs with our command line (marker $marker)" [ -n "$marker" ]
  kxt_check cpus "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
  all_initrd
  if [ "$(head -c 2 "$GZ" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then gunzip -c "$GZ" >/tmp/Image; else cp "$GZ" /tmp/Image; fi
  marker2=$(new_marker)
  t=$(kxt_ms)
  kxt_run kexec -c -d -l /tmp/Image --initrd=/tmp/all.img --append="$CONSOLE kxt.stage=3 kxt.boot=3 kxt.marker2=$marker2 kxt.cpus1=$(nproc)"
  kxt_time kexec-c-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result kexec-c-load PASS "kexec_load with our arm64 segments: exit 0, kexec_loaded=1"
  else
    kxt_result kexec-c-load FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  sc=$(status_syscall)
  kxt_check status-syscall-2 "kexecctl status records the syscall: $sc" [ "$sc" = kexec_load ]
  kexec -e
  kxt_result kexec-e-2 FAIL "kexec -e returned $?"
}

stage3() {
  marker2=$(kxt_cmdline_get kxt.marker2)
  kxt_check marker-2 "the kernel loaded by kexec_load (our DTB and trampoline) runs with our command line (marker $marker2)" [ -n "$marker2" ]
  kxt_check cpus-2 "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
}

case $stage in
  1) stage1 ;;
  2) stage2 ;;
  3) stage3 ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
