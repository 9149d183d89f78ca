#!/usr/bin/env bash
# arm64 tier (QEMU aarch64, TCG): kexec_load with our arm64 segments in real kernels. See test/vm/arm64/run.sh.
exec bash "$(dirname "$0")/../vm/arm64/run.sh" "$@"
