// The fleet tier's hosts: Debian 12 guests (test/vm/distro/guest.mjs) on copy-on-write qcow2 overlays
// of one image, each with SSH forwarded from a loopback port only (QEMU user networking,
// restrict=on: the guest reaches nothing outside). Every console line KXDOWN (shutdown began) and
// KXREADY (a login after boot) is timestamped on the host clock, so downtimes can be compared.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Guest } from '../distro/guest.mjs';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class FleetHost {
  constructor({ name, dir, image, accel, port }) {
    this.name = name;
    this.port = port;
    this.overlay = `${dir}/${name}.qcow2`;
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image.img, this.overlay]);
    this.events = []; // { what: 'down' | 'ready', t }
    this.guest = new Guest({
      image: this.overlay,
      format: 'qcow2',
      kernel: image.vmlinuz,
      initrd: image.initrd,
      // Like the distro tier: the first boot is QEMU's -kernel without the GRUB entry's kx.grub=1.
      append: 'root=/dev/vda ro console=ttyS0,115200 quiet',
      accel,
      mem: 768,
      // Two vCPUs (MTTCG): the host being rolled gets both cores while the others idle.
      smp: 2,
      log: `${dir}/${name}-console.log`,
      fwlog: `${dir}/${name}-fw.log`,
      extraArgs: ['-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0'],
    });
    this.seen = 0;
  }

  start() {
    this.guest.start();
    this.guest.proc.stdout.on('data', () => this.scan());
  }

  /** Timestamps markers that arrived since the last scan. */
  scan() {
    const buf = this.guest.buf;
    const re = /KXDOWN|KXREADY boot=/g;
    re.lastIndex = this.seen;
    let m;
    while ((m = re.exec(buf)) !== null) {
      this.events.push({ what: m[0] === 'KXDOWN' ? 'down' : 'ready', t: Date.now() });
      this.seen = re.lastIndex;
    }
  }

  /** Down intervals [from, to] after time t: each KXDOWN to the next ready (to = null: still down). */
  downIntervals(after = 0) {
    const out = [];
    let open = null;
    for (const e of this.events.filter((x) => x.t >= after)) {
      if (e.what === 'down' && open === null) open = e.t;
      if (e.what === 'ready' && open !== null) {
        out.push([open, e.t]);
        open = null;
      }
    }
    if (open !== null) out.push([open, null]);
    return out;
  }

  async sh(cmd, timeoutMs = 120000) {
    return this.guest.sh(cmd, timeoutMs);
  }

  async stop() {
    await this.guest.stop();
  }
}

/** Pairs of [host, host] whose down intervals overlap (null end: still down). */
export function overlaps(hosts, after) {
  const bad = [];
  const iv = hosts.flatMap((h) => h.downIntervals(after).map(([a, b]) => ({ h: h.name, a, b: b ?? Infinity })));
  for (let i = 0; i < iv.length; i++) {
    for (let j = i + 1; j < iv.length; j++) {
      const p = iv[i];
      const q = iv[j];
      if (p.h !== q.h && p.a < q.b && q.a < p.b) bad.push(`${p.h}/${q.h}`);
    }
  }
  return bad;
}
