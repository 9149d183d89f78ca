# shellcheck shell=bash
# Build guest initramfs trees and cpio archives. Needs common.sh and kernel.sh.
#
# API
#   kx_initramfs_base DIR          fresh tree: busybox (static, with its applet links), the generic
#                                  /init (test/vm/lib/guest-init.sh), /kxt/lib.sh (result helpers for
#                                  guest scripts), and the usual directories
#   kx_initramfs_add_node DIR      Debian's own nodejs 18 (KEXECCTL_GUEST_NODE_VERSION pins it) at
#                                  /usr/bin/node with its shared libraries, ld.so and the Debian
#                                  node-* modules libnode loads (acorn, cjs-module-lexer, undici)
#   kx_initramfs_add_project DIR   the built project (dist/, package.json) at /opt/kexecctl with its
#                                  production node_modules (koffi only, trimmed to linux_x64), and
#                                  /usr/sbin/{kexec,kexecctl,coldreboot} wrappers. Run `npm run build` first.
#   kx_initramfs_add_kexec_tools DIR  Debian's C kexec-tools as /usr/local/sbin/kexec-c (+ libs)
#   kx_initramfs_add_file DIR SRC DEST   copy one host file into DIR at DEST
#   kx_cpio DIR OUT [zstd|gzip|none]     pack DIR as a newc cpio (root-owned), compressed (default zstd)
#
# Guest scripts: the generic /init mounts proc, sys, dev (devtmpfs), /tmp and /run (tmpfs), insmods
# /etc/kxt-modules, prints "KXT BOOT <n> stage=<stage>", then runs "/kxt/scenario.sh <stage>" where
# <stage> comes from kxt.stage=<stage> on /proc/cmdline (default 1). When the scenario returns, /init
# prints "KXT DONE" and powers off (poweroff -f). A scenario may instead kexec into a next stage.
# Put your scenario at DIR/kxt/scenario.sh (kx_initramfs_add_file DIR my.sh /kxt/scenario.sh).

KX_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KX_REPO_DIR=$(cd "$KX_LIB_DIR/../../.." && pwd)

kx_initramfs_base() {
  local dir=$1 bb a
  kx_need_pkgs busybox-static cpio
  bb=$(command -v busybox || true)
  [ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q 'statically linked' || bb=/bin/busybox
  [ -x "$bb" ] || kx_die "busybox-static is not installed"
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/sbin,etc,proc,sys,dev,tmp,run,root,mnt,kxt,lib/x86_64-linux-gnu,lib64}
  cp "$bb" "$dir/bin/busybox"
  for a in $("$dir/bin/busybox" --list); do
    [ -e "$dir/bin/$a" ] || ln -s busybox "$dir/bin/$a"
  done
  cp "$KX_LIB_DIR/guest-init.sh" "$dir/init"
  cp "$KX_LIB_DIR/guest-lib.sh" "$dir/kxt/lib.sh"
  chmod 755 "$dir/init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\n' >"$dir/etc/group"
}

kx_initramfs_add_file() {
  local dir=$1 src=$2 dest=$3
  mkdir -p "$dir/$(dirname "$dest")"
  cp -L "$src" "$dir/$dest"
}

# Extract Debian's nodejs (and the libraries it needs) once into the cache.
kx_node_fetch() {
  local ver pkg libnode root
  ver=${KEXECCTL_GUEST_NODE_VERSION:-$(kx_debian_version nodejs 18.)}
  [ -n "$ver" ] || kx_die "Debian's archive has no nodejs 18.x (apt-cache madison nodejs)"
  root="$KX_CACHE/node-$ver"
  if [ ! -f "$root/.done" ]; then
    kx_log "fetching Debian nodejs $ver and its libraries"
    rm -rf "$root"
    libnode=$(apt-cache depends "nodejs=$ver" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^libnode[0-9]+$/ {print $2; exit}')
    [ -n "$libnode" ] || kx_die "cannot find the libnode package nodejs $ver depends on"
    kx_deb_extract "$(kx_deb_download "nodejs=$ver")" "$root"
    kx_deb_extract "$(kx_deb_download "$libnode=$ver")" "$root"
    local deps
    deps=$(apt-cache depends "$libnode=$ver" 2>/dev/null | awk '$1 == "Depends:" && $2 !~ /^</ {print $2}')
    # shellcheck disable=SC2086 # one package name per word
    for pkg in $(kx_deb_closure libc6 $deps); do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    printf '%s\n' "$ver" >"$root/.version"
    touch "$root/.done"
  fi
  KX_NODE_ROOT=$root
  KX_NODE_VERSION=$ver
  export KX_NODE_ROOT KX_NODE_VERSION
}

kx_initramfs_add_node() {
  local dir=$1 d
  kx_node_fetch
  kx_copy_elf "$KX_NODE_ROOT" usr/bin/node "$dir"
  # libnode is built to load these from /usr/share/nodejs (Debian's shared builtins).
  for d in acorn acorn-walk cjs-module-lexer undici; do
    if [ -d "$KX_NODE_ROOT/usr/share/nodejs/$d" ]; then
      mkdir -p "$dir/usr/share/nodejs"
      cp -a "$KX_NODE_ROOT/usr/share/nodejs/$d" "$dir/usr/share/nodejs/"
    fi
  done
  ln -sf node "$dir/usr/bin/nodejs"
}

kx_initramfs_add_project() {
  local dir=$1 dest="$1/opt/kexecctl" k="$KX_REPO_DIR/node_modules/koffi" b
  [ -f "$KX_REPO_DIR/dist/kexec.js" ] || kx_die "dist/ is not built: run npm run build"
  [ -d "$k/build/koffi/linux_x64" ] || kx_die "node_modules/koffi is missing (npm ci)"
  rm -rf "$dest"
  mkdir -p "$dest/node_modules/koffi/build/koffi"
  cp -a "$KX_REPO_DIR/dist" "$KX_REPO_DIR/package.json" "$dest/"
  # koffi is the only runtime dependency esbuild leaves external; keep its linux x64 build only.
  cp -a "$k/package.json" "$k/index.js" "$dest/node_modules/koffi/"
  [ -f "$k/indirect.js" ] && cp -a "$k/indirect.js" "$dest/node_modules/koffi/"
  cp -a "$k/build/koffi/linux_x64" "$dest/node_modules/koffi/build/koffi/"
  for b in "$KX_REPO_DIR"/dist/*.js; do
    b=$(basename "$b" .js)
    printf '#!/bin/sh\nexec /usr/bin/node /opt/kexecctl/dist/%s.js "$@"\n' "$b" >"$dir/usr/sbin/$b"
    chmod 755 "$dir/usr/sbin/$b"
  done
}

kx_kexec_tools_fetch() {
  local root="$KX_CACHE/kexec-tools" pkg
  if [ ! -f "$root/.done" ]; then
    kx_log "fetching Debian kexec-tools and its libraries"
    rm -rf "$root"
    for pkg in $(kx_deb_closure kexec-tools libc6); do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    touch "$root/.done"
  fi
  KX_KEXEC_TOOLS_ROOT=$root
}

kx_initramfs_add_kexec_tools() {
  local dir=$1
  kx_kexec_tools_fetch
  kx_copy_elf "$KX_KEXEC_TOOLS_ROOT" sbin/kexec "$dir"
  mv "$dir/sbin/kexec" "$dir/usr/local/sbin/kexec-c"
}

kx_cpio() {
  local dir=$1 out=$2 comp=${3:-zstd} tmp
  tmp="$out.tmp"
  [ "$comp" = zstd ] && kx_need_pkgs zstd
  (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp.raw" || kx_die "cpio of $dir failed"
  case $comp in
    zstd) zstd -q -3 -T2 -f "$tmp.raw" -o "$tmp" && rm -f "$tmp.raw" ;;
    gzip) gzip -1 -c "$tmp.raw" >"$tmp" && rm -f "$tmp.raw" ;;
    none) mv "$tmp.raw" "$tmp" ;;
    *) kx_die "kx_cpio: unknown compression $comp" ;;
  esac
  mv "$tmp" "$out"
}
