# shellcheck shell=bash
# What the aarch64 tier builds on the host (sourced by run.sh after test/vm/lib/vm.sh and arm64.sh).
#
#   ka_install_deb DIR WORK   npm run package's arm64 .deb (KEXECCTL_PKG_ARCH=arm64, into WORK/pkg),
#                             unpacked into the initramfs tree DIR with dpkg-deb -x, as dpkg would lay
#                             it out: /usr/sbin/kexec -> ../lib/kexecctl/bin/kexec, koffi's linux_arm64
#                             module from the package. Maintainer scripts are not run (the guest is a
#                             busybox initramfs without dpkg or debconf); /etc/default/kexec is created
#                             from the packaged copy as postinst does. Sets KA_DEB.
#   ka_stub                   systemd-boot-efi:arm64's linuxaa64.efi.stub (Debian 12, cached); sets KA_STUB
#   ka_uki OUT LINUX INITRD CMDLINE OSREL   an arm64 UKI: the stub + sections added with
#                             aarch64-linux-gnu-objcopy, as the UKI specification's objcopy recipe and
#                             the x86_64 guest tier do (no ukify in bookworm)
#   ka_mini_initrd OUT MARKER busybox, /init and the scenario only (no node): the UKI's .initrd, whose
#                             kernel only checks its command line; /kxt/uki-marker holds MARKER

ka_install_deb() {
  local dir=$1 work=$2 log=$2/package.log
  rm -rf "$work/pkg"
  if ! (cd "$KX_REPO_DIR" && KEXECCTL_PKG_ARCH=arm64 KEXECCTL_PKG_ONLY=deb KEXECCTL_PKG_NO_BUILD=1 \
    KEXECCTL_PKG_OUT="$work/pkg" KEXECCTL_PKG_WORK="$work/pkg-work" bash scripts/package.sh >"$log" 2>&1); then
    tail -n 15 "$log" >&2
    kx_die "npm run package (arm64 .deb) failed; log: $log"
  fi
  KA_DEB=$(find "$work/pkg" -name 'kexecctl_*_arm64.deb' | head -n 1)
  [ -s "$KA_DEB" ] || kx_die "npm run package wrote no arm64 .deb into $work/pkg"
  [ "$(dpkg-deb -f "$KA_DEB" Architecture)" = arm64 ] || kx_die "$KA_DEB is not Architecture: arm64"
  dpkg-deb -x "$KA_DEB" "$dir"
  cp "$dir/usr/share/kexecctl/default/kexec" "$dir/etc/default/kexec"
  rm -rf "$work/pkg-work"
}

ka_stub() {
  local root="$KX_CACHE/systemd-boot-arm64"
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    kx_deb_extract "$(kx_deb_download_arch systemd-boot-efi arm64)" "$root"
    touch "$root/.done"
  fi
  KA_STUB="$root/usr/lib/systemd/boot/efi/linuxaa64.efi.stub"
  [ -f "$KA_STUB" ] || kx_die "systemd-boot-efi:arm64 has no linuxaa64.efi.stub"
}

# Section addresses past the stub's image, each one above the previous one's end (as ukify places them).
ka_uki() {
  local out=$1 args=() vma=$((0x20000)) pair name file size
  kx_need_pkgs binutils-aarch64-linux-gnu
  ka_stub
  for pair in ".osrel=$5" ".cmdline=$4" ".linux=$2" ".initrd=$3"; do
    name=${pair%%=*} file=${pair#*=}
    size=$(stat -c %s "$file")
    args+=(--add-section "$name=$file" --change-section-vma "$name=$(printf '0x%x' "$vma")")
    vma=$(((vma + size + 0xfffff) / 0x100000 * 0x100000))
  done
  aarch64-linux-gnu-objcopy "${args[@]}" "$KA_STUB" "$out" || kx_die "aarch64-linux-gnu-objcopy could not build $out"
}

ka_mini_initrd() {
  local out=$1 tree=$1.tree
  kx_initramfs_base_arm64 "$tree"
  kx_initramfs_add_file "$tree" test/vm/arm64/scenario.sh /kxt/scenario.sh
  chmod 755 "$tree/kxt/scenario.sh"
  printf '%s\n' "$2" >"$tree/kxt/uki-marker"
  kx_cpio "$tree" "$out" zstd
  rm -rf "$tree"
}
