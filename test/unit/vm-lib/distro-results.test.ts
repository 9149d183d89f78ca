/**
 * The distro tier's tally (test/vm/distro/results.mjs): only anchored "KXD RESULT" lines count, every
 * planned check must report, and a crash (non-zero exit without a FAIL line) fails the suite.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import { planFor } from '../../vm/distro/plan.mjs';
// @ts-expect-error plain ESM helper of the VM tier, no type declarations
import { tally } from '../../vm/distro/results.mjs';

type Tally = { passed: number; failed: number; problems: string[] };
const t = tally as (text: string, exitStatus: number) => Tally;
const plan = planFor as (suite: string, variant: string, reps: number) => string[];

const TAG = 'systemd/seabios';
const head = `KXD PLAN ${TAG} a,b,c`;
const pass = (n: string, d = ''): string => `KXD RESULT PASS ${TAG}:${n}${d === '' ? '' : ` ${d}`}`;
const fail = (n: string, d = ''): string => `KXD RESULT FAIL ${TAG}:${n}${d === '' ? '' : ` ${d}`}`;

describe('distro results tally', () => {
  it('counts a complete run', () => {
    expect(t([head, pass('a'), pass('b'), pass('c')].join('\n'), 0)).toEqual({ passed: 3, failed: 0, problems: [] });
  });

  it('a crash after two checks fails the suite for each check not reported', () => {
    const r = t([head, pass('a'), pass('b'), 'node:internal/process: TypeError: boom'].join('\n'), 1);
    expect(r.passed).toBe(2);
    expect(r.failed).toBe(2);
    expect(r.problems).toContain('c planned but never reported');
  });

  it('a non-zero exit with every check passed still fails', () => {
    const r = t([head, pass('a'), pass('b'), pass('c')].join('\n'), 134);
    expect(r.failed).toBe(1);
    expect(r.problems[0]).toMatch(/exited 134/);
  });

  it('no plan line fails (the old run.sh counted a PASS anyhow)', () => {
    expect(t([pass('a')].join('\n'), 0).failed).toBeGreaterThan(0);
    expect(t('', 0).failed).toBe(1);
  });

  it('only anchored lines count: guest output and a FAIL whose detail says PASS are not passes', () => {
    const text = [head, fail('a', 'expected PASS'), `  | ${pass('b')}`, `garbage ${pass('b')}`, 'RESULT systemd/seabios:b PASS', pass('b'), pass('c')].join(
      '\n',
    );
    const r = t(text, 1);
    expect(r.passed).toBe(2);
    expect(r.failed).toBe(1);
    expect(r.problems).toEqual([]);
  });

  it('an unplanned or repeated PASS is a failure, not an extra pass', () => {
    const r = t([head, pass('a'), pass('a'), pass('b'), pass('c'), pass('zzz')].join('\n'), 0);
    expect(r.passed).toBe(3);
    expect(r.failed).toBe(2);
  });

  it('a PASS under another tag is not counted for this plan', () => {
    const r = t([head, pass('a'), pass('b'), 'KXD RESULT PASS sysvinit/seabios:c'].join('\n'), 0);
    expect(r.passed).toBe(2);
    expect(r.failed).toBe(2);
  });

  it.each([
    ['full', 'systemd'],
    ['basic', 'systemd'],
    ['basic', 'sysvinit'],
    ['basic', 'dracut'],
    ['basic', 'watchdog'],
    ['bench', 'systemd'],
  ])('plan %s/%s names each check once', (suite, variant) => {
    const names = plan(suite, variant, 3);
    expect(names.length).toBeGreaterThan(5);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
  });

  // Issue 12 part 1: watchdog:ovmf:basic replaced systemd:ovmf:basic, so it must keep every row of that suite.
  const WD_ROWS = [
    'wd-status',
    'wd-handed-over',
    'wd-load-hang',
    'wd-hooks',
    'wd-recovery',
    'wd-target-hung',
    'wd-boot-check-cold',
    'wd-status-next-cold',
    'wd-intent',
    'wd-status-default',
    'wd-next-cold',
  ];
  it('the watchdog variant plans every systemd basic row and the 11 watchdog rows', () => {
    const names = plan('basic', 'watchdog', 3);
    expect(names).toEqual(expect.arrayContaining([...plan('basic', 'systemd', 3), ...WD_ROWS]));
    expect(names).toHaveLength(14 + WD_ROWS.length);
  });

  it('a watchdog suite whose recovery never reported fails', () => {
    const names = plan('basic', 'watchdog', 3);
    const lines = [`KXD PLAN watchdog/ovmf ${names.join(',')}`, ...names.filter((n) => n !== 'wd-recovery').map((n) => `KXD RESULT PASS watchdog/ovmf:${n}`)];
    const r = t(lines.join('\n'), 0);
    expect(r.passed).toBe(names.length - 1);
    expect(r.problems).toEqual(['wd-recovery planned but never reported']);
  });
});
