# shellcheck shell=bash
# The .rpm: installed with rpm --root into a scratch tree (no scripts, no deps: this is not a
# Red Hat machine), its files checked, and its scriptlets run against stubs so that each
# branch (install, upgrade, erase) is seen to call what %systemd_* would.
#   pkg_rpm_check RPM WORKDIR

# Runs scriptlet TEXT with $1=ARG in a sandbox: /usr/bin/systemctl, the reload helper and
# /run/kexecctl are rewritten to point into DIR, where stubs record their arguments.
pkg_run_scriptlet() {
  local dir=$1 text=$2 arg=$3
  mkdir -p "$dir/bin" "$dir/run/kexecctl"
  : >"$dir/calls"
  printf '#!/bin/sh\necho "systemctl $*" >>"%s/calls"\n' "$dir" >"$dir/bin/systemctl"
  printf '#!/bin/sh\necho "reload $*" >>"%s/calls"\n' "$dir" >"$dir/bin/kexecctl-reload"
  chmod 0755 "$dir/bin/systemctl" "$dir/bin/kexecctl-reload"
  printf '%s\n' "$text" | sed -e "s|/usr/bin/systemctl|$dir/bin/systemctl|g" \
    -e "s|/usr/lib/kexecctl/kexecctl-reload|$dir/bin/kexecctl-reload|g" -e "s|/run/kexecctl|$dir/run/kexecctl|g" >"$dir/script"
  # Refuse to run anything that could still reach this machine's systemd or /run.
  if sed -e "s|$dir/bin/systemctl||g" -e "s|$dir/bin/kexecctl-reload||g" -e "s|$dir/run/kexecctl||g" "$dir/script" |
    grep -Eq 'systemctl|/run/|kexecctl-reload|kexecctl (load|unload)'; then
    echo "refusing to run a scriptlet that escapes the sandbox" >"$dir/calls"
    return 1
  fi
  sh "$dir/script" "$arg" >/dev/null 2>&1
}

pkg_rpm_check() {
  local rpm=$1 work=$2 r=$2/rpmroot f q s
  pkg_section "rpm -i --root (--nodeps --noscripts)"
  rm -rf "$r"; mkdir -p "$r"
  rpm --root "$r" --initdb
  pkg_check "rpm -i --root --nodeps --noscripts" rpm --root "$r" -i --nodeps --noscripts "$rpm"
  pkg_check "rpm -q kexecctl in the scratch root" rpm --root "$r" -q kexecctl
  for f in /usr/sbin/kexecctl /usr/sbin/kexec /usr/sbin/coldreboot /usr/lib/kexecctl/dist/kexecctl.js \
    /etc/default/kexec /etc/kernel/postinst.d/zz-kexecctl /usr/lib/kernel/install.d/90-kexecctl.install \
    /usr/lib/systemd/system/kexec-load.service /usr/lib/systemd/system-preset/90-kexecctl.preset; do
    pkg_check "rpm installed $f" test -e "$r$f"
  done
  if [ -f "$ROOT/dist/kdumpctl.js" ]; then
    pkg_check "rpm installed /usr/sbin/kdumpctl" test -e "$r/usr/sbin/kdumpctl"
    pkg_check "rpm installed /etc/sysconfig/kdump" test -e "$r/etc/sysconfig/kdump"
  fi
  if compgen -G "$ROOT/sysv/*" >/dev/null; then
    pkg_check "init scripts in /etc/rc.d/init.d" compgen -G "$r/etc/rc.d/init.d/kexec*"
  fi
  rpm --root "$r" -qc kexecctl >"$work/rpm-config.txt"
  pkg_grep "%config(noreplace) /etc/default/kexec" '^/etc/default/kexec$' "$work/rpm-config.txt"
  pkg_check "rpm -V: installed files match the package" rpm --root "$r" -V --nodeps kexecctl
  pkg_check "the wrapper runs the packaged bundle" grep -q 'exec /usr/bin/node /usr/lib/kexecctl/dist/kexecctl.js' "$r/usr/lib/kexecctl/bin/kexecctl"

  pkg_section "rpm scriptlets (run against stubs)"
  local sb=$work/scriptlets post preun postun
  post=$(rpm -qp --qf '%{POSTIN}' "$rpm")
  preun=$(rpm -qp --qf '%{PREUN}' "$rpm")
  postun=$(rpm -qp --qf '%{POSTUN}' "$rpm")
  for s in post preun postun; do
    q=${!s}
    printf '%s\n' "$q" >"$work/scriptlet-$s.sh"
    pkg_check "shellcheck %$s" shellcheck -s sh "$work/scriptlet-$s.sh"
  done
  pkg_run_scriptlet "$sb" "$post" 1
  pkg_grep "%post 1 (install): systemctl preset" '^systemctl --no-reload preset kexec-load.service kexec-load.path kexecctl-boot-check.service kexecctl-watchdog-handover.service( kdump.service)?$' "$sb/calls"
  pkg_run_scriptlet "$sb" "$post" 2
  pkg_check_not "%post 2 (upgrade): presets nothing" test -s "$sb/calls"
  pkg_run_scriptlet "$sb" "$preun" 0
  pkg_grep "%preun 0 (erase): disable --now" '^systemctl --no-reload disable --now kexec-load.service kexec-load.path kexecctl-boot-check.service kexecctl-watchdog-handover.service( kdump.service)?$' "$sb/calls"
  pkg_grep "%preun 0 (erase): unload" '^reload --unload' "$sb/calls"
  pkg_run_scriptlet "$sb" "$preun" 1
  pkg_check_not "%preun 1 (upgrade): touches nothing" test -s "$sb/calls"
  pkg_run_scriptlet "$sb" "$postun" 1
  pkg_grep "%postun 1 (upgrade): try-restart kexec-load.service" '^systemctl try-restart kexec-load.service$' "$sb/calls"
  pkg_check "%postun 1 (upgrade): /run/kexecctl kept" test -d "$sb/run/kexecctl"
  pkg_run_scriptlet "$sb" "$postun" 0
  pkg_grep "%postun 0 (erase): daemon-reload" '^systemctl daemon-reload$' "$sb/calls"
  pkg_grep_not "%postun 0 (erase): no restart" 'try-restart' "$sb/calls"
  pkg_check_not "%postun 0 (erase): /run/kexecctl removed" test -e "$sb/run/kexecctl"
}
