// The fleet tier's scenario: three Debian 12 guests, their GRUB default switched to the older kernel,
// rolled by contrib/ansible's kexecctl.fleet.rolling_reboot (serial 1). Then a run that must fail
// fast and per host: a host whose load fails (kexec_load_disabled), a host "without kexecctl",
// an unreachable host. Prints "KXD PLAN fleet ..." then "KXD RESULT PASS|FAIL fleet:<name>" lines
// (tallied by test/vm/distro/results.mjs), and per-host "HOST" lines for the report.
// Usage: node fleet.mjs --image-dir DIR --work DIR [--accel tcg]
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FleetHost, freePort, overlaps } from './hosts.mjs';

const { values: a } = parseArgs({ options: { 'image-dir': { type: 'string' }, work: { type: 'string' }, accel: { type: 'string', default: 'tcg' } } });
const dir = a['image-dir'];
const work = a.work;
const repo = new URL('../../..', import.meta.url).pathname;
const env = Object.fromEntries(
  readFileSync(`${dir}/image.env`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'|'$/g, '')]),
);
const NAMES = ['host1', 'host2', 'host3'];
const PLAN = [
  'boot',
  'verify-before-any-reboot',
  'needs-reboot-before',
  'rolling-playbook',
  'one-down-at-a-time',
  ...NAMES.flatMap((n) => [`${n}-kexec`, `${n}-kernel`, `${n}-verify`, `${n}-needs-reboot-after`, `${n}-report`]),
  'failure-playbook-stops',
  'failure-load-not-rebooted',
  'failure-load-reported',
  'failure-no-kexecctl-reported',
  'failure-unreachable-reported',
];
const t0 = Date.now();
let failed = 0;
const reported = new Set();
function result(name, ok, detail = '') {
  if (!ok) failed++;
  reported.add(name);
  console.log(`KXD RESULT ${ok ? 'PASS' : 'FAIL'} fleet:${name} ${String(detail).replace(/[\r\n]+/g, ' | ')}`.trimEnd());
}
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timings = [];
const lap = (what, since) => timings.push(`${what} ${secs(Date.now() - since)}`);

/** ansible-playbook with a hard timeout: a run that hangs is killed and reported as such. */
function playbook(args, timeoutMs, log) {
  return new Promise((resolve) => {
    const p = spawn('ansible-playbook', args, {
      cwd: work,
      env: {
        ...process.env,
        ANSIBLE_COLLECTIONS_PATH: join(repo, 'contrib/ansible'),
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_PIPELINING: 'True',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    writeFileSync(log, '');
    // Timestamped as it arrives (seconds since the start), so a slow task shows in the log.
    const t = Date.now();
    const take = (d) => {
      out += d;
      appendFileSync(log, String(d).replace(/^(?=.)/gm, `[${((Date.now() - t) / 1000).toFixed(0)}s] `));
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, hung: signal === 'SIGKILL', out });
    });
  });
}

function inventory(hosts, extra = '') {
  const key = `${dir}/id_ed25519`;
  const ssh = '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10';
  const lines = hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port}`);
  return `[fleet]\n${lines.join('\n')}\n${extra}\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=${key}\nansible_ssh_common_args='${ssh}'\nansible_python_interpreter=/usr/bin/python3\n`;
}

const report = (rdir, name) => (existsSync(`${rdir}/${name}.json`) ? JSON.parse(readFileSync(`${rdir}/${name}.json`, 'utf8')) : null);

async function main(hosts) {
  let t = Date.now();
  for (const h of hosts) h.start();
  const fw = {};
  for (const h of hosts) {
    await h.guest.ready(400000);
    fw[h.name] = h.guest.firmwareBoots();
  }
  lap('boot x3 (login)', t);
  const ssh = await Promise.all(hosts.map((h) => h.sh('systemctl is-active ssh.service')));
  result(
    'boot',
    ssh.every((r) => r.out === 'active'),
    `${secs(Date.now() - t)}; sshd ${ssh.map((r) => r.out).join(',')}`,
  );
  // Never rebooted by kexecctl: verify has nothing to check (exit 2), says so.
  const v0 = await hosts[0].sh('kexecctl verify; echo rc=$?');
  result('verify-before-any-reboot', /no reboot recorded[\s\S]*rc=2$/.test(v0.out), v0.out);
  // The "kernel upgrade": GRUB's default becomes the other installed kernel on every host.
  const adv = `gnulinux-advanced-${env.GRUB_UUID}>gnulinux-${env.KERNEL_OLD}-advanced-${env.GRUB_UUID}`;
  for (const h of hosts) await h.sh(`grub-set-default '${adv}'`);
  // Let boot finish and the path-triggered reload (kexec-load.path) load the new default on every
  // host at once, before the rollout: the playbook's own load then finds it fresh.
  const settle = Date.now();
  await Promise.all(
    hosts.map((h) =>
      h.sh(
        'systemctl is-system-running --wait >/dev/null 2>&1; for i in $(seq 150); do ' +
          '[ "$(systemctl show -p ActiveState --value kexec-reload.service)" = activating ] || break; sleep 1; done',
        400000,
      ),
    ),
  );
  lap('settle + reload', settle);
  const before = [];
  for (const h of hosts) {
    const r = await h.sh(`kexecctl needs-reboot --json >/tmp/nr.json; echo rc=$?; grep -o '"cause": "[a-z+]*"' /tmp/nr.json`);
    before.push(`${h.name}: ${r.out.replace(/\n/g, ' ')}`);
  }
  result(
    'needs-reboot-before',
    before.every((l) => /rc=0 "cause": "release\+cmdline"/.test(l)),
    before.join('; '),
  );
  const boots = {};
  for (const h of hosts) boots[h.name] = (await h.sh('cat /proc/sys/kernel/random/boot_id')).out;

  // The rolling run.
  const rdir = `${work}/reports-rolling`;
  rmSync(rdir, { recursive: true, force: true });
  mkdirSync(rdir, { recursive: true });
  writeFileSync(`${work}/hosts-rolling.ini`, inventory(hosts));
  t = Date.now();
  const run = await playbook(
    ['-i', 'hosts-rolling.ini', 'kexecctl.fleet.rolling_reboot', '-e', `kexec_reboot_report_dir=${rdir}`],
    900000,
    `${work}/ansible-rolling.log`,
  );
  lap('rolling playbook', t);
  for (const h of hosts) h.scan();
  const recap = (run.out.match(/^host\d +: .*$/gm) ?? []).join(' | ');
  result('rolling-playbook', run.code === 0 && !run.hung, `exit ${run.code}${run.hung ? ' (killed: hung)' : ''} in ${secs(Date.now() - t)}; ${recap}`);
  const bad = overlaps(hosts, t);
  const ivs = hosts.map(
    (h) =>
      `${h.name} ${h
        .downIntervals(t)
        .map(([x, y]) => `${secs(x - t)}-${y === null ? 'never up' : secs(y - t)}`)
        .join(',')}`,
  );
  result(
    'one-down-at-a-time',
    bad.length === 0 && hosts.every((h) => h.downIntervals(t).length === 1),
    `${ivs.join('; ')}${bad.length ? `; overlapping: ${bad}` : ''}`,
  );
  for (const h of hosts) {
    const fwAgain = h.guest.firmwareBoots() > fw[h.name];
    const v = await h.sh('kexecctl verify --json >/tmp/v.json; echo rc=$?; uname -r; cat /proc/sys/kernel/random/boot_id');
    const [rc, kernel, boot] = v.out.split('\n').slice(-3);
    const vj = JSON.parse((await h.sh('cat /tmp/v.json')).out.replace(/\n/g, ' ') || '{}');
    result(
      `${h.name}-kexec`,
      !fwAgain && boot !== boots[h.name] && vj.booted === 'kexec',
      `firmware again: ${fwAgain}; boot_id changed: ${boot !== boots[h.name]}; booted ${vj.booted}`,
    );
    result(`${h.name}-kernel`, kernel === env.KERNEL_OLD, `running ${kernel}, planned ${env.KERNEL_OLD}`);
    result(`${h.name}-verify`, rc === 'rc=0' && vj.ok === true, `${rc}: ${vj.reason}`);
    const nr = await h.sh('kexecctl needs-reboot; echo rc=$?; test -e /var/run/reboot-required && echo sentinel || echo no-sentinel');
    result(`${h.name}-needs-reboot-after`, /rc=1\nno-sentinel$/.test(nr.out), nr.out);
    const rep = report(rdir, h.name);
    result(`${h.name}-report`, rep?.rebooted === 'kexec' && rep?.ok === true, JSON.stringify(rep));
    console.log(`HOST rolling ${h.name}: rebooted=${rep?.rebooted} ok=${rep?.ok} kernel=${kernel} firmware-again=${fwAgain} down=${ivs[hosts.indexOf(h)]}`);
  }

  // The failing run, all in one batch: host3's load fails (kexec_load_disabled, the plan changed back),
  // host2 "has no kexecctl" (the role looks for another path), ghost is unreachable.
  const [, h2, h3] = hosts;
  await h3.sh('grub-set-default 0 && sysctl -qw kernel.kexec_load_disabled=1');
  const boot3 = (await h3.sh('cat /proc/sys/kernel/random/boot_id')).out;
  const fw3 = h3.guest.firmwareBoots();
  const ghost = await freePort();
  const fdir = `${work}/reports-failing`;
  rmSync(fdir, { recursive: true, force: true });
  mkdirSync(fdir, { recursive: true });
  writeFileSync(
    `${work}/hosts-failing.ini`,
    inventory([h2, h3], `ghost ansible_host=127.0.0.1 ansible_port=${ghost}\n`).replace(
      `host2 ansible_host`,
      `host2 kexec_reboot_kexecctl=/usr/sbin/kexecctl-absent ansible_host`,
    ),
  );
  t = Date.now();
  const f = await playbook(
    ['-i', 'hosts-failing.ini', 'kexecctl.fleet.rolling_reboot', '-e', `kexec_reboot_report_dir=${fdir}`, '-e', 'kexec_fleet_serial=3'],
    300000,
    `${work}/ansible-failing.log`,
  );
  lap('failing playbook', t);
  result('failure-playbook-stops', f.code !== 0 && !f.hung, `exit ${f.code}${f.hung ? ' (killed: hung)' : ''} in ${secs(Date.now() - t)}`);
  const boot3After = (await h3.sh('cat /proc/sys/kernel/random/boot_id')).out;
  result(
    'failure-load-not-rebooted',
    boot3After === boot3 && h3.guest.firmwareBoots() === fw3,
    `boot_id ${boot3After === boot3 ? 'unchanged' : 'CHANGED'}, firmware boots ${fw3} → ${h3.guest.firmwareBoots()}`,
  );
  const r3 = report(fdir, 'host3');
  result('failure-load-reported', r3?.ok === false && r3?.rebooted === 'none' && /load failed/.test(r3?.reason ?? ''), JSON.stringify(r3));
  const r2 = report(fdir, 'host2');
  result('failure-no-kexecctl-reported', r2?.ok === false && /kexecctl is not installed/.test(r2?.reason ?? ''), JSON.stringify(r2));
  const unreachable = /^fatal: \[ghost\]: UNREACHABLE!/m.test(f.out) && /^ghost +: .*unreachable=1/m.test(f.out);
  result('failure-unreachable-reported', unreachable && report(fdir, 'ghost') === null, (f.out.match(/^ghost +: .*$/m) ?? ['no recap line for ghost'])[0]);
  for (const [n, r] of [
    ['host2', r2],
    ['host3', r3],
  ])
    console.log(`HOST failing ${n}: rebooted=${r?.rebooted} ok=${r?.ok}: ${r?.reason}`);
  console.log(`HOST failing ghost: ${unreachable ? 'unreachable' : 'not reported as unreachable'}`);
}

console.log(`KXD PLAN fleet ${PLAN.join(',')}`);
mkdirSync(work, { recursive: true });
const ports = [];
for (let i = 0; i < NAMES.length; i++) ports.push(await freePort());
const hosts = NAMES.map(
  (name, i) =>
    new FleetHost({
      name,
      dir: work,
      image: { img: `${dir}/fleet.img`, vmlinuz: `${dir}/vmlinuz`, initrd: `${dir}/initrd.img` },
      accel: a.accel,
      port: ports[i],
    }),
);
try {
  await main(hosts);
} catch (e) {
  result('harness', false, e instanceof Error ? e.message : String(e));
} finally {
  await Promise.all(hosts.map((h) => h.stop()));
}
for (const name of PLAN) if (!reported.has(name)) result(name, false, 'not reached');
console.log(`fleet timings: ${timings.join(', ')}, total ${secs(Date.now() - t0)}`);
process.exitCode = failed === 0 ? 0 : 1;
