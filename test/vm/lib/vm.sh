# shellcheck shell=bash
# One-line entry point for the QEMU tiers: `source test/vm/lib/vm.sh` loads every helper
# (common.sh, kernel.sh, initramfs.sh, qemu.sh; each documents its API at the top).
# Typical use (see test/vm/guest/run.sh for a complete tier):
#   source test/vm/lib/vm.sh
#   kx_need_pkgs qemu-system-x86 busybox-static cpio zstd kmod
#   kx_kernel_fetch                                  # KX_KERNEL, KX_KERNEL_VERSION, KX_KERNEL_ROOT
#   kx_initramfs_base "$tree"; kx_initramfs_add_node "$tree"; kx_initramfs_add_project "$tree"
#   kx_modules_install "$tree" virtio_blk            # optional, for --disk
#   kx_initramfs_add_file "$tree" my-scenario.sh /kxt/scenario.sh
#   kx_cpio "$tree" "$work/initrd.img"
#   kx_qemu_start --kernel "$KX_KERNEL" --initrd "$work/initrd.img" --serial "$work/console.log" \
#     --append "console=ttyS0 panic=-1 crashkernel=256M kxt.stage=1" [--disk img] [--debugcon fw.log]
#   trap kx_qemu_stop EXIT
#   kx_wait_for "$work/console.log" '^KXT DONE' 300 || echo timeout
#   read -r passed failed < <(kx_results "$work/console.log")
_kx_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$_kx_lib/common.sh"
# shellcheck source=kernel.sh
. "$_kx_lib/kernel.sh"
# shellcheck source=initramfs.sh
. "$_kx_lib/initramfs.sh"
# shellcheck source=qemu.sh
. "$_kx_lib/qemu.sh"
