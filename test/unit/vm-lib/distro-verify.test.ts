/**
 * The distro tier's kexecctl verify rows (test/vm/distro/scenario-verify.mjs, issue 12 part 2): the
 * guest's KV/KH lines parsed, and judged against the facts the test reads itself. Each judge must
 * fail when verify's JSON disagrees with one independent fact, and the plan must name the rows.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import * as sv from '../../vm/distro/scenario-verify.mjs';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import { DRACUT_CHECKS, planFor } from '../../vm/distro/plan.mjs';

type Verdict = { ok: boolean; detail: string };
type Facts = Record<string, unknown>;
const parseVerify = sv.parseVerify as (out: string) => Facts;
const judgeKexec = sv.judgeKexec as (f: Facts, e: { kernel: string; bootBefore: string; firmwareAgain: boolean }) => Verdict;
const judgeCold = sv.judgeCold as (f: Facts, e: { bootBefore: string; firmwareAgain: boolean }) => Verdict;
const parseHidden = sv.parseHidden as (out: string) => Facts;
const judgeHidden = sv.judgeHidden as (h: Facts, e: { bootBefore: string; next: { boot: string; firmwareAgain: boolean } | null }) => Verdict;
const plan = planFor as (suite: string, variant: string, reps: number) => string[];

const K = '6.1.0-28-cloud-amd64';
const OLD = '11111111-2222-3333-4444-555555555555';
const NEW = '99999999-8888-7777-6666-000000000000';
const SUM = 'ab'.repeat(32);
const CMD = `BOOT_IMAGE=/boot/vmlinuz-${K} root=UUID=0f0e ro console=ttyS0,115200 quiet kx.grub=1`;
const check = (name: string, ok: boolean | null = true) => ({ name, ok, detail: '' });

function kexecJson(over: Record<string, unknown> = {}, planned: Record<string, unknown> = {}) {
  return {
    schema: 'kexecctl.verify/1',
    ok: true,
    booted: 'kexec',
    reason: `running the planned kernel ${K} (booted: kexec)`,
    checks: ['rebooted', 'kexec', 'release', 'cmdline', 'initrd'].map((n) => check(n)),
    planned: { mode: 'kexec', bootId: OLD, release: K, initrds: [`/boot/initrd.img-${K}`], cmdline: CMD, initrdDigest: `sha256:${SUM}`, ...planned },
    running: { release: K, cmdline: CMD, bootId: NEW, loaderType: 0xd0, loader: 'kexec' },
    ...over,
  };
}
const out = (json: unknown, o: { rc?: number; loader?: string; boot?: string; sum?: string; cmdline?: string } = {}) =>
  [
    `KV RC=${o.rc ?? 0}`,
    `KV JSON=${JSON.stringify(json)}`,
    'KV ERR=',
    `KV UNAME=${K}`,
    `KV BOOTID=${o.boot ?? NEW}`,
    `KV LOADER=${o.loader ?? 'd0'}`,
    `KV CMDLINE=${o.cmdline ?? CMD}`,
    `KV INITRD=/boot/initrd.img-${K} ${o.sum ?? SUM}`,
  ].join('\n');
const exp = { kernel: K, bootBefore: OLD, firmwareAgain: false };

describe('distro verify row after a kexec reboot', () => {
  it('passes when every JSON field matches what the guest read', () => {
    const v = judgeKexec(parseVerify(out(kexecJson())), exp);
    expect(v.detail).not.toMatch(/WRONG/);
    expect(v.ok).toBe(true);
  });
  it.each([
    ['the initrd changed (sha256sum differs from the digest stored)', out(kexecJson(), { sum: 'cd'.repeat(32) }), exp],
    ['the boot came through the firmware (type_of_loader 0xb0)', out(kexecJson(), { loader: 'b0' }), exp],
    ['the firmware banner came again', out(kexecJson()), { ...exp, firmwareAgain: true }],
    ['the recorded boot_id is not the one that rebooted', out(kexecJson({}, { bootId: 'other' })), exp],
    ['not rebooted (boot_id unchanged)', out(kexecJson(), { boot: OLD }), exp],
    ['a different kernel was planned', out(kexecJson({}, { release: '6.1.0-27-cloud-amd64' })), exp],
    ['the planned command line lacks the GRUB marker', out(kexecJson({}, { cmdline: CMD.replace(' kx.grub=1', '') })), exp],
    ['the running command line differs from the planned one', out(kexecJson(), { cmdline: `${CMD} single` }), exp],
    ['verify exits 1', out(kexecJson({ ok: false }), { rc: 1 }), exp],
    ['no JSON at all', 'KV RC=2\nKV JSON=\nKV ERR=boom', exp],
  ])('fails when %s', (_why, text, e) => {
    expect(judgeKexec(parseVerify(text), e).ok).toBe(false);
  });
});

describe('distro verify row after coldreboot', () => {
  const coldJson = (over: Record<string, unknown> = {}) =>
    kexecJson(
      {
        booted: 'cold',
        checks: [check('rebooted'), check('kexec'), check('release', null), check('cmdline', null), check('initrd', null)],
        running: { release: K, cmdline: 'root=/dev/vda ro', bootId: NEW, loaderType: 0xb0, loader: 'qemu' },
        ...over,
      },
      { mode: 'cold', release: null, initrds: [], cmdline: null, initrdDigest: null },
    );
  const cold = { bootBefore: OLD, firmwareAgain: true };
  it('passes: exit 0, booted cold, the kexec check true, type_of_loader read 0xb0', () => {
    const v = judgeCold(parseVerify(out(coldJson(), { loader: 'b0' })), cold);
    expect(v.detail).not.toMatch(/WRONG/);
    expect(v.ok).toBe(true);
  });
  it('fails when the boot was a kexec, or no firmware banner, or verify exits 1', () => {
    expect(judgeCold(parseVerify(out(coldJson(), { loader: 'd0' })), cold).ok).toBe(false);
    expect(judgeCold(parseVerify(out(coldJson(), { loader: 'b0' })), { ...cold, firmwareAgain: false }).ok).toBe(false);
    expect(judgeCold(parseVerify(out(coldJson({ ok: false }), { loader: 'b0', rc: 1 })), cold).ok).toBe(false);
  });
});

describe('kexec_loaded hidden: kexecctl reboot --dry-run and the next reboot', () => {
  const kh = (o: { kl?: string; rc?: number; trace?: number; state?: string; would?: string } = {}) =>
    [
      `KH KL=${o.kl ?? 'missing'}`,
      `KH RC=${o.rc ?? 0} N=1 TRACE=${o.trace ?? 0} STATE=${o.state ?? 'none/noflag->none/noflag'}`,
      'KH MSG=kexecctl: something',
      `KH WOULD=${o.would ?? 'would reboot with kexec via sysvinit'}`,
    ].join('\n');
  const next = { boot: NEW, firmwareAgain: true };
  it('passes: file missing, dry run exit 0 says how, nothing changed, the next reboot happened', () => {
    const v = judgeHidden(parseHidden(kh()), { bootBefore: OLD, next });
    expect(v.detail).toContain('next reboot: cold');
    expect(v.ok).toBe(true);
  });
  it.each([
    ['the file was still there', kh({ kl: 'present' }), next],
    ['a stack trace', kh({ trace: 3 }), next],
    ['no "would reboot with" line', kh({ would: '' }), next],
    ['the dry run changed the record', kh({ state: 'none/noflag->rec/noflag' }), next],
    ['no reboot (same boot_id)', kh(), { boot: OLD, firmwareAgain: false }],
    ['no reboot at all', kh(), null],
  ])('fails when %s', (_why, text, n) => {
    expect(judgeHidden(parseHidden(text), { bootBefore: OLD, next: n }).ok).toBe(false);
  });
});

describe('distro plans name the verify rows', () => {
  it('sysvinit basic: after its kexec reboot and its coldreboot, plus the hidden-kexec_loaded dry run', () => {
    const p = plan('basic', 'sysvinit', 3);
    expect(p).toEqual(expect.arrayContaining(['reboot-kexec-verify', 'coldreboot-verify', 'reboot-dry-run-kexec-loaded-hidden']));
    expect(p.indexOf('reboot-kexec-verify')).toBeLessThan(p.indexOf('coldreboot-firmware'));
  });
  it('dracut: after systemctl kexec', () => {
    expect(DRACUT_CHECKS).toContain('systemctl-kexec-verify');
    expect(plan('basic', 'dracut', 3)).toContain('systemctl-kexec-verify');
  });
  it('the systemd suites in CI are unchanged (no verify rows: their time budget)', () => {
    for (const s of ['full', 'basic']) expect(plan(s, 'systemd', 3).some((n) => n.includes('verify') || n.includes('hidden'))).toBe(false);
  });
});
