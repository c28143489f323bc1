// ScaledClock: simulated time that runs `speed` times faster than the wall clock, for the demo's --speed.

import type { Clock, TimerHandle } from '../../clock.js';

// Node cannot wait less than 1 ms; shorter waits are rounded up by the runtime anyway.
const MIN_REAL_DELAY_MS = 1;
const MAX_REAL_DELAY_MS = 2 ** 31 - 1;

/**
 * `now()` is the start instant plus the real time elapsed since construction multiplied by `speed`;
 * a timer of `d` simulated milliseconds is a real timer of `d / speed` ms. With speed 60 one real
 * minute is one simulated hour, so hourly growth rows appear every minute. `wallNow()` stays real
 * time, so the loop and trade timestamps Prometheus compares with its own are not hours ahead.
 * Timers are `unref()`'d like the system clock's, so they never keep the process alive on their own.
 */
export class ScaledClock implements Clock {
  private readonly realStart: number;
  private readonly simStart: number;
  private readonly wallStart = Date.now();

  constructor(
    readonly speed: number,
    simStart: number = Date.now(),
    private readonly realNow: () => number = () => performance.now(),
  ) {
    if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`speed must be a number > 0, got ${speed}`);
    this.simStart = simStart;
    this.realStart = realNow();
  }

  now(): number {
    // Whole milliseconds, like Date.now(): stored timestamps and hour arithmetic expect integers.
    return Math.floor(this.simStart + (this.realNow() - this.realStart) * this.speed);
  }

  /** Real time, read from the same real clock: Prometheus compares liveness timestamps with its own. */
  wallNow(): number {
    return Math.floor(this.wallStart + (this.realNow() - this.realStart));
  }

  setTimeout(callback: () => void, delayMillis: number): TimerHandle {
    const simDelay = Number.isNaN(delayMillis) || delayMillis < 0 ? 0 : delayMillis;
    const real = Math.min(MAX_REAL_DELAY_MS, Math.max(simDelay === 0 ? 0 : MIN_REAL_DELAY_MS, simDelay / this.speed));
    const timer = setTimeout(callback, real);
    timer.unref();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}
