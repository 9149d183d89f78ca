# shellcheck shell=bash
# shellcheck disable=SC2034  # PKG_LINTIAN_W / PKG_RPMLINT_E are read by the tier script
# Lint step of the package tier: lintian (.deb), rpmlint or rpm -qp checks (.rpm), shellcheck on
# every maintainer script, hook and init script, systemd-analyze verify on the units.
#   pkg_lint DEB RPM WORKDIR     sets PKG_LINTIAN_E / PKG_LINTIAN_W

pkg_lint() {
  local deb=$1 rpm=$2 work=$3 out f
  mkdir -p "$work/lint/ctrl" "$work/lint/tree"
  dpkg-deb -e "$deb" "$work/lint/ctrl"
  dpkg-deb -x "$deb" "$work/lint/tree"

  pkg_lintian "$deb" "$work/lint/lintian.txt" ""
  pkg_section "rpm checks"
  pkg_rpmlint "$rpm" "$work/lint/rpmlint.txt" ""
  rpm -qp --requires "$rpm" >"$work/lint/rpm-requires.txt" 2>/dev/null
  rpm -qp --provides "$rpm" >"$work/lint/rpm-provides.txt" 2>/dev/null
  rpm -qp --conflicts "$rpm" >"$work/lint/rpm-conflicts.txt" 2>/dev/null
  rpm -qp --scripts "$rpm" >"$work/lint/rpm-scripts.txt" 2>/dev/null
  pkg_grep "rpm Requires: nodejs >= 18" '^nodejs >= 18$' "$work/lint/rpm-requires.txt"
  pkg_grep "rpm Provides: kexec-tools" '^kexec-tools( |$)' "$work/lint/rpm-provides.txt"
  pkg_grep "rpm Conflicts: kexec-tools" '^kexec-tools$' "$work/lint/rpm-conflicts.txt"
  pkg_grep "rpm requires koffi.node's libstdc++" '^libstdc\+\+\.so\.6' "$work/lint/rpm-requires.txt"
  pkg_grep_not "rpm exports no private koffi.node provide" 'koffi' "$work/lint/rpm-provides.txt"
  if [ -f "$ROOT/dist/kdumpctl.js" ]; then
    pkg_grep "rpm Provides: kdump-utils" '^kdump-utils' "$work/lint/rpm-provides.txt"
    pkg_grep "rpm Conflicts: kdump-utils" '^kdump-utils$' "$work/lint/rpm-conflicts.txt"
  fi
  pkg_grep "rpm %post presets the units on first install" 'systemctl --no-reload preset .*kexec-load' "$work/lint/rpm-scripts.txt"
  pkg_grep "rpm %preun disables and stops on erase" 'disable --now .*kexec-load' "$work/lint/rpm-scripts.txt"

  pkg_section "shellcheck"
  for f in "$work"/lint/ctrl/{postinst,prerm,postrm,config}; do
    pkg_check "shellcheck DEBIAN/${f##*/}" shellcheck -s sh "$f"
  done
  for f in "$work"/lint/tree/etc/init.d/* "$work"/lint/tree/etc/kernel/*/* \
    "$work"/lint/tree/usr/lib/kernel/install.d/* "$work"/lint/tree/usr/lib/kexecctl/kexecctl-reload \
    "$work"/lint/tree/usr/lib/kexecctl/bin/* "$work"/lint/tree/usr/lib/systemd/system-shutdown/*; do
    [ -f "$f" ] || continue
    pkg_check "shellcheck ${f#"$work"/lint/tree}" shellcheck "$f"
  done
  pkg_check "shellcheck scripts/package*.sh" shellcheck -x "$ROOT"/scripts/package.sh "$ROOT"/scripts/package-*.sh
  pkg_check "shellcheck test/package + tier" shellcheck -x "$ROOT"/test/package/*.sh "$ROOT"/test/tiers.d/20-package.sh
  pkg_verify_units "$work/lint/tree"
}

# pkg_lintian DEB OUTFILE LABEL: lintian without errors, every warning tag justified in deb/README.
# Sets PKG_LINTIAN_E / PKG_LINTIAN_W. LABEL (e.g. "arm64 ") prefixes the result lines.
pkg_lintian() {
  local deb=$1 out=$2 label=$3 tag missing=()
  pkg_section "${label}lintian"
  lintian --allow-root "$deb" >"$out" 2>&1 || true
  PKG_LINTIAN_E=$(grep -c '^E: ' "$out" || true)
  PKG_LINTIAN_W=$(grep -c '^W: ' "$out" || true)
  sed 's/^/    /' "$out"
  if [ "$PKG_LINTIAN_E" -eq 0 ]; then pkg_ok "${label}lintian: no errors"; else pkg_bad "${label}lintian: $PKG_LINTIAN_E errors"; fi
  while IFS= read -r tag; do
    grep -q -- "$tag" "$ROOT/deb/README" || missing+=("$tag")
  done < <(sed -n 's/^W: [^ ]* \([^ ]*\).*/\1/p' "$out" | sort -u)
  if [ "${#missing[@]}" -eq 0 ]; then pkg_ok "${label}every lintian warning is justified in deb/README"
  else pkg_bad "${label}lintian warnings not in deb/README: ${missing[*]}"; fi
}

# pkg_rpmlint RPM OUTFILE LABEL: rpmlint (with rpm/kexecctl.rpmlintrc) without errors; sets PKG_RPMLINT_E.
pkg_rpmlint() {
  local rpm=$1 out=$2 label=$3
  command -v rpmlint >/dev/null || { pkg_bad "${label}rpmlint is not installed"; return; }
  rpmlint -r "$ROOT/rpm/kexecctl.rpmlintrc" "$rpm" "$ROOT/rpm/kexecctl.spec" >"$out" 2>&1 || true
  grep -E '^(kexecctl|[0-9]+ packages)' "$out" | sed 's/^/    /'
  PKG_RPMLINT_E=$(grep -cE '^kexecctl[^:]*: E: ' "$out" || true)
  if [ "$PKG_RPMLINT_E" -eq 0 ]; then pkg_ok "${label}rpmlint: no errors"; else pkg_bad "${label}rpmlint: $PKG_RPMLINT_E errors"; fi
}

# pkg_verify_units TREE: systemd-analyze verify on the units as packaged. TREE is the extracted
# .deb, completed with this machine's own units (sysinit.target ...), /bin/rm and /bin/sh, so that every
# dependency and ExecStart= path resolves under --root.
pkg_verify_units() {
  local t=$1 u out
  pkg_section "systemd-analyze verify"
  cp -Rn /usr/lib/systemd/system/. "$t/usr/lib/systemd/system/"
  mkdir -p "$t/bin" && cp /bin/rm "$t/bin/rm" && cp -L /bin/sh "$t/bin/sh" # sh: kexec-load.service's ExecStop check
  for u in "$t"/usr/lib/systemd/system/kexec*.service "$t"/usr/lib/systemd/system/kexec*.path \
    "$t"/usr/lib/systemd/system/kdump*.service "$t"/usr/lib/systemd/system/kdump*.target; do
    if [ ! -f "$u" ] || [ -L "$u" ]; then continue; fi
    u=${u##*/}
    case "$u" in *@.service) u=${u%@.service}@linux.service ;; esac
    out=$(systemd-analyze verify --man=no --root="$t" "$u" 2>&1) || out="${out:-exit status $?}"
    if [ -z "$out" ]; then pkg_ok "systemd-analyze verify $u"
    else pkg_bad "systemd-analyze verify $u: $out"; fi
  done
}
