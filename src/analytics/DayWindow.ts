// DayWindow: trade and error totals per minute over the last 24 hours, kept in memory, so the
// summary costs the same with ten trades a day or a million.

import type { EventSink } from '../events/EventSink.js';
import { EventType, type MonitorEvent } from '../events/types.js';
import type { MinuteTotals } from './AnalyticsQueries.js';

export const MINUTE_MS = 60_000;
/** A day of minutes plus the one in progress. */
const SLOTS = 24 * 60 + 1;

/** Sums over a run of minutes. */
export interface WindowTotals {
  tradeCount: number;
  volume: number;
  fees: number;
  realizedPnl: number;
  errorCount: number;
}

export const emptyTotals = (): WindowTotals => ({ tradeCount: 0, volume: 0, fees: 0, realizedPnl: 0, errorCount: 0 });

/**
 * One slot per UTC minute for the last 1,441 minutes, fed by every trade, realized P&L and error
 * as it is recorded, and seeded at start from the history of the day before. O(1) per event;
 * a sum reads at most 1,441 slots.
 */
export class DayWindow implements EventSink {
  readonly name = 'day-window';
  private readonly minute = new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY);
  private readonly trades = new Float64Array(SLOTS);
  private readonly volume = new Float64Array(SLOTS);
  private readonly fees = new Float64Array(SLOTS);
  private readonly pnl = new Float64Array(SLOTS);
  private readonly errors = new Float64Array(SLOTS);
  private first = Number.POSITIVE_INFINITY;

  /** Timestamp of the first event this window counted itself (history before it comes from the seed). */
  get firstRecorded(): number {
    return this.first;
  }

  record(event: MonitorEvent): void {
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION: {
        const i = this.slot(event.timestamp);
        if (i < 0) return;
        this.trades[i]!++;
        this.volume[i]! += event.notionalValue;
        this.fees[i]! += event.fee;
        break;
      }
      case EventType.PROFIT_LOSS: {
        const i = this.slot(event.timestamp);
        if (i < 0) return;
        this.pnl[i]! += event.realizedPnl;
        break;
      }
      case EventType.ERROR_EVENT: {
        const i = this.slot(event.timestamp);
        if (i < 0) return;
        this.errors[i]!++;
        break;
      }
      default:
        return;
    }
    if (event.timestamp < this.first) this.first = event.timestamp;
  }

  /** Adds per-minute totals read back from history (minutes too old for the window are ignored). */
  seed(rows: readonly MinuteTotals[]): void {
    for (const r of rows) {
      const i = this.slot(r.minuteStart);
      if (i < 0) continue;
      this.trades[i]! += r.tradeCount;
      this.volume[i]! += r.volume;
      this.fees[i]! += r.fees;
      this.pnl[i]! += r.realizedPnl;
      this.errors[i]! += r.errorCount;
    }
  }

  /** Totals of the minutes starting at `fromMinuteStart` up to and including the one containing `now`. */
  sum(fromMinuteStart: number, now: number): WindowTotals {
    const from = Math.floor(fromMinuteStart / MINUTE_MS);
    const to = Math.floor(now / MINUTE_MS);
    const t = emptyTotals();
    for (let i = 0; i < SLOTS; i++) {
      const m = this.minute[i]!;
      if (m < from || m > to) continue;
      t.tradeCount += this.trades[i]!;
      t.volume += this.volume[i]!;
      t.fees += this.fees[i]!;
      t.realizedPnl += this.pnl[i]!;
      t.errorCount += this.errors[i]!;
    }
    return t;
  }

  /** The slot of the minute containing `t`, cleared when it held an older minute; -1 when `t` is older than the slot's minute. */
  private slot(t: number): number {
    const m = Math.floor(t / MINUTE_MS);
    const i = ((m % SLOTS) + SLOTS) % SLOTS;
    const held = this.minute[i]!;
    if (held === m) return i;
    if (m < held) return -1;
    this.minute[i] = m;
    this.trades[i] = 0;
    this.volume[i] = 0;
    this.fees[i] = 0;
    this.pnl[i] = 0;
    this.errors[i] = 0;
    return i;
  }
}
