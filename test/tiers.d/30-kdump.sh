#!/usr/bin/env bash
# kdump tier: the crash-and-capture VM proof (test/vm/kdump/run.sh).
exec bash "$(dirname "$0")/../vm/kdump/run.sh" "$@"
