#!/usr/bin/env bash
# kexec_load tier (QEMU): our segment builder and trampoline in real kernels. See test/vm/kexec-load/run.sh.
exec bash "$(dirname "$0")/../vm/kexec-load/run.sh" "$@"
