#!/usr/bin/env bash
# Package tier: npm run package (amd64 and arm64), lint the packages, check each arch's koffi native
# module, then the amd64 .deb's whole life in a Debian 12 chroot (install with dpkg -i + apt-get -f
# install, upgrade, remove, purge) and the .rpm in an rpm --root scratch tree. Appends "package <passed> <failed>" to $KEXECCTL_RESULTS.
# Needs root (chroot, mounts). Caches the debootstrap base in ${KEXECCTL_CACHE:-/var/cache/kexecctl-test}.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
# shellcheck source=test/vm/lib/common.sh
. test/vm/lib/common.sh
# shellcheck source=test/package/assert.sh
. test/package/assert.sh
# shellcheck source=test/package/chroot.sh
. test/package/chroot.sh
# shellcheck source=test/package/lint.sh
. test/package/lint.sh
# shellcheck source=test/package/kexec-guard.sh
. test/package/kexec-guard.sh
# shellcheck source=test/package/deb-lifecycle.sh
. test/package/deb-lifecycle.sh
# shellcheck source=test/package/rpm-check.sh
. test/package/rpm-check.sh
# shellcheck source=test/package/arch.sh
. test/package/arch.sh

T0=$SECONDS
WORK=$(mktemp -d /var/tmp/kexecctl-package.XXXXXX)
CHROOT=$WORK/chroot
finish() {
  pkg_chroot_down "$CHROOT"
  if [ "${KEXECCTL_KEEP:-}" = 1 ]; then echo "package: kept $WORK"
  elif findmnt -rn -o TARGET | grep -q "^$WORK/"; then echo "package: $WORK still has mounts; not deleting it"
  else rm -rf "$WORK"; fi
  echo "package: $PKG_PASS passed, $PKG_FAIL failed in $((SECONDS - T0))s"
  if [ -n "${KEXECCTL_RESULTS:-}" ]; then echo "package $PKG_PASS $PKG_FAIL" >>"$KEXECCTL_RESULTS"; fi
}
trap finish EXIT
lap() { echo "package: $1 ($((SECONDS - LAP))s)"; LAP=$SECONDS; }
LAP=$SECONDS

if [ "$(id -u)" -ne 0 ]; then pkg_bad "the package tier needs root (chroot, mount)"; exit 1; fi
kx_need_pkgs dpkg-dev rpm lintian shellcheck debootstrap zstd fakeroot rpmlint systemd util-linux file cpio binutils-aarch64-linux-gnu
if [ "$(dpkg --print-architecture)" != amd64 ]; then pkg_bad "the package tier runs on amd64 (it installs the amd64 .deb in a chroot)"; exit 1; fi

# A copy of the tree with the patch version bumped, packaged the same way: the upgrade target.
pkg_build_upgrade() {
  local src=$WORK/upgrade-src d
  mkdir -p "$src"
  for d in src scripts deb rpm kernel etc-defaults systemd sysv man package.json tsconfig.json; do
    [ -e "$d" ] && cp -R "$d" "$src/"
  done
  ln -s "$ROOT/node_modules" "$src/node_modules"
  (cd "$src" && node -e '
    const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const v = p.version.split("."); v[2] = String(Number(v[2]) + 1); p.version = v.join(".");
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");' &&
    KEXECCTL_PKG_OUT="$WORK/upgrade-out" KEXECCTL_PKG_ONLY=deb KEXECCTL_PKG_ARCH=amd64 bash scripts/package.sh)
}

pkg_section "npm run package"
# A stale dist/ is rebuilt first; package.sh then packages exactly that dist/.
if ! (kx_ensure_built); then pkg_bad "npm run build (kx_ensure_built)"; exit 1; fi
# Into this run's own directory: never a package left in build/packages by an earlier run.
if ! KEXECCTL_PKG_NO_BUILD=1 KEXECCTL_PKG_OUT="$WORK/packages" npm run -s package; then pkg_bad "npm run package"; exit 1; fi
DEB=$(find "$WORK/packages" -name "kexecctl_*_amd64.deb" | head -n 1)
RPM=$(find "$WORK/packages" -name "kexecctl-*.x86_64.rpm" | head -n 1)
ADEB=$(find "$WORK/packages" -name "kexecctl_*_arm64.deb" | head -n 1)
ARPM=$(find "$WORK/packages" -name "kexecctl-*.aarch64.rpm" | head -n 1)
pkg_check "npm run package wrote the amd64 .deb" test -s "$DEB"
pkg_check "npm run package wrote the x86_64 .rpm" test -s "$RPM"
pkg_check "npm run package wrote the arm64 .deb" test -s "$ADEB"
pkg_check "npm run package wrote the aarch64 .rpm" test -s "$ARPM"
pkg_check "npm run package wrote exactly these 4 packages" test "$(find "$WORK/packages" -type f | wc -l)" = 4
[ -s "$DEB" ] && [ -s "$RPM" ] && [ -s "$ADEB" ] && [ -s "$ARPM" ] || exit 1
lap "packages built"
if ! pkg_build_upgrade >"$WORK/upgrade-build.log" 2>&1; then
  cat "$WORK/upgrade-build.log"; pkg_bad "building the upgrade package"; exit 1
fi
NEWDEB=$(find "$WORK/upgrade-out" -name "kexecctl_*.deb" | head -n 1)
NEWVERSION=$(dpkg-deb -f "$NEWDEB" Version)
pkg_ok "upgrade package $NEWVERSION built from a copy with the version bumped"
lap "upgrade package built"

pkg_lint "$DEB" "$RPM" "$WORK"
lap "lint"
pkg_arch_check "$DEB" "$RPM" amd64 x86_64 linux_x64 x86-64 "$WORK"
pkg_arch_check "$ADEB" "$ARPM" arm64 aarch64 linux_arm64 "ARM aarch64" "$WORK"
pkg_same_bundle "$DEB" "$ADEB" "$WORK"
A_LINTIAN_E=$PKG_LINTIAN_E A_LINTIAN_W=$PKG_LINTIAN_W A_RPMLINT_E=${PKG_RPMLINT_E:-n/a}
pkg_lintian "$ADEB" "$WORK/lintian-arm64.txt" "arm64 "
pkg_rpmlint "$ARPM" "$WORK/rpmlint-aarch64.txt" "aarch64 "
ARM_LINT="arm64 lintian: $PKG_LINTIAN_E errors, $PKG_LINTIAN_W warnings; aarch64 rpmlint: ${PKG_RPMLINT_E:-n/a} errors"
PKG_LINTIAN_E=$A_LINTIAN_E PKG_LINTIAN_W=$A_LINTIAN_W PKG_RPMLINT_E=$A_RPMLINT_E
lap "arm64 packages"

pkg_chroot_up "$CHROOT" || { pkg_bad "Debian 12 chroot"; exit 1; }
lap "chroot ready"
pkg_deb_lifecycle "$CHROOT" "$DEB" "$NEWDEB" "$NEWVERSION"
lap "deb install/upgrade/remove/purge"

pkg_rpm_check "$RPM" "$WORK"
lap "rpm checks"

for f in "$DEB" "$ADEB"; do
  echo "package: sizes: $(basename "$f") $(stat -c %s "$f") bytes, installed $(dpkg-deb -f "$f" Installed-Size) KiB"
done
echo "package: sizes: $(basename "$RPM") $(stat -c %s "$RPM") bytes, $(basename "$ARPM") $(stat -c %s "$ARPM") bytes"
echo "package: lintian: $PKG_LINTIAN_E errors, $PKG_LINTIAN_W warnings; rpmlint: ${PKG_RPMLINT_E:-n/a} errors; $ARM_LINT"
[ "$PKG_FAIL" -eq 0 ]
