# shellcheck shell=bash
# aarch64 guests: Debian arm64 packages (dpkg --add-architecture arm64), the arm64 cloud kernel,
# an arm64 initramfs (busybox-static:arm64, nodejs:arm64 + libnode and their library closure, the
# project with koffi's linux_arm64 module), and QEMU's virt machine (TCG). Needs vm.sh first.
# New functions only; the x86_64 helpers in the other files are untouched.
#
# API
#   kx_arm64_ready               dpkg --add-architecture arm64 and apt-get update once (idempotent)
#   kx_deb_download_arch PKG ARCH [VER]  apt-get download PKG:ARCH[=VER] into $KX_CACHE/debs; prints the path
#   kx_deb_closure_arch ARCH PKG...      PKG... plus their lib* Depends for ARCH, recursively (names)
#   kx_kernel_fetch_arm64        linux-image-cloud-arm64's versioned dependency, extracted (cached); sets
#                                KX_A64_KERNEL_GZ (Debian's vmlinuz as shipped: bookworm's signed one is a
#                                plain Image with an EFI stub, older ones are gzip'ed), KX_A64_KERNEL (the
#                                uncompressed Image for QEMU's -kernel), KX_A64_KERNEL_VERSION, KX_A64_KERNEL_ROOT
#   kx_initramfs_base_arm64 DIR  like kx_initramfs_base, with busybox-static:arm64
#   kx_initramfs_add_node_arm64 DIR   Debian's nodejs:arm64 (same version as the amd64 guests) with the
#                                whole library closure's aarch64 lib dirs and ld-linux-aarch64.so.1
#   kx_initramfs_add_project_arm64 DIR  the built project with koffi's linux_arm64 build only
#   kx_qemu_start_aarch64 [opts] [-- extra]  like kx_qemu_start (same options but --debugcon) for
#                                qemu-system-aarch64 -M virt -cpu max, TCG always; serial = ttyAMA0

kx_arm64_ready() {
  [ -n "${KX_ARM64_READY:-}" ] && return 0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64 || kx_die "dpkg --add-architecture arm64 failed"
  fi
  if ! apt-cache show linux-image-cloud-arm64:arm64 >/dev/null 2>&1; then
    kx_log "apt-get update (arm64 lists)"
    apt-get update -qq >/dev/null 2>&1 || kx_log "apt-get update reported errors (continuing)"
    apt-cache show linux-image-cloud-arm64:arm64 >/dev/null 2>&1 || kx_die "no arm64 package lists after apt-get update"
  fi
  KX_ARM64_READY=1
}

kx_deb_download_arch() {
  local name=$1 arch=$2 ver=${3:-} dir="$KX_CACHE/debs" f
  mkdir -p "$dir"
  if [ -z "$ver" ]; then
    kx_arm64_ready
    ver=$(apt-cache policy "$name:$arch" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then kx_die "no Debian package $name:$arch"; fi
  fi
  f="$dir/${name}_${ver//:/%3a}_$arch.deb"
  [ -e "$f" ] || f="$dir/${name}_${ver//:/%3a}_all.deb"
  if [ ! -e "$f" ]; then
    kx_arm64_ready
    (cd "$dir" && apt-get download -q "$name:$arch=$ver" >/dev/null 2>&1) || kx_die "apt-get download $name:$arch=$ver failed"
    f="$dir/${name}_${ver//:/%3a}_$arch.deb"
    [ -e "$f" ] || f="$dir/${name}_${ver//:/%3a}_all.deb"
  fi
  [ -e "$f" ] || kx_die "downloaded $name:$arch but cannot find its .deb in $dir"
  printf '%s\n' "$f"
}

kx_deb_closure_arch() {
  local arch=$1; shift
  kx_arm64_ready
  local -A seen=()
  local queue=("$@") p d
  while [ "${#queue[@]}" -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    printf '%s\n' "$p"
    while read -r d; do
      d=${d%%:*}
      case $d in
        lib*-dev | libc-bin | libc-l10n | libgcc1) ;;
        lib*) [ -z "${seen[$d]:-}" ] && queue+=("$d") ;;
      esac
    done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances --no-pre-depends "$p:$arch" 2>/dev/null | awk '$1 == "Depends:" && $2 !~ /^</ {print $2}')
  done
}

kx_kernel_fetch_arm64() {
  local pkg="${KEXECCTL_ARM64_KERNEL_PKG:-}" dir
  if [ -z "$pkg" ]; then
    kx_arm64_ready
    pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
      awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-arm64/ {print $2; exit}')
    pkg=${pkg%%:*}
    [ -n "$pkg" ] || kx_die "cannot resolve linux-image-cloud-arm64 to a versioned kernel package"
  fi
  KX_A64_KERNEL_VERSION=${pkg#linux-image-}
  dir="$KX_CACHE/kernels/$KX_A64_KERNEL_VERSION"
  if [ ! -f "$dir/.done" ]; then
    kx_log "fetching kernel $pkg:arm64"
    rm -rf "$dir"
    kx_deb_extract "$(kx_deb_download_arch "$pkg" arm64)" "$dir"
    # Debian 12's signed arm64 vmlinuz is a plain Image (an EFI PE, so it can be signed); a gzip'ed
    # one (older or unsigned packages) is unpacked for QEMU's -kernel.
    if [ "$(head -c 2 "$dir/boot/vmlinuz-$KX_A64_KERNEL_VERSION" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
      gzip -dc "$dir/boot/vmlinuz-$KX_A64_KERNEL_VERSION" >"$dir/boot/Image-$KX_A64_KERNEL_VERSION" || kx_die "gunzip of vmlinuz-$KX_A64_KERNEL_VERSION failed"
    else
      cp "$dir/boot/vmlinuz-$KX_A64_KERNEL_VERSION" "$dir/boot/Image-$KX_A64_KERNEL_VERSION"
    fi
    touch "$dir/.done"
  fi
  KX_A64_KERNEL_ROOT=$dir
  KX_A64_KERNEL_GZ="$dir/boot/vmlinuz-$KX_A64_KERNEL_VERSION"
  KX_A64_KERNEL="$dir/boot/Image-$KX_A64_KERNEL_VERSION"
  [ -f "$KX_A64_KERNEL" ] || kx_die "no Image for $KX_A64_KERNEL_VERSION"
  export KX_A64_KERNEL KX_A64_KERNEL_GZ KX_A64_KERNEL_VERSION KX_A64_KERNEL_ROOT
}

kx_initramfs_base_arm64() {
  local dir=$1 root="$KX_CACHE/busybox-arm64" a
  kx_need_pkgs busybox-static cpio
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    kx_deb_extract "$(kx_deb_download_arch busybox-static arm64)" "$root"
    touch "$root/.done"
  fi
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/sbin,etc,proc,sys,dev,tmp,run,root,mnt,kxt,lib}
  cp "$root/bin/busybox" "$dir/bin/busybox"
  # The applet list of the host's busybox-static: the same Debian configuration on both arches.
  for a in $(busybox --list); do
    [ -e "$dir/bin/$a" ] || ln -s busybox "$dir/bin/$a"
  done
  cp "$KX_LIB_DIR/guest-init.sh" "$dir/init"
  cp "$KX_LIB_DIR/guest-lib.sh" "$dir/kxt/lib.sh"
  chmod 755 "$dir/init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\n' >"$dir/etc/group"
}

kx_node_fetch_arm64() {
  local ver root libnode deps pkg
  ver=${KEXECCTL_GUEST_NODE_VERSION:-$(kx_arm64_ready; apt-cache policy nodejs:arm64 | awk '/Candidate:/ {print $2}')}
  if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then kx_die "no nodejs:arm64 in Debian's lists"; fi
  root="$KX_CACHE/node-arm64-$ver"
  if [ ! -f "$root/.done" ]; then
    kx_log "fetching Debian nodejs:arm64 $ver and its libraries"
    rm -rf "$root"
    kx_arm64_ready
    libnode=$(apt-cache depends "nodejs:arm64=$ver" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^libnode[0-9]+/ {print $2; exit}')
    libnode=${libnode%%:*}
    [ -n "$libnode" ] || kx_die "cannot find the libnode package nodejs:arm64 $ver depends on"
    kx_deb_extract "$(kx_deb_download_arch nodejs arm64 "$ver")" "$root"
    kx_deb_extract "$(kx_deb_download_arch "$libnode" arm64 "$ver")" "$root"
    deps=$(apt-cache depends "$libnode:arm64=$ver" 2>/dev/null | awk '$1 == "Depends:" && $2 !~ /^</ {print $2}' | sed 's/:.*//')
    # shellcheck disable=SC2046 # one package name per word
    for pkg in $(kx_deb_closure_arch arm64 libc6 $(printf '%s\n' "$deps" | grep -v '^node-' || true)); do
      kx_deb_extract "$(kx_deb_download_arch "$pkg" arm64)" "$root"
    done
    # Debian's node-* modules libnode loads (acorn, cjs-module-lexer, undici) are Architecture: all;
    # apt-cache shows them for a foreign arch as virtual "<node-acorn:arm64>".
    for pkg in $(apt-cache depends "$libnode:arm64=$ver" 2>/dev/null | awk '$1 == "Depends:" {print $2}' | sed 's/[<>]//g; s/:.*//' | grep '^node-' || true); do
      kx_deb_extract "$(kx_deb_download "$pkg")" "$root"
    done
    [ -f "$root/usr/share/nodejs/cjs-module-lexer/lexer.js" ] || kx_die "libnode's node-cjs-module-lexer is missing from $root"
    touch "$root/.done"
  fi
  KX_A64_NODE_ROOT=$root
}

kx_initramfs_add_node_arm64() {
  local dir=$1 d
  kx_node_fetch_arm64
  mkdir -p "$dir/usr/bin" "$dir/lib/aarch64-linux-gnu" "$dir/usr/lib/aarch64-linux-gnu"
  cp -L "$KX_A64_NODE_ROOT/usr/bin/node" "$dir/usr/bin/node"
  for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
    [ -d "$KX_A64_NODE_ROOT/$d" ] && cp -a "$KX_A64_NODE_ROOT/$d/." "$dir/$d/"
  done
  [ -e "$dir/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" ] || [ -e "$dir/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" ] ||
    kx_die "no ld-linux-aarch64.so.1 in libc6:arm64"
  ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$dir/lib/ld-linux-aarch64.so.1"
  [ -e "$dir/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" ] ||
    ln -sf ../../usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 "$dir/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"
  rm -rf "$dir/usr/lib/aarch64-linux-gnu/gconv" "$dir/usr/lib/aarch64-linux-gnu/audit"
  for d in acorn acorn-walk cjs-module-lexer undici; do
    if [ -d "$KX_A64_NODE_ROOT/usr/share/nodejs/$d" ]; then
      mkdir -p "$dir/usr/share/nodejs"
      cp -a "$KX_A64_NODE_ROOT/usr/share/nodejs/$d" "$dir/usr/share/nodejs/"
    fi
  done
  ln -sf node "$dir/usr/bin/nodejs"
}

kx_initramfs_add_project_arm64() {
  local dir=$1 dest="$1/opt/kexecctl" k="$KX_REPO_DIR/node_modules/koffi" b
  [ -f "$KX_REPO_DIR/dist/kexec.js" ] || kx_die "dist/ is not built: run npm run build"
  [ -d "$k/build/koffi/linux_arm64" ] || kx_die "node_modules/koffi has no linux_arm64 build (npm ci)"
  rm -rf "$dest"
  mkdir -p "$dest/node_modules/koffi/build/koffi" "$dir/usr/sbin"
  cp -a "$KX_REPO_DIR/dist" "$KX_REPO_DIR/package.json" "$dest/"
  cp -a "$k/package.json" "$k/index.js" "$dest/node_modules/koffi/"
  [ -f "$k/indirect.js" ] && cp -a "$k/indirect.js" "$dest/node_modules/koffi/"
  cp -a "$k/build/koffi/linux_arm64" "$dest/node_modules/koffi/build/koffi/"
  for b in "$KX_REPO_DIR"/dist/*.js; do
    b=$(basename "$b" .js)
    printf '#!/bin/sh\nexec /usr/bin/node /opt/kexecctl/dist/%s.js "$@"\n' "$b" >"$dir/usr/sbin/$b"
    chmod 755 "$dir/usr/sbin/$b"
  done
}

kx_qemu_start_aarch64() {
  local kernel='' initrd='' append='' serial='' mem=2048 smp=2 name=guest events='' extra=()
  while [ $# -gt 0 ]; do
    case $1 in
      --kernel) kernel=$2; shift 2 ;;
      --initrd) initrd=$2; shift 2 ;;
      --append) append=$2; shift 2 ;;
      --serial) serial=$2; shift 2 ;;
      --mem) mem=$2; shift 2 ;;
      --smp) smp=$2; shift 2 ;;
      --name) name=$2; shift 2 ;;
      --events) events=$2; shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) kx_die "kx_qemu_start_aarch64: unknown option $1" ;;
    esac
  done
  [ -n "$serial" ] || kx_die "kx_qemu_start_aarch64: --serial LOG is required"
  kx_need_pkgs qemu-system-arm
  local args=(-M virt -cpu max -accel tcg -m "$mem" -smp "$smp" -nodefaults -display none -no-reboot
    -serial "file:$serial" -monitor none)
  [ -n "$kernel" ] && args+=(-kernel "$kernel")
  [ -n "$initrd" ] && args+=(-initrd "$initrd")
  [ -n "$append" ] && args+=(-append "$append")
  local sock=''
  KX_QMP_PID=''
  if [ -n "$events" ]; then
    sock="${serial%.*}.qmp.sock"
    rm -f "$sock"
    : >"$events"
    args+=(-qmp "unix:$sock,server=on,wait=on")
  fi
  : >"$serial"
  KX_QEMU_LOG="${serial%.*}.qemu.txt"
  KX_QEMU_EVENTS=$events
  kx_log "starting $name (aarch64 virt, tcg, ${mem}M, $smp cpu)"
  qemu-system-aarch64 "${args[@]}" "${extra[@]}" >"$KX_QEMU_LOG" 2>&1 &
  KX_QEMU_PID=$!
  if [ -n "$events" ]; then
    node "$KX_LIB_DIR/qmp-events.mjs" "$sock" "$events" 2>>"$KX_QEMU_LOG" &
    KX_QMP_PID=$!
  fi
  export KX_QEMU_PID KX_QEMU_LOG KX_QEMU_EVENTS KX_QMP_PID
}
