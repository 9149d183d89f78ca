#!/bin/sh
# shellcheck disable=SC2016 # conditions are single-quoted on purpose: chk evaluates them
# kdump VM proof, guest side (busybox sh, run by the generic /init as /kxt/scenario.sh STAGE).
#   stage 1 (first kernel, booted with crashkernel=256M)
#       kdumpctl status (exit 3: nothing loaded) -> start -> kexec_crash_loaded=1, status 0
#       -> stop (unloads) -> start again -> echo c > /proc/sysrq-trigger
#   stage capture (the crash kernel: same kernel and initramfs, kexecctl.kdump=save on its cmdline,
#       kxt.stage=capture from KDUMP_COMMANDLINE_APPEND after KDUMP_COMMANDLINE_REMOVE dropped kxt.stage)
#       status without a reservation exits 3 with the explanation, start refuses, a save onto a full
#       (2 MiB tmpfs) directory keeps vmcore-incomplete and exits 1,
#       then `kdumpctl save` writes the dump to /var/crash on the real root (the virtio disk) and reboots.
#       Round c (full copy) first runs two fault rows (issue 12's matrix): SIGTERM mid-copy, and EIO on
#       /dev/vdb (QEMU's blkdebug fails writes there, faults.sh) with failure_action dump_to_rootfs.
#   stage powerloss (round c's disk booted again, faults.sh): a save copying round c's vmcore is frozen
#       mid-copy (SIGSTOP) and the host kills QEMU (SIGKILL): power loss; the host reads what is left.
# Every check prints "KXT RESULT <name> PASS|FAIL <detail>"; the host counts them.
# kxt.kexec_args=-c on the first kernel's command line (run.sh round "c") makes the last `kdumpctl start`
# (the one that is crashed into) load through kexec_load, with our own segments and ELF core header
# (src/image/x86/crash-plan.ts); the earlier start/stop checks stay on kexec_file_load (-s).
# shellcheck source=/dev/null
. /kxt/lib.sh
stage=${1:-1}
# The KEXEC_ARGS of the crashed-into load: kxt.kexec_args= from the command line, else -s.
kexec_args=$(kxt_cmdline_get kxt.kexec_args)
kexec_args=${kexec_args:--s}
# kxt.collector=makedumpfile (round s): the dump is filtered by makedumpfile, else copied whole.
collector=$(kxt_cmdline_get kxt.collector)

# chk NAME DETAIL 'CONDITION': evaluates the shell CONDITION (may use && and ||).
chk() {
  _cn=$1; _cd=$2; shift 2
  if eval "$*"; then kxt_result "$_cn" PASS "$_cd"; else kxt_result "$_cn" FAIL "$_cd"; fi
}

crash_loaded() { cat /sys/kernel/kexec_crash_loaded 2>/dev/null || echo absent; }

stage1() {
  hostname kdumpvm
  size=$(cat /sys/kernel/kexec_crash_size 2>/dev/null || echo 0)
  kxt_check reservation "kexec_crash_size=$size" [ "$size" -gt 0 ]
  mkdir -p /etc/sysconfig
  cat >/etc/sysconfig/kdump <<'CFG'
# written by the kdump VM proof
KDUMP_COMMANDLINE_REMOVE="kxt.stage kxt.boot quiet"
KDUMP_COMMANDLINE_APPEND="kxt.stage=capture irqpoll nr_cpus=1 reset_devices"
KEXEC_ARGS="-s"
CFG
  # /etc/kdump.conf: round s leaves core_collector unset, so makedumpfile (on the root disk) is the
  # default; round c asks for "cp" (our full copy). dracut_args must be reported as having no effect.
  if [ "$collector" = makedumpfile ]; then
    printf '# written by the kdump VM proof\npath /var/crash\nfailure_action reboot\nfinal_action reboot\ndracut_args --omit plymouth\n' >/etc/kdump.conf
    want_cc='/usr/bin/makedumpfile -l --message-level 7 -d 31'
  else
    printf '# written by the kdump VM proof\npath /var/crash\ncore_collector cp\nfinal_action reboot\ndracut_args --omit plymouth\n' >/etc/kdump.conf
    want_cc='full copy (kexecctl)'
  fi
  kxt_run kdumpctl plan --json
  kxt_log "plan: $(tr '\n' ' ' </tmp/kxt.out)"
  kxt_check plan "plan names /boot/vmlinuz-$(uname -r) and the trigger" \
    grep -q "kexecctl.kdump=save" /tmp/kxt.out
  chk kdump-conf-plan "core_collector \"$want_cc\" and the dracut_args warning (/etc/kdump.conf:5)" \
    'grep -qF "\"value\": \"$want_cc\"" /tmp/kxt.out && grep -qF "/etc/kdump.conf:5: warning: dracut_args: no effect here" /tmp/kxt.out'

  kxt_run kdumpctl status
  kxt_check status-not-loaded "status exits 3 before start: $(cat /tmp/kxt.out)" [ "$KXT_RC" = 3 ]

  t=$(kxt_ms)
  kxt_run kdumpctl start
  kxt_time kdumpctl-start $(($(kxt_ms) - t))
  chk start "exit $KXT_RC, kexec_crash_loaded=$(crash_loaded): $(cat /tmp/kxt.out /tmp/kxt.err)" \
    '[ "$KXT_RC" = 0 ] && [ "$(crash_loaded)" = 1 ]'
  kxt_run kdumpctl status
  kxt_check status-operational "exit $KXT_RC: $(cat /tmp/kxt.out)" [ "$KXT_RC" = 0 ]
  kxt_run kdump-config status
  kxt_check kdump-config-status "exit $KXT_RC: $(grep 'current state' /tmp/kxt.out)" grep -qx 'current state   : ready to kdump' /tmp/kxt.out
  kxt_run kdumpctl showmem
  kxt_check showmem "$(cat /tmp/kxt.out)" grep -q "^Reserved 256MB memory for crash kernel" /tmp/kxt.out

  kxt_run kdumpctl stop
  chk stop-unloads "exit $KXT_RC, kexec_crash_loaded=$(crash_loaded): $(cat /tmp/kxt.out)" '[ "$KXT_RC" = 0 ] && [ "$(crash_loaded)" = 0 ]'
  kxt_run kdumpctl status
  kxt_check status-after-stop "exit $KXT_RC: $(cat /tmp/kxt.out)" [ "$KXT_RC" = 3 ]

  # -c adds -d: kexec-tools' segment table and our notes (elfcorehdr, command line) go to the log.
  args=$kexec_args
  [ "$kexec_args" = -c ] && args="-c -d"
  sed -i "s/^KEXEC_ARGS=.*/KEXEC_ARGS=\"$args\"/" /etc/sysconfig/kdump
  t=$(kxt_ms)
  kxt_run kdumpctl start
  kxt_time "kdumpctl-start$kexec_args" $(($(kxt_ms) - t))
  # shellcheck disable=SC2034 # read inside the expression chk evaluates below
  want=kexec_file_load
  # shellcheck disable=SC2034
  [ "$kexec_args" = -c ] && want=kexec_load
  [ "$kexec_args" = -c ] && kxt_log "kdumpctl start -c -d: $(cat /tmp/kxt.out /tmp/kxt.err | tr '\n' ' ' | head -c 2500)"
  chk start-again "KEXEC_ARGS=$args: exit $KXT_RC, kexec_crash_loaded=$(crash_loaded): $(head -c 300 /tmp/kxt.out) $(head -c 300 /tmp/kxt.err)" \
    '[ "$KXT_RC" = 0 ] && [ "$(crash_loaded)" = 1 ] && grep -q "($want)" /tmp/kxt.out'
  echo "KXT CRASHING at $(kxt_ms) ms"
  sync
  echo c >/proc/sysrq-trigger
  echo "KXT STILL-ALIVE after sysrq c"
  kxt_result crash FAIL "the kernel did not panic"
}

stage_capture() {
  kxt_check capture-trigger "$(cat /proc/cmdline)" grep -q "kexecctl.kdump=save" /proc/cmdline
  kxt_check capture-no-crashkernel "crashkernel= removed" sh -c '! grep -q "crashkernel=" /proc/cmdline'
  kxt_check vmcore-present "/proc/vmcore exists" [ -e /proc/vmcore ]
  # Which loader made the header: ours writes kexec-tools' "elfcorehdr=<KiB>K", the kernel's "elfcorehdr=0x<hex>".
  hdr=$(tr ' ' '\n' </proc/cmdline | grep '^elfcorehdr=' | tr '\n' ' ')
  if [ "$kexec_args" = -c ]; then
    chk elfcorehdr-form "$hdr(kexec_load: <KiB>K from our loader)" 'echo "$hdr" | grep -qE "^elfcorehdr=[0-9]+K $"'
  else
    chk elfcorehdr-form "$hdr(kexec_file_load: 0x<hex> from the kernel)" 'echo "$hdr" | grep -qE "^elfcorehdr=0x[0-9a-f]+ $"'
  fi
  echo "KXT LOG capture kernel memory: $(grep -E 'MemTotal' /proc/meminfo | tr -s ' '); vmcore phdrs from /proc/vmcore size $(stat -c %s /proc/vmcore)"
  kxt_run kdumpctl status
  chk status-no-reservation "exit $KXT_RC: $(head -c 200 /tmp/kxt.out)" \
    '[ "$KXT_RC" = 3 ] && grep -q "no memory is reserved" /tmp/kxt.out && grep -q GRUB_CMDLINE_LINUX_DEFAULT /tmp/kxt.out && grep -q grubby /tmp/kxt.out'
  kxt_run kdumpctl start
  chk start-no-reservation "exit $KXT_RC: $(head -c 160 /tmp/kxt.err)" \
    '[ "$KXT_RC" != 0 ] && grep -q "no memory is reserved" /tmp/kxt.err'
  chk root-kept "root=/dev/vda kept on the capture kernel's command line" 'grep -q "root=/dev/vda" /proc/cmdline'
  # A full disk: an 8 MiB tmpfs. The partial copy must stay, named vmcore-incomplete, and the reason be logged.
  mkdir -p /mnt/small
  mount -t tmpfs -o size=2m tmpfs /mnt/small
  kxt_run kdumpctl save --dir /mnt/small --final-action none
  for d in /mnt/small/kdumpvm-*; do break; done
  # Our copy says ENOSPC; makedumpfile prints strerror ("No space left on device") and exits non-zero.
  chk save-enospc "exit $KXT_RC; files: $(cd "$d" 2>/dev/null && echo *); size $(stat -c %s "$d/vmcore-incomplete" 2>/dev/null); $(grep -ho -e 'stopped.*' -e '.*No space left.*' /tmp/kxt.err /tmp/kxt.out | head -n 2)" \
    '[ "$KXT_RC" = 1 ] && [ -s "$d/vmcore-incomplete" ] && [ ! -e "$d/vmcore" ] && grep -qE "ENOSPC|No space left on device" /tmp/kxt.err /tmp/kxt.out'
  umount /mnt/small
  [ "$collector" = makedumpfile ] && capture_configs
  [ "$collector" = makedumpfile ] || { save_sigterm; save_eio; }
  echo "KXT LOG vmcore size $(stat -c %s /proc/vmcore) bytes; free memory $(awk '/MemFree/ {print $2}' /proc/meminfo) kB"
  echo "KXT SAVE-START $(kxt_ms)"
  # kdumpctl save reboots when done (QEMU runs with -no-reboot, so the run ends there).
  kdumpctl save
  echo "KXT SAVE-RETURNED $?"
  kxt_result save-reboot FAIL "kdumpctl save returned instead of rebooting"
}

# kxt_partial_wait PID GLOB BYTES: until GLOB/vmcore-incomplete has BYTES (or PID ended); sets d and sz.
kxt_partial_wait() {
  _n=0
  sz=0
  while [ "$_n" -lt 1200 ] && kill -0 "$1" 2>/dev/null; do
    for d in $2; do break; done
    sz=$(stat -c %s "$d/vmcore-incomplete" 2>/dev/null || echo 0)
    [ "$sz" -ge "$3" ] && return 0
    sleep 0.05
    _n=$((_n + 1))
  done
  return 1
}

# Round c: SIGTERM to `kdumpctl save` once 64 MiB are copied: exit 143, exactly one line after the copy
# started, vmcore-incomplete kept (the host reads /var/crash-term back too), no vmcore.
save_sigterm() {
  kdumpctl save --dir /var/crash-term --final-action none >/tmp/kxt.term.out 2>/tmp/kxt.term.err &
  pid=$!
  kxt_partial_wait "$pid" '/var/crash-term/kdumpvm-*' 67108864
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  chk save-sigterm "SIGTERM at $sz bytes copied: exit $rc; files: $(cd "$d" 2>/dev/null && echo *); vmcore-incomplete $(stat -c %s "$d/vmcore-incomplete" 2>/dev/null) bytes; stderr after the copy started: $(sed -n '/(full copy)$/,$p' /tmp/kxt.term.err | tail -n +2)" \
    '[ "$rc" = 143 ] && [ "$(sed -n "/(full copy)\$/,\$p" /tmp/kxt.term.err | wc -l)" = 2 ] && grep -q "^kdumpctl: SIGTERM: save stopped after [0-9]* bytes; the partial dump stays as $d/vmcore-incomplete, no vmcore; no final action\$" /tmp/kxt.term.err && [ -s "$d/vmcore-incomplete" ] && [ ! -e "$d/vmcore" ] && [ "$(stat -c %s "$d/vmcore-incomplete")" -lt "$(stat -c %s /proc/vmcore)" ]'
  sync
}

# Round c: the dump target /dev/vdb fails writes with EIO beyond its first 64 MiB (blkdebug, faults.sh).
# The copy must stop at a periodic fsync (64 MiB), keep vmcore-incomplete there, report EIO in one
# line, give kdump_post 1 and run failure_action dump_to_rootfs (which saves the whole vmcore on /).
save_eio() {
  [ -b /dev/vdb ] || { kxt_result save-eio FAIL "no /dev/vdb (the blkdebug disk)"; return; }
  cp /etc/kdump.conf /etc/kdump.conf.main
  printf 'ext4 /dev/vdb\npath /dumps\ncore_collector cp\nfailure_action dump_to_rootfs\nkdump_post /bin/echo KXT-POST\n' >/etc/kdump.conf
  t=$(kxt_ms)
  kxt_run kdumpctl save --final-action none
  kxt_time kdumpctl-save-eio $(($(kxt_ms) - t))
  for d in /run/kexecctl/kdump-target/dumps/kdumpvm-*; do break; done
  for r in /dumps/kdumpvm-*; do break; done
  # shellcheck disable=SC2034 # read inside the expression chk evaluates below
  n=$(grep -o 'copy stopped after [0-9]*' /tmp/kxt.err | grep -o '[0-9]*$' | head -n 1)
  chk save-eio "exit $KXT_RC; $(grep -o 'copy stopped.*' /tmp/kxt.err | head -n 1); $(grep -o 'failure_action .*' /tmp/kxt.err | head -n 1); $(grep -o 'KXT-POST.*' /tmp/kxt.out); on vdb: $(cd "$d" 2>/dev/null && echo *); on /: $(cd "$r" 2>/dev/null && echo *)" \
    '[ "$KXT_RC" = 0 ] && [ "$(grep -c "EIO (Input/output error)" /tmp/kxt.err)" = 1 ] && [ -n "$n" ] && [ "$n" -le 134217728 ] && [ -s "$d/vmcore-incomplete" ] && [ ! -e "$d/vmcore" ] && grep -qx "KXT-POST 1" /tmp/kxt.out && grep -q "failure_action dump_to_rootfs" /tmp/kxt.err && [ -s "$r/vmcore" ] && [ ! -e "$r/vmcore-incomplete" ]'
  umount /run/kexecctl/kdump-target
  rm -rf /dumps
  mv /etc/kdump.conf.main /etc/kdump.conf
  sync
}

# Stage powerloss (round c's disk, booted again by faults.sh): copy round c's saved vmcore with
# kdumpctl save, freeze the save (SIGSTOP) once 96 MiB are copied (one periodic fsync done), and
# wait for the host to kill QEMU.
stage_powerloss() {
  hostname kdumpvm
  for v in /var/crash/kdumpvm-*/vmcore; do break; done
  [ -s "$v" ] || { kxt_result powerloss-save FAIL "no saved vmcore to copy ($v)"; return; }
  kdumpctl save --vmcore "$v" --dir /var/crash-pl --final-action none >/tmp/kxt.pl.out 2>/tmp/kxt.pl.err &
  pid=$!
  if kxt_partial_wait "$pid" '/var/crash-pl/kdumpvm-*' 100663296; then
    kill -STOP "$pid"
    echo "KXT POWERLOSS-NOW size=$sz source=$v"
    sleep 600
  fi
  kxt_result powerloss-save FAIL "the save ended before 96 MiB ($sz bytes): $(tr '\n' ' ' </tmp/kxt.pl.err | tail -c 300)"
}

# Round s only (makedumpfile keeps these saves small): two more saves with other configurations.
capture_configs() {
  # failure_action: the target (a disk labelled kxt-missing) cannot be mounted, so kdump_post gets 1
  # and dump_to_rootfs saves under path on the root file system instead.
  cp /etc/kdump.conf /etc/kdump.conf.main
  printf 'ext4 LABEL=kxt-missing\npath /var/crash-fa\nfailure_action dump_to_rootfs\nkdump_post /bin/echo KXT-POST\n' >/etc/kdump.conf
  kxt_run kdumpctl save --final-action none
  for d in /var/crash-fa/kdumpvm-*; do break; done
  chk failure-action-rootfs "exit $KXT_RC; $(grep -o 'KXT-POST.*' /tmp/kxt.out); files: $(cd "$d" 2>/dev/null && echo *); $(grep -o 'failure_action .*' /tmp/kxt.err | head -n 1)" \
    '[ "$KXT_RC" = 0 ] && grep -qx "KXT-POST 1" /tmp/kxt.out && [ -s "$d/vmcore" ] && [ -s "$d/vmcore-dmesg.txt" ]'
  rm -rf /var/crash-fa
  ssh_targets
  # Debian's kdump-tools: no kdump.conf; kdump-config savecore reads /etc/default/kdump-tools (zlib -c,
  # KDUMP_NUM_DUMPS=1 removes the older dump) and names the dump as kdump-config does:
  # <KDUMP_COREDIR>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>. The host checks the dump's header.
  rm -f /etc/kdump.conf
  mkdir -p /etc/default /var/crash-deb/202001010000
  printf 'USE_KDUMP=1\nKDUMP_COREDIR="/var/crash-deb"\nMAKEDUMP_ARGS="-c -d 31"\nKDUMP_NUM_DUMPS=1\n' >/etc/default/kdump-tools
  t=$(kxt_ms)
  kxt_run kdump-config savecore
  kxt_time kdump-config-savecore $(($(kxt_ms) - t))
  # shellcheck disable=SC2034 # read inside the expression chk evaluates below
  dd_=$(ls /var/crash-deb | head -n 1)
  chk kdump-tools-savecore "exit $KXT_RC; /var/crash-deb: $(ls /var/crash-deb | tr '\n' ' '); files: $(ls "/var/crash-deb/$dd_" | tr '\n' ' '); $(tail -n 1 /tmp/kxt.out)" \
    '[ "$KXT_RC" = 0 ] && [ "$(ls /var/crash-deb | wc -l)" = 1 ] && [ ! -e /var/crash-deb/202001010000 ] && echo "$dd_" | grep -qE "^[0-9]{12}\$" && [ -s "/var/crash-deb/$dd_/dump.$dd_" ] && [ -s "/var/crash-deb/$dd_/dmesg.$dd_" ]'
  rm /etc/default/kdump-tools
  mv /etc/kdump.conf.main /etc/kdump.conf
  sync
}

# The ssh dump server is the host (test/vm/kdump/ssh-server.sh): QEMU's restricted user network with
# one guestfwd, 10.0.2.100:22, to an inetd-mode sshd there. /kxt/ssh-dir names the host directory
# the dumps go to; the host checks what arrived.
net_up() {
  ip link set lo up
  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0
}

ssh_targets() {
  sshdir=$(cat /kxt/ssh-dir)
  net_up
  # kdump-utils: makedumpfile -F piped into ssh ... dd, renamed to vmcore.flat (default collector).
  printf 'ssh root@10.0.2.100\nsshkey /root/.ssh/kdump_id_ed25519\npath %s/dumps\nfailure_action reboot\n' "$sshdir" >/etc/kdump.conf
  t=$(kxt_ms)
  kxt_run kdumpctl save --final-action none
  kxt_time kdumpctl-save-ssh $(($(kxt_ms) - t))
  chk ssh-save "exit $KXT_RC; $(grep -o 'saved vmcore to .*' /tmp/kxt.err | head -n 1)$(grep -i 'error\|refused\|denied\|failed' /tmp/kxt.err | head -n 3 | tr '\n' ' ')" \
    '[ "$KXT_RC" = 0 ] && grep -q "saved vmcore to root@10.0.2.100:$sshdir/dumps/kdumpvm-.*/vmcore.flat" /tmp/kxt.err'
  # kdump-tools: SSH= in /etc/default/kdump-tools, HOSTTAG=ip (the default): <ip>-<YYYYMMDDHHMM>/dump.<stamp>.
  rm /etc/kdump.conf
  mkdir -p /etc/default
  printf 'USE_KDUMP=1\nKDUMP_COREDIR="%s/deb"\nSSH="root@10.0.2.100"\nSSH_KEY=/root/.ssh/kdump_id_ed25519\nMAKEDUMP_ARGS="-l -d 31"\n' "$sshdir" >/etc/default/kdump-tools
  t=$(kxt_ms)
  kxt_run kdump-config savecore
  kxt_time kdump-config-savecore-ssh $(($(kxt_ms) - t))
  chk kdump-tools-ssh "exit $KXT_RC; $(tail -n 1 /tmp/kxt.out)" \
    '[ "$KXT_RC" = 0 ] && grep -qE "saved vmcore in root@10.0.2.100:$sshdir/deb/10\.0\.2\.15-[0-9]{12}/dump\.[0-9]{12}" /tmp/kxt.out'
  rm /etc/default/kdump-tools
  nfs_target
}

# NFS: the host's NFS-Ganesha (nfs-server.sh) through 10.0.2.101:2049. Debian's mount and mount.nfs
# (/opt/kxt-nfs first in PATH for this save) do the NFSv4 mount kdumpctl asks for.
nfs_target() {
  printf 'nfs 10.0.2.101:/\npath /dumps\nfailure_action reboot\n' >/etc/kdump.conf
  oldpath=$PATH
  export PATH=/opt/kxt-nfs:$PATH
  t=$(kxt_ms)
  kxt_run kdumpctl save --final-action none
  kxt_time kdumpctl-save-nfs $(($(kxt_ms) - t))
  export PATH=$oldpath
  chk nfs-save "exit $KXT_RC; $(grep -o 'mounting the dump target.*' /tmp/kxt.err | head -n 1); $(grep -o 'saved vmcore: .*' /tmp/kxt.err | head -n 1)$(grep -i 'error\|refused\|denied\|failed' /tmp/kxt.err /tmp/kxt.out | head -n 3 | tr '\n' ' ')" \
    '[ "$KXT_RC" = 0 ] && grep -q "saved vmcore: .* to /run/kexecctl/kdump-target/dumps/kdumpvm-" /tmp/kxt.err'
  umount /run/kexecctl/kdump-target 2>/dev/null
}

case $stage in
  1) stage1 ;;
  capture) stage_capture ;;
  powerloss) stage_powerloss ;;
  *) kxt_result stage FAIL "unknown stage $stage" ;;
esac
