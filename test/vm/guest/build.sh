# shellcheck shell=bash
# Builds the guest tier's initramfs; sourced by run.sh and bench/guest.sh (needs test/vm/lib/vm.sh).
#
#   kxg_build WORK [bench]   writes WORK/initrd.img = base.img + payload.cpio, where
#     base.img     busybox, /init, /kxt (scenario, differential table and its driver, helpers), Debian's node 18 + libs,
#                  /opt/kexecctl/kxt/kexec-inproc.mjs (kexec in-process, for the differential driver),
#                  the built project, Debian's C kexec-tools as /usr/local/sbin/kexec-c (the
#                  differential table runs it; never with -e/-f), the dummy network module (loaded
#                  at boot, for the ifdown check); zstd-compressed and zero-padded to 512 bytes so
#                  another cpio can follow it
#     payload      /payload/vmlinuz (the same Debian kernel), /payload/base.img, /payload/notkernel,
#                  /payload/vmlinuz.gz (that kernel gzip'ed), /payload/uki.efi (a UKI: systemd's EFI stub
#                  + .osrel + .cmdline + .linux = the kernel + .initrd = base.img, built with objcopy
#                  as the UKI spec's objcopy recipe does), /payload/stub.efi (the bare stub: a PE that
#                  is not a UKI), /payload/nolinux.efi (a UKI without .linux); uncompressed (the guest
#                  re-packs it with busybox cpio to hand it to the next kernel)
#   With "bench", base.img also holds the bench harness /kxt/bench.mjs.
#   Sets KXG_BASE_SIZE and KXG_INITRD_SIZE (bytes) and KXG_UKI_MARKER (in the UKI's .cmdline: the
#   kernel booted from the UKI must show it).

KXG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kxg_pad512() {
  local s
  s=$(stat -c %s "$1")
  truncate -s $(((s + 511) / 512 * 512)) "$1"
}

KXG_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

# kxg_uki OUT LINUX INITRD CMDLINE OSREL: a UKI by objcopy (section addresses past the stub's image,
# each section placed above the previous one's end, as ukify computes them).
kxg_uki() {
  local out=$1 linux=$2 initrd=$3 cmdline=$4 osrel=$5 args=() vma=$((0x20000)) name file size
  [ -f "$KXG_STUB" ] || { echo "kxg_uki: $KXG_STUB is missing (apt-get install systemd-boot-efi)" >&2; return 1; }
  for pair in ".osrel=$osrel" ".cmdline=$cmdline" ".linux=$linux" ".initrd=$initrd"; do
    name=${pair%%=*} file=${pair#*=}
    [ -n "$file" ] || continue
    size=$(stat -c %s "$file")
    args+=(--add-section "$name=$file" --change-section-vma "$name=$(printf '0x%x' "$vma")")
    vma=$(((vma + size + 0xfffff) / 0x100000 * 0x100000))
  done
  objcopy "${args[@]}" "$KXG_STUB" "$out"
}

kxg_build() {
  local work=$1 mode=${2:-} tree="$1/tree" pay="$1/payload"
  mkdir -p "$work"
  kx_initramfs_base "$tree"
  kx_initramfs_add_node "$tree"
  kx_initramfs_add_project "$tree"
  kx_initramfs_add_file "$tree" "$KXG_DIR/scenario.sh" /kxt/scenario.sh
  kx_initramfs_add_file "$tree" "$KXG_DIR/differential.sh" /kxt/differential.sh
  kx_initramfs_add_file "$tree" "$KXG_DIR/differential.mjs" /kxt/differential.mjs
  # The differential table's in-process kexec (kexec-inproc.ts), next to dist/ so koffi resolves.
  mkdir -p "$tree/opt/kexecctl/kxt"
  node "$KXG_DIR/build-inproc.mjs" "$tree/opt/kexecctl/kxt/kexec-inproc.mjs" || kx_die "cannot bundle kexec-inproc.ts"
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
  # Issue 11: a gzip'ed bzImage, a UKI of the same kernel with base.img as its initrd (it boots stage 4),
  # the bare stub (a PE that is no UKI) and a UKI without .linux.
  gzip -9 -n -c "$KX_KERNEL" >"$pay/payload/vmlinuz.gz"
  KXG_UKI_MARKER="u$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export KXG_UKI_MARKER
  printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID=12\nPRETTY_NAME="kexecctl test UKI"\n' >"$work/osrel"
  printf 'console=ttyS0 panic=-1 oops=panic kxt.stage=4 kxt.boot=4 kxt.ukimarker=%s\n' "$KXG_UKI_MARKER" >"$work/cmdline"
  kxg_uki "$pay/payload/uki.efi" "$KX_KERNEL" "$work/base.img" "$work/cmdline" "$work/osrel"
  kxg_uki "$pay/payload/nolinux.efi" "" "" "$work/cmdline" "$work/osrel"
  cp "$KXG_STUB" "$pay/payload/stub.efi"
  rm -f "$work/osrel" "$work/cmdline"
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
