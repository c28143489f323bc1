// GrowthTracker: closes one growth row per UTC hour from balance updates, trades and realized P&L.

import type { Clock, TimerHandle } from '../clock.js';
import { buildGrowth } from '../events/build.js';
import type { EventPublisher } from '../events/EventSink.js';
import { EventType, type GrowthEvent, type MonitorEvent } from '../events/types.js';
import type { MonitorStateView } from '../monitor/MonitorState.js';

export const HOUR_MS = 3_600_000;

/** Start of the UTC hour containing `t` (epoch ms). */
export function hourStartOf(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** An hour an earlier run left open, as read back from history. */
export type ResumedHour = Omit<OpenHour, 'currentBalance' | 'openingEquity' | 'currentEquity'> & {
  currentBalance?: number | null;
  openingEquity?: number | null;
};

/** The figures of the hour still open. */
export interface OpenHour {
  readonly hourStart: number;
  readonly openingBalance: number | null;
  readonly currentBalance: number | null;
  /** Equity (balance plus unrealized P&L) when the hour opened; null before the first balance. */
  readonly openingEquity: number | null;
  /** Equity now; null before the first balance. */
  readonly currentEquity: number | null;
  readonly tradeCount: number;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly volume: number;
}

/**
 * Derives from the event stream, at every UTC hour boundary, a {@link GrowthEvent}:
 * opening and closing balance, growth ratio, trades, realized P&L, fees and volume of that hour.
 * An hour without a balance update carries the last balance forward; no rows are written before
 * the first balance is known. Missed boundaries (a suspended process) are filled one row each; a
 * clock set back moves the open hour back to the hour it reads.
 */
export class GrowthTracker {
  private hourStart: number;
  private opening: number | null = null;
  private balance: number | null = null;
  private openingEquity: number | null = null;
  private trades = 0;
  private pnl = 0;
  private fees = 0;
  private volume = 0;
  private timer: TimerHandle | null = null;
  private publisher: EventPublisher | null = null;
  /** Rows closed before `start()` gave a publisher (an hour resumed from history). */
  private readonly unpublished: GrowthEvent[] = [];

  constructor(
    private readonly clock: Clock,
    /** Equity (balance plus unrealized P&L) is read from here at each hour boundary. */
    private readonly state: Pick<MonitorStateView, 'equity'> | null = null,
  ) {
    this.hourStart = hourStartOf(clock.now());
  }

  /** Closes the hours elapsed since construction and arms the hour timer; rows it closes by itself go to `publisher`. */
  start(publisher: EventPublisher): void {
    this.publisher = publisher;
    this.closeAndPublish();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Continues the hour an earlier run stopped in (figures read back from history). When that hour
   * is over, it is closed with those figures (its row published at once, or at `start()`); the hours
   * the monitor was down get no row, and the current hour opens with the closing balance.
   */
  resume(state: ResumedHour): void {
    const current = hourStartOf(this.clock.now());
    if (state.hourStart > current) {
      // The clock was set back since the earlier run: only its balance carries into this hour.
      this.opening ??= state.currentBalance ?? state.openingBalance;
      this.balance ??= state.currentBalance ?? state.openingBalance;
      return;
    }
    this.hourStart = state.hourStart;
    this.opening = state.openingBalance ?? this.opening;
    this.openingEquity = state.openingEquity ?? this.openingEquity;
    this.balance = state.currentBalance ?? this.balance ?? state.openingBalance;
    this.trades += state.tradeCount;
    this.pnl += state.realizedPnl;
    this.fees += state.fees;
    this.volume += state.volume;
    if (state.hourStart === current) return;
    this.closeHour(null, this.unpublished);
    this.hourStart = current;
    // The equity the earlier run saw at its stop is not in history.
    this.openingEquity = null;
    if (this.publisher !== null) this.closeAndPublish();
  }

  /**
   * Counts `event` into the open hour. An event stamped in a later hour closes the open one first:
   * the rows it closes are appended to `derived`, to be fanned out after `event` itself.
   */
  observe(event: MonitorEvent, derived: MonitorEvent[]): void {
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION:
        this.rollIfNeeded(event.timestamp, derived);
        this.trades++;
        this.fees += event.fee;
        this.volume += event.notionalValue;
        break;
      case EventType.PROFIT_LOSS:
        this.rollIfNeeded(event.timestamp, derived);
        this.pnl += event.realizedPnl;
        break;
      case EventType.SYSTEM_EVENT:
        if (event.kind === 'balance_updated' && event.data !== null) {
          this.rollIfNeeded(event.timestamp, derived);
          const balance = event.data.balance as number;
          this.balance = balance;
          if (this.opening === null) {
            this.opening = balance;
            this.openingEquity = this.equity();
          }
        }
        break;
      default:
        break;
    }
  }

  /** The hour in progress. */
  openHour(): OpenHour {
    return {
      hourStart: this.hourStart,
      openingBalance: this.opening,
      currentBalance: this.balance,
      openingEquity: this.openingEquity,
      currentEquity: this.balance === null ? null : this.equity(),
      tradeCount: this.trades,
      realizedPnl: this.pnl,
      fees: this.fees,
      volume: this.volume,
    };
  }

  // An event stamped in a later hour than the open one closes the open hour first (the timer may
  // not have fired yet when the event loop was busy); one stamped before it means the clock was set back.
  private rollIfNeeded(timestamp: number, derived: MonitorEvent[]): void {
    if (timestamp >= this.hourStart + HOUR_MS || timestamp < this.hourStart) this.closeElapsedHours(timestamp, derived);
  }

  private equity(): number | null {
    return this.state === null ? null : this.state.equity();
  }

  private closeAndPublish(): void {
    const rows = this.unpublished.splice(0);
    this.closeElapsedHours(this.clock.now(), rows);
    for (const row of rows) this.publisher?.publish(row);
  }

  private closeElapsedHours(now: number, out: MonitorEvent[]): void {
    const current = hourStartOf(now);
    if (current < this.hourStart) {
      // The clock was set back (a wall clock corrected): the open hour's figures go on in the hour
      // the clock reads now, so rows follow on from it instead of pausing until the old hour comes round.
      this.hourStart = current;
      return;
    }
    // Equity is read once: hours missed while the process was suspended close at today's value.
    const closingEquity = this.hourStart < current && this.balance !== null ? this.equity() : null;
    while (this.hourStart < current) this.closeHour(closingEquity, out);
  }

  /** Appends the open hour's row to `out` (none before a balance is known) and opens the next hour with its closing figures. */
  private closeHour(closingEquity: number | null, out: MonitorEvent[]): void {
    if (this.opening !== null && this.balance !== null) {
      out.push(
        buildGrowth({
          timestamp: this.hourStart + HOUR_MS,
          hourStart: this.hourStart,
          openingBalance: this.opening,
          closingBalance: this.balance,
          tradeCount: this.trades,
          realizedPnl: this.pnl,
          fees: this.fees,
          volume: this.volume,
          openingEquity: this.openingEquity,
          closingEquity,
        }),
      );
    }
    this.hourStart += HOUR_MS;
    this.opening = this.balance;
    this.openingEquity = closingEquity ?? this.openingEquity;
    this.trades = 0;
    this.pnl = 0;
    this.fees = 0;
    this.volume = 0;
  }

  private schedule(): void {
    const now = this.clock.now();
    const next = hourStartOf(now) + HOUR_MS;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.closeAndPublish();
      this.schedule();
    }, next - now);
  }
}
