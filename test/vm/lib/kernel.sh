# shellcheck shell=bash
# Debian cloud kernel in the cache, and kernel modules for an initramfs. Needs common.sh.
#
# API
#   kx_kernel_fetch              download + extract the Debian cloud kernel (cached) and set:
#                                  KX_KERNEL          path of the vmlinuz (bzImage)
#                                  KX_KERNEL_VERSION  e.g. 6.1.0-56-cloud-amd64
#                                  KX_KERNEL_ROOT     extracted tree (boot/, lib/modules/<ver>/)
#                                The package is linux-image-cloud-amd64's versioned dependency;
#                                KEXECCTL_KERNEL_PKG=linux-image-<ver>-cloud-amd64 pins another one.
#   kx_kernel_config OPTION      prints y, m or nothing for CONFIG_OPTION of the fetched kernel
#   kx_modules_resolve MOD...    prints the .ko paths (relative to lib/modules/<ver>) needed for MOD...,
#                                dependencies first, each once, using the kernel's modules.dep
#                                (built-in modules print nothing)
#   kx_modules_install DIR MOD...  copies those modules into DIR/lib/modules/<ver>/ and appends their
#                                paths, in load order, to DIR/etc/kxt-modules (the generic /init
#                                insmods that list at boot)

kx_kernel_fetch() {
  local pkg="${KEXECCTL_KERNEL_PKG:-}" deb dir
  if [ -z "$pkg" ]; then
    kx_apt_ready
    pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
      awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ {print $2; exit}')
    [ -n "$pkg" ] || kx_die "cannot resolve linux-image-cloud-amd64 to a versioned kernel package"
  fi
  KX_KERNEL_VERSION=${pkg#linux-image-}
  dir="$KX_CACHE/kernels/$KX_KERNEL_VERSION"
  if [ ! -f "$dir/.done" ]; then
    kx_need_pkgs kmod # depmod: Debian's kernel packages leave modules.dep to their postinst
    kx_log "fetching kernel $pkg"
    deb=$(kx_deb_download "$pkg") || exit 1
    rm -rf "$dir"
    kx_deb_extract "$deb" "$dir"
    depmod -b "$dir" "$KX_KERNEL_VERSION" 2>/dev/null || true
    touch "$dir/.done"
  fi
  KX_KERNEL_ROOT=$dir
  KX_KERNEL="$dir/boot/vmlinuz-$KX_KERNEL_VERSION"
  [ -f "$KX_KERNEL" ] || kx_die "no vmlinuz in $pkg"
  [ -f "$dir/lib/modules/$KX_KERNEL_VERSION/modules.dep" ] || kx_die "no modules.dep for $KX_KERNEL_VERSION (is kmod installed?)"
  export KX_KERNEL KX_KERNEL_VERSION KX_KERNEL_ROOT
}

kx_kernel_config() {
  awk -F= -v k="CONFIG_$1" '$1 == k {print $2}' "$KX_KERNEL_ROOT/boot/config-$KX_KERNEL_VERSION"
}

kx_modules_resolve() {
  local mdir="$KX_KERNEL_ROOT/lib/modules/$KX_KERNEL_VERSION"
  local -A kx_seen_mod=()
  local m
  kx__mod_visit() {
    local name=$1 path deps d
    name=${name//-/_}
    path=$(awk -F: -v n="$name" '{f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/-/, "_", f); if (f == n) {print $1; exit}}' "$mdir/modules.dep")
    if [ -z "$path" ]; then
      grep -qE "/${name//_/[_-]}\.ko" "$mdir/modules.builtin" 2>/dev/null && return 0
      kx_die "kernel $KX_KERNEL_VERSION has no module $name"
    fi
    [ -n "${kx_seen_mod[$path]:-}" ] && return 0
    kx_seen_mod[$path]=1
    deps=$(awk -F: -v p="$path" '$1 == p {print $2; exit}' "$mdir/modules.dep")
    for d in $deps; do
      d=${d##*/}; d=${d%%.ko*}
      kx__mod_visit "$d"
    done
    printf '%s\n' "$path"
  }
  for m in "$@"; do kx__mod_visit "$m"; done
}

kx_modules_install() {
  local dir=$1; shift
  local mdir="$KX_KERNEL_ROOT/lib/modules/$KX_KERNEL_VERSION" p list
  list=$(kx_modules_resolve "$@") || exit 1
  mkdir -p "$dir/etc" "$dir/lib/modules/$KX_KERNEL_VERSION"
  for p in $list; do
    mkdir -p "$dir/lib/modules/$KX_KERNEL_VERSION/$(dirname "$p")"
    cp "$mdir/$p" "$dir/lib/modules/$KX_KERNEL_VERSION/$p"
    printf '/lib/modules/%s/%s\n' "$KX_KERNEL_VERSION" "$p" >>"$dir/etc/kxt-modules"
  done
}
