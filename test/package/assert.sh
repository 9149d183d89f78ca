# shellcheck shell=bash
# Counters and checks for the package tier. Every check prints one "ok"/"FAIL" line.
PKG_PASS=0
PKG_FAIL=0
pkg_ok() { PKG_PASS=$((PKG_PASS + 1)); printf '  ok    %s\n' "$*"; }
pkg_bad() { PKG_FAIL=$((PKG_FAIL + 1)); printf '  FAIL  %s\n' "$*"; }
# pkg_check DESC CMD...: passes when CMD succeeds.
# On failure the last lines of CMD's output are shown.
pkg_check() {
  local desc=$1 out; shift
  out=$(mktemp)
  if "$@" >"$out" 2>&1; then pkg_ok "$desc"; else pkg_bad "$desc"; tail -n 8 "$out" | sed 's/^/      | /'; fi
  rm -f "$out"
}
# pkg_check_not DESC CMD...: passes when CMD fails.
pkg_check_not() {
  local desc=$1; shift
  if "$@" >/dev/null 2>&1; then pkg_bad "$desc"; else pkg_ok "$desc"; fi
}
# pkg_grep DESC PATTERN FILE: passes when FILE has a line matching the extended regex.
# FILE is read to its end (no -q), so a <(command) has finished writing when this returns.
pkg_grep() {
  if grep -E -- "$2" "$3" >/dev/null 2>&1; then pkg_ok "$1"; else pkg_bad "$1 (no /$2/ in ${3##*/})"; fi
}
pkg_grep_not() {
  if grep -E -- "$2" "$3" >/dev/null 2>&1; then pkg_bad "$1 (/$2/ found in ${3##*/})"; else pkg_ok "$1"; fi
}
pkg_section() { printf -- '-- %s\n' "$*"; }
