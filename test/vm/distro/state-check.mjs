// Issue 12 part 5 (soak): the state kexecctl keeps must not grow from boot to boot, and the root
// file system must be clean after many kexec reboots. Used by the soak suite (scenario-bench.mjs)
// and, short, by the systemd full suite (scenarios.mjs).
// STATE_CMD runs in the guest after each boot; growthVerdict and fsckImage run on the host.
import { spawnSync } from 'node:child_process';

/** The directories kexecctl writes (src: /run/kexecctl/*, /var/lib/kexecctl/*). */
export const STATE_DIRS = ['/run/kexecctl', '/var/lib/kexecctl'];

/** Guest command: one "STATE <dir> <files> <bytes>" line per directory (0 0 when it is absent). */
export const STATE_CMD = STATE_DIRS.map(
  (d) => `echo "STATE ${d} $(find ${d} -type f 2>/dev/null | wc -l) $(find ${d} -type f -printf '%s\\n' 2>/dev/null | awk '{s+=$1} END {print s+0}')"`,
).join('; ');

/** Parses STATE_CMD's output into { dir: { files, bytes } }; a missing line is absent from the map. */
export function parseState(text) {
  const out = {};
  for (const m of String(text).matchAll(/^STATE (\S+) (\d+) (\d+)$/gm)) out[m[1]] = { files: Number(m[2]), bytes: Number(m[3]) };
  return out;
}

/**
 * Growth across boots, per directory: the last boot against the first. A file count that rises, or
 * bytes that rise by more than `slackBytes` (timestamps and inode numbers in the fingerprint change
 * length by a few digits), is growth. Fewer than two boots recorded, or a directory missing from
 * one boot's record, cannot show anything: that is a failure too, never a pass by default.
 * @param {Array<Record<string, {files: number, bytes: number}>>} boots
 * @returns {{ ok: boolean, detail: string }}
 */
export function growthVerdict(boots, slackBytes = 256) {
  if (boots.length < 2) return { ok: false, detail: `only ${boots.length} boot(s) recorded` };
  const parts = [];
  let ok = true;
  for (const d of STATE_DIRS) {
    const series = boots.map((b) => b[d]);
    if (series.some((s) => s === undefined)) {
      ok = false;
      parts.push(`${d}: not recorded at every boot`);
      continue;
    }
    const first = series[0];
    const last = series[series.length - 1];
    const grew = last.files > first.files || last.bytes > first.bytes + slackBytes;
    if (grew) ok = false;
    const bytes = series.map((s) => s.bytes);
    parts.push(
      `${d}: files ${first.files}→${last.files}, bytes ${first.bytes}→${last.bytes} (min ${Math.min(...bytes)}, max ${Math.max(...bytes)})${grew ? ' GREW' : ''}`,
    );
  }
  return { ok, detail: `${boots.length} boots; ${parts.join('; ')}` };
}

/**
 * Powers the guest off (systemctl poweroff: every file system unmounted cleanly) and waits for QEMU
 * to exit, so e2fsck reads a file system no kernel has mounted. Our system-shutdown hook acts on
 * reboot only. @returns {Promise<boolean>} whether QEMU exited within timeoutMs.
 */
export async function powerOff(guest, timeoutMs = 180000) {
  guest.send('systemctl poweroff');
  const deadline = Date.now() + timeoutMs;
  while (!guest.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return guest.exited;
}

/**
 * e2fsck -fn on the guest's image (the VM must be stopped): forced full check, read-only, answers
 * no. Exit 0 means clean (e2fsck(8): 1 or more = errors corrected or left, 8 = operational error).
 * @returns {{ ok: boolean, detail: string, ms: number }}
 */
export function fsckImage(image) {
  const t0 = Date.now();
  const r = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
  const ms = Date.now() - t0;
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n');
  const summary = text.filter((l) => /files|blocks|clean|error|WARNING|Fix|Inode|Pass 5/i.test(l)).slice(-4);
  if (r.error) return { ok: false, detail: `e2fsck could not run: ${r.error.message}`, ms };
  return { ok: r.status === 0, detail: `e2fsck -fn exit ${r.status} in ${ms} ms: ${summary.join(' | ')}`, ms };
}

/** The short soak the systemd full suite ends with (CI, issue 12 part 5), in order (plan.mjs). */
export const SOAK_SHORT_CHECKS = ['soak-state-no-growth', 'soak-fsck-clean'];

/**
 * The short soak's checks, after the suite's last boot: no growth of the state recorded after each
 * plain kexec reboot (`boots`, same kind of boot, so comparable), then poweroff and e2fsck -fn.
 * @param {{ guest: object, result: Function, image: string, boots: Array<Record<string, {files: number, bytes: number}>> }} h
 */
export async function soakShortChecks({ guest, result, image, boots }) {
  const g = growthVerdict(boots);
  result('soak-state-no-growth', g.ok, g.detail);
  const off = await powerOff(guest);
  const f = fsckImage(image);
  result('soak-fsck-clean', off && f.ok, `${off ? 'powered off' : 'QEMU DID NOT EXIT after systemctl poweroff'}; ${f.detail}`);
}
