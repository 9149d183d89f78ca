#!/usr/bin/env bash
# The distro tier (npm run test:distro): a debootstrapped Debian 12 in QEMU, driven over its serial
# console. Scenarios (see scenarios.mjs): reboot → kexec into GRUB's default; grub-reboot /
# grub-set-default; coldreboot → firmware; broken config → cold reboot with the reason logged;
# the same reboot/coldreboot on sysvinit; downtimes for SeaBIOS and OVMF.
# Env: KEXECCTL_DISTRO_SUITES (default "systemd:seabios:full sysvinit:seabios:basic systemd:ovmf:basic"),
#      KEXECCTL_DISTRO_INSTALL=deb|tree|auto, KEXECCTL_CACHE, KEXECCTL_DEBIAN_MIRROR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# shellcheck source=test/vm/lib/vm.sh
. "$repo/test/vm/lib/vm.sh"
t0=$(kx_ms)
kx_need_pkgs qemu-system-x86 debootstrap e2fsprogs ovmf
work="$KX_CACHE/distro/run"
mkdir -p "$work"
suites=${KEXECCTL_DISTRO_SUITES:-"systemd:seabios:full sysvinit:seabios:basic systemd:ovmf:basic"}
extra=("$@")

# The project: the .deb when packaging works (as an admin installs it), else the built tree.
(cd "$repo" && npm run -s build)
if [ "${KEXECCTL_DISTRO_INSTALL:-auto}" != tree ]; then
  if (cd "$repo" && npm run -s package >"$work/package.log" 2>&1); then
    export KEXECCTL_DISTRO_INSTALL=deb
  else
    kx_log "npm run package failed (see $work/package.log): installing the built tree by hand"
    export KEXECCTL_DISTRO_INSTALL=tree
  fi
fi
t_build=$(kx_ms)

# One pristine image per init system; each suite boots a copy.
# shellcheck disable=SC2086 # suites is a word list
for v in $(printf '%s\n' $suites | cut -d: -f1 | sort -u); do
  "$here/build-image.sh" "$v" "$work/$v"
done
t_images=$(kx_ms)
kx_log "images ready in $(( (t_images - t_build) / 1000 )) s"

passed=0 failed=0
times="$work/downtimes.txt"
: >"$times"
accel=$(kx_accel)
for s in $suites; do
  IFS=: read -r variant fw suite <<<"$s"
  d="$work/$variant-$fw"
  mkdir -p "$d"
  cp --reflink=auto "$work/$variant/root.img" "$d/root.img"
  cp "$work/$variant/vmlinuz" "$work/$variant/initrd.img" "$work/$variant/image.env" "$d/"
  kx_log "scenarios $variant/$fw ($suite)"
  ts=$(kx_ms)
  node "$here/scenarios.mjs" --image-dir "$d" --variant "$variant" --firmware "$fw" --suite "$suite" \
    --accel "$accel" --times "$times" "${extra[@]}" | tee "$d/results.txt" | grep -E '^(RESULT|DOWNTIME|BOOT|SUMMARY|JOURNAL)' || true
  p=$(grep -c '^RESULT .* PASS' "$d/results.txt" || true)
  f=$(grep -c '^RESULT .* FAIL' "$d/results.txt" || true)
  [ "$p" -gt 0 ] || f=$((f + 1))
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
