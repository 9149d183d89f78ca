// A QEMU guest driven over its serial console, as an admin at the console would: wait for the
// ready line, type a command, read its output. Reboots go through the firmware again (no
// -no-reboot), so a cold reboot shows the firmware banner and a kexec does not.
// SeaBIOS prints its banner on the debug port 0x402 (captured to fw.log); OVMF's release build
// prints nothing there, but initialises the serial console (ESC[=3h) at every firmware boot.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const OVMF_CANDIDATES = ['/usr/share/ovmf/OVMF.fd', '/usr/share/OVMF/OVMF.fd'];

export class Guest {
  // format, smp and extraArgs (e.g. a -netdev with a loopback hostfwd) serve the fleet tier (test/vm/fleet).
  constructor({ image, kernel, initrd, append, firmware = 'seabios', accel = 'tcg', log, fwlog, mem = 1024, format = 'raw', smp = 2, extraArgs = [] }) {
    this.opts = { image, kernel, initrd, append, firmware, accel, log, fwlog, mem, format, smp, extraArgs };
    this.buf = '';
    this.cursor = 0;
    this.exited = false;
    this.bootId = null;
    writeFileSync(log, '');
    writeFileSync(fwlog, '');
  }

  start() {
    const o = this.opts;
    const args = [
      '-accel',
      o.accel,
      '-m',
      String(o.mem),
      '-smp',
      String(o.smp),
      '-nodefaults',
      '-display',
      'none',
      '-monitor',
      'none',
      '-drive',
      `file=${o.image},format=${o.format},if=virtio,cache=unsafe`,
      '-kernel',
      o.kernel,
      '-initrd',
      o.initrd,
      '-append',
      o.append,
      '-serial',
      'stdio',
      '-chardev',
      `file,id=kxdbg,path=${o.fwlog}`,
      '-device',
      'isa-debugcon,iobase=0x402,chardev=kxdbg',
      ...o.extraArgs,
    ];
    if (o.firmware === 'ovmf') {
      const fd = OVMF_CANDIDATES.find((f) => existsSync(f));
      if (!fd) throw new Error('OVMF firmware not found (apt-get install ovmf)');
      args.push('-bios', fd);
    }
    this.proc = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => {
      const s = d.toString('latin1');
      this.buf += s;
      appendFileSync(this.opts.log, s);
    });
    this.proc.stderr.on('data', (d) => appendFileSync(this.opts.log, `\n[qemu stderr] ${d}`));
    this.proc.on('exit', (code) => {
      this.exited = true;
      appendFileSync(this.opts.log, `\n[qemu exited ${code}]\n`);
    });
  }

  /** Firmware boots so far: SeaBIOS banners on the debug port, or OVMF boot-manager starts on serial. */
  firmwareBoots() {
    // OVMF (release build) sets up its serial console with ESC[=3h once per boot; Linux never sends it.
    if (this.opts.firmware === 'ovmf') return (this.buf.match(/\x1b\[=3h/g) ?? []).length;
    const fw = readFileSync(this.opts.fwlog, 'latin1');
    return (fw.match(/SeaBIOS \(version/g) ?? []).length;
  }

  /** Waits for regex in output after the cursor; moves the cursor past the match. */
  async expect(re, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.buf.slice(this.cursor);
      const m = re.exec(rest);
      if (m) {
        this.cursor += m.index + m[0].length;
        return m;
      }
      if (this.exited) throw new Error(`QEMU exited while waiting for ${re}`);
      if (Date.now() > deadline) throw new Error(`timeout (${Math.round(timeoutMs / 1000)} s) waiting for ${re}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  send(line) {
    this.proc.stdin.write(`${line}\n`);
  }

  /** Runs a shell command at the root prompt; returns {code, out}. */
  async sh(cmd, timeoutMs = 120000) {
    const tag = `KXEND${Math.floor(Math.random() * 1e9)}`;
    this.cursor = this.buf.length;
    this.send(`${cmd}; echo "${tag}=$?"`);
    const m = await this.expect(new RegExp(`([\\s\\S]*?)${tag}=(\\d+)`), timeoutMs);
    const out = (m[1] ?? '')
      .replace(/\r/g, '')
      .split('\n')
      .filter((l) => !l.includes(`${tag}=$?`))
      .map((l) => l.replace(/^(KX# )+/, ''))
      .join('\n')
      .trim();
    return { code: Number(m[2]), out };
  }

  /** Waits for the login's ready line; returns {boot, kernel}. */
  async ready(timeoutMs = 300000) {
    const m = await this.expect(/KXREADY boot=(\S+) kernel=(\S+)/, timeoutMs);
    this.bootId = m[1]; // the running boot's boot_id, as its login read it (kexecctl verify's rows compare with it)
    await new Promise((r) => setTimeout(r, 300));
    return { boot: m[1], kernel: m[2] };
  }

  async stop() {
    if (this.exited) return;
    this.proc.kill('SIGTERM');
    for (let i = 0; i < 50 && !this.exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}
