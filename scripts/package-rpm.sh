# shellcheck shell=bash
# build_rpm: the .rpm, with rpmbuild from Debian's rpm package and rpm/kexecctl.spec
# (sourced by scripts/package.sh after package-lib.sh).

build_rpm() {
  local stage=$AWORK/rpm/root top=$AWORK/rpm/top rpm with=() rel
  stage_common "$stage" /usr/lib/systemd/system /etc/rc.d/init.d
  install -D -m 0644 etc-defaults/kexec "$stage/etc/default/kexec"
  install -D -m 0644 deb/copyright "$stage/usr/share/licenses/kexecctl/copyright"
  # %systemd_post enables what the presets say; Fedora's default preset is "disable *", so
  # ship our own, as the .deb enables the same units (the last two: a kexec boot that never
  # completes makes the next reboot cold, and the watchdog armed across the jump is handed over).
  mkdir -p "$stage/usr/lib/systemd/system-preset"
  printf '# kexecctl: load at boot and reload on changes, so that reboot is a kexec reboot.\nenable kexec-load.service\nenable kexec-load.path\nenable kexecctl-boot-check.service\nenable kexecctl-watchdog-handover.service\n' \
    >"$stage/usr/lib/systemd/system-preset/90-kexecctl.preset"
  normalize_tree "$stage"
  if has_kdump; then with=(--with kdump); fi
  mkdir -p "$top"
  rpmbuild -bb --quiet --nodeps "${with[@]}" \
    --define "_topdir $top" --define "_tmppath $top/tmp" \
    --define "kx_version $VERSION" --define "kx_release $RELEASE" --define "kx_stage $stage" \
    --define "_source_date_epoch_from_changelog 0" \
    --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
    --target "$RPMARCH-linux" rpm/kexecctl.spec >"$AWORK/rpmbuild.log" 2>&1 ||
    { cat "$AWORK/rpmbuild.log" >&2; die "rpmbuild failed"; }
  rpm=$(find "$top/RPMS" -name "kexecctl-$VERSION-$RELEASE.*.rpm" | head -n 1)
  [ -n "$rpm" ] || die "rpmbuild produced no package (see $AWORK/rpmbuild.log)"
  rm -f "$OUT"/kexecctl-*."$RPMARCH".rpm
  mv "$rpm" "$OUT/"
  rel="$OUT/$(basename "$rpm")"
  note "wrote ${rel#"$ROOT"/} ($(stat -c %s "$rel") bytes)"
}
