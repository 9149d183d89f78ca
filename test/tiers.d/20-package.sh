#!/usr/bin/env bash
# Package tier: npm run package, lint both packages, then the .deb's whole life in a Debian 12
# chroot (install with dpkg -i + apt-get -f install, upgrade, remove, purge) and the .rpm in an
# rpm --root scratch tree. Appends "package <passed> <failed>" to $KEXECCTL_RESULTS.
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
kx_need_pkgs dpkg-dev rpm lintian shellcheck debootstrap zstd fakeroot rpmlint systemd util-linux

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
    KEXECCTL_PKG_OUT="$WORK/upgrade-out" KEXECCTL_PKG_ONLY=deb bash scripts/package.sh)
}

pkg_section "npm run package"
# A stale dist/ is rebuilt first; package.sh then packages exactly that dist/.
if ! (kx_ensure_built); then pkg_bad "npm run build (kx_ensure_built)"; exit 1; fi
# Into this run's own directory: never a package left in build/packages by an earlier run.
if ! KEXECCTL_PKG_NO_BUILD=1 KEXECCTL_PKG_OUT="$WORK/packages" npm run -s package; then pkg_bad "npm run package"; exit 1; fi
DEB=$(find "$WORK/packages" -name "kexecctl_*.deb" | head -n 1)
RPM=$(find "$WORK/packages" -name "kexecctl-*.rpm" | head -n 1)
pkg_check "npm run package wrote the .deb" test -s "$DEB"
pkg_check "npm run package wrote the .rpm" test -s "$RPM"
[ -s "$DEB" ] && [ -s "$RPM" ] || exit 1
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

pkg_chroot_up "$CHROOT" || { pkg_bad "Debian 12 chroot"; exit 1; }
lap "chroot ready"
pkg_deb_lifecycle "$CHROOT" "$DEB" "$NEWDEB" "$NEWVERSION"
lap "deb install/upgrade/remove/purge"

pkg_rpm_check "$RPM" "$WORK"
lap "rpm checks"

echo "package: sizes: $(basename "$DEB") $(stat -c %s "$DEB") bytes, $(basename "$RPM") $(stat -c %s "$RPM") bytes," \
  "installed $(dpkg-deb -f "$DEB" Installed-Size) KiB"
echo "package: lintian: $PKG_LINTIAN_E errors, $PKG_LINTIAN_W warnings; rpmlint: ${PKG_RPMLINT_E:-n/a} errors"
[ "$PKG_FAIL" -eq 0 ]
