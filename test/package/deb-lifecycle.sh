# shellcheck shell=bash
# shellcheck disable=SC2016  # ${...} in single quotes are dpkg-query formats
# The .deb in a Debian 12 chroot: install (dpkg -i + apt-get -f install), upgrade with an
# edited /etc/default/kexec, remove, purge, and a before/after file-list comparison.
#   pkg_deb_lifecycle CHROOT DEB NEWDEB NEWVERSION

# Every path in the chroot, except what apt/dpkg/debconf keep as bookkeeping and caches.
pkg_snapshot() {
  (cd "$1" && find . -xdev \( -path ./proc -o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/lib/dpkg \
    -o -path ./var/log -o -path ./tmp -o -path ./var/lib/debconf \) -prune -o -print) | LC_ALL=C sort
}

# Units with an [Install] WantedBy= get a .wants symlink when enabled.
pkg_check_enabled() {
  local c=$1 unit=$2 target
  [ -f "$c/usr/lib/systemd/system/$unit" ] || return 0
  pkg_check "deb-systemd-helper state for $unit" test -e "$c/var/lib/systemd/deb-systemd-helper-enabled/$unit.dsh-also"
  # shellcheck disable=SC2013  # WantedBy= holds blank-separated unit names
  for target in $(sed -n 's/^WantedBy=//p' "$c/usr/lib/systemd/system/$unit"); do
    pkg_check "$unit enabled: $target.wants/$unit" test -L "$c/etc/systemd/system/$target.wants/$unit"
  done
}

# pkg_fake_kernel_deb DIR: builds DIR.deb, a package that ships a zz-update-grub stand-in and
# whose postinst runs /etc/kernel/postinst.d like a Debian kernel package.
pkg_fake_kernel_deb() {
  local d=$1
  rm -rf "$d"; mkdir -p "$d/DEBIAN" "$d/etc/kernel/postinst.d"
  printf 'Package: kexecctl-test-kernel\nVersion: 1\nArchitecture: all\nMaintainer: test <test@example.invalid>\nDescription: stand-in kernel package for the kexecctl package tier\n' >"$d/DEBIAN/control"
  printf '/etc/kernel/postinst.d/zz-update-grub\n' >"$d/DEBIAN/conffiles"
  printf '#!/bin/sh\necho "zz-update-grub-stand-in ran"\n' >"$d/etc/kernel/postinst.d/zz-update-grub"
  printf '#!/bin/sh\nset -e\n[ "$1" = configure ] || exit 0\nrun-parts --report --exit-on-error --arg=6.1.0-99-amd64 --arg=/boot/vmlinuz-6.1.0-99-amd64 /etc/kernel/postinst.d\n' >"$d/DEBIAN/postinst"
  chmod 0755 "$d/DEBIAN/postinst" "$d/etc/kernel/postinst.d/zz-update-grub"
  dpkg-deb --root-owner-group --build "$d" "$d.deb"
}

# postinst's "systemd is running" branch, with /run/systemd/system present and recording stubs
# in place of systemctl and deb-systemd-invoke (the chroot is scratch; both are put back).
pkg_systemd_branch() {
  local c=$1 calls=$1/tmp/sd-calls
  pkg_section "postinst under a (stubbed) running systemd"
  mkdir -p "$c/run/systemd/system"
  cp -a "$c/usr/bin/deb-systemd-invoke" "$c/tmp/deb-systemd-invoke.real"
  printf '#!/bin/sh\necho "invoke $*" >>/tmp/sd-calls\n' >"$c/usr/bin/deb-systemd-invoke"
  printf '#!/bin/sh\necho "systemctl $*" >>/tmp/sd-calls\ncase "$*" in *is-active*) [ -e /tmp/sd-active ] ;; esac\n' >"$c/usr/bin/systemctl"
  chmod 0755 "$c/usr/bin/deb-systemd-invoke" "$c/usr/bin/systemctl"
  : >"$calls"
  pkg_check "dpkg-reconfigure with systemd running (inactive units)" pkg_in "$c" env -u KEXECCTL_FAKE dpkg-reconfigure -f noninteractive kexecctl
  pkg_grep "systemd: daemon-reload" '^systemctl --system daemon-reload$' "$calls"
  pkg_grep "systemd: start kexec-load.service (it loads)" '^invoke start kexec-load.service$' "$calls"
  pkg_grep "systemd: restart kexec-load.path" '^invoke restart kexec-load.path$' "$calls"
  : >"$calls"; touch "$c/tmp/sd-active"
  pkg_check "dpkg-reconfigure with kexec-load.service active" pkg_in "$c" env -u KEXECCTL_FAKE dpkg-reconfigure -f noninteractive kexecctl
  pkg_grep "systemd, active: refresh through kexec-reload.service (keeps /no-kexec-reboot)" '^invoke start kexec-reload.service$' "$calls"
  pkg_grep_not "systemd, active: no restart of kexec-load.service" 'kexec-load.service$' <(grep '^invoke' "$calls")
  mv "$c/tmp/deb-systemd-invoke.real" "$c/usr/bin/deb-systemd-invoke"
  rm -rf "$c/usr/bin/systemctl" "$c/run/systemd" "$calls" "$c/tmp/sd-active"
}

pkg_deb_lifecycle() {
  local c=$1 deb=$2 newdeb=$3 newversion=$4 version log=$1/../lifecycle.log f name
  version=$(dpkg-deb -f "$deb" Version)
  pkg_snapshot "$c" >"$c/../before.txt"

  pkg_section "install $version (dpkg -i, then apt-get -f install for nodejs)"
  mkdir -p "$c/boot/grub"
  printf 'set default=0\nmenuentry "Debian" {\n  linux /vmlinuz root=/dev/vda\n}\n' >"$c/boot/grub/grub.cfg"
  echo 'kexecctl kexecctl/load_kexec boolean false' | pkg_in "$c" debconf-set-selections
  cp "$deb" "$newdeb" "$c/tmp/"
  pkg_check_not "dpkg -i alone stops at the missing nodejs" pkg_in "$c" dpkg -i "/tmp/${deb##*/}"
  if ! pkg_in "$c" apt-get -y -q --no-install-recommends -f install >"$log" 2>&1; then
    pkg_in "$c" apt-get -q update >>"$log" 2>&1 || true
    pkg_in "$c" apt-get -y -q --no-install-recommends -f install >>"$log" 2>&1 || true
  fi
  pkg_grep "kexecctl is installed" '^installed$' <(pkg_in "$c" dpkg-query -W -f='${db:Status-Status}\n' kexecctl)
  pkg_grep "Debian's nodejs 18 came in as a dependency" '^v18\.' <(pkg_in "$c" node --version)
  for f in /usr/sbin/kexecctl /usr/sbin/kexec /usr/sbin/coldreboot /usr/lib/kexecctl/dist/kexecctl.js \
    /usr/lib/kexecctl/package.json /etc/default/kexec /etc/kernel/postinst.d/zz-kexecctl \
    /etc/kernel/postrm.d/zz-kexecctl /usr/lib/kernel/install.d/90-kexecctl.install \
    /usr/share/doc/kexecctl/copyright /usr/share/doc/kexecctl/changelog.Debian.gz; do
    pkg_check "installed: $f" test -e "$c$f"
  done
  pkg_check "koffi's native module for this arch only" test "$(find "$c/usr/lib/kexecctl/node_modules/koffi/build" -name koffi.node | wc -l)" -eq 1
  pkg_grep "Depends: nodejs (>= 18.19)" 'nodejs \(>= 18\.19\)' <(dpkg-deb -f "$deb" Depends)
  # All three fields name both packages we replace (sort -u leaves one line only when they agree).
  pkg_grep "Provides/Conflicts/Replaces kexec-tools and kdump-tools" '^kexec-tools, kdump-tools$' \
    <(dpkg-deb -f "$deb" Provides Conflicts Replaces | sed 's/^[A-Za-z]*: //' | sort -u)
  pkg_in "$c" dpkg-query -W -f='${Conffiles}\n' kexecctl >"$c/../conffiles.txt"
  pkg_grep "conffile: /etc/kernel/postinst.d/zz-kexecctl" '^ /etc/kernel/postinst.d/zz-kexecctl ' "$c/../conffiles.txt"
  for f in "$c"/etc/init.d/kexec*; do
    [ -e "$f" ] || continue
    name=${f##*/}
    pkg_grep "conffile: /etc/init.d/$name" "^ /etc/init.d/$name " "$c/../conffiles.txt"
    pkg_check "update-rc.d registered $name" compgen -G "$c/etc/rc[0-6S].d/[SK][0-9][0-9]$name"
  done
  pkg_grep_not "/etc/default/kexec is postinst's file, not a conffile" '^ /etc/default/kexec ' "$c/../conffiles.txt"
  pkg_grep "debconf answer written: LOAD_KEXEC=false (preseeded)" '^LOAD_KEXEC=false$' "$c/etc/default/kexec"
  pkg_grep "debconf default: USE_GRUB_CONFIG=true since /boot/grub/grub.cfg exists" '^USE_GRUB_CONFIG=true$' "$c/etc/default/kexec"
  pkg_check_enabled "$c" kexec-load.service
  pkg_check_enabled "$c" kexec-load.path
  pkg_check_enabled "$c" kexecctl-boot-check.service
  pkg_check_enabled "$c" kexecctl-watchdog-handover.service
  pkg_grep "kexecctl --version runs under node 18" "$(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')" <(pkg_in "$c" kexecctl --version 2>&1)
  pkg_check "kexecctl plan --root / runs under node 18" pkg_in "$c" kexecctl plan --root /
  pkg_check "kexec (our kexec-tools) answers --version" pkg_in "$c" kexec --version
  # Resolving and loading koffi (its native module, no syscall) the way dist/chunks/ does.
  pkg_check "koffi resolves from dist/ and its native module loads under node 18" pkg_in "$c" node -e \
    'const k = require("node:module").createRequire("/usr/lib/kexecctl/dist/chunks/x.js")("koffi"); if (typeof k.load !== "function") process.exit(1)'

  local sum_before sum_after
  sum_before=$(cd "$c" && md5sum etc/default/kexec && find etc/systemd etc/rc?.d var/lib/systemd -name '*kexec*' | LC_ALL=C sort)
  pkg_check "dpkg-reconfigure (postinst configure again) succeeds" pkg_in "$c" dpkg-reconfigure -f noninteractive kexecctl
  sum_after=$(cd "$c" && md5sum etc/default/kexec && find etc/systemd etc/rc?.d var/lib/systemd -name '*kexec*' | LC_ALL=C sort)
  pkg_check "postinst is idempotent: same /etc/default/kexec bytes, same links and state" test "$sum_before" = "$sum_after"

  pkg_systemd_branch "$c"

  pkg_section "reload helper and kernel hooks (never reach the host kernel)"
  printf 'LOAD_KEXEC=true\n' >"$c/etc/default/kexec.d/50-test"
  pkg_grep "no KEXECCTL_FAKE: the helper sees the chroot and does nothing" 'chroot' \
    <(pkg_in "$c" env -u KEXECCTL_FAKE /usr/lib/kexecctl/kexecctl-reload --reason test 2>&1)
  pkg_check "with the fake kernel the helper runs kexecctl load and exits 0" pkg_in "$c" /usr/lib/kexecctl/kexecctl-reload
  pkg_check "postinst.d hook never fails" pkg_in "$c" /etc/kernel/postinst.d/zz-kexecctl 6.1.0-99-amd64 /boot/vmlinuz-6.1.0-99-amd64
  pkg_check "postrm.d hook never fails" pkg_in "$c" /etc/kernel/postrm.d/zz-kexecctl 6.1.0-99-amd64 /boot/vmlinuz-6.1.0-99-amd64
  pkg_check "kernel-install plugin never fails" pkg_in "$c" /usr/lib/kernel/install.d/90-kexecctl.install add 6.1.0-99-amd64 /boot/x /boot/vmlinuz-6.1.0-99-amd64
  pkg_in "$c" dpkg-trigger --no-await kexecctl-reload >/dev/null 2>&1 || true
  pkg_in "$c" dpkg --triggers-only kexecctl >"$c/../trigger.log" 2>&1
  pkg_grep "the kexecctl-reload trigger runs postinst triggered" 'kernel installed or removed' "$c/../trigger.log"
  # A stand-in kernel package whose postinst runs the hooks the way linux-image-* does: the hook
  # only activates the trigger, and kexecctl reloads after that package is configured.
  pkg_fake_kernel_deb "$c/../fake-kernel" >/dev/null
  cp "$c/../fake-kernel.deb" "$c/tmp/fake-kernel.deb"
  pkg_in "$c" dpkg -i /tmp/fake-kernel.deb >"$c/../fake-kernel.log" 2>&1
  pkg_grep "kernel package install: reload deferred to kexecctl's trigger" 'Processing triggers for kexecctl' "$c/../fake-kernel.log"
  pkg_check "kernel package install: the reload runs after the kernel hooks" \
    awk '/zz-update-grub-stand-in ran/ {g = NR} /kernel installed or removed/ {r = NR} END {exit !(g && r > g)}' "$c/../fake-kernel.log"
  pkg_check "remove the stand-in kernel package" pkg_in "$c" dpkg -P kexecctl-test-kernel
  rm -f "$c/etc/default/kexec.d/50-test" "$c/run/kexecctl-fake.json"

  pkg_section "upgrade to $newversion keeps the admin's /etc/default/kexec"
  sed -i -e 's/^APPEND=.*/APPEND="console=ttyS0 admin-edit=1"/' -e 's/^LOAD_KEXEC=.*/LOAD_KEXEC="true"  # admin note/' "$c/etc/default/kexec"
  rm -f "$c/run/kexecctl-fake.json"
  echo '# kept across upgrades' >>"$c/etc/default/kexec"
  echo '# local note' >>"$c/etc/kernel/postinst.d/zz-kexecctl"
  pkg_check "dpkg -i $newversion succeeds" pkg_in "$c" dpkg -i "/tmp/${newdeb##*/}"
  pkg_grep "upgraded to $newversion" "^$newversion\$" <(pkg_in "$c" dpkg-query -W -f='${Version}\n' kexecctl)
  pkg_grep "kexecctl --version reports the new version" "${newversion%-*}" <(pkg_in "$c" kexecctl --version 2>&1)
  pkg_grep "admin APPEND kept" '^APPEND="console=ttyS0 admin-edit=1"$' "$c/etc/default/kexec"
  pkg_grep "admin LOAD_KEXEC line kept byte for byte (the file is debconf's master)" '^LOAD_KEXEC="true"  # admin note$' "$c/etc/default/kexec"
  pkg_grep_not "upgrade does not unload (the fake kernel saw no KEXEC_FILE_UNLOAD)" '"flags": 1$' "$c/run/kexecctl-fake.json"
  pkg_grep "admin comment kept" '^# kept across upgrades$' "$c/etc/default/kexec"
  pkg_grep "USE_GRUB_CONFIG still true" '^USE_GRUB_CONFIG=true$' "$c/etc/default/kexec"
  pkg_grep "modified conffile kept" '^# local note$' "$c/etc/kernel/postinst.d/zz-kexecctl"
  pkg_check_not "no .dpkg-new/.dpkg-dist/.dpkg-kexecctl-new left in /etc" \
    compgen -G "$c/etc/default/*.dpkg-*"
  pkg_check_enabled "$c" kexec-load.service

  pkg_section "remove"
  rm -f "$c/run/kexecctl-fake.json"
  pkg_check "dpkg -r kexecctl" pkg_in "$c" dpkg -r kexecctl
  pkg_grep "prerm unloaded (the fake kernel saw kexec_file_load with KEXEC_FILE_UNLOAD)" '"flags": 1$' "$c/run/kexecctl-fake.json"
  pkg_check_not "program gone" test -e "$c/usr/lib/kexecctl"
  pkg_check_not "/usr/sbin/kexecctl gone" test -e "$c/usr/sbin/kexecctl"
  pkg_check "configuration kept after remove" test -e "$c/etc/default/kexec"
  pkg_grep "state is config-files" '^config-files$' <(pkg_in "$c" dpkg-query -W -f='${db:Status-Status}\n' kexecctl)
  if [ -f "$c/var/lib/systemd/deb-systemd-helper-enabled/kexec-load.service.dsh-also" ] ||
    [ -e "$c/var/lib/systemd/deb-systemd-helper-masked/kexec-load.service" ]; then
    pkg_ok "unit state remembered for a reinstall"
  else pkg_bad "unit state remembered for a reinstall"; fi

  pkg_section "purge"
  pkg_check "dpkg -P kexecctl" pkg_in "$c" dpkg -P kexecctl
  pkg_check_not "/etc/default/kexec gone" test -e "$c/etc/default/kexec"
  pkg_check_not "/run/kexecctl gone" test -e "$c/run/kexecctl"
  pkg_check_not "no rc.d links left" compgen -G "$c/etc/rc[0-6S].d/*kexec*"
  pkg_check_not "no unit enablement left" compgen -G "$c/etc/systemd/system/*/kexec*"
  pkg_check_not "no deb-systemd-helper state left" compgen -G "$c/var/lib/systemd/deb-systemd-helper-*/*kexec*"
  pkg_grep_not "debconf forgot kexecctl" 'kexecctl/' <(pkg_in "$c" debconf-show kexecctl 2>&1)

  pkg_section "Debian's kexec-tools in the chroot cannot reach the host kernel (test/package/kexec-guard.sh)"
  pkg_guard_up "$c"
  pkg_guard_fences "$c"
  if pkg_kexec_tools_install "$c" "$c/../kexec-tools-ref" "$log"; then
    pkg_section "replacing Debian's kexec-tools keeps its /etc/default/kexec"
    sed -i -e 's/^LOAD_KEXEC=.*/LOAD_KEXEC=true/' -e 's/^APPEND=.*/APPEND="from-kexec-tools=1"/' "$c/etc/default/kexec"
    : >"$c/kx-guard/calls"
    # kexec-tools' prerm (invoke-rc.d kexec-load stop, kexec stop) runs here: still fenced.
    pkg_check "dpkg -i kexecctl over kexec-tools (Conflicts + Replaces)" pkg_in_guarded "$c" sh -c "dpkg -i /tmp/${deb##*/} >/tmp/replace.log 2>&1"
    grep -E 'kexec-tools|restoring' "$c/tmp/replace.log" | sed 's/^/      | /'
    pkg_guard_calls "$c" "kexec-tools removal by kexecctl's Conflicts"
    pkg_grep "kexec-tools removed, its config left" '^config-files$' <(pkg_in "$c" dpkg-query -W -f='${db:Status-Status}\n' kexec-tools)
    pkg_check "/usr/sbin/kexec is ours again after kexec-tools' /sbin/kexec went (merged /usr)" \
      test "$(readlink "$c/usr/sbin/kexec")" = ../lib/kexecctl/bin/kexec
    pkg_grep "kexec-tools' LOAD_KEXEC=true carried over" '^LOAD_KEXEC=true$' "$c/etc/default/kexec"
    pkg_grep "kexec-tools' APPEND carried over" '^APPEND="from-kexec-tools=1"$' "$c/etc/default/kexec"
    pkg_check "kexec runs our code" pkg_in "$c" kexec --version
    rm -f "$c/usr/sbin/coldreboot"
    pkg_in "$c" dpkg-reconfigure -f noninteractive kexecctl >/dev/null 2>&1
    pkg_check "postinst restores a /usr/sbin command lost to an aliased removal" \
      test "$(readlink "$c/usr/sbin/coldreboot")" = ../lib/kexecctl/bin/coldreboot
    : >"$c/kx-guard/calls"
    pkg_check "purge kexecctl and kexec-tools" pkg_in_guarded "$c" dpkg -P kexecctl kexec-tools
    pkg_guard_calls "$c" "purge of kexec-tools"
  else
    pkg_in_guarded "$c" dpkg -P kexec-tools >>"$log" 2>&1 || true
  fi
  pkg_guard_down "$c"
  rm -f "$c/tmp/kexec-tools.deb"
  pkg_in "$c" apt-get -y -q autoremove --purge >>"$log" 2>&1 || true
  rm -rf "$c/boot/grub" "$c/run/kexecctl-fake.json"
  pkg_snapshot "$c" >"$c/../after.txt"
  if diff -u "$c/../before.txt" "$c/../after.txt" >"$c/../leftovers.diff"; then
    pkg_ok "purge + autoremove leave the chroot's file list as before the install"
  else
    pkg_bad "files left behind or lost:"; grep '^[-+]\./' "$c/../leftovers.diff" | head -n 20 | sed 's/^/      /'
  fi
}
