# shellcheck shell=sh
# Differential test of the kexec drop-in (guest tier, stage 1; busybox sh, sourced by scenario.sh).
# Each row runs one invocation from the same kexec state under Debian 12's C kexec-tools 2.0.25
# (/usr/local/sbin/kexec-c) and under ours (/usr/sbin/kexec), and compares the exit status, the
# loaded state afterwards (/sys/kernel/kexec_loaded and kexec_crash_loaded) and, for a failure,
# the first line of stderr (without the "argv[0]: " prefix glibc's getopt adds). Never -e or -f.
# A difference is expected only when:
#   - the C tool run again with -a (kexec_file_load first, 2.0.27's default) gives our result:
#     2.0.25 defaults to kexec_load, and that alone explains it; or
#   - the row names its reason (the last field of the table).
# Reasons starting with "kexec_load not implemented" report NOTIMPL (an honest third result);
# other expected differences PASS with the reason printed; any other difference FAILs.
# Prints "KXT DIFF <row> same|expected|NOTIMPL|DIFF ..." and one "KXT RESULT diff-<row> ..." each.
# Every node start of ours costs about 10 s under TCG, so the x86 options share three real loads
# (each option is also a load of its own in the unit tests, through the fake).

KXD_C=/usr/local/sbin/kexec-c
KXD_K=/payload/vmlinuz
KXD_I=/tmp/kxd-small.img

kxd_state() { echo "$(cat /sys/kernel/kexec_loaded 2>/dev/null || echo -)/$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null || echo -)"; }
kxd_reset() { "$KXD_C" -u >/dev/null 2>&1; "$KXD_C" -p -u >/dev/null 2>&1; }
kxd_setup() { # none | loaded
  kxd_reset
  [ "$1" = loaded ] && "$KXD_C" -s -l "$KXD_K" --append=kxd-setup >/dev/null 2>&1
  return 0
}

# kxd_one TOOL SETUP ARGS...: prints "rc|state|first stderr line (only when rc != 0)"
kxd_one() {
  _tool=$1; _setup=$2; shift 2
  kxd_setup "$_setup"
  "$_tool" "$@" >/tmp/kxd.out 2>/tmp/kxd.err </dev/null
  _rc=$?
  _line=''
  [ "$_rc" != 0 ] && _line=$(head -n 1 /tmp/kxd.err | sed -e 's#^[^ :]*kexec\(-c\)\{0,1\}: ##')
  echo "$_rc|$(kxd_state)|$_line"
}

# kxd_row NAME SETUP "ARGS" "REASON"   (ARGS split on spaces; @K@ and @I@ stand for the kernel and a small initrd)
kxd_row() {
  _name=$1; _setup=$2; _args=$3; _reason=$4
  # shellcheck disable=SC2046 # word splitting of the row's arguments is intended
  set -- $(echo "$_args" | sed -e "s#@K@#$KXD_K#g" -e "s#@I@#$KXD_I#g")
  _c=$(kxd_one "$KXD_C" "$_setup" "$@")
  _ours=$(kxd_one kexec "$_setup" "$@")
  _ca=''
  if [ "$_c" = "$_ours" ]; then
    _status=same; _reason=''
  else
    _ca=$(kxd_one "$KXD_C" "$_setup" -a "$@")
    if [ "$_ca" = "$_ours" ]; then
      _status=expected; _reason="2.0.25 defaults to kexec_load; with -a (2.0.27's default) it gives our result"
    elif [ -n "$_reason" ]; then
      case $_reason in "kexec_load not implemented"*) _status=NOTIMPL ;; *) _status=expected ;; esac
    else
      _status=DIFF
    fi
  fi
  kxd_reset
  echo "KXT DIFF $_name $_status | args: $_args | ours: $_ours | C: $_c${_ca:+ | C -a: $_ca}${_reason:+ | $_reason}"
  case $_status in
    same) kxt_result "diff-$_name" PASS "same exit, state and first error line: $_ours" ;;
    expected) kxt_result "diff-$_name" PASS "expected difference ($_reason): ours $_ours, C $_c" ;;
    NOTIMPL) kxt_result "diff-$_name" NOTIMPL "$_reason: ours $_ours, C $_c" ;;
    *) kxt_result "diff-$_name" FAIL "ours $_ours, C $_c${_ca:+, C -a $_ca}" ;;
  esac
}

kxd_table() {
  # name | setup | args | reason when the difference is expected for another cause than the default syscall
  cat <<'EOF'
missing-kernel|none|-l /payload/nope|
directory|none|-l /payload|
text-file|none|-l /payload/notkernel|
missing-initrd|none|-l @K@ --initrd=/payload/nope|
s-non-kernel|none|-s -l /payload/notkernel|
two-initrds-last-wins|none|-l @K@ --initrd=/payload/nope --initrd=@I@|
extra-operand|none|-l @K@ stray --initrd=@I@|
no-kernel|none|-l|
x86-options-purgatory|none|-l @K@ --initrd=@I@ --reset-vga --serial=ttyS0 --serial-baud=115200 --console-vga --console-serial|
x86-options-boot-data|none|-l @K@ --initrd=@I@ --elf32-core-headers --elf64-core-headers --pass-memmap-cmdline --noefi --reuse-video-type|
x86-loader-options|none|-l @K@ --initrd=@I@ --args-linux --args-elf --args-none --module=/payload/notkernel|
real-mode|none|-l @K@ --initrd=@I@ --real-mode|
dtb|none|-l @K@ --initrd=@I@ --dtb=/payload/notkernel|--dtb is in kexec-tools since 2.0.27 (2.0.25 calls it unrecognized)
bad-serial|none|-l @K@ --initrd=@I@ --serial=ttyS7|
type-bzImage64|none|-l -t bzImage64 @K@ --initrd=@I@|
type-bogus|none|-l -t bogus @K@ --initrd=@I@|
type-bogus-c|none|-c -l -t bogus @K@ --initrd=@I@|
c-load|none|-c -l @K@ --initrd=@I@|kexec_load not implemented in kexecctl for this kernel (2.0.25 loads it)
panic-no-crashkernel|none|-p @K@ --initrd=@I@|
status-none|none|-S|
status-crash-when-loaded|loaded|-S|
status-loaded|loaded|-l -S|
status-unloaded|none|-l -S|
unload|loaded|-u|
unload-panic|none|-p -u|
mem-min-bad|none|-l --mem-min=bad @K@|
ambiguous-a|none|-l --a=x @K@|
ambiguous-co|none|-l --co=x @K@|
bogus-option|none|-l --bogus @K@|
unload-with-append|none|-u --append=x|kexecctl names the option in one line; kexec-tools prints only the usage
EOF
}

kxd_run_all() {
  echo | cpio -o -H newc >"$KXD_I" 2>/dev/null
  [ -x "$KXD_C" ] || { kxt_result diff-setup FAIL "$KXD_C is missing from the initramfs"; return 0; }
  kxd_table | while IFS='|' read -r name setup args reason; do
    [ -n "$name" ] && kxd_row "$name" "$setup" "$args" "$reason"
  done
  kxd_reset
  rm -f "$KXD_I"
}
