// Issue 12 part 2 in the distro VM: `kexecctl verify --json` after the reboots a suite already makes,
// checked against facts the test reads itself, never against verify's own text:
//   the boot_id before the reboot (the KXREADY line of the ending boot's login, Guest.ready) and now
//   (/proc/sys/kernel/random/boot_id), uname -r, /proc/cmdline, sha256sum of the initrd planned for
//   the expected kernel, the x86 boot protocol's type_of_loader byte (setup header 0x210 = 528,
//   Documentation/arch/x86/boot.rst; 0xd0 after kexec) read with od from /sys/kernel/boot_params/data,
//   and whether the firmware banner came again (Guest.firmwareBoots).
// Plus the matrix row "kexecctl reboot with /sys/kernel/kexec_loaded hidden": a tmpfs over
// /sys/kernel, `kexecctl reboot --dry-run`, and the suite's next real reboot (coldreboot, in the guest)
// made with it still hidden. The judges are pure (unit-tested in test/unit/vm-lib/distro-verify.test.ts).

const tail = (s) => String(s).replace(/\n/g, ' | ');

/** Guest command: verify's JSON on one line and the facts read around it (KV lines); with `kernel`, sha256sum of its initrd too. */
export function verifyCmd(kernel = null) {
  const initrd = `/boot/initrd.img-${kernel}`;
  const sum = kernel === null ? '' : `; echo "KV INITRD=${initrd} $(sha256sum <${initrd} | cut -d' ' -f1)"`;
  return (
    'kexecctl verify --json >/tmp/kv.json 2>/tmp/kv.err; echo "KV RC=$?"; printf \'KV JSON=%s\\n\' "$(tr -d \'\\n\' </tmp/kv.json)"; ' +
    'printf \'KV ERR=%s\\n\' "$(head -n 1 /tmp/kv.err)"; echo "KV UNAME=$(uname -r)"; echo "KV BOOTID=$(cat /proc/sys/kernel/random/boot_id)"; ' +
    'echo "KV LOADER=$(od -An -tx1 -j528 -N1 /sys/kernel/boot_params/data | tr -d \' \')"; printf \'KV CMDLINE=%s\\n\' "$(cat /proc/cmdline)"' +
    sum
  );
}

/** Parses verifyCmd's output; json is null when verify printed no JSON that parses. */
export function parseVerify(out) {
  const kv = (k) => new RegExp(`^KV ${k}=(.*)$`, 'm').exec(String(out))?.[1]?.trim() ?? null;
  let json = null;
  try {
    json = JSON.parse(kv('JSON') ?? '');
  } catch {
    json = null;
  }
  const initrd = /^(\S+) ([0-9a-f]{64})$/.exec(kv('INITRD') ?? '');
  return {
    rc: Number(kv('RC') ?? NaN),
    json,
    err: kv('ERR') ?? '',
    uname: kv('UNAME'),
    bootId: kv('BOOTID'),
    loader: kv('LOADER'),
    cmdline: kv('CMDLINE'),
    initrd: initrd ? { path: initrd[1], sha256: initrd[2] } : null,
  };
}

const words = (s) =>
  String(s ?? '')
    .trim()
    .split(/\s+/)
    .join(' ');

/** Facts both rows share: a JSON, a new boot, the boot_id verify compares is the one before the reboot. */
function common(f, bootBefore, bad) {
  const j = f.json;
  if (j === null) return bad.push(`no JSON (exit ${f.rc}, stderr: ${f.err || 'nothing'})`);
  if (j.schema !== 'kexecctl.verify/1') bad.push(`schema ${j.schema}`);
  if (f.bootId === null || f.bootId === bootBefore) bad.push(`boot_id ${f.bootId} is the one before the reboot`);
  if (j.running?.bootId !== f.bootId) bad.push(`running.bootId ${j.running?.bootId} != /proc boot_id ${f.bootId}`);
  if (j.planned?.bootId !== bootBefore) bad.push(`planned.bootId ${j.planned?.bootId} != the boot that rebooted (${bootBefore})`);
  if (j.running?.release !== f.uname) bad.push(`running.release ${j.running?.release} != uname -r ${f.uname}`);
  const lt = f.loader === null || !/^[0-9a-f]{2}$/.test(f.loader) ? null : parseInt(f.loader, 16);
  if (lt === null || j.running?.loaderType !== lt) bad.push(`running.loaderType ${j.running?.loaderType} != type_of_loader 0x${f.loader} (od)`);
}

const summary = (f) =>
  f.json === null
    ? `exit ${f.rc}`
    : `verify: exit ${f.rc}, ok ${f.json.ok}, booted ${f.json.booted}, "${f.json.reason}" | read: uname ${f.uname}, type_of_loader 0x${f.loader}, ` +
      `boot_id ${f.json.planned?.bootId?.slice(0, 8)}… → ${f.bootId?.slice(0, 8)}…`;

/**
 * Row 1, after a kexec reboot into `kernel`: exit 0, booted kexec (0xd0, no firmware banner), the
 * planned release, command line (with GRUB's kx.grub=1 marker) and initrd digest as the record stores
 * them equal uname -r, /proc/cmdline and sha256sum of /boot/initrd.img-<kernel>.
 */
export function judgeKexec(f, { kernel, bootBefore, firmwareAgain }) {
  const bad = [];
  common(f, bootBefore, bad);
  const j = f.json;
  if (j !== null) {
    if (f.rc !== 0 || j.ok !== true || j.booted !== 'kexec') bad.push(`exit ${f.rc}, ok ${j.ok}, booted ${j.booted}: want 0, true, kexec`);
    if (f.loader !== 'd0' || firmwareAgain) bad.push(`type_of_loader 0x${f.loader}, firmware again ${firmwareAgain}: not a kexec boot`);
    if (j.planned?.mode !== 'kexec') bad.push(`planned.mode ${j.planned?.mode}`);
    if (f.uname !== kernel || j.planned?.release !== f.uname) bad.push(`planned.release ${j.planned?.release}, uname -r ${f.uname}, expected ${kernel}`);
    if (words(j.planned?.cmdline) !== words(f.cmdline) || j.running?.cmdline !== f.cmdline)
      bad.push(`planned.cmdline "${j.planned?.cmdline}" != /proc/cmdline "${f.cmdline}"`);
    if (!/(^| )kx\.grub=1( |$)/.test(words(j.planned?.cmdline))) bad.push("planned.cmdline lacks GRUB's kx.grub=1 marker");
    const initrds = JSON.stringify(j.planned?.initrds);
    if (f.initrd === null || initrds !== JSON.stringify([f.initrd.path])) bad.push(`planned.initrds ${initrds}, want ["/boot/initrd.img-${kernel}"]`);
    else if (j.planned?.initrdDigest !== `sha256:${f.initrd.sha256}`)
      bad.push(`planned.initrdDigest ${j.planned?.initrdDigest} != sha256sum ${f.initrd.sha256}`);
    const notOk = (j.checks ?? []).filter((c) => c.ok !== true).map((c) => `${c.name}=${c.ok}`);
    if ((j.checks ?? []).length !== 5 || notOk.length > 0) bad.push(`checks not all true: ${notOk.join(' ') || `${(j.checks ?? []).length} checks`}`);
  }
  const ok = bad.length === 0;
  const facts = f.initrd === null ? '' : `, initrd sha256 ${f.initrd.sha256.slice(0, 12)}…`;
  return { ok, detail: `${summary(f)}${facts}${ok ? '' : ` | WRONG: ${bad.join('; ')}`}` };
}

/** Row 2, after coldreboot: the documented exit 0 with booted cold, the kexec check true (firmware), planned.mode cold. */
export function judgeCold(f, { bootBefore, firmwareAgain }) {
  const bad = [];
  common(f, bootBefore, bad);
  const j = f.json;
  if (j !== null) {
    if (f.rc !== 0 || j.ok !== true || j.booted !== 'cold') bad.push(`exit ${f.rc}, ok ${j.ok}, booted ${j.booted}: want 0, true, cold`);
    if (f.loader === 'd0' || !firmwareAgain) bad.push(`type_of_loader 0x${f.loader}, firmware again ${firmwareAgain}: not a cold boot`);
    if (j.planned?.mode !== 'cold') bad.push(`planned.mode ${j.planned?.mode}, want cold`);
    const k = (j.checks ?? []).find((c) => c.name === 'kexec');
    if (k?.ok !== true) bad.push(`kexec check ${k?.ok}: ${k?.detail}`);
  }
  const ok = bad.length === 0;
  return { ok, detail: `${summary(f)}${ok ? '' : ` | WRONG: ${bad.join('; ')}`}` };
}

/**
 * Matrix row: a tmpfs over /sys/kernel (kexec_loaded missing), then `kexecctl reboot --dry-run`. Left
 * mounted: the suite's next reboot runs with it. KH lines: the file's state, exit, stderr lines, stack
 * frames, the first stderr line, the "would reboot with" line, our record and /no-kexec-reboot before/after.
 */
export const HIDE_DRY_RUN_CMD =
  'kr() { [ -e /run/kexecctl/loaded.json ] && echo rec || echo none; }; fl() { [ -e /no-kexec-reboot ] && echo flag || echo noflag; }; ' +
  'mount -t tmpfs kxv /sys/kernel; B="$(kr)/$(fl)"; [ -e /sys/kernel/kexec_loaded ] && echo "KH KL=present" || echo "KH KL=missing"; ' +
  'kexecctl reboot --dry-run >/tmp/kr.out 2>/tmp/kr.err; echo "KH RC=$? N=$(grep -c . /tmp/kr.err) TRACE=$(grep -cE \'^ +at \' /tmp/kr.err) STATE=$B->$(kr)/$(fl)"; ' +
  "printf 'KH MSG=%s\\n' \"$(head -n 1 /tmp/kr.err)\"; printf 'KH WOULD=%s\\n' \"$(cat /tmp/kr.out /tmp/kr.err | grep -m 1 'would reboot with')\"";

export function parseHidden(out) {
  const kh = (k) => new RegExp(`^KH ${k}=(.*)$`, 'm').exec(String(out))?.[1]?.trim() ?? null;
  const m = /^KH RC=(\d+) N=(\d+) TRACE=(\d+) STATE=(\S+)->(\S+)$/m.exec(String(out));
  return {
    kl: kh('KL'),
    rc: m ? Number(m[1]) : null,
    n: m ? Number(m[2]) : null,
    trace: m ? Number(m[3]) : null,
    before: m?.[4] ?? null,
    after: m?.[5] ?? null,
    msg: kh('MSG') ?? '',
    would: kh('WOULD') ?? '',
  };
}

/**
 * The row passes when the file was really missing, the dry run exited 0 without a stack trace, said
 * how it would reboot, changed nothing (record, flag), and the next real reboot happened (a new
 * boot_id, through kexec or the firmware: never nothing).
 */
export function judgeHidden(h, { bootBefore, next }) {
  const bad = [];
  if (h.kl !== 'missing') bad.push(`kexec_loaded ${h.kl} under the tmpfs`);
  if (h.rc !== 0 || h.trace !== 0) bad.push(`exit ${h.rc}, ${h.trace} stack frames`);
  if (!/would reboot with (kexec|the firmware \(cold\))/.test(h.would)) bad.push(`no "would reboot with" line`);
  if (h.before === null || h.before !== h.after) bad.push(`the dry run changed record/flag ${h.before} -> ${h.after}`);
  const how =
    next === null ? 'none' : next.boot === bootBefore ? 'none (same boot_id)' : next.firmwareAgain ? 'cold (firmware banner)' : 'kexec (no firmware banner)';
  if (!how.startsWith('cold') && !how.startsWith('kexec')) bad.push(`next reboot: ${how}`);
  const ok = bad.length === 0;
  const said = `said: ${h.msg || '(nothing on stderr)'} | ${h.would} | exit ${h.rc}, stderr lines ${h.n} | record/flag ${h.before} -> ${h.after}`;
  return { ok, detail: `kexec_loaded ${h.kl} | ${said} | next reboot: ${how}${ok ? '' : ` | WRONG: ${bad.join('; ')}`}` };
}

/** Runs verifyCmd in the guest and reports `name` with judge (judgeKexec or judgeCold). */
export async function verifyRow({ sh, result }, name, judge, exp) {
  const t = Date.now();
  const r = await sh(verifyCmd(exp.kernel ?? null), 120000);
  const f = parseVerify(r.out);
  const v = judge(f, exp);
  result(name, v.ok, `${v.detail} | ${((Date.now() - t) / 1000).toFixed(1)} s${f.json === null ? ` | ${tail(r.out)}` : ''}`);
}
