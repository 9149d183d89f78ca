#!/usr/bin/env bash
# npm run package: builds the .deb and the .rpm from the built tree.
#   build/packages/kexecctl_<version>-<release>_<debarch>.deb   (dpkg-deb, staged tree, root:root)
#   build/packages/kexecctl-<version>-<release>.<rpmarch>.rpm   (rpmbuild with rpm/kexecctl.spec)
# No network. Environment:
#   KEXECCTL_PKG_RELEASE   package release / Debian revision (default 1)
#   KEXECCTL_PKG_ARCH      Debian architecture to build for (default: this machine's)
#   KEXECCTL_PKG_OUT       output directory (default build/packages)
#   KEXECCTL_PKG_NO_BUILD  1 = package the existing dist/ without running "npm run build"
#   KEXECCTL_PKG_ONLY      deb | rpm (default both)
#   KEXECCTL_PKG_REQUIRED  CLI entries (dist/<name>.js) that must exist (default: kexecctl kexec coldreboot)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/package-lib.sh
. "$ROOT/scripts/package-lib.sh"
# shellcheck source=scripts/package-deb.sh
. "$ROOT/scripts/package-deb.sh"
# shellcheck source=scripts/package-rpm.sh
. "$ROOT/scripts/package-rpm.sh"

RELEASE=${KEXECCTL_PKG_RELEASE:-1}
DEBARCH=${KEXECCTL_PKG_ARCH:-$(dpkg --print-architecture)}
OUT=${KEXECCTL_PKG_OUT:-$ROOT/build/packages}
WORK=$ROOT/build/package-work
ONLY=${KEXECCTL_PKG_ONLY:-}
case "$DEBARCH" in
  amd64) RPMARCH=x86_64 KOFFI_TRIPLET=linux_x64 ;;
  arm64) RPMARCH=aarch64 KOFFI_TRIPLET=linux_arm64 ;;
  *) die "unsupported architecture '$DEBARCH' (kexecctl's syscall layer knows amd64 and arm64)" ;;
esac

for tool in dpkg-deb dpkg-shlibdeps rpmbuild gzip strip node; do
  command -v "$tool" >/dev/null || die "'$tool' is missing; run scripts/setup.sh (dpkg-dev, rpm, binutils)"
done
[ -d node_modules/koffi ] || die "node_modules/koffi is missing; run 'npm ci' (or scripts/setup.sh)"

rm -rf "$WORK"
mkdir -p "$WORK"
# Package a private copy of dist/: the shared working tree's dist/ can be rebuilt (rm -rf) by
# another "npm run build" at any moment, so build, copy, and retry if the copy came out torn.
DIST=$WORK/dist
for attempt in 1 2 3; do
  if [ "${KEXECCTL_PKG_NO_BUILD:-}" != 1 ]; then
    npm run -s build
  fi
  rm -rf "$DIST"
  if cp -R dist "$DIST" 2>/dev/null && dist_complete "$DIST"; then break; fi
  [ "$attempt" -lt 3 ] || break
  note "dist/ changed while copying it; building again"
done
check_inputs

VERSION=$(node -p 'require("./package.json").version')
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$EPOCH
mkdir -p "$OUT"

t0=$SECONDS
if [ "$ONLY" != rpm ]; then
  build_deb
fi
if [ "$ONLY" != deb ]; then
  build_rpm
fi
echo "package: done in $((SECONDS - t0))s"
