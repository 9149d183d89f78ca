#!/usr/bin/env bash
# Guest VM tier (QEMU): see test/vm/README.md.
exec bash "$(dirname "$0")/../vm/guest/run.sh" "$@"
