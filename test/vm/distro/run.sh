#!/usr/bin/env bash
# The distro tier (npm run test:distro): a debootstrapped Debian 12 in QEMU, driven over its serial
# console. Scenarios (see scenarios.mjs): reboot → kexec into GRUB's default; grub-reboot /
# grub-set-default; coldreboot → firmware; broken config → cold reboot with the reason logged;
# the same reboot/coldreboot on sysvinit; downtimes for SeaBIOS and OVMF. kexecctl verify --json
# (issue 12, scenario-verify.mjs) after sysvinit's kexec reboot and coldreboot and the dracut suite's
# systemctl kexec, plus `kexecctl reboot --dry-run` with kexec_loaded hidden before sysvinit's coldreboot.
# The watchdog variant (issue 12, scenario-watchdog.mjs) runs the OVMF basic suite on Debian's generic
# kernel with an i6300esb, KEXEC_WATCHDOG_SEC=60 and watchdog.stop_on_reboot=0: every kexec reboot is
# armed and handed over, then a kexec into a kernel that hangs must come back by the watchdog reset.
# Suites bench, bench-post and soak (npm run bench, npm run soak) run scenario-bench.mjs instead.
# Env: KEXECCTL_DISTRO_SUITES (default "systemd:seabios:full sysvinit:seabios:basic watchdog:ovmf:basic
#      dracut:seabios:basic"; VARIANT:FIRMWARE:SUITE, variants systemd, sysvinit, dracut, watchdog;
#      npm run test:dracut runs the dracut variant alone),
#      KEXECCTL_DISTRO_INSTALL=deb (default: the .deb this run packages; a packaging failure fails the
#      tier) or tree (only when asked for: the built tree copied by hand), KEXECCTL_CACHE,
#      KEXECCTL_DEBIAN_MIRROR.
# Each suite's checks are tallied by results.mjs: anchored "KXD RESULT" lines against the suite's
# "KXD PLAN" list and scenarios.mjs's exit status, so a crash or a partial run fails the tier.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# shellcheck source=test/vm/lib/vm.sh
. "$repo/test/vm/lib/vm.sh"
t0=$(kx_ms)
kx_need_pkgs qemu-system-x86 debootstrap e2fsprogs ovmf dpkg-dev rpm binutils # the last three: npm run package
work="$KX_CACHE/distro/run"
mkdir -p "$work"
suites=${KEXECCTL_DISTRO_SUITES:-"systemd:seabios:full sysvinit:seabios:basic watchdog:ovmf:basic dracut:seabios:basic"}
extra=("$@")
passed=0 failed=0
fail_tier() { # fail_tier MSG: one failure the tally cannot see (build, packaging, images)
  kx_log "FAILED: $*"
  echo "distro: $passed passed, $((failed + 1)) failed"
  [ -n "${KEXECCTL_RESULTS:-}" ] && echo "distro $passed $((failed + 1))" >>"$KEXECCTL_RESULTS"
  exit 1
}

# The project, as an admin installs it: the .deb packaged by this run (never an older one left in
# build/packages). The hand-copied tree only when KEXECCTL_DISTRO_INSTALL=tree asks for it.
(kx_ensure_built) || fail_tier "npm run build failed"
export KEXECCTL_DISTRO_INSTALL=${KEXECCTL_DISTRO_INSTALL:-deb}
case $KEXECCTL_DISTRO_INSTALL in
  deb)
    rm -rf "$work/packages"
    if ! (cd "$repo" && KEXECCTL_PKG_NO_BUILD=1 KEXECCTL_PKG_ONLY=deb KEXECCTL_PKG_ARCH=amd64 KEXECCTL_PKG_OUT="$work/packages" \
      npm run -s package >"$work/package.log" 2>&1); then
      tail -n 15 "$work/package.log" >&2
      fail_tier "npm run package failed (log: $work/package.log); KEXECCTL_DISTRO_INSTALL=tree tests the built tree instead"
    fi
    KEXECCTL_DISTRO_DEB=$(find "$work/packages" -name 'kexecctl_*.deb' | head -n 1)
    [ -s "$KEXECCTL_DISTRO_DEB" ] || fail_tier "npm run package wrote no .deb into $work/packages"
    export KEXECCTL_DISTRO_DEB
    ;;
  tree) kx_log "KEXECCTL_DISTRO_INSTALL=tree: installing the built tree by hand, not the .deb" ;;
  *) fail_tier "KEXECCTL_DISTRO_INSTALL must be deb or tree, not $KEXECCTL_DISTRO_INSTALL" ;;
esac
t_build=$(kx_ms)

# One pristine image per variant (init system, dracut, watchdog); each suite boots a copy.
# shellcheck disable=SC2086 # suites is a word list
for v in $(printf '%s\n' $suites | cut -d: -f1 | sort -u); do
  "$here/build-image.sh" "$v" "$work/$v" || fail_tier "building the $v image failed"
done
t_images=$(kx_ms)
kx_log "images ready in $(( (t_images - t_build) / 1000 )) s"

# Issue 14 bench (c): Debian's C kexec-tools (the package the kdump-c tier caches, with its libxen*
# closure) written into this suite's copy of the image, private under /opt/c-kexec (sbin/, lib/);
# scenario-bench.mjs points /usr/sbin/kexec at it for the (c) boots only. debugfs keeps modes.
c_kexec_into() {
  local img=$1 src f cmds
  kx_kexec_tools_fetch # test/vm/lib/initramfs.sh
  src=$KX_KEXEC_TOOLS_ROOT
  cmds=$(mktemp)
  printf 'mkdir /opt/c-kexec\nmkdir /opt/c-kexec/sbin\nmkdir /opt/c-kexec/lib\nwrite %s /opt/c-kexec/sbin/kexec\n' "$src/sbin/kexec" >"$cmds"
  for f in "$src"/usr/lib/x86_64-linux-gnu/libxen*.so.*; do
    [ -L "$f" ] && printf 'write %s /opt/c-kexec/lib/%s\n' "$(readlink -f "$f")" "$(basename "$f")" >>"$cmds"
  done
  debugfs -w -f "$cmds" "$img" >/dev/null 2>&1
  rm -f "$cmds"
  debugfs -R 'ls -l /opt/c-kexec/lib' "$img" 2>/dev/null | grep -q libxenctrl.so
}

times="$work/downtimes.txt"
: >"$times"
accel=$(kx_accel)
for s in $suites; do
  IFS=: read -r variant fw suite <<<"$s"
  d="$work/$variant-$fw"
  mkdir -p "$d"
  cp --reflink=auto "$work/$variant/root.img" "$d/root.img"
  cp "$work/$variant/vmlinuz" "$work/$variant/initrd.img" "$work/$variant/image.env" "$d/"
  script=scenarios.mjs
  case $suite in bench | bench-post | soak) script=scenario-bench.mjs ;; esac
  [ "$suite" = bench ] && { c_kexec_into "$d/root.img" || fail_tier "unpacking C kexec-tools into the bench image failed"; }
  kx_log "scenarios $variant/$fw ($suite)"
  ts=$(kx_ms)
  rc=0
  node "$here/$script" --image-dir "$d" --variant "$variant" --firmware "$fw" --suite "$suite" \
    --accel "$accel" --times "$times" "${extra[@]}" 2>&1 | tee "$d/results.txt" || rc=$?
  # results.mjs prints "<passed> <failed>" then a "problem: ..." line per planned check never reported,
  # unplanned or duplicate PASS, missing plan, or crash (non-zero exit without a FAIL line).
  tally=$(node "$here/results.mjs" "$d/results.txt" "$rc") || tally="0 1"$'\n'"problem: results.mjs failed"
  read -r p f <<<"$tally"
  grep '^problem: ' <<<"$tally" | sed "s|^|  $variant/$fw: |" >&2 || true
  passed=$((passed + p)) failed=$((failed + f))
  kx_log "$variant/$fw: $p passed, $f failed in $(( ($(kx_ms) - ts) / 1000 )) s (console: $d/console-$fw.log)"
  # A failed suite keeps its disk, so its journal can be read (debugfs rdump /var/log/journal).
  [ "$f" -gt 0 ] || rm -f "$d/root.img"
done

node "$here/downtime-report.mjs" "$times" || true
t_end=$(kx_ms)
echo "distro timings: build+package $(( (t_build - t0) / 1000 )) s, images $(( (t_images - t_build) / 1000 )) s, scenarios $(( (t_end - t_images) / 1000 )) s, total $(( (t_end - t0) / 1000 )) s"
echo "distro: $passed passed, $failed failed"
[ -n "${KEXECCTL_RESULTS:-}" ] && echo "distro $passed $failed" >>"$KEXECCTL_RESULTS"
[ "$failed" -eq 0 ]
