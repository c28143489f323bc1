// ManualClock and systemClock: time only moves when told, timers fire in order, system timers never hold the process.

import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';

describe('ManualClock', () => {
  it('starts where told and moves only on advance', () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    expect(clock.now()).toBe(Date.UTC(2026, 2, 1, 10));
    expect(clock.now()).toBe(Date.UTC(2026, 2, 1, 10));
    clock.advance(1500);
    expect(clock.now()).toBe(Date.UTC(2026, 2, 1, 10) + 1500);
    expect(new ManualClock().now()).toBe(Date.UTC(2026, 0, 1));
  });

  it('fires due timers in time order, with now() at each due time', () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['c', clock.now()]), 300);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['b', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 1000);
    expect(clock.pendingTimers).toBe(4);
    clock.advance(500);
    expect(fired).toEqual([
      ['a', 100],
      ['b', 100],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimers).toBe(1);
  });

  it('fires timers set by timers within the same advance', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(clock.now());
      clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 1000);
    clock.advance(3500);
    expect(ticks).toEqual([1000, 2000, 3000]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('does not fire a cleared timer', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(handle);
    clock.advance(100);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats negative and NaN delays as 0, as Node does', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('negative'), -50);
    clock.setTimeout(() => fired.push('nan'), Number.NaN);
    clock.advance(0);
    expect(fired).toEqual(['negative', 'nan']);
  });

  it('advanceTo moves forward to an instant and never backwards', () => {
    const clock = new ManualClock(1000);
    clock.advanceTo(5000);
    expect(clock.now()).toBe(5000);
    clock.advanceTo(new Date(2000));
    expect(clock.now()).toBe(5000);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses to advance by %s', (step) => {
    const clock = new ManualClock(1000);
    expect(() => clock.advance(step)).toThrow(RangeError);
    expect(clock.now()).toBe(1000);
  });

  it('refuses an invalid start', () => {
    expect(() => new ManualClock(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("sets unref'd timers that fire and can be cleared", async () => {
    const fired = await new Promise<boolean>((resolve) => {
      const handle = systemClock.setTimeout(() => resolve(true), 1);
      expect((handle as NodeJS.Timeout).hasRef()).toBe(false);
    });
    expect(fired).toBe(true);
    let cleared = true;
    const handle = systemClock.setTimeout(() => {
      cleared = false;
    }, 1);
    systemClock.clearTimeout(handle);
    // Two event-loop turns after the timer would have fired: a wait for an event, not for time logic.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cleared).toBe(true);
  });

  it('waits a very long delay instead of letting Node fire it at once', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let fired = false;
    const handle = systemClock.setTimeout(
      () => {
        fired = true;
      },
      40 * 24 * 3600 * 1000,
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fired).toBe(false);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      systemClock.clearTimeout(handle);
      process.off('warning', onWarning);
    }
  });
});
