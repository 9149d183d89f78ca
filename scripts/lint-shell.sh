#!/usr/bin/env bash
# Runs shellcheck over every shell script the project ships or runs: kernel hooks, maintainer scripts,
# init scripts, the systemd shutdown hook, build scripts and every test script. Part of
# `npm run lint`. Severity: warning and above (info-level notes such as SC2015 are not failures).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || { echo "lint-shell: shellcheck is not installed (bash scripts/setup.sh)" >&2; exit 1; }
mapfile -t files < <(
  {
    find kernel sysv -type f
    find scripts -type f -name '*.sh'
    printf '%s\n' deb/config deb/postinst deb/postrm deb/prerm systemd/system-shutdown/kexecctl
    find test -type f -name '*.sh'
  } | sort -u
)
shellcheck -x -S warning -P SCRIPTDIR "${files[@]}"
echo "lint-shell: ${#files[@]} scripts clean"
