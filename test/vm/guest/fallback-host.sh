#!/usr/bin/env bash
# The kexec_file_load -> kexec_load fallback rule, checked on the host through the file-backed fake
# (KEXECCTL_FAKE): never the real binding (KEXECCTL_TEST=1 is exported as well).
# Usage: fallback-host.sh KERNEL INITRD   (root-owned, not group/world-writable files)
# Prints "KXT RESULT <name> PASS|FAIL <detail>" lines, like the guest.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
export KEXECCTL_TEST=1
kernel=$1
initrd=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# calls FILE: "syscall=result,..." for the kexec syscalls the fake recorded.
calls() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log((j.calls || []).filter((c) => /^kexec/.test(c.syscall)).map((c) => c.syscall + "=" + c.result).join(","));' "$1" 2>/dev/null
}

# check NAME ERRNO WANT_FALLBACK [kexec options...]
check() {
  local name=$1 errno=$2 want=$3 f seq fell rc first
  shift 3
  f="$tmp/$name.json"
  printf '{"failures":{"kexec_file_load":"%s"}}\n' "$errno" >"$f"
  KEXECCTL_FAKE=$f node dist/kexec.js "$@" "$kernel" --initrd "$initrd" --append "console=ttyS0" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  seq=$(calls "$f")
  # Attempted = a kexec_load call recorded, or (while the kexec_load segment builder does not exist,
  # so no kexec_load syscall can be made) the -d trace of the fallback decision.
  fell=no
  case $seq in *kexec_load=*) fell=yes ;; esac
  grep -q 'falling back to kexec_load' "$tmp/err" && fell=yes
  first=bad
  case $seq in "kexec_file_load=-1 "*) first=ok ;; esac
  if [ "$fell" = "$want" ] && [ "$first" = ok ]; then
    echo "KXT RESULT $name PASS calls: $seq; exit $rc"
  else
    echo "KXT RESULT $name FAIL calls: $seq (fallback $fell, want $want); exit $rc; $(head -c 200 "$tmp/err")"
  fi
  # Without a fallback the command must fail and say why, in kexec-tools' words.
  if [ "$want" = no ]; then
    if [ "$rc" -ne 0 ] && grep -q '^kexec_file_load failed: ' "$tmp/err"; then
      echo "KXT RESULT $name-message PASS exit $rc: $(grep -m1 "^kexec_file_load failed: " "$tmp/err")"
    else
      echo "KXT RESULT $name-message FAIL exit $rc: $(head -c 200 "$tmp/err")"
    fi
  fi
}

for e in EINVAL ENOEXEC ENOSYS ENOTSUP; do check "fallback-$e" "$e" yes -d -l; done
for e in EPERM EKEYREJECTED; do check "no-fallback-$e" "$e" no -d -l; done
# -s forces kexec_file_load: no fallback even on EINVAL.
check no-fallback-with-s EINVAL no -d -s -l

# -c forces kexec_load: kexec_file_load is never tried.
f="$tmp/c.json"
echo '{}' >"$f"
KEXECCTL_FAKE=$f node dist/kexec.js -c -l "$kernel" --initrd "$initrd" --append "console=ttyS0" >/dev/null 2>"$tmp/err"
seq=$(calls "$f")
# (A kexec_load call, or the segment builder's own error while it does not exist yet.)
case $seq in
  *kexec_file_load*) echo "KXT RESULT only-kexec-load-with-c FAIL calls: $seq" ;;
  kexec_load=*) echo "KXT RESULT only-kexec-load-with-c PASS calls: $seq" ;;
  *)
    if grep -q 'kexec_load' "$tmp/err"; then
      echo "KXT RESULT only-kexec-load-with-c PASS no kexec_file_load call; $(head -n 1 "$tmp/err")"
    else
      echo "KXT RESULT only-kexec-load-with-c FAIL calls: none; $(head -c 200 "$tmp/err")"
    fi
    ;;
esac
