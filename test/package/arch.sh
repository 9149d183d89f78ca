# shellcheck shell=bash
# Per-architecture checks of the package tier: npm run package writes a .deb and a .rpm for amd64
# and for arm64 (issue 11). Both carry the same JS bundle; what must differ is koffi's native module:
# each package has exactly one directory under node_modules/koffi/build/koffi, the one of its arch,
# and its koffi.node is an ELF of that machine (file(1) reads the ELF header, not our names).
#   pkg_arch_check DEB RPM DEBARCH RPMARCH TRIPLET ELF_MACHINE WORKDIR
#     ELF_MACHINE: what file(1) prints for the machine ("x86-64", "ARM aarch64").
#   pkg_same_bundle DEB_A DEB_B WORKDIR   the dist/ bundles of two packages are byte-identical

# pkg_tree_from_rpm RPM DIR: the rpm's payload unpacked into DIR (rpm2cpio | cpio, no rpm database).
pkg_tree_from_rpm() {
  mkdir -p "$2"
  (cd "$2" && rpm2cpio "$1" | cpio -idm --quiet 2>/dev/null)
}

# pkg_koffi_dirs TREE: the koffi build directories a package carries, one per line.
pkg_koffi_dirs() {
  find "$1/usr/lib/kexecctl/node_modules/koffi/build/koffi" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
}

# pkg_elf_is FILE MACHINE: file(1) says FILE is a 64-bit ELF shared object for MACHINE.
pkg_elf_is() {
  local desc
  desc=$(file -b "$1") || return 1
  echo "$desc"
  case "$desc" in "ELF 64-bit LSB shared object, $2,"*) return 0 ;; *) return 1 ;; esac
}

pkg_file_says() { file -b "$1" | grep -qF -- "$2"; }
pkg_field_has() { dpkg-deb -f "$1" "$2" | grep -Eq -- "$3"; }
pkg_rpm_requires() { rpm -qp --requires "$1" 2>/dev/null | grep -qxF -- "$2"; }

pkg_arch_check() {
  local deb=$1 rpm=$2 debarch=$3 rpmarch=$4 triplet=$5 machine=$6 work=$7/arch-$3 t
  pkg_section "$debarch packages: $(basename "$deb"), $(basename "$rpm")"
  rm -rf "$work"
  mkdir -p "$work/deb" "$work/rpm"
  dpkg-deb -x "$deb" "$work/deb"
  pkg_tree_from_rpm "$rpm" "$work/rpm"
  pkg_check "$debarch .deb: Architecture: $debarch" test "$(dpkg-deb -f "$deb" Architecture)" = "$debarch"
  pkg_check "$debarch .deb: file name ends in _$debarch.deb" test "${deb%_"$debarch".deb}" != "$deb"
  pkg_check "$rpmarch .rpm: ARCH $rpmarch" test "$(rpm -qp --qf '%{ARCH}' "$rpm" 2>/dev/null)" = "$rpmarch"
  pkg_check "$rpmarch .rpm: file name ends in .$rpmarch.rpm" test "${rpm%."$rpmarch".rpm}" != "$rpm"
  for t in deb rpm; do
    pkg_check "$debarch .$t: koffi's prebuilt directories are exactly $triplet (got: $(pkg_koffi_dirs "$work/$t" | tr '\n' ' '))" \
      test "$(pkg_koffi_dirs "$work/$t")" = "$triplet"
    pkg_check "$debarch .$t: koffi.node is an ELF for $machine" \
      pkg_elf_is "$work/$t/usr/lib/kexecctl/node_modules/koffi/build/koffi/$triplet/koffi.node" "$machine"
    pkg_check "$debarch .$t: koffi.node is stripped" \
      pkg_file_says "$work/$t/usr/lib/kexecctl/node_modules/koffi/build/koffi/$triplet/koffi.node" ', stripped'
  done
  pkg_check "$debarch .deb: Depends has koffi.node's libc6 and libstdc++6 (dpkg-shlibdeps for $debarch)" \
    pkg_field_has "$deb" Depends 'libc6 \(>= [0-9.]+\).*libstdc\+\+6'
  pkg_check "$rpmarch .rpm: requires libstdc++.so.6()(64bit) (rpm's elfdeps on the $machine module)" \
    pkg_rpm_requires "$rpm" 'libstdc++.so.6()(64bit)'
}

pkg_same_bundle() {
  local a=$3/bundle-a b=$3/bundle-b
  rm -rf "$a" "$b"
  mkdir -p "$a" "$b"
  dpkg-deb --fsys-tarfile "$1" | tar -x -C "$a" ./usr/lib/kexecctl/dist
  dpkg-deb --fsys-tarfile "$2" | tar -x -C "$b" ./usr/lib/kexecctl/dist
  pkg_check "$(basename "$1") and $(basename "$2") carry the same dist/ bundle (only koffi.node differs)" \
    diff -r "$a/usr/lib/kexecctl/dist" "$b/usr/lib/kexecctl/dist"
}
