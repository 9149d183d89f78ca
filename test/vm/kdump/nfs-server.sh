# shellcheck shell=bash
# The kdump tier's NFS dump server, on the HOST, on loopback only (sourced by run.sh; needs
# test/vm/lib/vm.sh). NFS-Ganesha (Debian's nfs-ganesha + nfs-ganesha-vfs, extracted into the cache,
# never installed, so no service starts) serves WORK/nfs-srv/export as NFSv4 on 127.0.0.1:<port>,
# with no rpcbind, no NLM, no rquota, no UDP. It runs in a private mount namespace whose /run is a
# fresh tmpfs (its pid file and runtime state stay there); its recovery state goes under WORK.
# The guest reaches it through the same restricted QEMU user network as ssh-server.sh: one more
# guestfwd, 10.0.2.101:2049, whose command (nfs-fwd.mjs, one node process per connection) joins the
# guest's connection to 127.0.0.1:<port>.
#   kxd_nfs_start WORK   starts the server (KXD_NFS_PID, our own process: kxd_nfs_stop kills it by
#                        that id), sets KXD_NFS_DIR (export/ holds what the guest wrote, ganesha.log)
#   kxd_nfs_qemu_guestfwd  prints the guestfwd option for the -netdev user line
#   kxd_nfs_stop
KXD_NFS_ADDR=10.0.2.101

kxd_nfs_fetch() {
  local root="$KX_CACHE/nfs-ganesha" p
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    for p in nfs-ganesha nfs-ganesha-vfs libntirpc4.3 liburcu8 libwbclient0 libnfsidmap1; do kx_deb_extract "$(kx_deb_download "$p")" "$root"; done
    touch "$root/.done"
  fi
  KXD_NFS_ROOT=$root
}

kxd_nfs_start() {
  local work=$1 s port missing lib
  kxd_nfs_fetch
  s="$work/nfs-srv"
  rm -rf "$s"
  mkdir -p "$s/export" "$s/recovery"
  lib="$KXD_NFS_ROOT/usr/lib/x86_64-linux-gnu:$KXD_NFS_ROOT/usr/lib/ganesha"
  missing=$(LD_LIBRARY_PATH=$lib ldd "$KXD_NFS_ROOT/usr/bin/ganesha.nfsd" "$KXD_NFS_ROOT/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so" 2>&1 | grep 'not found' || true)
  [ -z "$missing" ] || kx_die "ganesha.nfsd needs libraries this host lacks: $missing"
  # A free loopback port (the kernel picks one, we let it go and hand it to ganesha).
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  cat >"$s/ganesha.conf" <<EOF
# kexecctl kdump tier: NFSv4 on loopback only, for one guest
NFS_CORE_PARAM {
  Protocols = 4;
  NFS_Port = $port;
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
  Plugins_Dir = $KXD_NFS_ROOT/usr/lib/x86_64-linux-gnu/ganesha;
}
NFSV4 { Graceless = true; UseGetpwnam = true; Only_Numeric_Owners = true; RecoveryBackend = fs; RecoveryRoot = $s/recovery; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
  Export_Id = 1; Path = $s/export; Pseudo = /; Access_Type = RW; Squash = No_Root_Squash;
  Protocols = 4; Transports = TCP; SecType = sys;
  FSAL { Name = VFS; }
}
EOF
  cat >"$s/nfs-fwd.mjs" <<EOF
// started by QEMU's guestfwd for one guest connection to $KXD_NFS_ADDR:2049 (stdin/stdout = that connection)
import { connect } from 'node:net';
const up = connect($port, '127.0.0.1');
process.stdin.pipe(up);
up.pipe(process.stdout);
up.on('close', () => process.exit(0));
up.on('error', () => process.exit(1));
EOF
  LD_LIBRARY_PATH=$lib unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 kxt-nfs /run && exec "$0" -F -f "$1" -L "$2" -p /run/ganesha.pid -N NIV_EVENT' \
    "$KXD_NFS_ROOT/usr/bin/ganesha.nfsd" "$s/ganesha.conf" "$s/ganesha.log" &
  KXD_NFS_PID=$!
  KXD_NFS_DIR=$s
  export KXD_NFS_PORT=$port
  local i
  for i in $(seq 100); do
    grep -q 'NFS SERVER INITIALIZED' "$s/ganesha.log" 2>/dev/null && return 0
    kill -0 "$KXD_NFS_PID" 2>/dev/null || break
    sleep 0.1
    : "$i"
  done
  kx_log "ganesha did not start: $(tail -n 5 "$s/ganesha.log" 2>/dev/null)"
  return 1
}

kxd_nfs_qemu_guestfwd() {
  printf 'guestfwd=tcp:%s:2049-cmd:node %s/nfs-fwd.mjs\n' "$KXD_NFS_ADDR" "$KXD_NFS_DIR"
}

kxd_nfs_stop() {
  if [ -n "${KXD_NFS_PID:-}" ] && kill -0 "$KXD_NFS_PID" 2>/dev/null; then
    kill "$KXD_NFS_PID" 2>/dev/null || true
    wait "$KXD_NFS_PID" 2>/dev/null || true
  fi
  KXD_NFS_PID=''
}
