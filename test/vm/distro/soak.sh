#!/usr/bin/env bash
# npm run soak (issue 12 part 5): KEXECCTL_SOAK_REBOOTS (default 20) kexec reboots in a row in the
# distro VM (Debian 12, systemd, SeaBIOS, TCG), the size of /run/kexecctl and /var/lib/kexecctl
# recorded at every boot (must not grow), then e2fsck -fn on the image once QEMU has stopped (must
# be clean). One PASS/FAIL line per check (scenario-bench.mjs, suite soak); exits non-zero on a FAIL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KEXECCTL_DISTRO_SUITES=systemd:seabios:soak KEXECCTL_RESULTS='' exec bash "$here/run.sh" --reps "${KEXECCTL_SOAK_REBOOTS:-20}"
