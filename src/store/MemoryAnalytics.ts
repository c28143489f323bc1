// MemoryAnalytics: the dashboards' aggregate queries over the memory backend, with the SQL version's semantics.

import type {
  AnalyticsQueries,
  ErrorCount,
  LoopAggregate,
  MinuteTotals,
  RecentTrade,
  SymbolTradeAggregate,
  TimeRange,
  TradeAggregate,
} from '../analytics/AnalyticsQueries.js';
import { HOUR_MS } from '../analytics/GrowthTracker.js';
import type { ErrorEvent, GrowthEvent, LoopExecutionEvent, TradeEvent } from '../events/types.js';
import { nearestRank } from './SqliteAnalytics.js';

/** What the memory backend lends to its analytics: live views of its tables. */
export interface MemoryTables {
  trades(): readonly TradeEvent[];
  loops(): readonly LoopExecutionEvent[];
  errors(): readonly ErrorEvent[];
  growth(): readonly GrowthEvent[];
  realizedPnlOf(trade: TradeEvent): number | null;
}

const inRange = (r: TimeRange, t: number) => t >= r.since && t < r.until;

function emptyAggregate(): { -readonly [K in keyof TradeAggregate]: number } {
  return {
    tradeCount: 0,
    buyCount: 0,
    sellCount: 0,
    volume: 0,
    fees: 0,
    realizedPnl: 0,
    closedTrades: 0,
    wins: 0,
    losses: 0,
    grossProfit: 0,
    grossLoss: 0,
    executionTimeMsSum: 0,
    slippageBpsSum: 0,
  };
}

/** Same answers as {@link SqliteAnalytics}, computed over arrays: trade ranges by binary search while rows are in time order, by a scan otherwise. */
export class MemoryAnalytics implements AnalyticsQueries {
  /** How far the trades are known to be in time order: rows are appended at the end and deleted from the front. */
  private order = { rows: null as readonly TradeEvent[] | null, first: undefined as TradeEvent | undefined, checked: 0, ok: true };

  constructor(private readonly tables: MemoryTables) {}

  /** Whether the trades' timestamps never go down, checking only rows appended since the last call. */
  private tradesOrdered(all: readonly TradeEvent[]): boolean {
    const o = this.order;
    const known = o.rows === all && o.first === all[0] && all.length >= o.checked;
    if (!known) o.ok = true;
    if (o.ok) o.ok = isTimeOrdered(all, known ? Math.max(1, o.checked) : 1);
    o.rows = all;
    o.first = all[0];
    o.checked = all.length;
    return o.ok;
  }

  /** The trades of `range` in stored order: two binary searches when rows are in time order (the usual case), else a scan. */
  private tradesIn(range: TimeRange): readonly TradeEvent[] {
    const all = this.tables.trades();
    if (!this.tradesOrdered(all)) return all.filter((t) => inRange(range, t.timestamp));
    return all.slice(firstAtOrAfter(all, range.since), firstAtOrAfter(all, range.until));
  }

  private add(a: ReturnType<typeof emptyAggregate>, t: TradeEvent): void {
    a.tradeCount++;
    if (t.side === 'buy') a.buyCount++;
    else a.sellCount++;
    a.volume += t.notionalValue;
    a.fees += t.fee;
    a.executionTimeMsSum += t.executionTimeMs;
    a.slippageBpsSum += t.slippageBps;
    const pnl = this.tables.realizedPnlOf(t);
    if (pnl === null) return;
    a.closedTrades++;
    a.realizedPnl += pnl;
    if (pnl > 0) {
      a.wins++;
      a.grossProfit += pnl;
    } else if (pnl < 0) {
      a.losses++;
      a.grossLoss -= pnl;
    }
  }

  tradeAggregate(range: TimeRange): TradeAggregate {
    const a = emptyAggregate();
    for (const t of this.tradesIn(range)) this.add(a, t);
    return a;
  }

  tradeAggregateBySymbol(range: TimeRange): SymbolTradeAggregate[] {
    const by = new Map<string, ReturnType<typeof emptyAggregate>>();
    for (const t of this.tradesIn(range)) {
      let a = by.get(t.symbol);
      if (a === undefined) {
        a = emptyAggregate();
        by.set(t.symbol, a);
      }
      this.add(a, t);
    }
    return [...by.keys()].sort().map((symbol) => ({ symbol, ...by.get(symbol)! }));
  }

  executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): (number | null)[] {
    const values = this.tradesIn(range)
      .map((t) => t.executionTimeMs)
      .sort((x, y) => x - y);
    return percentiles.map((p) => (values.length === 0 ? null : values[nearestRank(p, values.length) - 1]!));
  }

  recentTrades(limit: number): RecentTrade[] {
    const trades = this.tables.trades();
    // Rows in time order (the usual case): the newest are the last ones, ties newest-written first.
    if (this.tradesOrdered(trades)) {
      return trades
        .slice(Math.max(0, trades.length - limit))
        .reverse()
        .map((t) => ({ trade: t, realizedPnl: this.tables.realizedPnlOf(t) }));
    }
    return trades
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t.timestamp - a.t.timestamp || b.i - a.i)
      .slice(0, limit)
      .map((x) => ({ trade: x.t, realizedPnl: this.tables.realizedPnlOf(x.t) }));
  }

  growthRows(range: TimeRange): GrowthEvent[] {
    return this.tables
      .growth()
      .map((g, i) => ({ g, i }))
      .filter((x) => inRange(range, x.g.hourStart))
      .sort((a, b) => a.g.hourStart - b.g.hourStart || a.i - b.i)
      .map((x) => x.g);
  }

  loopAggregates(range: TimeRange): LoopAggregate[] {
    const by = new Map<string, { -readonly [K in keyof LoopAggregate]: LoopAggregate[K] }>();
    for (const l of this.tables.loops()) {
      if (!inRange(range, l.timestamp)) continue;
      let a = by.get(l.loopName);
      if (a === undefined) {
        a = { loopName: l.loopName, runs: 0, successes: 0, durationMsSum: 0, maxDurationMs: 0, lastSuccessAt: null };
        by.set(l.loopName, a);
      }
      a.runs++;
      a.durationMsSum += l.durationMs;
      a.maxDurationMs = Math.max(a.maxDurationMs, l.durationMs);
      if (l.success) {
        a.successes++;
        a.lastSuccessAt = a.lastSuccessAt === null ? l.timestamp : Math.max(a.lastSuccessAt, l.timestamp);
      }
    }
    return [...by.keys()].sort().map((k) => by.get(k)!);
  }

  loopDurationPercentile(range: TimeRange, loopName: string, percentile: number): number | null {
    const values = this.tables
      .loops()
      .filter((l) => l.loopName === loopName && inRange(range, l.timestamp))
      .map((l) => l.durationMs)
      .sort((x, y) => x - y);
    return values.length === 0 ? null : values[nearestRank(percentile, values.length) - 1]!;
  }

  errorCounts(range: TimeRange): ErrorCount[] {
    const by = new Map<string, { errorType: string; severity: string; hourStart: number; count: number }>();
    for (const e of this.tables.errors()) {
      if (!inRange(range, e.timestamp)) continue;
      // Truncated as SQLite's CAST does (the same as hourStartOf for every timestamp after 1970).
      const hourStart = Math.trunc(e.timestamp / HOUR_MS) * HOUR_MS;
      const key = `${hourStart}\u0000${e.errorType}\u0000${e.severity}`;
      const c = by.get(key);
      if (c) c.count++;
      else by.set(key, { errorType: e.errorType, severity: e.severity, hourStart, count: 1 });
    }
    return [...by.values()].sort((a, b) => a.hourStart - b.hourStart || cmp(a.errorType, b.errorType) || cmp(a.severity, b.severity));
  }

  minuteTotals(range: TimeRange): MinuteTotals[] {
    const by = new Map<number, { -readonly [K in keyof MinuteTotals]: number }>();
    const slot = (t: number) => {
      const minuteStart = Math.trunc(t / 60_000) * 60_000;
      let m = by.get(minuteStart);
      if (m === undefined) {
        m = { minuteStart, tradeCount: 0, volume: 0, fees: 0, realizedPnl: 0, errorCount: 0 };
        by.set(minuteStart, m);
      }
      return m;
    };
    for (const t of this.tradesIn(range)) {
      const m = slot(t.timestamp);
      m.tradeCount++;
      m.volume += t.notionalValue;
      m.fees += t.fee;
      m.realizedPnl += this.tables.realizedPnlOf(t) ?? 0;
    }
    for (const e of this.tables.errors()) if (inRange(range, e.timestamp)) slot(e.timestamp).errorCount++;
    return [...by.values()].sort((a, b) => a.minuteStart - b.minuteStart);
  }
}

// Byte order, as SQLite's default BINARY collation sorts.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether timestamps never go down (a clock set back breaks it; then the queries scan). */
function isTimeOrdered(rows: readonly { timestamp: number }[], from: number): boolean {
  for (let i = from; i < rows.length; i++) if (rows[i]!.timestamp < rows[i - 1]!.timestamp) return false;
  return true;
}

/** Index of the first row stamped at or after `t` in time-ordered rows. */
function firstAtOrAfter(rows: readonly { timestamp: number }[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
