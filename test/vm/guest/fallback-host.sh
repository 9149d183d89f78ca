#!/usr/bin/env bash
# The kexec_file_load -> kexec_load fallback rule (kexec-tools 2.0.27 do_kexec_file_load()), checked on
# the host through the file-backed fake (KEXECCTL_FAKE): never the real binding (KEXECCTL_TEST=1 too).
# Usage: fallback-host.sh KERNEL INITRD   (root-owned, not group/world-writable files)
# Each check looks at what happened, not at what kexec printed before acting: the fake's call log
# (syscalls, their arguments and results), the exit status, the first error line and what stays
# loaded (the fake starts with a kernel loaded). Prints "KXT RESULT <name> PASS|FAIL|NOTIMPL <detail>":
# NOTIMPL is a fallback that reached kexec_load, which has no segment builder yet, and failed as such.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
export KEXECCTL_TEST=1
kernel=$1
initrd=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# facts FILE: "<kexec_file_load calls> <kexec_load calls> <results as -1_EINVAL,0,> <loaded> <file-load args ok>"
facts() {
  node -e '
    const [file, kernel, initrd] = process.argv.slice(1);
    const j = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const calls = (j.calls || []).filter((c) => /^kexec/.test(c.syscall));
    const f = calls.filter((c) => c.syscall === "kexec_file_load");
    const ok = f.length > 0 && f.every((c) => String(c.args.kernel).endsWith("<" + kernel + ">") &&
      String(c.args.initrd).endsWith("<" + initrd + ">") && c.args.cmdline === "console=ttyS0" && c.args.flags === 0);
    console.log([f.length, calls.length - f.length, calls.map((c) => c.result.replace(/ /g, "_")).join(",") + ",", j.loaded === true, ok].join(" "));
  ' "$1" "$(readlink -f "$kernel")" "$(readlink -f "$initrd")" 2>&1
}

# check NAME ERRNO WANT [kexec options...]; WANT: fallback | final | file-only
check() {
  local name=$1 errno=$2 want=$3 f rc nfile nload res kept argsok first what
  shift 3
  f="$tmp/$name.json"
  printf '{"loaded":true,"failures":{"kexec_file_load":"%s"}}\n' "$errno" >"$f"
  KEXECCTL_FAKE=$f node dist/kexec.js "$@" "$kernel" --initrd "$initrd" --append "console=ttyS0" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  read -r nfile nload res kept argsok <<<"$(facts "$f")"
  [ "$errno" = ENOTSUP ] && errno=EOPNOTSUPP # the same number; the fake records its primary name
  first=$(grep -v '^kexec: ' "$tmp/err" | head -n 1)
  what="calls kexec_file_load=$nfile kexec_load=$nload results=$res exit=$rc old-load-kept=$kept args-ok=$argsok: $first"
  if [ "$nfile" != 1 ] || [ "$argsok" != true ]; then
    echo "KXT RESULT $name FAIL $what"
    return
  fi
  case $want in
    final | file-only)
      local msg="kexec_file_load failed: "
      [ "$want" = file-only ] && msg="syscall kexec_file_load not available."
      if [ "$nload" = 0 ] && [ "$res" = "-1_$errno," ] && [ "$kept" = true ] && case $first in "$msg"*) true ;; *) false ;; esac &&
        { [ "$want" = final ] && [ "$rc" = 255 ] || [ "$rc" = 253 ]; }; then
        echo "KXT RESULT $name PASS no fallback: $what"
      else
        echo "KXT RESULT $name FAIL $what"
      fi
      ;;
    fallback)
      if [ "$nload" = 1 ] && [ "$rc" = 0 ] && [ "$kept" = true ] && [ "$res" = "-1_$errno,0," ]; then
        echo "KXT RESULT $name PASS kexec_load after kexec_file_load: $what"
      elif [ "$nload" = 0 ] && [ "$res" = "-1_$errno," ] && [ "$rc" = 255 ] && [ "$kept" = true ] &&
        case $first in "kexec_load not implemented: "*"(kexec_file_load failed: "*) true ;; *) false ;; esac; then
        echo "KXT RESULT $name NOTIMPL kexec_load not implemented: $what"
      else
        echo "KXT RESULT $name FAIL $what"
      fi
      ;;
  esac
}

for e in EINVAL ENOEXEC ENOSYS ENOTSUP; do check "fallback-$e" "$e" fallback -d -l; done
for e in EPERM EKEYREJECTED ENOKEY EBADMSG; do check "no-fallback-$e" "$e" final -d -l; done
# -s forces kexec_file_load: no fallback even on EINVAL, one line, exit 253.
check no-fallback-with-s EINVAL file-only -d -s -l

# -c forces kexec_load: kexec_file_load is never tried; no kexec_load syscall without segments.
f="$tmp/c.json"
echo '{"loaded":true}' >"$f"
KEXECCTL_FAKE=$f node dist/kexec.js -c -l "$kernel" --initrd "$initrd" --append "console=ttyS0" >/dev/null 2>"$tmp/err"
rc=$?
read -r nfile nload res kept _ <<<"$(facts "$f")"
first=$(head -n 1 "$tmp/err")
what="calls kexec_file_load=$nfile kexec_load=$nload exit=$rc old-load-kept=$kept: $first"
if [ "$nfile" = 0 ] && [ "$nload" = 1 ] && [ "$rc" = 0 ]; then
  echo "KXT RESULT only-kexec-load-with-c PASS $what"
elif [ "$nfile" = 0 ] && [ "$nload" = 0 ] && [ "$rc" = 255 ] && [ "$kept" = true ] &&
  [ "$first" = "kexec_load not implemented: kexecctl has no segment builder for x86-bzimage yet" ]; then
  echo "KXT RESULT only-kexec-load-with-c NOTIMPL kexec_load not implemented: $what"
else
  echo "KXT RESULT only-kexec-load-with-c FAIL $what"
fi
