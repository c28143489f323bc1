// The one source of time for the monitor: the system clock in production, a manual clock in tests.

/** A handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

/**
 * Where the monitor reads time and sets timers. Every hour boundary, retention window and flush
 * interval goes through it, so tests can move time with {@link ManualClock} instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
  /**
   * Real milliseconds since the Unix epoch, for a clock whose `now()` simulates time: the monitor dates
   * what Prometheus compares with its own time (last trade, last loop success) with it. Absent: `now()`.
   */
  wallNow?(): number;
  /** Calls `callback` once after `delayMillis`. System timers are `unref()`'d. */
  setTimeout(callback: () => void, delayMillis: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// Node fires a timer longer than this (about 24.8 days) after 1 ms instead, with a warning.
const MAX_TIMER_MILLIS = 2 ** 31 - 1;

/** A delay Node honours: NaN and negatives become 0, anything too long waits the longest Node can. */
function timerDelay(delayMillis: number): number {
  return Number.isNaN(delayMillis) || delayMillis < 0 ? 0 : Math.min(delayMillis, MAX_TIMER_MILLIS);
}

/** The real clock: `Date.now()` and unref'd Node timers that never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMillis) {
    const timer = setTimeout(callback, timerDelay(delayMillis));
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer that falls due, in order,
 * with `now()` equal to each timer's due time while it runs.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
    if (!Number.isFinite(this.current)) throw new RangeError(`ManualClock needs a valid start instant, got ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMillis: number): TimerHandle {
    // Same delay rules as the system clock, so a test never waits on a timer production fires early.
    const timer = { id: this.nextId++, at: this.current + timerDelay(delayMillis), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `millis`, firing due timers (including ones they set) in time order. */
  advance(millis: number): void {
    // Time never goes backwards: a negative or NaN step would put timestamps out of order.
    if (!Number.isFinite(millis) || millis < 0) throw new RangeError(`ManualClock.advance needs a finite number >= 0, got ${millis}`);
    const target = this.current + millis;
    for (;;) {
      let due: PendingTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (due === undefined || t.at < due.at || (t.at === due.at && t.id < due.id))) due = t;
      }
      if (due === undefined) break;
      const fired = due;
      this.timers = this.timers.filter((t) => t !== fired);
      this.current = Math.max(this.current, fired.at);
      fired.callback();
    }
    this.current = target;
  }

  /** Moves time to an absolute instant (never backwards), firing due timers. */
  advanceTo(instant: number | Date): void {
    const at = typeof instant === 'number' ? instant : instant.getTime();
    if (at > this.current) this.advance(at - this.current);
  }
}
