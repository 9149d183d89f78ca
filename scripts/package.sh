#!/usr/bin/env bash
# npm run package: builds the .deb and the .rpm from the built tree, for amd64 and arm64.
#   build/packages/kexecctl_<version>-<release>_<debarch>.deb   (dpkg-deb, staged tree, root:root)
#   build/packages/kexecctl-<version>-<release>.<rpmarch>.rpm   (rpmbuild with rpm/kexecctl.spec)
# The program is one JS bundle for every arch; only koffi's native module differs: each package
# carries node_modules/koffi/build/koffi/<linux_x64|linux_arm64>/koffi.node and nothing else of koffi's
# prebuilt set. A foreign arch is stripped with its cross strip (binutils-<triplet>) and its shlibs
# come from dpkg-shlibdeps with DEB_HOST_ARCH set, reading the multiarch libstdc++6:<arch> (setup.sh).
# No network. Environment:
#   KEXECCTL_PKG_RELEASE   package release / Debian revision (default 1)
#   KEXECCTL_PKG_ARCH      Debian architectures to build for, space-separated (default "amd64 arm64")
#   KEXECCTL_PKG_OUT       output directory (default build/packages)
#   KEXECCTL_PKG_WORK      scratch directory, emptied first (default build/package-work)
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
ARCHES=${KEXECCTL_PKG_ARCH:-amd64 arm64}
OUT=${KEXECCTL_PKG_OUT:-$ROOT/build/packages}
WORK=${KEXECCTL_PKG_WORK:-$ROOT/build/package-work}
ONLY=${KEXECCTL_PKG_ONLY:-}
for DEBARCH in $ARCHES; do
  set_arch "$DEBARCH" # fails early for an arch we cannot package
done

for tool in dpkg-deb dpkg-shlibdeps rpmbuild gzip node; do
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

VERSION=$(node -p 'require("./package.json").version')
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$EPOCH
mkdir -p "$OUT"

t0=$SECONDS
for DEBARCH in $ARCHES; do
  set_arch "$DEBARCH"
  check_inputs
  if [ "$ONLY" != rpm ]; then
    build_deb
  fi
  if [ "$ONLY" != deb ]; then
    build_rpm
  fi
done
echo "package: done in $((SECONDS - t0))s"
