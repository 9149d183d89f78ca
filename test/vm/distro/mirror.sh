# shellcheck shell=bash
# Derives the Debian mirror URLs from this machine's apt sources (never hard-coded).
# Overrides: KEXECCTL_DEBIAN_MIRROR, KEXECCTL_DEBIAN_SECURITY_MIRROR.

# Prints every URI listed for apt sources (deb822 .sources and one-line sources.list).
distro_apt_uris() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' "$f"
  done
}

# distro_mirror: the main archive (a URI ending in /debian).
distro_mirror() {
  if [ -n "${KEXECCTL_DEBIAN_MIRROR:-}" ]; then echo "$KEXECCTL_DEBIAN_MIRROR"; return; fi
  local u
  u=$(distro_apt_uris | grep -E '/debian/?$' | head -n1)
  if [ -z "$u" ]; then
    echo "distro: no Debian mirror found in apt sources; set KEXECCTL_DEBIAN_MIRROR" >&2
    return 1
  fi
  echo "${u%/}"
}

# distro_security_mirror: the security archive, or empty when the host has none.
distro_security_mirror() {
  if [ -n "${KEXECCTL_DEBIAN_SECURITY_MIRROR:-}" ]; then echo "$KEXECCTL_DEBIAN_SECURITY_MIRROR"; return; fi
  local u
  u=$(distro_apt_uris | grep -E '/debian-security/?$' | head -n1)
  echo "${u%/}"
}
