#!/usr/bin/env bash
# Tier: the distro VM (Debian 12 image, reboot paths on systemd and sysvinit). See test/vm/distro/run.sh.
exec bash "$(dirname "$0")/../vm/distro/run.sh" "$@"
