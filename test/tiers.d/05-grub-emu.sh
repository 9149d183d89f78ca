#!/usr/bin/env bash
# GRUB oracle tier: reruns the regexp and probe cases and the storage-layout fixture roots' grub.cfg
# (issue 17) in real GRUB (grub-emu 2.06, Debian package grub-emu; probe also needs mkfs.ext2) and
# checks that test/grub-emu/*.json and test/fixtures/roots/*/grub-emu.json, which the unit tests
# compare the evaluator with, still say what GRUB says. A few seconds, no VM.
# Appends "grub-emu <passed> <failed>" to $KEXECCTL_RESULTS.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
passed=0
failed=0
for script in test/grub-emu/run-regexp.mjs test/grub-emu/run-probe.mjs test/fixtures/roots/_grub-emu/record.mjs; do
  if node "$script" --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "grub-emu $passed $failed" >>"${KEXECCTL_RESULTS:-/dev/null}"
[ "$failed" -eq 0 ]
