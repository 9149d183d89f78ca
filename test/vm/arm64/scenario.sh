#!/bin/sh
# aarch64 tier scenarios (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
#   stage 1 (QEMU -kernel)  kexecctl is the arm64 .deb's files; /tmp/Image = /payload/Image.gz gunzipped
#                           (sha256 = Debian's, from the host);
#                           kexec -s -l (kexec_file_load): Debian 12's cloud-arm64 kernel is built
#                           without CONFIG_KEXEC_FILE, so this must either load or fail with
#                           kexec-tools' "syscall kexec_file_load not available." and load nothing;
#                           then the default `kexec -l` (-a): kexec_file_load when it loaded above,
#                           else the fallback to kexec_load with our arm64 segments; kexec -e
#   stage 2 (first kexec)   the marker, all CPUs, the same memory; kexec -c -l of Image.gz (the
#                           Image gzip'ed on the host, decompressed into a memfd; kexec_load: our
#                           segments, DTB from /sys/firmware/fdt, trampoline); kexec -e
#   stage 3 (second kexec)  the second marker, all CPUs, the same memory; /tmp/zboot.efi = Image.gz in
#                           an EFI zboot container (/kxt/zboot.mjs); kexec -l zboot.efi (payload
#                           decompressed into a memfd); then a zboot naming a compression we cannot
#                           read (lzo) and a cut-short one are refused (one line, the zboot kernel
#                           stays loaded); kexec -e
#   stage 4 (third kexec)   the third marker, all CPUs; kexec -l /payload/uki.efi, nothing else: its
#                           .linux, .initrd and .cmdline; kexec -u; the same load again; then kdump
#                           (booted with crashkernel=$CRASHKERNEL): kexec -p of Image.gz through our
#                           kexec_load crash mode (kexec_crash_loaded=1, the UKI stays loaded), a cut
#                           Image.gz refused over it, and echo c > /proc/sysrq-trigger
#   stage crash (capture)   the crash command line's marker; MemTotal within the crash region;
#                           /proc/vmcore: ELF64 ET_CORE EM_AARCH64, one NT_PRSTATUS per CPU, the
#                           crashed kernel's VMCOREINFO OSRELEASE, its init_uts_ns read through a
#                           PT_LOAD (/kxt/vmcore.mjs), the size of System RAM minus the crash region;
#                           then kexec -l /payload/uki.efi and kexec -e from the capture kernel
#   stage 5 (from the UKI)  the UKI's .cmdline marker equals /kxt/uki-marker, which only the UKI's
#                           .initrd (mini.img) holds; this initramfs has no /payload and no node
# Files from the host: /payload/Image.gz (Debian's Image gzip'ed), /payload/uki.efi,
# /payload/base.img (this initramfs).
. /kxt/lib.sh
stage=${1:-1}
GZ=/payload/Image.gz
BASE=/payload/base.img
CONSOLE="console=ttyAMA0 panic=-1 oops=panic"
# Stage 4's reservation: room for the capture kernel, its initrd (node + uki.efi, 63 MiB) unpacked,
# and the UKI it loads in turn.
CRASHKERNEL=768M

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
# part_initrd OUT FILE...: base.img (node, kexecctl) + only the named /payload files. Stage 4 gets
# uki.efi, Image.gz (its crash kernel) and base.img (for the capture kernel's initrd); the capture
# kernel gets uki.efi only.
part_initrd() {
  out=$1
  shift
  (cd / && { echo payload; for f in "$@"; do echo "payload/$f"; done; } | cpio -o -H newc 2>/dev/null) >/tmp/part.cpio
  pad512 /tmp/part.cpio
  cat "$BASE" /tmp/part.cpio >"$out"
  rm -f /tmp/part.cpio
}
memtotal() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }
within_2pct() { [ $(($1 * 100)) -ge $(($2 * 98)) ] && [ $(($1 * 100)) -le $(($2 * 102)) ]; }
# /tmp/Image: Debian's Image, gunzipped with busybox (stage 1 loads the plain Image; stage 2 hands
# /payload/Image.gz to kexecctl, which decompresses it: issue 11).
image() {
  gunzip -c "$GZ" >/tmp/Image
  sha=$(sha256sum /tmp/Image | cut -d' ' -f1)
  kxt_check image-sha "/tmp/Image is Debian's Image byte for byte (sha256 $sha)" [ "$sha" = "$(kxt_cmdline_get kxt.imagesha)" ]
}
# refused NAME PATTERN DETAIL: the last kxt_run failed with one stderr line matching PATTERN, and the
# kernel loaded before it is still loaded (bad input neither loads nor unloads).
refused() {
  if [ "$KXT_RC" != 0 ] && [ "$(loaded)" = 1 ] && [ "$(wc -l </tmp/kxt.err)" = 1 ] && grep -q "$2" /tmp/kxt.err; then
    kxt_result "$1" PASS "$3: exit $KXT_RC, one line ($(cat /tmp/kxt.err)), the loaded kernel kept"
  else
    kxt_result "$1" FAIL "$3: exit $KXT_RC, kexec_loaded=$(loaded) (want 1), stderr: $(head -c 300 /tmp/kxt.err)"
  fi
}
rc0_loaded() { [ "$KXT_RC" = 0 ] && [ "$(loaded)" = "$1" ]; }
deb_installed() { [ "$(readlink /usr/sbin/kexec)" = ../lib/kexecctl/bin/kexec ] && [ "$1" = linux_arm64 ] && [ ! -e /opt/kexecctl ]; }
uki_cmdline() { [ -n "$1" ] && [ "$1" = "$(cat /kxt/uki-marker 2>/dev/null)" ] && [ -z "$(kxt_cmdline_get kxt.marker3)" ]; }
uki_initrd() { [ -f /kxt/uki-marker ] && [ ! -e /payload ] && ! command -v node >/dev/null; }
status_syscall() { kexecctl status --json 2>/dev/null | json 'j.record && j.record.syscall'; }

stage1() {
  kxt_check guest-env "KEXECCTL_TEST and KEXECCTL_FAKE are not set in the guest" [ -z "${KEXECCTL_TEST:-}${KEXECCTL_FAKE:-}" ]
  kxt_log "arch $(uname -m), node $(node -v 2>&1), $(nproc) CPUs, kernel $(uname -r)"
  koffi=$(ls /usr/lib/kexecctl/node_modules/koffi/build/koffi 2>&1)
  kxt_check deb-installed "kexec is the arm64 .deb's ($(readlink /usr/sbin/kexec)), koffi builds: $koffi" deb_installed "$koffi"
  all_initrd
  image
  marker=$(new_marker)
  append="$CONSOLE kxt.stage=2 kxt.boot=2 kxt.marker=$marker kxt.cpus1=$(nproc) kxt.mem1=$(memtotal)"
  t=$(kxt_ms)
  kxt_run kexec -s -l /tmp/Image --initrd=/tmp/all.img --append="$append"
  kxt_time kexec-s-load $(($(kxt_ms) - t))
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    want=kexec_file_load
    kxt_result kexec-s PASS "kexec_file_load of Debian's Image: exit 0, kexec_loaded=1"
    kexec -u
  elif [ "$KXT_RC" != 0 ] && [ "$(loaded)" = 0 ] && grep -q 'syscall kexec_file_load not available\.' /tmp/kxt.err; then
    want=kexec_load
    kxt_result kexec-s PASS "this kernel has no kexec_file_load (no CONFIG_KEXEC_FILE): kexec-tools' message, exit $KXT_RC, nothing loaded"
  else
    want=none
    kxt_result kexec-s FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  t=$(kxt_ms)
  kxt_run kexec -d -l /tmp/Image --initrd=/tmp/all.img --append="$append"
  kxt_time kexec-auto-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  sc=$(status_syscall)
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ] && [ "$sc" = "$want" ]; then
    kxt_result auto-load PASS "kexec -l (-a) loaded through $sc"
  else
    kxt_result auto-load FAIL "exit $KXT_RC, kexec_loaded=$(loaded), syscall=$sc (want $want): $(head -c 300 /tmp/kxt.err)"
  fi
  kexec -e
  kxt_result kexec-e FAIL "kexec -e returned $?"
}

stage2() {
  marker=$(kxt_cmdline_get kxt.marker)
  kxt_check marker "the kernel loaded by kexec -l runs with our command line (marker $marker)" [ -n "$marker" ]
  kxt_check cpus "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
  kxt_check memory "MemTotal $(memtotal) kB vs $(kxt_cmdline_get kxt.mem1) kB before" within_2pct "$(memtotal)" "$(kxt_cmdline_get kxt.mem1)"
  all_initrd
  marker2=$(new_marker)
  gz=$(head -c 2 /payload/Image.gz | od -An -tx1 | tr -d ' ')
  kxt_check image-gz "/payload/Image.gz is a gzip file (magic $gz), loaded as it is" [ "$gz" = 1f8b ]
  t=$(kxt_ms)
  kxt_run kexec -c -d -l /payload/Image.gz --initrd=/tmp/all.img --append="$CONSOLE kxt.stage=3 kxt.boot=3 kxt.marker2=$marker2 kxt.cpus1=$(nproc) kxt.mem1=$(kxt_cmdline_get kxt.mem1)"
  kxt_time kexec-c-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result kexec-c-load PASS "kexec_load of the gzip'ed Image (decompressed into a memfd) with our arm64 segments: exit 0, kexec_loaded=1"
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
  kxt_check memory-2 "MemTotal $(memtotal) kB vs $(kxt_cmdline_get kxt.mem1) kB at the first boot" within_2pct "$(memtotal)" "$(kxt_cmdline_get kxt.mem1)"
  node /kxt/zboot.mjs "$GZ" gzip /tmp/zboot.efi
  magic="$(head -c 2 /tmp/zboot.efi)+$(head -c 8 /tmp/zboot.efi | tail -c 4)"
  kxt_check zboot-built "/tmp/zboot.efi: EFI zboot container of Image.gz, $(stat -c %s /tmp/zboot.efi) bytes, magic $magic" [ "$magic" = MZ+zimg ]
  part_initrd /tmp/s4.img uki.efi Image.gz base.img
  marker3=$(new_marker)
  t=$(kxt_ms)
  kxt_run kexec -d -l /tmp/zboot.efi --initrd=/tmp/s4.img --append="$CONSOLE crashkernel=$CRASHKERNEL kxt.stage=4 kxt.boot=4 kxt.marker3=$marker3 kxt.cpus1=$(nproc)"
  kxt_time kexec-zboot-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result zboot-load PASS "kexec -l of the zboot image (gzip payload decompressed into a memfd, kexec_load): exit 0, kexec_loaded=1"
  else
    kxt_result zboot-load FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  node /kxt/zboot.mjs "$GZ" lzo /tmp/lzo.efi
  kxt_run kexec -l /tmp/lzo.efi --initrd="$BASE" --append="$CONSOLE"
  refused zboot-unknown-comp 'lzo' "a zboot image whose comp-type is lzo (not one kexecctl decompresses)"
  head -c 4194304 /tmp/zboot.efi >/tmp/cut.efi
  kxt_run kexec -l /tmp/cut.efi --initrd="$BASE" --append="$CONSOLE"
  refused zboot-truncated 'cut short' "the zboot image cut at 4 MiB"
  rm -f /tmp/lzo.efi /tmp/cut.efi /tmp/zboot.efi /tmp/s4.img
  kexec -e
  kxt_result kexec-e-3 FAIL "kexec -e returned $?"
}

stage4() {
  marker3=$(kxt_cmdline_get kxt.marker3)
  kxt_check marker-3 "the kernel loaded from the zboot image runs with our command line (marker $marker3)" [ -n "$marker3" ]
  kxt_check cpus-3 "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
  t=$(kxt_ms)
  kxt_run kexec -d -l /payload/uki.efi
  kxt_time kexec-uki-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^entry = /,/^segment\[3\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(loaded)" = 1 ]; then
    kxt_result uki-load PASS "kexec -l uki.efi with no --initrd and no --append (its .initrd and .cmdline; kexec_load): exit 0, kexec_loaded=1"
  else
    kxt_result uki-load FAIL "exit $KXT_RC, kexec_loaded=$(loaded): $(head -c 300 /tmp/kxt.err)"
  fi
  kxt_run kexec -u
  kxt_check unload "kexec -u after the UKI load: exit $KXT_RC, kexec_loaded=$(loaded)" rc0_loaded 0
  kxt_run kexec -l /payload/uki.efi
  kxt_check uki-reload "kexec -l uki.efi again after the unload: exit $KXT_RC, kexec_loaded=$(loaded)" rc0_loaded 1
  kdump_load
  sync
  echo c >/proc/sysrq-trigger
  kxt_result crash-trigger FAIL "still running after echo c > /proc/sysrq-trigger"
}

# kdump on arm64 (issue 11): Debian's arm64 kernel has no kexec_file_load, so kexec -p falls back to
# our kexec_load crash mode (src/image/arm64/crash-plan.ts). The capture kernel gets the crash
# region's size and System RAM minus it (what /proc/vmcore must map) on its command line.
kdump_load() {
  sizes=$(ram_and_crash)
  ram=${sizes% *}
  crash=${sizes#* }
  part_initrd /tmp/c.img uki.efi
  cm=$(new_marker)
  t=$(kxt_ms)
  kxt_run kexec -d -p /payload/Image.gz --initrd=/tmp/c.img \
    --append="$CONSOLE kxt.stage=crash kxt.boot=5 kxt.crashmarker=$cm kxt.release=$(uname -r) kxt.dumpram=$((ram - crash)) kxt.crashsize=$crash kxt.cpus1=$(nproc)"
  kxt_time kexec-p-load $(($(kxt_ms) - t))
  sed -n 's/^kexec: //; /^crash kernel: /p; /^entry = /,/^segment\[4\]\.memsz/p' /tmp/kxt.err | sed 's/^/KXT LOG crash segments: /'
  if [ "$KXT_RC" = 0 ] && [ "$(crash_loaded)" = 1 ] && [ "$(loaded)" = 1 ]; then
    kxt_result crash-load PASS "kexec -p Image.gz (kexec_load crash mode, crashkernel=$CRASHKERNEL: $crash bytes): exit 0, kexec_crash_loaded=1, the UKI still loaded"
  else
    kxt_result crash-load FAIL "exit $KXT_RC, kexec_crash_loaded=$(crash_loaded), kexec_loaded=$(loaded): $(grep -v '^kexec: ' /tmp/kxt.err | head -c 400)"
  fi
  rm -f /tmp/c.img
  head -c 1048576 /payload/Image.gz >/tmp/cut.gz
  kxt_run kexec -p /tmp/cut.gz --append="$CONSOLE"
  rm -f /tmp/cut.gz
  if [ "$KXT_RC" != 0 ] && [ "$(crash_loaded)" = 1 ] && [ "$(loaded)" = 1 ] && [ "$(wc -l </tmp/kxt.err)" = 1 ]; then
    kxt_result crash-refused PASS "kexec -p of Image.gz cut at 1 MiB: exit $KXT_RC, one line ($(cat /tmp/kxt.err)), the crash kernel kept"
  else
    kxt_result crash-refused FAIL "exit $KXT_RC, kexec_crash_loaded=$(crash_loaded) (want 1), stderr: $(head -c 300 /tmp/kxt.err)"
  fi
}
crash_loaded() { cat /sys/kernel/kexec_crash_loaded 2>/dev/null || echo absent; }
# "<top-level System RAM bytes> <Crash kernel bytes>" from /proc/iomem (needs root: real addresses).
ram_and_crash() {
  ram=0
  crash=0
  while IFS= read -r line; do
    r=${line%% : *}
    r=${r##* }
    n=$((0x${r#*-} - 0x${r%-*} + 1))
    case $line in
      [0-9a-f]*" : System RAM") ram=$((ram + n)) ;;
      *" : Crash kernel") crash=$((crash + n)) ;;
    esac
  done </proc/iomem
  echo "$ram $crash"
}
vc() { sed -n "s/^$1=//p" /tmp/vmcore.txt; }
crash_boot() { [ -n "$1" ] && [ -e /proc/vmcore ]; }
capture_mem() { [ $(($(memtotal) * 1024)) -le "$(kxt_cmdline_get kxt.crashsize)" ]; }
vmcore_elf() { [ "$(vc magic)/$(vc class)/$(vc data)/$(vc type)/$(vc machine)" = 7f454c46/2/1/4/183 ]; }
vmcore_notes() { [ "$(vc prstatus)" = "$(kxt_cmdline_get kxt.cpus1)" ] && [ "$(vc osrelease)" = "$(kxt_cmdline_get kxt.release)" ]; }
vmcore_memory() { [ "$(vc uts_sysname)" = Linux ] && [ "$(vc uts_release)" = "$(kxt_cmdline_get kxt.release)" ]; }
vmcore_size() {
  d=$(kxt_cmdline_get kxt.dumpram)
  [ "$(vc load_bytes)" = "$d" ] && [ "$(vc size)" -ge "$d" ] && [ "$(vc size)" -le $((d + 4194304)) ]
}

stage_crash() {
  cm=$(kxt_cmdline_get kxt.crashmarker)
  kxt_check crash-boot "the capture kernel runs with the crash command line (marker $cm); /proc/vmcore: $(ls -l /proc/vmcore 2>&1)" crash_boot "$cm"
  kxt_check capture-memory "MemTotal $(memtotal) kB within the $(kxt_cmdline_get kxt.crashsize)-byte crash region (linux,usable-memory-range)" capture_mem
  t=$(kxt_ms)
  node /kxt/vmcore.mjs /proc/vmcore >/tmp/vmcore.txt 2>&1
  kxt_time vmcore-read $(($(kxt_ms) - t))
  kxt_log "vmcore: $(tr '\n' ' ' </tmp/vmcore.txt)"
  kxt_check vmcore-elf "/proc/vmcore: magic $(vc magic), class $(vc class), data $(vc data), e_type $(vc type), e_machine $(vc machine) (want ELF64 LE ET_CORE EM_AARCH64 183)" vmcore_elf
  kxt_check vmcore-notes "$(vc prstatus) NT_PRSTATUS notes (CPUs $(kxt_cmdline_get kxt.cpus1)), VMCOREINFO OSRELEASE=$(vc osrelease) (crashed kernel $(kxt_cmdline_get kxt.release))" vmcore_notes
  kxt_check vmcore-memory "the crashed kernel's init_uts_ns at $(vc uts_phys), read through a PT_LOAD: $(vc uts_sysname) $(vc uts_release)" vmcore_memory
  kxt_check vmcore-size "$(vc loads) PT_LOADs, $(vc load_bytes) bytes = System RAM minus the crash region ($(kxt_cmdline_get kxt.dumpram)); file $(vc size) bytes" vmcore_size
  t=$(kxt_ms)
  kxt_run kexec -l /payload/uki.efi
  kxt_time capture-uki-load $(($(kxt_ms) - t))
  kxt_check capture-uki-load "kexec -l uki.efi in the capture kernel: exit $KXT_RC, kexec_loaded=$(loaded) $(head -c 200 /tmp/kxt.err)" rc0_loaded 1
  kexec -e
  kxt_result kexec-e-crash FAIL "kexec -e returned $?"
}

stage5() {
  m=$(kxt_cmdline_get kxt.ukimarker)
  kxt_check uki-cmdline "the kernel from the UKI runs with the UKI's .cmdline (marker $m), not the previous stage's" uki_cmdline "$m"
  kxt_check uki-initrd "its initramfs is the UKI's .initrd (mini.img: /kxt/uki-marker, no /payload, no node)" uki_initrd
  kxt_check cpus-5 "all CPUs are up: $(nproc) of $(kxt_cmdline_get kxt.cpus1)" [ "$(nproc)" = "$(kxt_cmdline_get kxt.cpus1)" ]
}

case $stage in
  1) stage1 ;;
  2) stage2 ;;
  3) stage3 ;;
  4) stage4 ;;
  crash) stage_crash ;;
  5) stage5 ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
