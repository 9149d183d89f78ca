# shellcheck shell=bash
# Shared helpers for the QEMU test tiers: logging, the download cache, Debian packages.
# Source it (bash); it defines functions only and changes no shell options.
#
# API
#   KX_CACHE                     cache root: ${KEXECCTL_CACHE:-/var/cache/kexecctl-test}
#   kx_log MSG...                print "[vm hh:mm:ss] MSG" to stderr
#   kx_die MSG...                kx_log, then exit 1
#   kx_ms                        milliseconds since the epoch (for timings)
#   kx_need_pkgs PKG...          apt-get install the Debian packages that are not installed yet
#   kx_apt_ready                 run `apt-get update` once per cache-day if package lists are missing
#   kx_deb_download SPEC         apt-get download SPEC ("name" or "name=version") into $KX_CACHE/debs;
#                                prints the .deb path (cached: a second call downloads nothing)
#   kx_deb_extract DEB DIR       dpkg-deb -x DEB into DIR (DIR is shared by several debs)
#   kx_deb_closure PKG...        prints PKG... plus their Depends, recursively, restricted to shared
#                                library packages (lib*), as "name" lines; used to gather .so files
#   kx_debian_version PKG MAJOR  prints the newest version of PKG from Debian's own archive (never a
#                                third-party repo such as nodesource) whose version starts with MAJOR
#   kx_debian_mirror             prints the Debian mirror URI from apt's sources (env KEXECCTL_MIRROR)
#   kx_cleanup_add PATH...       remember scratch paths for kx_cleanup
#   kx_cleanup                   stop our QEMU (kx_qemu_stop) and remove the remembered paths; use
#                                `trap kx_cleanup EXIT` in a tier script
#   kx_copy_elf ROOT BIN DEST    copy the ELF file ROOT/BIN to DEST/BIN together with every shared
#                                library it needs, resolved with ROOT's own ld.so (--library-path over
#                                ROOT's lib dirs); fails naming any library that cannot be found
#   kx_ensure_built              run `npm run -s build` in the repository when dist/kexec.js is missing
#                                or older than anything under src/, scripts/build*.mjs or package.json
#                                (a tier run on its own must never test a stale dist/); serialised
#                                with flock on $KX_BUILD_LOCK (default /tmp/kexecctl-build.lock);
#                                exits through kx_die when the build fails or leaves dist/ incomplete
#   kx_dist_stale                prints the first input newer than dist/kexec.js (or "dist/kexec.js
#                                missing") and succeeds when a rebuild is needed

KX_CACHE="${KEXECCTL_CACHE:-/var/cache/kexecctl-test}"
KX_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

kx_log() { printf '[vm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kx_die() { kx_log "ERROR: $*"; exit 1; }
kx_ms() { date +%s%3N; }

kx_need_pkgs() {
  local p need=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  [ "${#need[@]}" -eq 0 ] && return 0
  kx_log "installing ${need[*]}"
  kx_apt_ready
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    kx_die "apt-get install ${need[*]} failed"
}

kx_apt_ready() {
  [ -n "${KX_APT_UPDATED:-}" ] && return 0
  local lists=(/var/lib/apt/lists/*_Packages*)
  if [ ! -e "${lists[0]}" ] || ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
    kx_log "apt-get update"
    apt-get update -qq >/dev/null 2>&1 || kx_log "apt-get update reported errors (continuing)"
  fi
  KX_APT_UPDATED=1
}

kx_deb_download() {
  local spec=$1 name ver dir="$KX_CACHE/debs" f
  name=${spec%%=*}
  ver=''
  [ "$spec" != "$name" ] && ver=${spec#*=}
  mkdir -p "$dir"
  # An exact version maps to a known file name (epochs are written %3a by apt).
  f=$(kx__deb_find "$dir" "$name" "$ver")
  if [ -z "$f" ]; then
    kx_apt_ready
    if [ -z "$ver" ]; then
      ver=$(apt-cache policy "$name" 2>/dev/null | awk '/Candidate:/ {print $2}')
      if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then kx_die "no Debian package named $name"; fi
      f=$(kx__deb_find "$dir" "$name" "$ver")
    fi
    if [ -z "$f" ]; then
      (cd "$dir" && apt-get download -q "$name=$ver" >/dev/null 2>&1) || kx_die "apt-get download $name=$ver failed"
      f=$(kx__deb_find "$dir" "$name" "$ver")
    fi
  fi
  [ -n "$f" ] || kx_die "downloaded $name but cannot find its .deb in $dir"
  printf '%s\n' "$f"
}

kx__deb_find() {
  local dir=$1 name=$2 ver=$3 f
  if [ -n "$ver" ]; then
    ver=${ver//:/%3a}
    for f in "$dir/${name}_${ver}_"*.deb; do [ -e "$f" ] && { printf '%s\n' "$f"; return 0; }; done
  fi
  return 0
}

kx_deb_extract() {
  local deb=$1 dir=$2
  mkdir -p "$dir"
  dpkg-deb -x "$deb" "$dir" || kx_die "dpkg-deb -x $deb failed"
}

kx_deb_closure() {
  kx_apt_ready
  local -A seen=()
  local queue=("$@") p d
  while [ "${#queue[@]}" -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    printf '%s\n' "$p"
    while read -r d; do
      case $d in
        lib*-dev | libc-bin | libc-l10n | libgcc1) ;;
        lib*) [ -z "${seen[$d]:-}" ] && queue+=("$d") ;;
      esac
    done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances --no-pre-depends "$p" 2>/dev/null | awk '$1 == "Depends:" && $2 !~ /^</ {print $2}')
  done
}

kx_debian_version() {
  local pkg=$1 major=$2
  kx_apt_ready
  # madison lines: "name | version | uri suite/component arch Packages"; keep Debian's archives only.
  apt-cache madison "$pkg" 2>/dev/null |
    awk -F'|' -v m="$major" '{gsub(/ /,"",$2)} $3 ~ /debian/ && $3 !~ /nodesource/ && index($2, m) == 1 {print $2}' |
    sort -V | tail -n 1
}

kx_debian_mirror() {
  if [ -n "${KEXECCTL_MIRROR:-}" ]; then printf '%s\n' "$KEXECCTL_MIRROR"; return 0; fi
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' |
    grep -E '/debian/?$' | head -n 1 || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' \
    /etc/apt/sources.list 2>/dev/null | grep -E '/debian/?$' | head -n 1 || true)
  [ -n "$uri" ] || kx_die "cannot find a Debian mirror in apt's sources; set KEXECCTL_MIRROR"
  printf '%s\n' "${uri%/}"
}

kx__libdirs() {
  local root=$1 d out=''
  for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib64 lib usr/lib; do
    [ -d "$root/$d" ] && out="$out${out:+:}$root/$d"
  done
  printf '%s\n' "$out"
}

kx_copy_elf() {
  local root=$1 bin=$2 dest=$3 ldso libdirs line lib rel
  ldso=''
  for lib in "$root"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
    [ -e "$lib" ] && { ldso=$lib; break; }
  done
  [ -n "$ldso" ] || kx_die "no ld-linux-x86-64.so.2 under $root (extract libc6 there)"
  libdirs=$(kx__libdirs "$root")
  mkdir -p "$dest/$(dirname "$bin")" "$dest/lib/x86_64-linux-gnu" "$dest/lib64"
  cp -L "$root/$bin" "$dest/$bin"
  cp -L "$ldso" "$dest/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$dest/lib64/ld-linux-x86-64.so.2"
  # --list prints "soname => path (addr)" for each dependency, "not found" for a missing one.
  while read -r line; do
    case $line in
      *"not found"*) kx_die "$bin needs ${line%% *}, which is not under $root" ;;
      *" => /"*)
        lib=${line#* => }; lib=${lib%% (*}
        case $lib in "$root"/*) ;; *) kx_die "$bin: ${line%% *} resolved outside $root ($lib)" ;; esac
        rel=$(basename "$lib")
        cp -L "$lib" "$dest/lib/x86_64-linux-gnu/$rel"
        ;;
    esac
  done < <("$ldso" --library-path "$libdirs" --list "$root/$bin" 2>&1)
}

KX_CLEANUP_PATHS=()
kx_cleanup_add() { KX_CLEANUP_PATHS+=("$@"); }
kx_cleanup() {
  if declare -F kx_qemu_stop >/dev/null; then kx_qemu_stop; fi
  local p
  for p in "${KX_CLEANUP_PATHS[@]}"; do [ -n "$p" ] && [ "$p" != / ] && rm -rf -- "$p"; done
  KX_CLEANUP_PATHS=()
  return 0
}

kx_dist_stale() {
  local stamp="$KX_REPO_ROOT/dist/kexec.js" newer f
  if [ ! -f "$stamp" ]; then echo "dist/kexec.js missing"; return 0; fi
  newer=$(cd "$KX_REPO_ROOT" && find src -type f -newer "$stamp" -print -quit 2>/dev/null)
  if [ -z "$newer" ]; then
    for f in "$KX_REPO_ROOT"/scripts/build*.mjs "$KX_REPO_ROOT/package.json"; do
      [ -e "$f" ] && [ "$f" -nt "$stamp" ] && { newer=${f#"$KX_REPO_ROOT"/}; break; }
    done
  fi
  [ -n "$newer" ] || return 1
  printf '%s is newer than dist/kexec.js\n' "$newer"
}

kx_ensure_built() {
  local why b
  why=$(kx_dist_stale) || return 0
  kx_log "building dist/ ($why)"
  (
    flock 9
    # Another tier may have rebuilt while this one waited for the lock.
    kx_dist_stale >/dev/null || exit 0
    cd "$KX_REPO_ROOT" && npm run -s build
  ) 9>"${KX_BUILD_LOCK:-/tmp/kexecctl-build.lock}" || kx_die "npm run build failed"
  for b in "$KX_REPO_ROOT"/src/cli/bin/*.ts; do
    b=${b##*/}
    [ -f "$KX_REPO_ROOT/dist/${b%.ts}.js" ] || kx_die "dist/${b%.ts}.js is missing after npm run build"
  done
  # The shared tree may be edited during the build: say so, the next tier run rebuilds again.
  why=$(kx_dist_stale) && kx_log "warning: dist/ is stale again right after npm run build ($why)"
  return 0
}
