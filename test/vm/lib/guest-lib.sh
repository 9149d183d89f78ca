# shellcheck shell=sh disable=SC2013,SC2034
# Helpers for guest scenario scripts (busybox sh); /init sources it and it is at /kxt/lib.sh.
#   kxt_result NAME PASS|FAIL DETAIL   prints "KXT RESULT NAME STATUS DETAIL" (the host counts these)
#   kxt_check NAME DETAIL CMD...       runs CMD; PASS if it exits 0, else FAIL
#   kxt_ms                             milliseconds since boot (from /proc/uptime, 10 ms resolution)
#   kxt_time NAME MS                   prints "KXT TIME NAME MS" (the host prints these)
#   kxt_cmdline_get KEY                value of KEY=... on /proc/cmdline (empty if absent)
#   kxt_run CMD...                     runs CMD with stdout/stderr to files; sets KXT_RC and leaves
#                                      the output in /tmp/kxt.out and /tmp/kxt.err
#   kxt_log MSG                        prints "KXT LOG MSG"

kxt_result() {
  _n=$1; _s=$2; shift 2
  echo "KXT RESULT $_n $_s $(echo "$*" | tr '\n' ' ' | cut -c1-300)"
}

kxt_check() {
  _n=$1; _d=$2; shift 2
  if "$@"; then kxt_result "$_n" PASS "$_d"; else kxt_result "$_n" FAIL "$_d"; fi
}

kxt_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

kxt_time() { echo "KXT TIME $1 $2"; }

kxt_log() { echo "KXT LOG $*"; }

kxt_cmdline_get() {
  for _w in $(cat /proc/cmdline); do
    case $_w in "$1="*) echo "${_w#*=}"; return 0 ;; esac
  done
  return 0
}

kxt_run() {
  "$@" >/tmp/kxt.out 2>/tmp/kxt.err
  KXT_RC=$?
  return 0
}
