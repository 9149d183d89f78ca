#!/usr/bin/env bash
# kdump VM proof (issue 6 item 5), host side. One QEMU run (TCG unless KVM proves itself):
#   kernel 1 boots with crashkernel=256M; the guest runs kdumpctl status/start/stop/start, then
#   `echo c > /proc/sysrq-trigger`; the crash kernel (same kernel and initramfs) sees kexecctl.kdump=save,
#   keeps root= (the virtio disk, the guest's real root), checks `status` without a reservation and runs
#   `kdumpctl save` onto /var/crash on that disk,
#   which reboots (QEMU runs with -no-reboot, so the run ends). The reboot is proven by its outcome:
#   QEMU's QMP SHUTDOWN event says guest-reset (not a poweroff, a panic or our timeout kill) and the
#   capture kernel printed its own "reboot: Restarting system" after the save, with no panic. The host
#   then reads the disk image with debugfs (nothing is mounted on the host) and checks the vmcore (ELF
#   core, PT_LOAD, VMCOREINFO) and vmcore-dmesg.txt (the sysrq panic text). Every guest check named
#   in GUEST_CHECKS must report once: a guest that stops early fails the tier.
# Prints timings, the vmcore size and the guest's capture time; appends "kdump <passed> <failed>" to
# $KEXECCTL_RESULTS; exits non-zero on failure.
# Round s also saves to an ssh target on the host (ssh-server.sh: QEMU's restricted user network, one
# guestfwd to an inetd-mode sshd; nothing listens) twice, as kdumpctl (makedumpfile -F | ssh dd ->
# vmcore.flat) and as kdump-config (SSH= -> <ip>-<YYYYMMDDHHMM>/dump.<stamp>); the host checks what
# arrived (flattened signature, makedumpfile -R rebuilds a kdump-compressed file of the guest's release).
# Two rounds, each its own QEMU run: "s" crashes into a crash kernel loaded with kexec_file_load
# (KEXEC_ARGS="-s"), "c" into one loaded with kexec_load and our own segments and ELF core header
# (KEXEC_ARGS="-c", issue 10 item 4; the guest gets kxt.kexec_args=-c). Results: "kdump" and "kdump-c".
# Round c also runs the save faults of issue 12's matrix (faults.sh): SIGTERM mid-copy and EIO (QEMU
# blkdebug on a second disk) in the capture kernel, then a short third boot of its disk for power loss.
# Env: KEXECCTL_KDUMP_ROUNDS (default "s c"), KEXECCTL_CACHE, KEXECCTL_ACCEL=kvm|tcg, KEXECCTL_KDUMP_MEM (guest MiB, default 768),
#      KEXECCTL_KDUMP_TIMEOUT (seconds, default 420), KEXECCTL_KEEP=1 keeps the disk image and logs.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${KXD_ROUND:-}" ]; then
  rc=0
  for r in ${KEXECCTL_KDUMP_ROUNDS:-s c}; do
    echo "kdump: round $r (KEXEC_ARGS=-$r)"
    KXD_ROUND=$r bash "$0" "$@" || rc=1
  done
  exit $rc
fi
case $KXD_ROUND in
  s) KXD_NAME=kdump KXD_APPEND=' kxt.collector=makedumpfile' ;;
  c) KXD_NAME=kdump-c KXD_APPEND=' kxt.kexec_args=-c' ;;
  *) echo "kdump: unknown round '$KXD_ROUND' (s or c)" >&2 && exit 2 ;;
esac
export KEXECCTL_TEST=1 # host side: the real binding must never load here
# shellcheck source=test/vm/lib/vm.sh
. test/vm/lib/vm.sh

T0=$(kx_ms)
passed=0
failed=0
result() { # result NAME PASS|FAIL DETAIL
  printf '  %s %s %s\n' "$2" "$1" "$3"
  if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
check() { # check NAME DETAIL CMD...
  local n=$1 d=$2
  shift 2
  if "$@"; then result "$n" PASS "$d"; else result "$n" FAIL "$d"; fi
}
finish() {
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "$KXD_NAME $passed $failed" >>"$KEXECCTL_RESULTS"
  echo "$KXD_NAME tier: total $(($(kx_ms) - T0)) ms"
  echo "$KXD_NAME: $passed passed, $failed failed"
  [ "${KEXECCTL_KEEP:-}" = 1 ] || rm -rf "${WORK:?}/dump" "$WORK/disk.img" "$WORK/eio.img" "$WORK/ssh-srv/dumps" "$WORK/ssh-srv/deb" "$WORK/nfs-srv/export"
  [ "$failed" -eq 0 ]
  exit $?
}
trap 'kx_qemu_stop; [ -z "${KXD_NFS_PID:-}" ] || kxd_nfs_stop' EXIT

# Round s: makedumpfile's kdump-compressed file, read from the host with od/dd (not with our code):
# struct disk_dump_header (makedumpfile diskdump_mod.h): signature "KDUMP   " at 0, header_version at 8,
# new_utsname at 12 (release at 12+2*65), timestamp at 408, status at 424 (0x2 = LZO), block_size at 428.
kxd_hdr_u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
kxd_check_filtered() {
  local f=$1 size full sig ver rel status bs
  size=$(stat -c %s "$f")
  full=$(grep -o 'KXT LOG vmcore size [0-9]* bytes' <<<"$clean" | grep -o '[0-9]*' | head -n1 || true)
  sig=$(head -c 8 "$f")
  ver=$(kxd_hdr_u32 "$f" 8)
  rel=$(dd if="$f" bs=1 skip=142 count=65 status=none | tr -d '\0')
  status=$(kxd_hdr_u32 "$f" 424)
  bs=$(kxd_hdr_u32 "$f" 428)
  check vmcore-kdump-signature "signature '$sig' (makedumpfile's kdump-compressed format), header_version $ver" test "$sig" = 'KDUMP   '
  check vmcore-kdump-header "utsname.release '$rel' = $KX_KERNEL_VERSION, block_size $bs = 4096, status $status has LZO (0x2)" \
    test "$rel" = "$KX_KERNEL_VERSION" -a "$bs" = 4096 -a "$((status & 2))" = 2
  check vmcore-filtered-5x "filtered $size bytes vs full /proc/vmcore ${full:-?} bytes ($((size / 1048576)) MiB vs $((${full:-0} / 1048576)) MiB)" \
    test -n "$full" -a "$((size * 5))" -le "${full:-0}"
  bytes=$(grep -o 'saved vmcore: [0-9]*' <<<"$saved" | grep -o '[0-9]*$' || true)
  check vmcore-size "file size $size = bytes reported by the guest (${bytes:-?})" test "$size" = "${bytes:-x}"
  # Debian's makedumpfile, run on the host through its own ld.so, reads the file back: its --dump-dmesg
  # finds the panic and as many lines as our vmcore-dmesg.txt (taken from the unfiltered /proc/vmcore).
  local r=$KXD_MAKEDUMPFILE_ROOT lines_m lines_o
  rm -f "$WORK/mdf-dmesg.txt"
  "$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
    "$r/usr/bin/makedumpfile" --dump-dmesg "$f" "$WORK/mdf-dmesg.txt" >/dev/null 2>&1 || true
  lines_m=$(wc -l <"$WORK/mdf-dmesg.txt" 2>/dev/null || echo 0)
  lines_o=$(wc -l <"$(dirname "$f")/vmcore-dmesg.txt" 2>/dev/null || echo -1)
  check vmcore-makedumpfile-reads "host makedumpfile --dump-dmesg: $lines_m lines (ours $lines_o), panic line present" \
    sh -c "[ $lines_m = $lines_o ] && grep -q 'sysrq: Trigger a crash' '$WORK/mdf-dmesg.txt'"
  echo "kdump: filtered vmcore $size bytes ($((size / 1048576)) MiB) from a ${full:-?}-byte /proc/vmcore (guest RAM ${mem} MiB)"
}

# kxd_check_flat NAME FILE DMESG-NAME: FILE (on the host, written by the guest through ssh) is a flattened
# makedumpfile stream (makedumpfile_header: "makedumpfile" at 0), makedumpfile -R rebuilds it into a
# kdump-compressed file ("KDUMP   ", the guest's release), and DMESG-NAME next to it has the panic.
kxd_check_flat() {
  local n=$1 f=$2 dm=$3 r=$KXD_MAKEDUMPFILE_ROOT sig out rsig rrel
  sig=$(head -c 12 "$f" 2>/dev/null || true)
  out="$WORK/$n.rebuilt"
  rm -f "$out"
  [ -f "$f" ] && "$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
    "$r/usr/bin/makedumpfile" -R "$out" <"$f" >/dev/null 2>&1
  rsig=$(head -c 8 "$out" 2>/dev/null || true)
  rrel=$(dd if="$out" bs=1 skip=142 count=65 status=none 2>/dev/null | tr -d '\0')
  check "$n" "${f:-<none>}: $(stat -c %s "$f" 2>/dev/null || echo 0) bytes, signature '$sig'; makedumpfile -R: '$rsig' $(stat -c %s "$out" 2>/dev/null || echo 0) bytes, release '$rrel'" \
    test "$sig" = makedumpfile -a "$rsig" = 'KDUMP   ' -a "$rrel" = "$KX_KERNEL_VERSION"
  check "$n-dmesg" "$(dirname "${f:-.}")/$dm has the sysrq panic" grep -q 'sysrq: Trigger a crash' "$(dirname "${f:-.}")/$dm"
  echo "kdump: ssh server received $f ($(stat -c %s "$f" 2>/dev/null || echo 0) bytes, rebuilt $(stat -c %s "$out" 2>/dev/null || echo 0) bytes)"
  rm -f "$out"
}

t=$(kx_ms)
kx_need_pkgs qemu-system-x86 busybox-static cpio zstd kmod e2fsprogs binutils
kx_ensure_built
kx_kernel_fetch
ACCEL=$(kx_accel)
WORK="$KX_CACHE/runs/$KXD_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
# shellcheck source=test/vm/kdump/build.sh
. test/vm/kdump/build.sh
# shellcheck source=test/vm/kdump/ssh-server.sh
. test/vm/kdump/ssh-server.sh
# shellcheck source=test/vm/kdump/nfs-server.sh
. test/vm/kdump/nfs-server.sh
# shellcheck source=test/vm/kdump/faults.sh
. test/vm/kdump/faults.sh
NET_ARGS=()
if [ "$KXD_ROUND" = c ]; then
  kxd_eio_prepare "$WORK"
  NET_ARGS=("${KXD_EIO_ARGS[@]}")
fi
if [ "$KXD_ROUND" = s ]; then
  kxd_ssh_prepare "$WORK"
  mkdir -p "$KXD_SSH_GUEST/kxt"
  printf '%s\n' "$KXD_SSH_DIR" >"$KXD_SSH_GUEST/kxt/ssh-dir"
  nfs_fwd=''
  if kxd_nfs_start "$WORK"; then nfs_fwd=$(kxd_nfs_qemu_guestfwd); else result nfs-server FAIL "ganesha did not start (see $WORK/nfs-srv/ganesha.log)"; fi
  mapfile -t NET_ARGS < <(kxd_ssh_qemu_args "$nfs_fwd")
fi
kxd_build "$WORK"
echo "kdump: prepared in $(($(kx_ms) - t)) ms (kernel $KX_KERNEL_VERSION, accel $ACCEL, initrd $((KXD_INITRD_SIZE / 1024)) KiB, root files $((KXD_ROOT_SIZE / 1048576)) MiB)"

LOG="$WORK/console.log"
mem=${KEXECCTL_KDUMP_MEM:-768}
timeout_s=${KEXECCTL_KDUMP_TIMEOUT:-420}
t=$(kx_ms)
kx_qemu_start --name kdump --kernel "$KX_KERNEL" --initrd "$WORK/initrd.img" --serial "$LOG" --disk "$WORK/disk.img" \
  --events "$WORK/qemu-events.jsonl" --mem "$mem" --append "console=ttyS0 panic=-1 oops=panic crashkernel=256M root=/dev/vda rw kxt.stage=1 kxt.boot=1$KXD_APPEND" \
  -- "${NET_ARGS[@]}"
end=$((SECONDS + timeout_s))
declare -A at=()
for m in 'KXT BOOT 1 stage=1' 'KXT CRASHING' 'sysrq: Trigger a crash' 'KXT BOOT 1 stage=capture' 'KXT SAVE-START' '^kdumpctl: (saved vmcore:|copy stopped)'; do
  if kx_wait_for "$LOG" "$m" $((end - SECONDS)); then
    at[$m]=$(kx_ms)
    echo "kdump: host clock: '$m' after $((at[$m] - t)) ms"
  else
    echo "kdump: timed out or QEMU ended waiting for '$m'"
    break
  fi
done
if kx_qemu_wait_exit $((end - SECONDS > 60 ? end - SECONDS : 60)); then
  result qemu-ends PASS "QEMU ended by itself $(($(kx_ms) - t)) ms after start"
else
  result qemu-ends FAIL "QEMU still running at the time limit"
  kx_qemu_stop
fi
echo "kdump: QEMU run $(($(kx_ms) - t)) ms"
[ -z "${KXD_NFS_PID:-}" ] || kxd_nfs_stop
reason=$(kx_qemu_exit_reason)

read -r gp gf < <(kx_results "$LOG")
passed=$((passed + gp))
failed=$((failed + gf))
kx_print_results "$LOG"
clean=$(tr -d '\r' <"$LOG")
# Every check scenario.sh reports (stage 1, then the capture kernel). One that never reported means the
# guest stopped early: a failure, whatever the others said.
GUEST_CHECKS="reservation plan kdump-conf-plan status-not-loaded start status-operational showmem stop-unloads status-after-stop start-again
  capture-trigger capture-no-crashkernel vmcore-present elfcorehdr-form status-no-reservation start-no-reservation root-kept save-enospc
  kdump-config-status"
[ "$KXD_ROUND" = s ] && GUEST_CHECKS="$GUEST_CHECKS failure-action-rootfs ssh-save kdump-tools-ssh nfs-save kdump-tools-savecore"
[ "$KXD_ROUND" = c ] && GUEST_CHECKS="$GUEST_CHECKS save-sigterm save-eio"
missing=''
for n in $GUEST_CHECKS; do
  c=$(grep -cE "KXT RESULT $n (PASS|FAIL)( |\$)" <<<"$clean" || true)
  [ "$c" = 1 ] || missing="$missing $n($c)"
done
check guest-checks-all-reported "each of the $(wc -w <<<"$GUEST_CHECKS") guest checks reported once${missing:+; not once:$missing}" test -z "$missing"
check panic-on-console "sysrq panic seen on the console" grep -q 'Kernel panic - not syncing' <<<"$clean"
# The last save (kdumpctl save on the console, not captured by kxt_run like the earlier ones).
saved=$(grep -oE '^kdumpctl: saved vmcore: [0-9]+ bytes in [0-9]+ ms.*' <<<"$clean" | head -n1 | sed 's/^kdumpctl: //' || true)
check save-complete "${saved:-no 'saved vmcore' line}" test -n "$saved"
# The final action is proven by what happened, not by kdumpctl's announcement: QEMU (-no-reboot) ended on
# the guest's reset, and the capture kernel's console shows kernel_restart()'s own line after the save
# and no panic (a panic with panic=-1 also resets the machine, without that line).
after_save=$(awk '/^kdumpctl: saved vmcore: /{f=1} f' <<<"$clean")
capture_boot=$(awk '/KXT BOOT 1 stage=capture/{f=1} f' <<<"$clean")
check reboot-guest-reset "QEMU's exit reason: $reason (QMP SHUTDOWN event; guest-reset = the guest rebooted)" test "$reason" = guest-reset
check reboot-kernel-restart "capture kernel printed 'reboot: Restarting system' after the save" \
  grep -q 'reboot: Restarting system' <<<"$after_save"
# shellcheck disable=SC2317 # called through check
booted_clean() { [ -n "$1" ] && ! grep -q 'Kernel panic' <<<"$1"; }
check capture-no-panic "the capture kernel booted and did not panic" booted_clean "$capture_boot"

# Read the dump back from the disk image with debugfs (no mount, no loop device).
dir=$(debugfs -R 'ls -p /var/crash' "$WORK/disk.img" 2>/dev/null | cut -d/ -f6 |
  grep -E '^kdumpvm-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$' | head -n1 || true)
check dump-dir "dump directory /var/crash/${dir:-<none>} (<host>-<YYYY-MM-DD-HH:MM:SS>)" test -n "$dir"
if [ -n "$dir" ]; then
  mkdir -p "$WORK/dump"
  debugfs -R "rdump /var/crash/$dir $WORK/dump" "$WORK/disk.img" >/dev/null 2>&1 || true
  D="$WORK/dump/$dir"
  files=$(find "$D" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')
  check dump-files "files: $files" test "$files" = "vmcore vmcore-dmesg.txt "
  if [ -f "$D/vmcore" ] && [ "$KXD_ROUND" = s ]; then
    kxd_check_filtered "$D/vmcore"
  elif [ -f "$D/vmcore" ]; then
    size=$(stat -c %s "$D/vmcore")
    hdr=$(readelf -h "$D/vmcore" 2>&1 || true)
    loads=$(readelf -lW "$D/vmcore" 2>/dev/null | grep -c '^ *LOAD ' || true)
    notes=$(readelf -nW "$D/vmcore" 2>/dev/null || true)
    check vmcore-elf-core "ELF64 core file ($size bytes)" grep -q 'Type: *CORE (Core file)' <<<"$hdr"
    check vmcore-pt-load "$loads PT_LOAD segments" test "$loads" -gt 0
    check vmcore-vmcoreinfo "VMCOREINFO note present" grep -q 'VMCOREINFO' <<<"$notes"
    bytes=$(grep -o 'saved vmcore: [0-9]*' <<<"$saved" | grep -o '[0-9]*$' || true)
    check vmcore-size "file size $size = bytes reported by the guest (${bytes:-?})" test "$size" = "${bytes:-x}"
    echo "kdump: vmcore size $size bytes ($((size / 1048576)) MiB, guest RAM ${mem} MiB)"
  fi
  if [ -f "$D/vmcore-dmesg.txt" ]; then
    check dmesg-sysrq "vmcore-dmesg.txt has 'sysrq: Trigger a crash'" grep -q 'sysrq: Trigger a crash' "$D/vmcore-dmesg.txt"
    check dmesg-panic "vmcore-dmesg.txt has 'Kernel panic - not syncing'" grep -q 'Kernel panic - not syncing' "$D/vmcore-dmesg.txt"
    check dmesg-boot "vmcore-dmesg.txt starts at the first kernel's boot (Linux version ...)" grep -q '\] Linux version 6\.' "$D/vmcore-dmesg.txt"
    echo "kdump: vmcore-dmesg.txt $(wc -l <"$D/vmcore-dmesg.txt") lines; its panic lines:"
    grep -E 'sysrq|Kernel panic' "$D/vmcore-dmesg.txt" | head -n 3 | sed 's/^/    /'
  else
    result dmesg-file FAIL "no vmcore-dmesg.txt ($(head -c 200 "$D/vmcore-dmesg-unavailable.txt" 2>/dev/null))"
  fi
fi
if [ "$KXD_ROUND" = s ]; then
  # kdump-config savecore's dump (/etc/default/kdump-tools, MAKEDUMP_ARGS="-c -d 31"): zlib (status 0x1),
  # named as Debian's kdump-config names it: /var/crash-deb/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM>.
  ddir=$(debugfs -R 'ls -p /var/crash-deb' "$WORK/disk.img" 2>/dev/null | cut -d/ -f6 | grep -E '^[0-9]{12}$' | head -n1 || true)
  mkdir -p "$WORK/dump-deb"
  [ -n "$ddir" ] && debugfs -R "dump /var/crash-deb/$ddir/dump.$ddir $WORK/dump-deb/vmcore" "$WORK/disk.img" >/dev/null 2>&1
  f="$WORK/dump-deb/vmcore"
  dsig=$(head -c 8 "$f" 2>/dev/null || true)
  dstatus=$(kxd_hdr_u32 "$f" 424 2>/dev/null || echo 0)
  check kdump-tools-dump "/var/crash-deb/${ddir:-?}/dump.${ddir:-?}: signature '$dsig', status ${dstatus:-?} has zlib (0x1), $(stat -c %s "$f" 2>/dev/null || echo 0) bytes" \
    test "$dsig" = 'KDUMP   ' -a "$((${dstatus:-0} & 1))" = 1
  # The ssh targets, read on the host (the server side): a flattened makedumpfile stream, rebuilt with
  # the host's makedumpfile -R into a kdump-compressed file of the guest's release, and the kernel log.
  kxd_check_flat ssh-vmcore-flat "$(find "$KXD_SSH_DIR/dumps" -mindepth 2 -maxdepth 2 -name vmcore.flat | head -n 1)" vmcore-dmesg.txt
  fdir=$(find "$KXD_SSH_DIR/deb" -mindepth 1 -maxdepth 1 -type d | grep -E '/10\.0\.2\.15-[0-9]{12}$' | head -n 1 || true)
  kxd_check_flat kdump-tools-ssh-dump "${fdir:+$fdir/dump.${fdir##*-}}" "dmesg.${fdir##*-}"
  # The NFS target, read on the host from the exported directory: makedumpfile's kdump-compressed file.
  nf=$(find "$KXD_NFS_DIR/export/dumps" -mindepth 2 -maxdepth 2 -name vmcore 2>/dev/null | head -n 1 || true)
  nsig=$(head -c 8 "$nf" 2>/dev/null || true)
  nrel=$(dd if="$nf" bs=1 skip=142 count=65 status=none 2>/dev/null | tr -d '\0')
  check nfs-vmcore "${nf:-<none>}: $(stat -c %s "$nf" 2>/dev/null || echo 0) bytes, signature '$nsig', release '$nrel'" \
    test "$nsig" = 'KDUMP   ' -a "$nrel" = "$KX_KERNEL_VERSION"
  check nfs-vmcore-dmesg "$(dirname "${nf:-.}")/vmcore-dmesg.txt has the sysrq panic" grep -q 'sysrq: Trigger a crash' "$(dirname "${nf:-.}")/vmcore-dmesg.txt"
  echo "kdump: NFS server received $nf ($(stat -c %s "$nf" 2>/dev/null || echo 0) bytes)"
  left=$(find "$KXD_SSH_DIR/dumps" "$KXD_SSH_DIR/deb" "$KXD_NFS_DIR/export" -name '*incomplete*' | wc -l)
  check remote-no-incomplete "no *incomplete* file left on the ssh and NFS servers ($left)" test "$left" = 0
fi
if [ "$KXD_ROUND" = c ]; then
  kxd_fault_checks
  if [ -n "$dir" ] && [ -f "$WORK/dump/$dir/vmcore" ]; then kxd_powerloss "$WORK/dump/$dir/vmcore"; else result powerloss FAIL "no vmcore from round c to copy"; fi
fi
[ -n "$saved" ] && echo "kdump: capture in the guest: $saved"
if [ -n "${at['KXT CRASHING']:-}" ] && [ -n "${at['^kdumpctl: (saved vmcore:|copy stopped)']:-}" ]; then
  echo "kdump: host clock from sysrq to saved vmcore: $((at['^kdumpctl: (saved vmcore:|copy stopped)'] - at['KXT CRASHING'])) ms"
fi
[ "$failed" -eq 0 ] || echo "kdump: console log: $LOG"
finish
