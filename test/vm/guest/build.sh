# shellcheck shell=bash
# Builds the guest tier's initramfs; sourced by run.sh and bench/guest.sh (needs test/vm/lib/vm.sh).
#
#   kxg_build WORK [bench]   writes WORK/initrd.img = base.img + payload.cpio, where
#     base.img     busybox, /init, /kxt (scenario, differential table, helpers), Debian's node 18 + libs,
#                  the built project, Debian's C kexec-tools as /usr/local/sbin/kexec-c (the
#                  differential table runs it; never with -e/-f), the dummy network module (loaded
#                  at boot, for the ifdown check); zstd-compressed and zero-padded to 512 bytes so
#                  another cpio can follow it
#     payload      /payload/vmlinuz (the same Debian kernel), /payload/base.img, /payload/notkernel;
#                  uncompressed (the guest re-packs it with busybox cpio to hand it to the next kernel)
#   With "bench", base.img also holds the bench harness /kxt/bench.mjs.
#   Sets KXG_BASE_SIZE and KXG_INITRD_SIZE (bytes).

KXG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kxg_pad512() {
  local s
  s=$(stat -c %s "$1")
  truncate -s $(((s + 511) / 512 * 512)) "$1"
}

kxg_build() {
  local work=$1 mode=${2:-} tree="$1/tree" pay="$1/payload"
  mkdir -p "$work"
  kx_initramfs_base "$tree"
  kx_initramfs_add_node "$tree"
  kx_initramfs_add_project "$tree"
  kx_initramfs_add_file "$tree" "$KXG_DIR/scenario.sh" /kxt/scenario.sh
  kx_initramfs_add_file "$tree" "$KXG_DIR/differential.sh" /kxt/differential.sh
  chmod 755 "$tree/kxt/scenario.sh"
  kx_initramfs_add_kexec_tools "$tree"
  kx_modules_install "$tree" dummy
  if [ "$mode" = bench ]; then
    kx_initramfs_add_file "$tree" "$KXG_DIR/bench.mjs" /kxt/bench.mjs
  fi
  kx_cpio "$tree" "$work/base.img" zstd
  kxg_pad512 "$work/base.img"
  rm -rf "$pay"
  mkdir -p "$pay/payload"
  cp "$KX_KERNEL" "$pay/payload/vmlinuz"
  cp "$work/base.img" "$pay/payload/base.img"
  # Not a kernel: text, and long enough to pass any size check before the header check.
  # shellcheck disable=SC2046 # 2500 words on purpose
  printf 'this is not a kernel image\n%.0s' $(seq 2500) >"$pay/payload/notkernel"
  chmod 644 "$pay/payload/"*
  kx_cpio "$pay" "$work/payload.cpio" none
  kxg_pad512 "$work/payload.cpio"
  cat "$work/base.img" "$work/payload.cpio" >"$work/initrd.img"
  rm -f "$work/payload.cpio"
  rm -rf "$tree" "$pay"
  KXG_BASE_SIZE=$(stat -c %s "$work/base.img")
  KXG_INITRD_SIZE=$(stat -c %s "$work/initrd.img")
  export KXG_BASE_SIZE KXG_INITRD_SIZE
}
