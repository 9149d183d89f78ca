// Issue 12 part 5: the fault and bad-input matrix, in the distro VM (systemd/seabios full suite).
// Each row breaks one thing, runs the admin's command through kxm (below), restores what it broke,
// and reports: the command, the tool's first line, its exit code, /sys/kernel/kexec_loaded and our
// record (/run/kexecctl/loaded.json: kernel@release) before and after. faultMatrix() runs after the
// corrupt-upgrade scenario, with kexec-load.path stopped so no path-triggered reload interleaves;
// the next reboot (broken-config's) proves the machine still reboots. loadDisabled() runs inside
// broken-config, once its reload has unloaded the kernel: kexec_load_disabled=1 cannot be undone,
// so broken-config's cold reboot, the suite's last, is also this row's next reboot.
// The guest-tier rows (test/vm/guest/scenario.sh, issue 18) prove the same refusals with kexec -l.

/** Matrix rows, in order (plan.mjs). */
export const MATRIX_CHECKS = [
  'matrix-start',
  'matrix-truncated-kernel',
  'matrix-empty-initrd',
  'matrix-boot-full',
  'matrix-boot-read-only',
  'matrix-kernel-replaced',
  'matrix-kernel-removed-stale',
  'matrix-grubenv-garbage',
  'matrix-grub-cfg-sources-itself',
  'matrix-grub-cfg-loops',
  'matrix-default-kexec-crlf-bom',
  'matrix-kexec-loaded-missing',
  'matrix-lock-second-load-waits',
  'matrix-two-loads-at-once',
  'matrix-sigkill-load',
  'matrix-restored',
];
/** Inside broken-config: the irreversible row before its (cold) reboot, and that reboot's verdict after it. */
export const MATRIX_LOAD_DISABLED = 'matrix-load-disabled';
export const MATRIX_LOAD_DISABLED_REBOOT = 'matrix-load-disabled-cold-reboot';

// kxr: our record as kernel-basename@release ("none" without one). kxm CMD...: runs CMD and prints
// RC, KL (kexec_loaded before/after, "-" when the file is missing), REC before/after, the number of
// stderr lines, of stack-trace lines, and the first stderr line (else the first stdout line).
const HELPERS =
  'set +m; R=/run/kexecctl/loaded.json; ' +
  'kxr() { [ -e $R ] || { echo none; return; }; k=$(sed -n \'s/^  "kernel": "\\(.*\\)",$/\\1/p\' $R); ' +
  'r=$(sed -n \'s/^  "release": "\\(.*\\)",$/\\1/p\' $R); echo "${k##*/}@${r:-null}"; }; ' +
  'kl() { cat /sys/kernel/kexec_loaded 2>/dev/null || echo -; }; ' +
  'kxm() { b=$(kl); rb=$(kxr); "$@" >/tmp/kxm.out 2>/tmp/kxm.err; rc=$?; ' +
  'm=$(head -n 1 /tmp/kxm.err); [ -n "$m" ] || m=$(head -n 1 /tmp/kxm.out); ' +
  'echo "RC=$rc KL=$b/$(kl) REC=$rb/$(kxr) N=$(grep -c . /tmp/kxm.err) TRACE=$(grep -cE \'^ +at \' /tmp/kxm.err) MSG=$m"; }';

const ROW = /RC=(\d+) KL=(\S+)\/(\S+) REC=(\S+)\/(\S+) N=(\d+) TRACE=(\d+) MSG=(.*)/;

function parse(out) {
  const m = ROW.exec(out);
  if (m === null) return null;
  const [, rc, klB, klA, recB, recA, n, trace, msg] = m;
  return { rc: Number(rc), klB, klA, recB, recA, n: Number(n), trace: Number(trace), msg: msg ?? '' };
}

/** One matrix row: runs `cmd` (which calls kxm once), reports with `ok(row, out)` and the row's facts. */
async function row(ctx, name, shown, cmd, ok, timeout = 180000) {
  const t = Date.now();
  const r = await ctx.sh(cmd, timeout);
  const p = parse(r.out);
  const pass = p !== null && p.trace === 0 && ok(p, r.out);
  const facts = p === null ? r.out : `said: ${p.msg} | exit ${p.rc} | loaded ${p.klB} -> ${p.klA} | record ${p.recB} -> ${p.recA}`;
  const extra = r.out.replace(ROW, '').replace(/\s+/g, ' ').trim();
  ctx.result(name, pass, `$ ${shown} | ${facts}${extra === '' ? '' : ` | ${extra}`} | ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

/** The matrix proper; every row leaves the machine as it found it (checked by matrix-restored). */
export async function faultMatrix({ sh, result, env }) {
  const N = env.KERNEL_NEW;
  const O = env.KERNEL_OLD;
  const ctx = { sh, result };
  const good = `vmlinuz-${N}@${N}`;
  const kept = (p) => p.klB === '1' && p.klA === '1' && p.recB === good && p.recA === good;
  const refused = (re) => (p) => p.rc !== 0 && p.n === 1 && kept(p) && re.test(p.msg);
  // A row that needs the good load in place reloads only when the previous row left another one
  // (each node start costs seconds under TCG).
  const plainLoad = `{ [ "$(kl)" = 1 ] && [ "$(kxr)" = ${good} ]; } || kexecctl load --no-verify >/dev/null 2>&1`;

  const start = await sh(
    `${HELPERS}; systemctl stop kexec-load.path; for i in $(seq 120); do systemctl -q is-active kexec-reload.service || break; sleep 1; done; ` +
      'cp -p /etc/default/kexec /root/kexec.mx; cp -p /boot/grub/grubenv /root/grubenv.mx; cp -p /boot/grub/grub.cfg /root/grub.cfg.mx; ' +
      `cp -p /boot/vmlinuz-${N} /root/vmlinuz.mx; ${plainLoad}; echo "KL=$(kl) REC=$(kxr)"`,
    200000,
  );
  result('matrix-start', start.out.endsWith(`KL=1 REC=${good}`), `kexec-load.path stopped; ${start.out.split('\n').pop()}`);

  await row(
    ctx,
    'matrix-truncated-kernel',
    `kexecctl load --kernel <1 MiB of vmlinuz-${N}> ...`,
    `head -c 1048576 /boot/vmlinuz-${N} >/tmp/kxm-cut.k; kxm kexecctl load --no-verify --kernel /tmp/kxm-cut.k --initrd /boot/initrd.img-${N} --append kxm; rm -f /tmp/kxm-cut.k`,
    refused(/is cut short: 1048576 bytes/),
  );
  await row(
    ctx,
    'matrix-empty-initrd',
    'kexecctl load --initrd <0 bytes> ...',
    `: >/tmp/kxm-empty.img; kxm kexecctl load --no-verify --kernel /boot/vmlinuz-${N} --initrd /tmp/kxm-empty.img --append kxm; rm -f /tmp/kxm-empty.img`,
    refused(/is empty \(0 bytes\)/),
  );
  // A kernel written to a full /boot (a 4 MiB tmpfs here): cp stops at ENOSPC and leaves the start of the file.
  await row(
    ctx,
    'matrix-boot-full',
    `cp vmlinuz-${N} <a full /boot>; kexecctl load --kernel <that copy>`,
    `mkdir -p /tmp/kxm-full && mount -t tmpfs -o size=4m kxm /tmp/kxm-full && { cp /boot/vmlinuz-${N} /tmp/kxm-full/ 2>/dev/null; echo "CP=$?"; }; ` +
      `kxm kexecctl load --no-verify --kernel /tmp/kxm-full/vmlinuz-${N} --initrd /boot/initrd.img-${N} --append kxm; umount /tmp/kxm-full; rmdir /tmp/kxm-full`,
    (p, out) => /CP=[1-9]/.test(out) && refused(/is cut short: \d+ bytes/)(p),
  );
  await row(
    ctx,
    'matrix-boot-read-only',
    'mount -o remount,bind,ro /boot; kexecctl load',
    `mount --bind /boot /boot && mount -o remount,bind,ro /boot && kxm kexecctl load --no-verify; touch /boot/kxm 2>/dev/null && echo BOOT=rw || echo BOOT=ro; umount /boot`,
    (p, out) => p.rc === 0 && p.klA === '1' && p.recA === good && out.includes('BOOT=ro'),
  );
  // The plan names vmlinuz-N; before the load the file is overwritten with the other release: the
  // load (one open per file, checks and syscall on that descriptor) records the bytes it loaded and
  // warns that the name and the header disagree (src/kexec/name-release.ts).
  await row(
    ctx,
    'matrix-kernel-replaced',
    `kexecctl plan; cp vmlinuz-${O} vmlinuz-${N}; kexecctl load`,
    `P=$(kexecctl plan 2>/dev/null | grep '^kernel:'); cp /boot/vmlinuz-${O} /boot/vmlinuz-${N} && kxm kexecctl load --no-verify; cp -p /root/vmlinuz.mx /boot/vmlinuz-${N}; echo "PLAN=$P"`,
    (p, out) =>
      p.rc === 0 &&
      p.klA === '1' &&
      p.recA === `vmlinuz-${N}@${O}` &&
      p.msg.includes(`holds Linux ${O}, not ${N}`) &&
      new RegExp(`PLAN=kernel:\\s+/boot/vmlinuz-${N.replace(/\./g, '\\.')}(\\s|$)`).test(out),
  );
  // The planned kernel removed after the load: what kexec-reload.service runs (reboot --prepare).
  await row(
    ctx,
    'matrix-kernel-removed-stale',
    `rm vmlinuz-${N} (loaded, planned); kexecctl reboot --prepare`,
    `${plainLoad}; mv /boot/vmlinuz-${N} /root/kxm-moved && kxm kexecctl reboot --prepare; ` +
      `S=$(kexecctl status 2>&1 | grep '^next reboot'); mv /root/kxm-moved /boot/vmlinuz-${N}; echo "STATUS=$S"`,
    (p, out) =>
      p.rc !== 0 &&
      p.klB === '1' &&
      p.klA === '0' &&
      p.recB === good &&
      p.recA === 'none' &&
      /does not exist|not found/.test(p.msg) &&
      /STATUS=next reboot will kexec: no/.test(out),
  );
  await row(
    ctx,
    'matrix-grubenv-garbage',
    'head -c 1024 /dev/urandom >/boot/grub/grubenv; kexecctl load; kexecctl plan',
    `${plainLoad}; head -c 1024 /dev/urandom >/boot/grub/grubenv; kxm kexecctl load --no-verify; W=$(kexecctl plan 2>&1 | grep -m1 grubenv); cp -p /root/grubenv.mx /boot/grub/grubenv; echo "WARN=$W"`,
    (p, out) => p.rc === 0 && kept(p) && /WARN=.*grubenv.*(not a GRUB environment block|signature)/.test(out),
  );
  await row(
    ctx,
    'matrix-grub-cfg-sources-itself',
    "sed -i '1i source /boot/grub/grub.cfg' grub.cfg; kexecctl load; kexecctl plan",
    `sed -i '1i source /boot/grub/grub.cfg' /boot/grub/grub.cfg; kxm kexecctl load --no-verify; W=$(kexecctl plan 2>&1 | grep -m1 'grub.cfg:1:'); cp -p /root/grub.cfg.mx /boot/grub/grub.cfg; echo "WARN=$W"`,
    (p, out) => (p.rc === 0 ? kept(p) && /WARN=.*grub\.cfg:1: .*(nesting|limit)/.test(out) : refused(/grub\.cfg/)(p)),
    240000,
  );
  await row(
    ctx,
    'matrix-grub-cfg-loops',
    "sed -i '1i while true; do true; done' grub.cfg; kexecctl load",
    `sed -i '1i while true; do true; done' /boot/grub/grub.cfg; kxm kexecctl load --no-verify; cp -p /root/grub.cfg.mx /boot/grub/grub.cfg`,
    (p) => (p.rc === 0 ? kept(p) : refused(/grub\.cfg/)(p)),
    240000,
  );
  await row(
    ctx,
    'matrix-default-kexec-crlf-bom',
    '/etc/default/kexec with a BOM and CRLF; kexecctl load',
    `{ printf '\\357\\273\\277'; sed 's/$/\\r/' /root/kexec.mx; } >/etc/default/kexec; kxm kexecctl load --no-verify; ` +
      `echo "CR=$(grep -c "$(printf '\\r')" $R) BOM=$(head -c 3 /etc/default/kexec | od -An -tx1 | tr -d ' ')"; cp -p /root/kexec.mx /etc/default/kexec`,
    (p, out) => p.rc === 0 && kept(p) && /CR=0 BOM=efbbbf/.test(out),
  );
  await row(
    ctx,
    'matrix-kexec-loaded-missing',
    'mount -t tmpfs kxm /sys/kernel; kexecctl load; kexecctl status',
    `mount -t tmpfs kxm /sys/kernel && kxm kexecctl load --no-verify; S=$(kexecctl status 2>&1 | grep -E '^(kexec supported|kernel loaded)' | tr '\\n' ' '); ` +
      `umount /sys/kernel; echo "STATUS=$S NOW=$(kl) $(kxr)"`,
    (p, out) => p.klB === '-' && p.klA === '-' && (p.rc === 0 || p.n === 1) && /STATUS=kexec supported: *no/.test(out) && out.includes(`NOW=1 ${good}`),
  );
  // flock(1) holds /run/kexecctl/lock like another kexecctl between its syscall and its record.
  await row(
    ctx,
    'matrix-lock-second-load-waits',
    'flock /run/kexecctl/lock <held>; kexecctl load -d',
    "rm -f /tmp/kxm.go /tmp/kxm.err /tmp/kxw; (flock /run/kexecctl/lock sh -c 'i=0; while [ ! -e /tmp/kxm.go ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i+1)); done' &); sleep 0.3; " +
      "(kxm kexecctl load -d --no-verify >/tmp/kxw &); i=0; until grep -q 'waiting for' /tmp/kxm.err 2>/dev/null || [ $i -ge 900 ]; do sleep 0.1; i=$((i+1)); done; " +
      "W=$(grep -c 'waiting for /run/kexecctl/lock' /tmp/kxm.err); touch /tmp/kxm.go; i=0; until [ -s /tmp/kxw ] || [ $i -ge 900 ]; do sleep 0.1; i=$((i+1)); done; cat /tmp/kxw; echo WAITED=$W",
    (p, out) => p.rc === 0 && kept(p) && /WAITED=1/.test(out),
  );
  // N counts stderr lines other than warnings: `kexecctl load` prints the plan's warnings too (1974045),
  // e.g. this image's grub.cfg `search --fs-uuid` for a device QEMU does not have.
  await row(
    ctx,
    'matrix-two-loads-at-once',
    `kexecctl load & kexecctl load --kernel vmlinuz-${O} ... &`,
    `kexecctl load --no-verify >/dev/null 2>/tmp/kx2a & pa=$!; kexecctl load --no-verify --kernel /boot/vmlinuz-${O} --initrd /boot/initrd.img-${O} --append "$(cat /proc/cmdline)" >/dev/null 2>/tmp/kx2b & pb=$!; ` +
      'wait $pa; ra=$?; wait $pb; rb=$?; echo "RC=$((ra + rb)) KL=1/$(kl) REC=' +
      `${good}/$(kxr) N=$(cat /tmp/kx2a /tmp/kx2b | grep -v '^kexecctl: warning: ' | grep -c .) TRACE=0 MSG=$(cat /tmp/kx2a /tmp/kx2b | head -n 1)"; echo "INITRD=$(grep -A1 '"initrds"' $R | tail -n 1)"; ${plainLoad}`,
    (p, out) => {
      const recA = /^vmlinuz-(.+)@(.+)$/.exec(p.recA);
      const consistent = recA !== null && recA[1] === recA[2] && out.includes(`initrd.img-${recA[1]}`);
      return p.rc === 0 && p.n === 0 && p.klA === '1' && consistent;
    },
  );
  // SIGKILL as soon as the load prints its kexec_file_load line (-d): the kernel finishes the call,
  // the process dies before its record. The record must then not name the earlier kernel.
  await row(
    ctx,
    'matrix-sigkill-load',
    `kexecctl load -d --kernel vmlinuz-${O} ... & kill -9 at its kexec_file_load`,
    `${plainLoad}; rb=$(kxr); kexecctl load -d --no-verify --kernel /boot/vmlinuz-${O} --initrd /boot/initrd.img-${O} --append kxm >/dev/null 2>/tmp/kxk & p=$!; ` +
      "i=0; until grep -q 'kexec_file_load(' /tmp/kxk || [ $i -ge 5000 ]; do i=$((i+1)); done; kill -9 $p; wait $p; rc=$?; " +
      'S=$(kexecctl status 2>&1 | grep -E "^ *loaded kernel" | head -n 1); ' +
      'echo "RC=$rc KL=1/$(kl) REC=$rb/$(kxr) N=0 TRACE=0 MSG=killed"; echo "SAW=$(grep -c \'kexec_file_load(\' /tmp/kxk) FILES=$(ls /run/kexecctl | tr \'\\n\' ,) STATUS=${S:-no record}"',
    (p, out) => {
      const saw = /SAW=1/.test(out);
      // Killed at or after its syscall: no record naming the earlier kernel; killed before: the earlier load and record stay.
      if (p.rc === 0) return p.klA === '1' && p.recA === `vmlinuz-${O}@${O}`; // it finished before the kill: the record names it
      return p.rc === 137 && p.klA === '1' && p.recB === good && (saw ? p.recA !== good : p.recA === good);
    },
  );
  const end = await sh(
    `${plainLoad}; systemctl start kexec-load.path; cmp /root/kexec.mx /etc/default/kexec && cmp /root/grubenv.mx /boot/grub/grubenv && ` +
      `cmp /root/grub.cfg.mx /boot/grub/grub.cfg && cmp /root/vmlinuz.mx /boot/vmlinuz-${N} && echo SAME; ls /boot | grep -c kxm; ` +
      'echo "KL=$(kl) REC=$(kxr) RUN=$(ls /run/kexecctl | tr \'\\n\' ,) FLAG=$(ls /no-kexec-reboot 2>/dev/null) PATH=$(systemctl is-active kexec-load.path)"; rm -f /root/vmlinuz.mx /tmp/kx*',
    200000,
  );
  result(
    'matrix-restored',
    /^SAME\n0\n/.test(end.out) && end.out.includes(`KL=1 REC=${good} `) && end.out.includes('FLAG= PATH=active'),
    end.out.replace(/\n/g, ' | '),
  );
}

/**
 * kernel.kexec_load_disabled=1 (one-way until reboot) while broken-config has left nothing loaded:
 * `kexecctl load` of the good kernel is refused with the reason and nothing changes, and status
 * says the next reboot cannot kexec and why. Returns what loadDisabledRebooted() judges after the
 * cold reboot (broken-config's, which saves the suite one firmware boot).
 */
export async function loadDisabled({ sh, result, env }) {
  const N = env.KERNEL_NEW;
  await row(
    { sh, result },
    MATRIX_LOAD_DISABLED,
    'sysctl kernel.kexec_load_disabled=1; kexecctl load',
    `${HELPERS}; sysctl -q kernel.kexec_load_disabled=1; kxm kexecctl load --no-verify --kernel /boot/vmlinuz-${N} --initrd /boot/initrd.img-${N} --append kxm`,
    (p) => p.rc !== 0 && p.n === 1 && p.klB === '0' && p.klA === '0' && /kexec_load_disabled is 1/.test(p.msg),
  );
  return (await sh("kexecctl status 2>&1 | grep -E '^(next reboot will kexec|kexec_load_disabled)' | tr '\\n' ' '")).out;
}

/** After broken-config's reboot: it went through the firmware, and status had said it would. */
export function loadDisabledRebooted({ result, env }, status, r) {
  result(
    MATRIX_LOAD_DISABLED_REBOOT,
    r.firmwareAgain && r.kernel === env.KERNEL_NEW && /next reboot will kexec: no \(nothing is loaded and kernel\.kexec_load_disabled is 1/.test(status),
    `before: ${status} | ${r.firmwareAgain ? 'through the firmware' : 'no firmware banner'}, running ${r.kernel}`,
  );
}
