#!/usr/bin/env bash
# Fleet tier: contrib/ansible linted, then three Debian 12 VMs rolled through kexec by the Ansible
# playbook, and a run that must fail per host without hanging. See test/vm/fleet/run.sh.
exec bash "$(dirname "$0")/../vm/fleet/run.sh" "$@"
