// RateCounter: events, trades and errors per minute over the last hour, O(1) per event.

import type { EventSink } from '../events/EventSink.js';
import { EventType, type MonitorEvent } from '../events/types.js';

const MINUTE_MS = 60_000;
const BUCKETS = 60;
const SECOND_MS = 1000;

/** Counts for a trailing window. */
export interface RateWindow {
  readonly events: number;
  readonly trades: number;
  readonly errors: number;
  readonly criticalErrors: number;
}

/**
 * One bucket per minute for the last 60 minutes. Unlike the bounded event ring, it counts every
 * event however high the rate, so events-per-minute and the hourly error rate stay exact.
 */
export class RateCounter implements EventSink {
  readonly name = 'rates';
  private readonly minute = new Float64Array(BUCKETS).fill(-1);
  private readonly events = new Float64Array(BUCKETS);
  private readonly trades = new Float64Array(BUCKETS);
  private readonly errors = new Float64Array(BUCKETS);
  private readonly critical = new Float64Array(BUCKETS);
  // Events per second of the last minute, so "events per minute" is the trailing 60 seconds.
  private readonly second = new Float64Array(BUCKETS).fill(-1);
  private readonly perSecond = new Float64Array(BUCKETS);

  record(event: MonitorEvent): void {
    const s = Math.floor(event.timestamp / SECOND_MS);
    const j = ((s % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.second[j] !== s) {
      if (s > this.second[j]!) {
        this.second[j] = s;
        this.perSecond[j] = 1;
      }
    } else this.perSecond[j]!++;
    const m = Math.floor(event.timestamp / MINUTE_MS);
    const i = ((m % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.minute[i] !== m) {
      if (m < this.minute[i]!) return; // older than the window this slot now holds
      this.minute[i] = m;
      this.events[i] = 0;
      this.trades[i] = 0;
      this.errors[i] = 0;
      this.critical[i] = 0;
    }
    this.events[i]!++;
    if (event.eventType === EventType.TRADE_EXECUTION) this.trades[i]!++;
    else if (event.eventType === EventType.ERROR_EVENT) {
      this.errors[i]!++;
      if (event.severity === 'critical') this.critical[i]!++;
    }
  }

  /** Totals of the last `minutes` whole minutes before `now`, plus the minute in progress. */
  window(now: number, minutes: number): RateWindow {
    const current = Math.floor(now / MINUTE_MS);
    const oldest = current - Math.min(BUCKETS - 1, Math.max(0, minutes));
    let events = 0;
    let trades = 0;
    let errors = 0;
    let criticalErrors = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const m = this.minute[i]!;
      if (m >= oldest && m <= current) {
        events += this.events[i]!;
        trades += this.trades[i]!;
        errors += this.errors[i]!;
        criticalErrors += this.critical[i]!;
      }
    }
    return { events, trades, errors, criticalErrors };
  }

  /** Events in the 60 seconds up to `now` (the second in progress included). */
  lastSixtySeconds(now: number): number {
    const current = Math.floor(now / SECOND_MS);
    let events = 0;
    for (let j = 0; j < BUCKETS; j++) {
      const s = this.second[j]!;
      if (s > current - BUCKETS && s <= current) events += this.perSecond[j]!;
    }
    return events;
  }
}
