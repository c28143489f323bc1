// ScaledClock: simulated time at N times the wall clock, and timers shortened by the same factor.

import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/cli/demo/ScaledClock.js';

describe('ScaledClock', () => {
  it('runs simulated time `speed` times faster than the real clock it reads', () => {
    let real = 1_000; // a fake real clock: the test moves it, no waiting
    const start = Date.UTC(2026, 0, 1);
    const clock = new ScaledClock(60, start, () => real);
    expect(clock.now()).toBe(start);
    real += 1_000; // one real second…
    expect(clock.now()).toBe(start + 60_000); // …is a simulated minute
    real += 59_000;
    expect(clock.now()).toBe(start + 3_600_000); // a real minute is a simulated hour
  });

  it('keeps real time in wallNow(), for the timestamps Prometheus compares with its own clock', () => {
    let real = 1_000;
    const clock = new ScaledClock(60, Date.UTC(2026, 0, 1), () => real);
    const wallStart = clock.wallNow();
    expect(Math.abs(wallStart - Date.now())).toBeLessThan(1_000);
    real += 1_000;
    expect(clock.wallNow()).toBe(wallStart + 1_000);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1) + 60_000);
  });

  it('returns whole milliseconds', () => {
    let real = 0;
    const clock = new ScaledClock(3, 0, () => real);
    real = 0.1234;
    expect(Number.isInteger(clock.now())).toBe(true);
  });

  it('fires a simulated delay after delay / speed of real time, on an unref’d timer', async () => {
    const clock = new ScaledClock(1000, Date.now());
    const began = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // A referenced timer keeps the test process alive while the unref'd one is pending.
    const keepAlive = setTimeout(() => {}, 10_000);
    await new Promise<void>((resolve) => {
      // 5 simulated seconds at 1000x: 5 real milliseconds, not 5 seconds.
      timer = clock.setTimeout(resolve, 5_000) as NodeJS.Timeout;
    });
    clearTimeout(keepAlive);
    const elapsed = performance.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(4);
    expect(elapsed).toBeLessThan(1_000);
    expect(timer!.hasRef()).toBe(false);
  });

  it('clearTimeout cancels a pending timer', async () => {
    const clock = new ScaledClock(1000, Date.now());
    let fired = false;
    const cancelled = clock.setTimeout(() => {
      fired = true;
    }, 1_000);
    clock.clearTimeout(cancelled);
    // A later timer of the same clock: once it has fired, the cancelled one would have too.
    const keepAlive = setTimeout(() => {}, 10_000);
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 5_000));
    clearTimeout(keepAlive);
    expect(fired).toBe(false);
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => new ScaledClock(0)).toThrow(RangeError);
    expect(() => new ScaledClock(-1)).toThrow(RangeError);
    expect(() => new ScaledClock(Number.NaN)).toThrow(RangeError);
  });
});
