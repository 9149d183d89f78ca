# shellcheck shell=bash
# The kdump tier's ssh dump server, on the HOST, with nothing listening (sourced by run.sh; needs
# test/vm/lib/vm.sh). QEMU's user network runs in restricted mode (no route out, no host access)
# except for one guestfwd rule: a guest connection to 10.0.2.100:22 starts
#   WORK/ssh-srv/inetd.sh  ->  sshd -i (inetd mode: this one connection on stdin/stdout)
# with a throwaway config: its own host key, its own authorized_keys (the guest's kdump key only),
# root login by key only, no PAM. sshd runs in a private mount namespace (unshare -m) where /run is a
# fresh tmpfs holding /run/sshd (its privilege separation directory) and /etc/passwd is a copy with
# the "sshd" user added: the host's own /run, /etc and sshd configuration are never touched, no
# port is opened, and each sshd ends with its connection (nothing to kill afterwards).
# sshd itself is Debian's openssh-server binary, extracted into the cache (never installed, so no
# service starts).
#   kxd_ssh_prepare WORK   sets KXD_SSH_DIR (server side: keys, config, dumps/ and deb/ written by
#                          the guest, sshd.log) and KXD_SSH_GUEST (files to copy into the guest's
#                          root: /root/.ssh/kdump_id_ed25519 and known_hosts for 10.0.2.100)
#   kxd_ssh_qemu_args [OPT] prints the QEMU arguments (one per line) for that network, OPT added to -netdev
KXD_SSH_ADDR=10.0.2.100

kxd_ssh_prepare() {
  local work=$1 root="$KX_CACHE/openssh-server" p s g
  if [ ! -f "$root/.done" ]; then
    rm -rf "$root"
    for p in openssh-server libwrap0; do kx_deb_extract "$(kx_deb_download "$p")" "$root"; done
    touch "$root/.done"
  fi
  s="$work/ssh-srv"
  g="$work/ssh-guest"
  rm -rf "$s" "$g"
  mkdir -p "$s/dumps" "$s/deb" "$g/root/.ssh"
  chmod 700 "$s" "$g/root/.ssh"
  ssh-keygen -q -t ed25519 -N '' -C kxt-host -f "$s/host_key"
  ssh-keygen -q -t ed25519 -N '' -C kxt-kdump -f "$g/root/.ssh/kdump_id_ed25519"
  cp "$g/root/.ssh/kdump_id_ed25519.pub" "$s/authorized_keys"
  printf '%s %s\n' "$KXD_SSH_ADDR" "$(cut -d' ' -f1,2 "$s/host_key.pub")" >"$g/root/.ssh/known_hosts"
  cp /etc/passwd "$s/passwd"
  grep -q '^sshd:' "$s/passwd" || echo 'sshd:x:64999:65534:kexecctl kdump tier sshd:/run/sshd:/usr/sbin/nologin' >>"$s/passwd"
  cat >"$s/sshd_config" <<EOF
# kexecctl kdump tier: one inetd-mode connection from the guest (sshd -i), never a listener
HostKey $s/host_key
AuthorizedKeysFile $s/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers root
PidFile none
LogLevel VERBOSE
EOF
  cat >"$s/inetd.sh" <<EOF
#!/bin/sh
# started by QEMU's guestfwd for one guest connection to $KXD_SSH_ADDR:22 (stdin/stdout = that connection)
exec 2>>'$s/sshd.log'
exec unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 kxt-sshd /run && mkdir -m 755 /run/sshd &&
  mount --bind "\$0/passwd" /etc/passwd && LD_LIBRARY_PATH="\$1/usr/lib/x86_64-linux-gnu" exec "\$1/usr/sbin/sshd" -i -e -f "\$0/sshd_config"' '$s' '$root'
EOF
  chmod 755 "$s/inetd.sh"
  KXD_SSH_DIR=$s
  export KXD_SSH_GUEST=$g
}

kxd_ssh_qemu_args() { # [EXTRA-NETDEV-OPTION] (e.g. nfs-server.sh's guestfwd)
  printf '%s\n' -netdev "user,id=kxn0,restrict=on,guestfwd=tcp:$KXD_SSH_ADDR:22-cmd:$KXD_SSH_DIR/inetd.sh${1:+,$1}" \
    -device virtio-net-pci,netdev=kxn0
}
