# shellcheck shell=bash
# QEMU launch, accelerator choice, console capture and marker waits. Needs common.sh (and
# kernel.sh for the accelerator probe).
#
# API
#   kx_accel                     prints "kvm" or "tcg". KEXECCTL_ACCEL=kvm|tcg forces it. Otherwise a
#                                probe boots the cached kernel with no root under KVM (15 s limit) and
#                                accepts KVM only if that kernel reaches its "unable to mount root"
#                                panic; the verdict is cached in $KX_CACHE/accel-<host kernel>-<qemu>.
#                                (On this project's machines KVM exists but hangs guests: TCG.)
#   kx_qemu_start [opts] [-- extra qemu args]   start QEMU in the background; sets KX_QEMU_PID.
#       --kernel F --initrd F --append S   direct kernel boot (SeaBIOS + linuxboot option ROM)
#       --serial LOG             serial console (ttyS0) captured to LOG (required)
#       --debugcon LOG           firmware debug port 0x402 to LOG: SeaBIOS prints its banner there,
#                                once per firmware boot (a kexec does not pass through firmware)
#       --disk IMG               extra raw virtio-blk disk (guest /dev/vda; load virtio_blk in the guest)
#       --mem MB (default 1536)  --smp N (default 2)  --accel kvm|tcg (default: kx_accel)
#       --name NAME              label used in logs
#       --events FILE            record QEMU's QMP events as JSON lines in FILE (qmp-events.mjs; QEMU
#                                waits for that recorder before it starts the guest); sets KX_QEMU_EVENTS
#     QEMU runs with -no-reboot, so a guest reboot through firmware ends QEMU instead of booting again
#     (a second boot can therefore only be a kexec), and -nodefaults with no display or network.
#   kx_wait_for LOG REGEX SECS   wait until LOG has a line matching the extended REGEX; returns 1 on
#                                timeout or if QEMU exited first (then the caller can inspect LOG)
#   kx_qemu_wait_exit SECS       wait for QEMU to end (e.g. after poweroff -f); 1 on timeout
#   kx_qemu_stop                 kill QEMU (our own pid only) if it is still running
#   kx_qemu_exit_reason [FILE]   after QEMU ended, prints why, from the last SHUTDOWN event of --events
#                                (default $KX_QEMU_EVENTS): guest-reset (the guest rebooted; under
#                                -no-reboot that ends QEMU), guest-shutdown (poweroff), guest-panic,
#                                host-signal (kx_qemu_stop), ...; "none" when no SHUTDOWN was recorded
#   kx_results LOG               from the console LOG, prints "<passed> <failed>" counting lines
#                                "KXT RESULT <name> PASS|FAIL <detail>"
#   kx_print_results LOG         prints each result line (and the guest's KXT TIME lines) readably

kx_accel() {
  case "${KEXECCTL_ACCEL:-}" in
    kvm | tcg) printf '%s\n' "$KEXECCTL_ACCEL"; return 0 ;;
    '') ;;
    *) kx_die "KEXECCTL_ACCEL must be kvm or tcg, not $KEXECCTL_ACCEL" ;;
  esac
  local key verdict log
  kx_need_pkgs qemu-system-x86
  key="$KX_CACHE/accel-$(uname -r)-$(qemu-system-x86_64 --version | awk 'NR == 1 {print $4}')"
  if [ -f "$key" ]; then cat "$key"; return 0; fi
  verdict=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    [ -n "${KX_KERNEL:-}" ] || kx_kernel_fetch >&2
    log=$(mktemp)
    timeout 15 qemu-system-x86_64 -accel kvm -m 256 -nodefaults -display none -no-reboot \
      -kernel "$KX_KERNEL" -append 'console=ttyS0 panic=-1' -serial "file:$log" >/dev/null 2>&1 || true
    grep -qE 'Unable to mount root|Kernel panic' "$log" && verdict=kvm
    rm -f "$log"
  fi
  mkdir -p "$KX_CACHE"
  printf '%s\n' "$verdict" >"$key"
  kx_log "accelerator probe: $verdict (cached in $key)"
  printf '%s\n' "$verdict"
}

kx_qemu_start() {
  local kernel='' initrd='' append='' serial='' debugcon='' disk='' mem=1536 smp=2 accel='' name=guest events=''
  local extra=()
  while [ $# -gt 0 ]; do
    case $1 in
      --kernel) kernel=$2; shift 2 ;;
      --initrd) initrd=$2; shift 2 ;;
      --append) append=$2; shift 2 ;;
      --serial) serial=$2; shift 2 ;;
      --debugcon) debugcon=$2; shift 2 ;;
      --disk) disk=$2; shift 2 ;;
      --mem) mem=$2; shift 2 ;;
      --smp) smp=$2; shift 2 ;;
      --accel) accel=$2; shift 2 ;;
      --name) name=$2; shift 2 ;;
      --events) events=$2; shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) kx_die "kx_qemu_start: unknown option $1" ;;
    esac
  done
  [ -n "$serial" ] || kx_die "kx_qemu_start: --serial LOG is required"
  kx_need_pkgs qemu-system-x86
  [ -n "$accel" ] || accel=$(kx_accel)
  local args=(-accel "$accel" -m "$mem" -smp "$smp" -nodefaults -display none -no-reboot
    -serial "file:$serial" -monitor none)
  [ "$accel" = kvm ] && args+=(-cpu host)
  [ -n "$kernel" ] && args+=(-kernel "$kernel")
  [ -n "$initrd" ] && args+=(-initrd "$initrd")
  [ -n "$append" ] && args+=(-append "$append")
  # shellcheck disable=SC2054 # commas belong to the qemu option values
  [ -n "$debugcon" ] && args+=(-chardev "file,id=kxdbg,path=$debugcon" -device isa-debugcon,iobase=0x402,chardev=kxdbg)
  [ -n "$disk" ] && args+=(-drive "file=$disk,format=raw,if=virtio,cache=unsafe")
  local sock=''
  KX_QMP_PID=''
  if [ -n "$events" ]; then
    sock="${serial%.*}.qmp.sock"
    rm -f "$sock"
    : >"$events"
    args+=(-qmp "unix:$sock,server=on,wait=on")
  fi
  : >"$serial"
  KX_QEMU_LOG="${serial%.*}.qemu.txt"
  KX_QEMU_EVENTS=$events
  kx_log "starting $name ($accel, ${mem}M, $smp cpu)"
  qemu-system-x86_64 "${args[@]}" "${extra[@]}" >"$KX_QEMU_LOG" 2>&1 &
  KX_QEMU_PID=$!
  if [ -n "$events" ]; then
    node "$(dirname "${BASH_SOURCE[0]}")/qmp-events.mjs" "$sock" "$events" 2>>"$KX_QEMU_LOG" &
    KX_QMP_PID=$!
  fi
  export KX_QEMU_PID KX_QEMU_LOG KX_QEMU_EVENTS KX_QMP_PID
}

kx_qemu_exit_reason() {
  local file=${1:-${KX_QEMU_EVENTS:-}} _
  # The recorder exits when QEMU closes the socket; give it a moment to write the last event.
  for _ in $(seq 50); do
    { [ -n "${KX_QMP_PID:-}" ] && kill -0 "$KX_QMP_PID" 2>/dev/null; } || break
    sleep 0.1
  done
  if [ -z "$file" ] || [ ! -f "$file" ]; then echo none; return 0; fi
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    let reason = "none";
    for (const l of lines) { try { const e = JSON.parse(l); if (e.event === "SHUTDOWN") reason = e.data.reason ?? "unknown"; } catch {} }
    console.log(reason);' "$file"
}

kx_qemu_running() { [ -n "${KX_QEMU_PID:-}" ] && kill -0 "$KX_QEMU_PID" 2>/dev/null; }

kx_wait_for() {
  local log=$1 re=$2 secs=$3 end
  end=$((SECONDS + secs))
  while [ "$SECONDS" -lt "$end" ]; do
    grep -qE "$re" "$log" 2>/dev/null && return 0
    if ! kx_qemu_running; then
      grep -qE "$re" "$log" 2>/dev/null && return 0
      return 1
    fi
    sleep 0.5
  done
  return 1
}

kx_qemu_wait_exit() {
  local secs=$1 end
  end=$((SECONDS + secs))
  while kx_qemu_running; do
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.5
  done
  wait "$KX_QEMU_PID" 2>/dev/null || true
  return 0
}

kx_qemu_stop() {
  if kx_qemu_running; then
    kill "$KX_QEMU_PID" 2>/dev/null
    sleep 1
    kill -9 "$KX_QEMU_PID" 2>/dev/null || true
  fi
  [ -n "${KX_QEMU_PID:-}" ] && wait "$KX_QEMU_PID" 2>/dev/null
  KX_QEMU_PID=''
  # The QMP recorder ends with QEMU's socket; stop it (our own pid only) if it has not.
  if [ -n "${KX_QMP_PID:-}" ]; then
    local _
    for _ in $(seq 30); do kill -0 "$KX_QMP_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$KX_QMP_PID" 2>/dev/null || true
    wait "$KX_QMP_PID" 2>/dev/null
    KX_QMP_PID=''
  fi
  return 0
}

kx_results() {
  local log=$1
  # Matched anywhere in a line: a kernel message may have been printed in front of it.
  tr -d '\r' <"$log" | awk 'match($0, /KXT RESULT [^ ]+ (PASS|FAIL)/) { w = substr($0, RSTART, RLENGTH); if (w ~ /PASS$/) p++; else f++ }
    END { printf "%d %d\n", p, f }'
}

kx_print_results() {
  tr -d '\r' <"$1" | awk 'match($0, /KXT (RESULT|TIME) /) { print "  " substr($0, RSTART + 4) }'
}
