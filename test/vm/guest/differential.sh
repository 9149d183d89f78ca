# shellcheck shell=sh
# Differential test of the kexec drop-in (guest tier, stage 1; busybox sh, sourced by scenario.sh):
# the table of invocations below, run by differential.mjs (one node process; ours in-process, some
# rows through the installed binary too) against Debian 12's C kexec-tools 2.0.25
# (/usr/local/sbin/kexec-c). differential.mjs says how rows are compared and when a difference is
# expected. run.sh counts this table's rows and fails the tier when fewer ran. Never -e or -f.
# The x86 options share three real loads (each option is also a load of its own in the unit tests,
# through the fake).

KXD_C=/usr/local/sbin/kexec-c
KXD_I=/tmp/kxd-small.img

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
  [ -f /kxt/differential.mjs ] || { kxt_result diff-setup FAIL "/kxt/differential.mjs is missing from the initramfs"; return 0; }
  kxd_table | node /kxt/differential.mjs || kxt_result diff-driver FAIL "differential.mjs exited $?"
  rm -f "$KXD_I"
}
