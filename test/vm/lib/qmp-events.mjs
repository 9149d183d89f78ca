// QMP event recorder for kx_qemu_start --events (test/vm/lib/qemu.sh). QEMU listens on SOCKET with
// wait=on, so the guest does not start before this client has connected: no event is missed.
// Usage: node qmp-events.mjs SOCKET OUTFILE
// Appends each QMP event as one JSON line to OUTFILE (e.g. {"event":"SHUTDOWN","data":{"guest":true,
// "reason":"guest-reset"}}) and exits when QEMU closes the socket. Reasons are QEMU's ShutdownCause
// (qapi/run-state.json): guest-reset (a reboot under -no-reboot), guest-shutdown (poweroff),
// guest-panic, host-signal, host-qmp-quit, ...
import { appendFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';

const [sock, out] = process.argv.slice(2);
if (sock === undefined || out === undefined) {
  console.error('usage: node qmp-events.mjs SOCKET OUTFILE');
  process.exit(2);
}

const deadline = Date.now() + 30000;
while (!existsSync(sock)) {
  if (Date.now() > deadline) {
    console.error(`qmp-events: ${sock} did not appear within 30 s`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 50));
}

const c = connect(sock);
let buf = '';
c.setEncoding('utf8');
c.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (line === '') continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (msg.QMP !== undefined) c.write('{"execute":"qmp_capabilities"}\n');
    else if (msg.event !== undefined) appendFileSync(out, `${JSON.stringify({ event: msg.event, data: msg.data ?? {} })}\n`);
  }
});
c.on('error', (e) => {
  console.error(`qmp-events: ${e.message}`);
  process.exitCode = 1;
});
c.on('close', () => process.exit());
