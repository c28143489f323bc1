// SqliteAnalytics: the dashboards' aggregate queries (AnalyticsQueries) answered with indexed SQL.

import type Database from 'better-sqlite3';
import {
  AGGREGATE_KEYS,
  type AnalyticsQueries,
  type ErrorCount,
  type LoopAggregate,
  type MinuteTotals,
  type RecentTrade,
  type SymbolTradeAggregate,
  sumAggregates,
  type TimeRange,
  type TradeAggregate,
} from '../analytics/AnalyticsQueries.js';
import { HOUR_MS } from '../analytics/GrowthTracker.js';
import type { GrowthEvent } from '../events/types.js';
import { TRADE_FIGURES, TRADE_HOUR_FIGURES } from './schema.js';

// One expression list for the total, the per-symbol aggregate and trade_hours, so they cannot disagree.
const TRADE_SUMS = AGGREGATE_KEYS.map((key, i) => `${TRADE_FIGURES[i]![1]} AS ${key}`).join(', ');

type MutableAggregate = { symbol: string } & { -readonly [K in (typeof AGGREGATE_KEYS)[number]]: number };

/** SQLite's BINARY collation (UTF-8 bytes), which `ORDER BY symbol` sorts by. */
function bySymbolBytes(a: { symbol: string }, b: { symbol: string }): number {
  return Buffer.compare(Buffer.from(a.symbol), Buffer.from(b.symbol));
}

/** The whole UTC hours inside `range`, or null when it holds none. */
export function wholeHours(range: TimeRange): TimeRange | null {
  const since = Math.ceil(range.since / HOUR_MS) * HOUR_MS;
  const until = Math.floor(range.until / HOUR_MS) * HOUR_MS;
  return until > since ? { since, until } : null;
}

/** Nearest-rank position (1-based) of percentile `p` among `n` values. */
export function nearestRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
}

/** Rows of this bot, and rows written before rows carried a bot (an empty `bot`). */
export const OWN_ROWS = "bot IN (?, '')";

/**
 * Reads aggregates straight from the tables (never every row into memory). Time ranges are
 * half-open `[since, until)` on `timestamp`, except growth rows, which are selected by `hour_start`.
 * Only this bot's rows count: several bots may share one database file.
 */
export class SqliteAnalytics implements AnalyticsQueries {
  private readonly tradeTotal: Database.Statement;
  private readonly tradeBySymbol: Database.Statement;
  private readonly hoursBySymbol: Database.Statement;
  private readonly executionTimes: Database.Statement;
  private readonly loops: Database.Statement;
  private readonly loopCount: Database.Statement;
  private readonly loopDurationAt: Database.Statement;
  private readonly errors: Database.Statement;
  private readonly tradeMinutes: Database.Statement;
  private readonly errorMinutes: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly bot: string,
    private readonly readTrades: (limit: number) => RecentTrade[],
    private readonly readGrowth: (since: number, until: number) => GrowthEvent[],
  ) {
    const range = `${OWN_ROWS} AND timestamp >= ? AND timestamp < ?`;
    this.tradeTotal = db.prepare(`SELECT ${TRADE_SUMS} FROM trades WHERE ${range}`);
    this.tradeBySymbol = db.prepare(`SELECT symbol, ${TRADE_SUMS} FROM trades WHERE ${range} GROUP BY symbol ORDER BY symbol`);
    this.hoursBySymbol = db.prepare(
      `SELECT symbol, ${AGGREGATE_KEYS.map((f, i) => `sum(${TRADE_HOUR_FIGURES[i]}) AS ${f}`).join(', ')}
       FROM trade_hours WHERE ${OWN_ROWS} AND hour_start >= ? AND hour_start < ? GROUP BY symbol`,
    );
    // Every value once, sorted in JavaScript: one pass for all percentiles instead of a sort per percentile.
    this.executionTimes = db.prepare(`SELECT execution_time_ms FROM trades WHERE ${range}`).pluck();
    this.loops = db.prepare(
      `SELECT loop_name AS loopName, count(*) AS runs, coalesce(sum(success), 0) AS successes,
        coalesce(sum(duration_ms), 0) AS durationMsSum, coalesce(max(duration_ms), 0) AS maxDurationMs,
        max(CASE WHEN success = 1 THEN timestamp END) AS lastSuccessAt
       FROM loop_executions WHERE ${range} GROUP BY loop_name ORDER BY loop_name`,
    );
    this.loopCount = db.prepare(`SELECT count(*) AS n FROM loop_executions WHERE loop_name = ? AND ${range}`);
    this.loopDurationAt = db.prepare(
      `SELECT duration_ms AS v FROM loop_executions WHERE loop_name = ? AND ${range} ORDER BY duration_ms LIMIT 1 OFFSET ?`,
    );
    this.errors = db.prepare(
      `SELECT error_type AS errorType, severity, CAST(timestamp / 3600000 AS INTEGER) * 3600000 AS hourStart, count(*) AS count
       FROM errors WHERE ${range} GROUP BY error_type, severity, hourStart ORDER BY hourStart, error_type, severity`,
    );
    this.tradeMinutes = db.prepare(
      `SELECT CAST(timestamp / 60000 AS INTEGER) * 60000 AS minuteStart, count(*) AS tradeCount,
        coalesce(sum(notional_value), 0) AS volume, coalesce(sum(fee), 0) AS fees, coalesce(sum(realized_pnl), 0) AS realizedPnl
       FROM trades WHERE ${range} GROUP BY minuteStart`,
    );
    this.errorMinutes = db.prepare(
      `SELECT CAST(timestamp / 60000 AS INTEGER) * 60000 AS minuteStart, count(*) AS errorCount FROM errors WHERE ${range} GROUP BY minuteStart`,
    );
  }

  minuteTotals(range: TimeRange): MinuteTotals[] {
    const byMinute = new Map<number, { -readonly [K in keyof MinuteTotals]: number }>();
    const slot = (minuteStart: number) => {
      let m = byMinute.get(minuteStart);
      if (m === undefined) {
        m = { minuteStart, tradeCount: 0, volume: 0, fees: 0, realizedPnl: 0, errorCount: 0 };
        byMinute.set(minuteStart, m);
      }
      return m;
    };
    for (const r of this.tradeMinutes.all(...this.params(range)) as MinuteTotals[])
      Object.assign(slot(r.minuteStart), r, { errorCount: 0 });
    for (const r of this.errorMinutes.all(...this.params(range)) as { minuteStart: number; errorCount: number }[]) {
      slot(r.minuteStart).errorCount = r.errorCount;
    }
    return [...byMinute.values()].sort((a, b) => a.minuteStart - b.minuteStart);
  }

  private params(range: TimeRange): [string, number, number] {
    return [this.bot, range.since, range.until];
  }

  tradeAggregate(range: TimeRange): TradeAggregate {
    if (wholeHours(range) === null) return { ...(this.tradeTotal.get(...this.params(range)) as TradeAggregate) };
    return sumAggregates(this.tradeAggregateBySymbol(range));
  }

  /**
   * Whole UTC hours of the range from `trade_hours`, the partial hours at its edges from `trades`,
   * added up per symbol: the same figures as one `GROUP BY symbol` over the range's rows.
   */
  tradeAggregateBySymbol(range: TimeRange): SymbolTradeAggregate[] {
    const hours = wholeHours(range);
    if (hours === null) return this.tradeBySymbol.all(...this.params(range)) as SymbolTradeAggregate[];
    const parts = this.hoursBySymbol.all(this.bot, hours.since, hours.until) as MutableAggregate[];
    if (range.since < hours.since) parts.push(...(this.tradeBySymbol.all(this.bot, range.since, hours.since) as MutableAggregate[]));
    if (hours.until < range.until) parts.push(...(this.tradeBySymbol.all(this.bot, hours.until, range.until) as MutableAggregate[]));
    const bySymbol = new Map<string, MutableAggregate>();
    for (const p of parts) {
      const s = bySymbol.get(p.symbol);
      if (s === undefined) bySymbol.set(p.symbol, p);
      else for (const f of AGGREGATE_KEYS) s[f] += p[f];
    }
    return [...bySymbol.values()].sort(bySymbolBytes);
  }

  executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): (number | null)[] {
    const values = Float64Array.from(this.executionTimes.all(...this.params(range)) as number[]).sort();
    return percentiles.map((p) => (values.length === 0 ? null : values[nearestRank(p, values.length) - 1]!));
  }

  recentTrades(limit: number): RecentTrade[] {
    return this.readTrades(limit);
  }

  growthRows(range: TimeRange): GrowthEvent[] {
    return this.readGrowth(range.since, range.until);
  }

  loopAggregates(range: TimeRange): LoopAggregate[] {
    return this.loops.all(...this.params(range)) as LoopAggregate[];
  }

  loopDurationPercentile(range: TimeRange, loopName: string, percentile: number): number | null {
    const n = (this.loopCount.get(loopName, ...this.params(range)) as { n: number }).n;
    if (n === 0) return null;
    return (this.loopDurationAt.get(loopName, ...this.params(range), nearestRank(percentile, n) - 1) as { v: number }).v;
  }

  errorCounts(range: TimeRange): ErrorCount[] {
    return this.errors.all(...this.params(range)) as ErrorCount[];
  }
}
