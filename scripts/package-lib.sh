# shellcheck shell=bash
# Staging and package assembly for scripts/package.sh (sourced; uses its variables:
# ROOT WORK OUT VERSION RELEASE EPOCH; set_arch sets DEBARCH RPMARCH KOFFI_TRIPLET STRIP AWORK).

die() { echo "package: error: $*" >&2; exit 1; }
note() { echo "package: $*" >&2; }

# set_arch DEBARCH: the rpm arch, koffi's prebuilt directory and the strip for that arch (the
# cross one from binutils-<gnu triplet>, or plain strip on a native build), and a work dir of its own.
# shellcheck disable=SC2034 # RPMARCH and KOFFI_TRIPLET are read by the build functions
set_arch() {
  DEBARCH=$1
  case "$DEBARCH" in
    amd64) RPMARCH=x86_64 KOFFI_TRIPLET=linux_x64 STRIP=x86_64-linux-gnu-strip ;;
    arm64) RPMARCH=aarch64 KOFFI_TRIPLET=linux_arm64 STRIP=aarch64-linux-gnu-strip ;;
    *) die "unsupported architecture '$DEBARCH' (kexecctl's syscall layer knows amd64 and arm64)" ;;
  esac
  if ! command -v "$STRIP" >/dev/null; then
    if [ "$DEBARCH" != "$(dpkg --print-architecture)" ] || ! command -v strip >/dev/null; then
      die "'$STRIP' is missing; run scripts/setup.sh (binutils-${STRIP%-strip})"
    fi
    STRIP="strip"
  fi
  # shellcheck disable=SC2153 # WORK is package.sh's
  AWORK=$WORK/$DEBARCH
}

# The CLI entries every package must carry, and who provides them.
REQUIRED_ENTRIES=${KEXECCTL_PKG_REQUIRED:-kexecctl kexec coldreboot}

# dist_complete DIR: every relative import (from "./x.js", import("./x.js")) of every bundle file is there
# (a copy torn by a concurrent rebuild lacks some).
dist_complete() {
  local f spec
  compgen -G "$1/*.js" >/dev/null || return 1
  while IFS= read -r f; do
    while IFS= read -r spec; do
      spec=${spec#*\"}; spec=${spec%\"}
      [ -f "$(dirname "$f")/$spec" ] || return 1
    done < <(grep -oE '(from|import) ?\(?"\.\.?/[^"]+\.js"' "$f" | sort -u)
  done < <(find "$1" -name '*.js')
}

check_inputs() {
  local missing=() name
  for name in $REQUIRED_ENTRIES; do
    [ -f "$DIST/$name.js" ] || missing+=("dist/$name.js")
  done
  [ -f etc-defaults/kexec ] || missing+=("etc-defaults/kexec (shipped as /etc/default/kexec)")
  [ -f "node_modules/koffi/build/koffi/$KOFFI_TRIPLET/koffi.node" ] ||
    missing+=("node_modules/koffi/build/koffi/$KOFFI_TRIPLET/koffi.node (koffi's native module for $DEBARCH)")
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'package: error: required file missing: %s\n' "${missing[@]}" >&2
    exit 1
  fi
  if has_kdump && [ ! -f etc-defaults/kdump ]; then
    die "dist/kdumpctl.js exists but etc-defaults/kdump (shipped as /etc/sysconfig/kdump) does not"
  fi
}

has_kdump() { [ -f "$DIST/kdumpctl.js" ]; }

# stage_common DEST UNITDIR INITDIR: the files both packages carry.
stage_common() {
  local d=$1 unitdir=$2 initdir=$3 f name sub lib=$1/usr/lib/kexecctl
  mkdir -p "$lib/bin" "$d/usr/sbin"
  # The program: esbuild bundles commander, dotenv and execa into dist/, so koffi (native)
  # is the only runtime module shipped. package.json makes node treat dist/*.js as ESM.
  cp -R "$DIST" "$lib/dist"
  # The wrappers run node explicitly, so the bundle files are plain modules: the
  # "#!/usr/bin/env node" line esbuild puts on every output becomes an empty comment
  # (same line numbers), and nothing in dist/ is executable.
  find "$lib/dist" -name '*.js' -exec sed -i '1s|^#!.*|//|' {} + -exec chmod 0644 {} +
  node -e '
    const p = require("./package.json");
    const out = { name: p.name, version: p.version, private: true, type: "module", license: p.license };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");' >"$lib/package.json"
  local k=node_modules/koffi kd=$lib/node_modules/koffi
  mkdir -p "$kd/build/koffi/$KOFFI_TRIPLET"
  cp "$k/package.json" "$k/index.js" "$k/indirect.js" "$k/LICENSE.txt" "$kd/"
  cp "$k/build/koffi/$KOFFI_TRIPLET/koffi.node" "$kd/build/koffi/$KOFFI_TRIPLET/"
  # As dh_strip does for shared objects: the symbol table is not needed to run.
  "$STRIP" --strip-unneeded --remove-section=.comment --remove-section=.note "$kd/build/koffi/$KOFFI_TRIPLET/koffi.node"
  # /usr/sbin/<cmd> -> ../lib/kexecctl/bin/<cmd>, a two-line wrapper that runs the bundle
  # with the system node (not whatever "node" is first in PATH at shutdown).
  for f in "$DIST"/*.js; do
    name=$(basename "$f" .js)
    printf '#!/bin/sh\nexec /usr/bin/node /usr/lib/kexecctl/dist/%s.js "$@"\n' "$name" >"$lib/bin/$name"
    chmod 0755 "$lib/bin/$name"
    ln -s "../lib/kexecctl/bin/$name" "$d/usr/sbin/$name"
  done
  install -m 0755 kernel/kexecctl-reload "$lib/kexecctl-reload"
  # kexec-load.service's ExecStop and the sysv stop path: node only when an input of the plan changed.
  install -m 0755 kernel/kexecctl-unchanged "$lib/kexecctl-unchanged"
  # Kernel hooks.
  install -D -m 0755 kernel/postinst.d/zz-kexecctl "$d/etc/kernel/postinst.d/zz-kexecctl"
  install -D -m 0755 kernel/postrm.d/zz-kexecctl "$d/etc/kernel/postrm.d/zz-kexecctl"
  install -D -m 0755 kernel/install.d/90-kexecctl.install "$d/usr/lib/kernel/install.d/90-kexecctl.install"
  # Configuration.
  mkdir -p "$d/etc/default/kexec.d"
  mkdir -p "$d/etc/kexecctl/pre-exec.d"
  if has_kdump; then
    install -D -m 0644 etc-defaults/kdump "$d/etc/sysconfig/kdump"
    install -D -m 0644 etc-defaults/kdump.conf "$d/etc/kdump.conf"
  fi
  # systemd: top-level files are units; *.d/ are drop-in dirs; system-shutdown/ and the like
  # go next to system/.
  mkdir -p "$d$unitdir"
  for f in systemd/*; do
    name=$(basename "$f")
    if [ -f "$f" ]; then
      install -m 0644 "$f" "$d$unitdir/$name"
    elif [ -d "$f" ]; then
      case "$name" in
        *.d) sub="$d$unitdir/$name" ;;
        system-shutdown|system-sleep|system-preset|system-generators) sub="$d$(dirname "$unitdir")/$name" ;;
        *) die "systemd/$name: unknown kind of systemd directory" ;;
      esac
      mkdir -p "$sub"
      cp -R "$f/." "$sub/"
    fi
  done
  # Init scripts. A script without a native unit of its name is masked for systemd, as
  # kexec-tools does, so systemd-sysv-generator never turns it into a service.
  if compgen -G 'sysv/*' >/dev/null; then
    mkdir -p "$d$initdir"
    for f in sysv/*; do
      name=$(basename "$f")
      install -m 0755 "$f" "$d$initdir/$name"
      if [ ! -e "systemd/$name.service" ]; then
        ln -s /dev/null "$d$unitdir/$name.service"
      fi
    done
  fi
  # Man pages, gzip -9n.
  for f in man/*.[1-8]; do
    [ -f "$f" ] || continue
    sub="$d/usr/share/man/man${f##*.}"
    mkdir -p "$sub"
    gzip -9n -c "$f" >"$sub/$(basename "$f").gz"
  done
}

# Modes: directories 0755, files 0644 unless executable in the tree; mtimes clamped.
normalize_tree() {
  local d=$1
  find "$d" -type d -exec chmod 0755 {} +
  find "$d" -type f -perm /111 -exec chmod 0755 {} +
  find "$d" -type f ! -perm /111 -exec chmod 0644 {} +
  find "$d" -exec touch -h -d "@$EPOCH" {} +
}

# shlibs dependencies of koffi's native module, computed by dpkg-shlibdeps for DEBARCH (for a
# foreign arch it reads the multiarch libraries and symbols files of libstdc++6:<arch> and libc6:<arch>).
deb_shlibs() {
  local tmp=$AWORK/shlibdeps so=$1
  mkdir -p "$tmp/debian"
  printf 'Source: kexecctl\n\nPackage: kexecctl\nArchitecture: any\n' >"$tmp/debian/control"
  (cd "$tmp" && DEB_HOST_ARCH=$DEBARCH dpkg-shlibdeps -O -e"$so" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

installed_size_kb() {
  # As dpkg-gencontrol counts: 1 KiB per started KiB of each file, 1 per other entry.
  find "$1" -path "$1/DEBIAN" -prune -o -printf '%y %s\n' |
    awk '$1 == "f" { t += int(($2 + 1023) / 1024); next } { t += 1 } END { print t }'
}
