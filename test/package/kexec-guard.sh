# shellcheck shell=bash
# shellcheck disable=SC2016  # $0/$* belong to the stand-in script, ${...} to dpkg-query formats
# Keeps Debian's C kexec-tools, installed and removed in the package tier's chroot, away from the
# host: the chroot shares this machine's kernel, and that package's init scripts run `/sbin/kexec -l`
# (kexec-load stop) and `/sbin/kexec -e` (kexec stop) by absolute path. Four fences, each checked:
#   1. the kernel: every chroot command runs without CAP_SYS_BOOT in its bounding set (pkg_in, see
#      chroot.sh), so kexec_load, kexec_file_load and reboot(2) return EPERM (kernel/kexec.c
#      kexec_load_check, kernel/kexec_file.c, kernel/reboot.c all test capable(CAP_SYS_BOOT)); in a
#      PID namespace of its own (no signal reaches the host's init); /proc/sys and
#      /proc/sysrq-trigger read-only (no kexec_load_disabled=1, no sysrq reboot);
#   2. policy-rc.d answers 101, so invoke-rc.d never runs /etc/init.d/kexec or kexec-load;
#   3. recording stand-ins that refuse (exit 1) come first in PATH: kexec, coldreboot, reboot,
#      shutdown, halt, poweroff, telinit, systemctl;
#   4. the real /sbin/kexec and /sbin/coldreboot never exist while a kexec-tools maintainer script can
#      run: a stand-in sits there before `dpkg --unpack` (preinst), the unpacked C binaries are
#      overwritten with it while the package is only "unpacked", then `apt-get -f install` installs
#      its dependencies and configures it (postinst).
# (dpkg-divert was not used: it would keep kexec-tools' /sbin/kexec from replacing, and later
# deleting, our /usr/sbin/kexec through the merged-/usr alias, which the replacement step tests.)
#   pkg_guard_up DIR                      install the stand-ins and the call record
#   pkg_guard_fences DIR                  check fences 1 and 2 (one line each)
#   pkg_in_guarded DIR CMD...             pkg_in with the stand-ins first in PATH
#   pkg_guarded_logged LOG DIR CMD...     the same, output appended to LOG
#   pkg_guard_calls DIR WHAT              fail if the record shows a kernel load/exec/unload or a
#                                         reboot/init request; prints every recorded call
#   pkg_kexec_tools_install DIR DEBDIR LOG  fence 4: unpack, replace, check, configure
#   pkg_guard_down DIR                    remove the stand-ins and the record

PKG_GUARD_TOOLS="kexec coldreboot reboot shutdown halt poweroff telinit systemctl"

pkg_guard_up() {
  local c=$1 t
  mkdir -p "$c/kx-guard/bin"
  : >"$c/kx-guard/calls"
  # Records "<name> <args>" and refuses. /kx-guard/stub is also what replaces the C binaries.
  printf '#!/bin/sh\necho "${0##*/} $*" >>/kx-guard/calls\necho "kx-guard: ${0##*/} refused in the package tier chroot" >&2\nexit 1\n' \
    >"$c/kx-guard/stub"
  chmod 0755 "$c/kx-guard/stub"
  for t in $PKG_GUARD_TOOLS; do cp "$c/kx-guard/stub" "$c/kx-guard/bin/$t"; done
}

pkg_guard_down() { rm -rf "$1/kx-guard"; }

pkg_in_guarded() {
  local dir=$1; shift
  pkg_in "$dir" env PATH=/kx-guard/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# CapBnd/CapEff of a process started by pkg_in: bit 22 is CAP_SYS_BOOT (include/uapi/linux/capability.h).
pkg_guard_no_sys_boot() {
  local caps bnd eff
  caps=$(pkg_in "$1" cat /proc/self/status) || return 1
  bnd=$(awk '$1 == "CapBnd:" {print $2}' <<<"$caps")
  eff=$(awk '$1 == "CapEff:" {print $2}' <<<"$caps")
  [ -n "$bnd" ] && [ -n "$eff" ] && [ $(((0x$bnd >> 22) & 1)) -eq 0 ] && [ $(((0x$eff >> 22) & 1)) -eq 0 ]
}

pkg_guard_ro() { findmnt -rn -o OPTIONS --target "$1" | tr ',' '\n' | grep -qx ro; }

pkg_guard_fences() {
  local c=$1
  pkg_check "fence: chroot commands run without CAP_SYS_BOOT (kexec_load, kexec_file_load, reboot(2): EPERM)" \
    pkg_guard_no_sys_boot "$c"
  pkg_grep "fence: chroot commands run as PID 1 of their own PID namespace (cannot signal the host's init)" '^1$' \
    <(pkg_in "$c" sh -c 'echo $$')
  pkg_check "fence: /proc/sys is read-only in the chroot" pkg_guard_ro "$c/proc/sys"
  if [ -e "$c/proc/sysrq-trigger" ]; then
    pkg_check "fence: /proc/sysrq-trigger is read-only in the chroot" pkg_guard_ro "$c/proc/sysrq-trigger"
  else pkg_ok "fence: this kernel has no /proc/sysrq-trigger"; fi
  pkg_check_not "fence: /sys is not mounted in the chroot" test -e "$c/sys/kernel/kexec_loaded"
  pkg_check "fence: policy-rc.d forbids every init script action (exit 101)" pkg_guard_policy "$c"
}

pkg_guard_policy() {
  local rc=0
  pkg_in "$1" /usr/sbin/policy-rc.d kexec stop || rc=$?
  [ "$rc" -eq 101 ]
}

# pkg_in_guarded with its output appended to LOG (for pkg_check, which shows the tail on failure).
pkg_guarded_logged() {
  local log=$1; shift
  pkg_in_guarded "$@" >>"$log" 2>&1 || { tail -n 8 "$log"; return 1; }
}

pkg_guard_calls() {
  local c=$1 what=$2 bad
  if [ -s "$c/kx-guard/calls" ]; then sed 's/^/      | recorded: /' "$c/kx-guard/calls"; fi
  bad=$(grep -E '^kexec .*(^| )(-[a-zA-Z]*[lefpu][a-zA-Z]*|--(load|exec|force|load-panic|unload|load-preserve-context|load-jump-back-helper|reuse-cmdline))( |=|$)' \
    "$c/kx-guard/calls"
    grep -E '^(coldreboot|reboot|shutdown|halt|poweroff|telinit)( |$)' "$c/kx-guard/calls"
    grep -E '^systemctl .*(^| )(reboot|kexec|halt|poweroff|soft-reboot|isolate|default|rescue|emergency|exit|switch-root|start|stop|restart)( |$)' \
      "$c/kx-guard/calls")
  if [ -z "$bad" ]; then pkg_ok "$what: no kernel load/exec/unload and no reboot or init request reached the stand-ins"
  else pkg_bad "$what: $(tr '\n' ';' <<<"$bad")"; fi
}

# Files in the chroot byte-identical to REF (the real C binary): none may remain.
pkg_guard_copies() {
  local c=$1 ref=$2 size
  size=$(stat -c %s "$ref")
  find "$c" -xdev -path "$c/proc" -prune -o -type f -size "${size}c" -print 2>/dev/null |
    while read -r f; do cmp -s "$f" "$ref" && printf '%s\n' "${f#"$c"}"; done
}

pkg_kexec_tools_install() {
  local c=$1 ref=$2 log=$3 ver deb f p
  pkg_in "$c" apt-get -y -q --no-install-recommends --download-only install kexec-tools >>"$log" 2>&1 ||
    { pkg_in "$c" apt-get -q update >>"$log" 2>&1; pkg_in "$c" apt-get -y -q --no-install-recommends --download-only install kexec-tools >>"$log" 2>&1; } ||
    { pkg_bad "apt-get --download-only install kexec-tools in the chroot"; tail -n 5 "$log" | sed 's/^/      | /'; return 1; }
  ver=$(pkg_in "$c" apt-cache policy kexec-tools | awk '/Candidate:/ {print $2}')
  deb=$(find "$c/var/cache/apt/archives" -maxdepth 1 -name "kexec-tools_${ver//:/%3a}_*.deb" | head -n 1)
  [ -s "$deb" ] || { pkg_bad "kexec-tools $ver .deb not in the apt cache"; return 1; }
  rm -rf "$ref"
  dpkg-deb -x "$deb" "$ref" # on the host, for comparison only: nothing in it is run
  # The stand-in is at /sbin/kexec and /sbin/coldreboot before any kexec-tools script runs (preinst).
  for f in kexec coldreboot; do
    p=$(pkg_in "$c" realpath -m "/sbin/$f")
    case $p in /usr/sbin/* | /sbin/*) ;; *) pkg_bad "/sbin/$f resolves to $p in the chroot"; return 1 ;; esac
    cp "$c/kx-guard/stub" "$c$p"
  done
  cp "$deb" "$c/tmp/kexec-tools.deb"
  pkg_check "dpkg --unpack kexec-tools $ver (preinst only, no postinst)" pkg_guarded_logged "$log" "$c" dpkg --unpack /tmp/kexec-tools.deb
  pkg_grep "kexec-tools is only unpacked: its postinst has not run" '^unpacked$' \
    <(pkg_in "$c" dpkg-query -W -f='${db:Status-Status}\n' kexec-tools)
  for f in kexec coldreboot; do
    p=$(pkg_in "$c" realpath -m "/sbin/$f")
    pkg_check "the unpacked /sbin/$f is kexec-tools' binary (so replacing it matters)" cmp -s "$c$p" "$ref/sbin/$f"
    cp "$c/kx-guard/stub" "$c$p"
  done
  # The real binaries must be unreachable before postinst runs; otherwise it is not run at all.
  local left
  left=$(pkg_guard_copies "$c" "$ref/sbin/kexec"; pkg_guard_copies "$c" "$ref/sbin/coldreboot")
  p=$(pkg_in "$c" realpath -m /sbin/kexec)
  if [ -n "$left" ] || ! cmp -s "$c$p" "$c/kx-guard/stub"; then
    pkg_bad "kexec-tools' binaries still reachable in the chroot (${left:-/sbin/kexec is not the stand-in}): postinst not run"
    return 1
  fi
  pkg_ok "no copy of kexec-tools' kexec or coldreboot left in the chroot; /sbin/kexec is the refusing stand-in"
  # apt-get -f install brings the dependencies (libxenmisc in bookworm's deb12u3), then configures
  # kexec-tools: its postinst runs only now, with the stand-ins in place.
  pkg_check "apt-get -f install: dependencies, then kexec-tools configured (postinst, with the guard)" \
    pkg_guarded_logged "$log" "$c" apt-get -y -q --no-install-recommends -f install
  pkg_grep "kexec-tools is installed" '^installed$' <(pkg_in "$c" dpkg-query -W -f='${db:Status-Status}\n' kexec-tools)
  pkg_guard_calls "$c" "kexec-tools install"
}
