# shellcheck shell=bash
# The kdump tier's save faults (issue 12's fault matrix), host side; sourced by run.sh for round c (the
# full copy, kexecctl's own save path). ENOSPC is in scenario.sh (a 2 MiB tmpfs); here:
#   kxd_eio_prepare WORK   WORK/eio.img (1 GiB ext4, no journal) and WORK/blkdebug.conf: QEMU's blkdebug
#                          fails every write request covering a MiB boundary from 64 MiB on with EIO
#                          (docs/devel/blkdebug: [inject-error] event "write_aio", sector, once off).
#                          ext4 puts a regular file's data from block group 1 (128 MiB) on, directories
#                          and metadata below 64 MiB: the dump's data fails, its directory entries do not.
#                          Sets KXD_EIO_ARGS (the -drive for QEMU: guest /dev/vdb).
#   kxd_fault_checks DUMPDIR  after round c's run: what SIGTERM (/var/crash-term on the root disk) and EIO
#                          (/dumps on eio.img) left, read with debugfs (nothing mounted on the host).
#   kxd_powerloss DUMPDIR  boots round c's disk again (stage powerloss): a save copying round c's vmcore
#                          (DUMPDIR/vmcore, already read back) is frozen mid-copy, the host kills QEMU with
#                          SIGKILL, then reads /var/crash-pl: vmcore-incomplete (its synced prefix equal to
#                          the source), vmcore-dmesg.txt, never vmcore.
# Needs run.sh's check/result, $WORK, $KX_KERNEL, $mem.

kxd_eio_prepare() {
  local work=$1 m
  rm -f "$work/eio.img"
  truncate -s 1G "$work/eio.img"
  # No lazy inode-table init: the guest kernel must not write the tables in the background.
  mke2fs -q -F -t ext4 -O ^has_journal -E lazy_itable_init=0 -L kxt-eio "$work/eio.img" || kx_die "mke2fs eio.img failed"
  for ((m = 64; m < 1024; m++)); do
    printf '[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "%d"\nonce = "off"\n\n' $((m * 2048))
  done >"$work/blkdebug.conf"
  # shellcheck disable=SC2034 # read by run.sh
  KXD_EIO_ARGS=(-drive "file=blkdebug:$work/blkdebug.conf:$work/eio.img,format=raw,if=virtio,cache=unsafe")
}

# kxd_ls IMG DIR: "name:size" of each entry of DIR in the ext4 image IMG (debugfs ls -p), sorted, one line.
kxd_ls() {
  debugfs -R "ls -p $2" "$1" 2>/dev/null | awk -F/ 'NF > 6 && $6 != "." && $6 != ".." {print $6 ":" $7}' | LC_ALL=C sort | tr '\n' ' '
}
# kxd_one_dir IMG DIR: the first <host>-<date> directory in DIR.
kxd_one_dir() {
  debugfs -R "ls -p $2" "$1" 2>/dev/null | cut -d/ -f6 | grep -E '^kdumpvm-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$' | head -n1 || true
}
# kxd_left NAME IMG DIR WHAT [loose]: DIR/<dump> in IMG holds a non-empty vmcore-incomplete and
# vmcore-dmesg.txt, and no vmcore. "loose" (EIO): vmcore-incomplete may be empty on the disk (its data never
# reached it) and the kernel log may be its .incomplete (it fails the same way): only no vmcore is strict.
kxd_left() {
  local n=$1 img=$2 base=$3 d files want='(^| )vmcore-incomplete:[1-9]' dm='(^| )vmcore-dmesg.txt:'
  [ "${5:-}" = loose ] && want='(^| )vmcore-incomplete:' && dm='(^| )vmcore-dmesg.txt(.incomplete)?:'
  d=$(kxd_one_dir "$img" "$base")
  files=$(kxd_ls "$img" "$base/${d:-none}")
  check "$n" "$4: $base/${d:-<none>}: ${files:-<nothing>}" \
    sh -c "echo '$files' | grep -qE '$want' && echo '$files' | grep -qE '$dm' && ! echo '$files' | grep -qE '(^| )vmcore:'"
}

kxd_fault_checks() {
  kxd_left term-left-on-disk "$WORK/disk.img" /var/crash-term 'after SIGTERM, root disk (host debugfs)'
  kxd_left eio-left-on-disk "$WORK/eio.img" /dumps 'after EIO, the blkdebug disk (host debugfs)' loose
  rm -f "$WORK/eio.img"
}

kxd_powerloss() {
  local src=$1 log="$WORK/powerloss.log" t killed=no
  t=$(kx_ms)
  kx_qemu_start --name kdump-powerloss --kernel "$KX_KERNEL" --initrd "$WORK/initrd.img" --serial "$log" --disk "$WORK/disk.img" \
    --mem "${mem:?}" --append "console=ttyS0 panic=-1 root=/dev/vda rw kxt.stage=powerloss kxt.boot=1"
  if kx_wait_for "$log" '^KXT POWERLOSS-NOW' 240 && kill -9 "$KX_QEMU_PID" 2>/dev/null; then
    killed=yes
    wait "$KX_QEMU_PID" 2>/dev/null || true # 137: killed, as meant
    KX_QEMU_PID=''
  fi
  kx_qemu_stop
  kxd_powerloss_checks "$src" "$log" "$killed" "$(($(kx_ms) - t))"
}

# kxd_powerloss_checks SRC LOG KILLED MS: what the power loss left on round c's disk.
kxd_powerloss_checks() {
  local src=$1 log=$2 killed=$3 d files size
  echo "kdump: power-loss run $4 ms"
  check powerloss-mid-copy "QEMU killed (SIGKILL: $killed) while the save was frozen mid-copy: $(grep -a -o 'KXT POWERLOSS-NOW.*' "$log" | tr -d '\r')$(grep -a -o 'KXT RESULT powerloss.*' "$log" | tr -d '\r')" \
    test "$killed" = yes
  d=$(kxd_one_dir "$WORK/disk.img" /var/crash-pl)
  kxd_left powerloss-left-on-disk "$WORK/disk.img" /var/crash-pl 'after power loss (host debugfs)'
  files=$(kxd_ls "$WORK/disk.img" "/var/crash-pl/${d:-none}")
  size=$(grep -oE '(^| )vmcore-incomplete:[0-9]+' <<<"$files" | cut -d: -f2 || true)
  rm -f "$WORK/pl-partial"
  [ -n "$d" ] && debugfs -R "dump /var/crash-pl/$d/vmcore-incomplete $WORK/pl-partial" "$WORK/disk.img" >/dev/null 2>&1
  # One periodic fsync (at 64 MiB) had returned before the freeze: at least that prefix is on the disk, intact.
  check powerloss-synced-prefix "vmcore-incomplete ${size:-?} bytes on disk, >= 64 MiB and equal to the source's first ${size:-?} bytes" \
    sh -c "[ '${size:-0}' -ge 67108864 ] && cmp -s -n '${size:-0}' '$WORK/pl-partial' '$src'"
  rm -f "$WORK/pl-partial"
}
