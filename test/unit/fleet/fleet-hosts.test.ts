/**
 * The fleet tier's downtime bookkeeping (test/vm/fleet/hosts.mjs), without VMs: KXDOWN/KXREADY
 * markers become down intervals, and two hosts down at the same time are reported.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs test helper without types
import { FleetHost, overlaps } from '../../vm/fleet/hosts.mjs';

type Ev = { what: 'down' | 'ready'; t: number };
type HostLike = { name: string; events: Ev[]; downIntervals(after?: number): Array<[number, number | null]> };

/** A FleetHost's methods on a plain object (its constructor starts qemu-img). */
function host(name: string, events: Ev[]): HostLike {
  const h = { name, events } as HostLike;
  h.downIntervals = (FleetHost as { prototype: { downIntervals: HostLike['downIntervals'] } }).prototype.downIntervals.bind(h);
  return h;
}

const ev = (what: 'down' | 'ready', t: number): Ev => ({ what, t });

describe('fleet downtimes', () => {
  it('pairs each KXDOWN with the next KXREADY; a host never back is open-ended', () => {
    expect(host('a', [ev('ready', 0), ev('down', 10), ev('ready', 50), ev('down', 90)]).downIntervals(5)).toEqual([
      [10, 50],
      [90, null],
    ]);
  });
  it('sequential reboots do not overlap; overlapping ones are named', () => {
    const a = host('a', [ev('down', 10), ev('ready', 50)]);
    const b = host('b', [ev('down', 60), ev('ready', 100)]);
    const c = host('c', [ev('down', 40), ev('ready', 70)]);
    expect(overlaps([a, b], 0)).toEqual([]);
    expect(overlaps([a, b, c], 0)).toEqual(['a/c', 'b/c']);
    expect(overlaps([a, host('d', [ev('down', 45)])], 0)).toEqual(['a/d']);
  });
});
