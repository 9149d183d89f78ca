// Issue 12 part 5 (soak): the state kexecctl keeps must not grow from boot to boot, and the root
// file system must be clean after many kexec reboots. Used by the soak suite (scenario-bench.mjs)
// and, short, by the systemd full suite (scenarios.mjs).
// STATE_CMD runs in the guest after each boot; growthVerdict and fsckImage run on the host.
import { spawnSync } from 'node:child_process';

/** The directories kexecctl writes (src: /run/kexecctl/*, /var/lib/kexecctl/*). */
export const STATE_DIRS = ['/run/kexecctl', '/var/lib/kexecctl'];

/**
 * Guest command: "STATE-KEY <release> <cksum of grubenv> <cksum of /etc/default/kexec>" (what the
 * plan depends on besides the kernels: boots with the same key must keep the same state), one
 * "STATE <dir> <files> <bytes>" line per directory (0 0 when it is absent) and one
 * "STATE-FILE <bytes> <path>" line per file (to name what grew).
 */
/**
 * Left out of the sums: /var/lib/kexecctl/verified, the deep-check cache, which gains a line for
 * every kernel or initrd version a load checks (an upgrade between two boots with the same key) and
 * is bounded by design (src/kexec/verified-cache.ts MAX_VERIFIED lines, unit-tested there).
 */
const NOT_GROWTH = '! -path /var/lib/kexecctl/verified';
export const STATE_CMD = [
  'echo "STATE-KEY $(uname -r) $(cksum 2>/dev/null </boot/grub/grubenv | cut -d" " -f1) $(cksum 2>/dev/null </etc/default/kexec | cut -d" " -f1)"',
  ...STATE_DIRS.map(
    (d) =>
      `echo "STATE ${d} $(find ${d} -type f ${NOT_GROWTH} 2>/dev/null | wc -l) $(find ${d} -type f ${NOT_GROWTH} -printf '%s\\n' 2>/dev/null | awk '{s+=$1} END {print s+0}')"`,
  ),
  `find ${STATE_DIRS.join(' ')} -type f ${NOT_GROWTH} -printf 'STATE-FILE %s %p\\n' 2>/dev/null`,
].join('; ');

/**
 * Parses STATE_CMD's output: { key, dirs: { dir: { files, bytes } }, files: { path: bytes } };
 * a missing line is absent (key undefined).
 */
export function parseState(text) {
  const t = String(text);
  const out = { key: /^STATE-KEY (.+)$/m.exec(t)?.[1], dirs: {}, files: {} };
  for (const m of t.matchAll(/^STATE (\S+) (\d+) (\d+)$/gm)) out.dirs[m[1]] = { files: Number(m[2]), bytes: Number(m[3]) };
  for (const m of t.matchAll(/^STATE-FILE (\d+) (\S+)$/gm)) out.files[m[2]] = Number(m[1]);
  return out;
}

/**
 * Growth across boots: among the boots with the same key (same kernel, grubenv and config, so the
 * plan and the load are the same and the state may differ only by digits), the last against the
 * first, per directory. A file count that rises, or bytes that rise by more than `slackBytes`
 * (timestamps and inode numbers in the fingerprint change length by a few digits), is growth; the
 * files that grew are named. No key with two boots, or a directory missing from a compared boot's
 * record, cannot show anything: that is a failure too, never a pass by default.
 * @param {Array<ReturnType<typeof parseState>>} boots
 * @returns {{ ok: boolean, detail: string }}
 */
export function growthVerdict(boots, slackBytes = 256) {
  const byKey = new Map();
  for (const b of boots) if (b.key !== undefined) byKey.set(b.key, [...(byKey.get(b.key) ?? []), b]);
  const groups = [...byKey.entries()].filter(([, bs]) => bs.length >= 2);
  if (groups.length === 0) return { ok: false, detail: `${boots.length} boot(s) recorded, no two with the same kernel, grubenv and config` };
  const parts = [];
  let ok = true;
  for (const [key, bs] of groups) {
    for (const d of STATE_DIRS) {
      const series = bs.map((b) => b.dirs[d]);
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
      const which = grew
        ? ` GREW: ${Object.entries(bs[bs.length - 1].files)
            .filter(([f, n]) => f.startsWith(`${d}/`) && n > (bs[0].files[f] ?? -1))
            .map(([f, n]) => `${f} ${bs[0].files[f] ?? 'new'}→${n}`)
            .join(', ')}`
        : '';
      parts.push(
        `[${key}] ${bs.length} boots, ${d}: files ${first.files}→${last.files}, bytes ${first.bytes}→${last.bytes} (min ${Math.min(...bytes)}, max ${Math.max(...bytes)})${which}`,
      );
    }
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
  const t0 = Date.now();
  const off = await powerOff(guest);
  const offMs = Date.now() - t0;
  const f = fsckImage(image);
  result('soak-fsck-clean', off && f.ok, `${off ? `powered off in ${offMs} ms` : 'QEMU DID NOT EXIT after systemctl poweroff'}; ${f.detail}`);
}
