#!/usr/bin/env bash
# The fleet tier (npm run test:fleet): contrib/ checks (ansible-lint, ansible-playbook --syntax-check),
# then three Debian 12 guests rolled by the kexecctl.fleet.rolling_reboot playbook (fleet.mjs).
# The guests' image is the distro tier's systemd image (reused when it holds the current build, else
# built here the same way) plus openssh-server and python3 (build-image.sh).
# Appends "fleet <passed> <failed>" to $KEXECCTL_RESULTS. Boots VMs: run it under
# `flock /tmp/kexecctl-vm.lock` on a shared machine (npm test runs the tiers one after another).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# shellcheck source=test/vm/lib/vm.sh
. "$repo/test/vm/lib/vm.sh"
t0=$(kx_ms)
work="$KX_CACHE/fleet/run"
mkdir -p "$work"
passed=0 failed=0
check() { # check NAME CMD...: one counted static check
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then passed=$((passed + 1)); echo "fleet: PASS $name"
  else failed=$((failed + 1)); echo "fleet: FAIL $name"; tail -n 15 "$work/$name.log" | sed 's/^/  | /'; fi
}
finish() {
  echo "fleet: $passed passed, $failed failed in $(( ($(kx_ms) - t0) / 1000 )) s"
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "fleet $passed $failed" >>"$KEXECCTL_RESULTS"
  return 0
}
trap finish EXIT
fail_tier() { kx_log "FAILED: $*"; failed=$((failed + 1)); exit 1; }

kx_need_pkgs qemu-system-x86 qemu-utils debootstrap e2fsprogs ansible-core ansible-lint openssh-client python3-yaml dpkg-dev rpm binutils
coll="$repo/contrib/ansible/ansible_collections/kexecctl/fleet"
check ansible-lint sh -c "cd '$coll' && ansible-lint --offline -p"
printf 'localhost ansible_connection=local\n' >"$work/syntax.ini"
check ansible-syntax env ANSIBLE_COLLECTIONS_PATH="$repo/contrib/ansible" ansible-playbook -i "$work/syntax.ini" --syntax-check kexecctl.fleet.rolling_reboot
t_lint=$(kx_ms)

# The distro tier's image when it holds this build (npm test runs that tier first), else our own.
(kx_ensure_built) || fail_tier "npm run build failed"
distro="$KX_CACHE/distro/run/systemd"
if [ ! -s "$distro/root.img" ] || ! grep -qx 'INSTALL_MODE=deb' "$distro/image.env" 2>/dev/null || [ "$repo/dist/kexecctl.js" -nt "$distro/root.img" ]; then
  distro="$work/distro"
  kx_log "building the distro image for this build (the distro tier's is missing or older than dist/)"
  rm -rf "$work/packages"
  (cd "$repo" && KEXECCTL_PKG_NO_BUILD=1 KEXECCTL_PKG_ONLY=deb KEXECCTL_PKG_ARCH=amd64 KEXECCTL_PKG_OUT="$work/packages" npm run -s package >"$work/package.log" 2>&1) \
    || fail_tier "npm run package failed (log: $work/package.log)"
  KEXECCTL_DISTRO_DEB=$(find "$work/packages" -name 'kexecctl_*.deb' | head -n 1)
  export KEXECCTL_DISTRO_DEB KEXECCTL_DISTRO_INSTALL=deb
  "$repo/test/vm/distro/build-image.sh" systemd "$distro" || fail_tier "building the distro image failed"
fi
"$here/build-image.sh" "$distro" "$work/image" || fail_tier "building the fleet image failed"
t_image=$(kx_ms)

rc=0
node "$here/fleet.mjs" --image-dir "$work/image" --work "$work/vms" --accel "$(kx_accel)" 2>&1 | tee "$work/results.txt" || rc=$?
tally=$(node "$repo/test/vm/distro/results.mjs" "$work/results.txt" "$rc") || tally="0 1"$'\n'"problem: results.mjs failed"
read -r p f <<<"$tally"
grep '^problem: ' <<<"$tally" | sed 's/^/  fleet: /' >&2 || true
passed=$((passed + p)) failed=$((failed + f))
rm -f "$work/vms/"*.qcow2 "$work/image/fleet.img"
t_end=$(kx_ms)
echo "fleet timings: lint $(( (t_lint - t0) / 1000 )) s, images $(( (t_image - t_lint) / 1000 )) s, VMs + playbooks $(( (t_end - t_image) / 1000 )) s"
[ "$failed" -eq 0 ]
