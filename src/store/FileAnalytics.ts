// FileAnalytics: the dashboards' aggregate queries over the file backend: whole hours from the day summaries, the rest from the lines of the range.

import {
  AGGREGATE_KEYS,
  type AnalyticsQueries,
  type RecentTrade,
  type SymbolTradeAggregate,
  sumAggregates,
  type TimeRange,
  type TradeAggregate,
} from '../analytics/AnalyticsQueries.js';
import type { ErrorEvent, GrowthEvent, LoopExecutionEvent, TradeEvent } from '../events/types.js';
import type { FileReader } from './FileReader.js';
import { forEachLine, tradeTimes } from './fileScan.js';
import { MemoryAnalytics } from './MemoryAnalytics.js';
import { bySymbolBytes, nearestRank, wholeHours } from './SqliteAnalytics.js';

type MutableAggregate = { symbol: string } & { -readonly [K in (typeof AGGREGATE_KEYS)[number]]: number };

/** The memory backend's arithmetic over the given rows (SQLite's semantics), for the parts read from lines. */
function over(
  trades: readonly RecentTrade[],
  loops: readonly LoopExecutionEvent[] = [],
  errors: readonly ErrorEvent[] = [],
  growth: readonly GrowthEvent[] = [],
): MemoryAnalytics {
  const realized = new Map<TradeEvent, number | null>(trades.map((t) => [t.trade, t.realizedPnl]));
  const list = trades.map((t) => t.trade);
  return new MemoryAnalytics({
    trades: () => list,
    loops: () => loops,
    errors: () => errors,
    growth: () => growth,
    realizedPnlOf: (t) => realized.get(t) ?? null,
  });
}

/**
 * SQLite's answers, read from files: the trade figures of whole hours from the summaries' hour
 * sums (SQLite's `trade_hours`), the partial hours at a range's edges and everything else from the
 * lines of the range's days (for trades, only the bytes of the range's hours).
 */
export class FileAnalytics implements AnalyticsQueries {
  constructor(private readonly reader: FileReader) {}

  tradeAggregate(range: TimeRange): TradeAggregate {
    if (wholeHours(range) === null) return over(this.reader.trades(range, true)).tradeAggregate(range);
    return sumAggregates(this.tradeAggregateBySymbol(range));
  }

  tradeAggregateBySymbol(range: TimeRange): SymbolTradeAggregate[] {
    const hours = wholeHours(range);
    if (hours === null) return over(this.reader.trades(range, true)).tradeAggregateBySymbol(range);
    const bySymbol = new Map<string, MutableAggregate>();
    const add = (symbol: string, figures: ArrayLike<number>) => {
      let a = bySymbol.get(symbol);
      if (a === undefined) {
        a = { symbol, ...Object.fromEntries(AGGREGATE_KEYS.map((k) => [k, 0])) } as MutableAggregate;
        bySymbol.set(symbol, a);
      }
      for (let i = 0; i < AGGREGATE_KEYS.length; i++) a[AGGREGATE_KEYS[i]!] += figures[i]!;
    };
    for (const [, s] of this.reader.daysOf('trades', hours.since, hours.until)) {
      s.hours.each((_bot, hourStart, symbol, f) => {
        if (hourStart >= hours.since && hourStart < hours.until && f[0]! !== 0) add(symbol, f);
      });
    }
    const edges = [
      { since: range.since, until: hours.since },
      { since: hours.until, until: range.until },
    ].filter((e) => e.until > e.since);
    for (const edge of edges) {
      for (const a of over(this.reader.trades(edge, true)).tradeAggregateBySymbol(edge))
        add(
          a.symbol,
          AGGREGATE_KEYS.map((k) => a[k]),
        );
    }
    return [...bySymbol.values()].sort(bySymbolBytes);
  }

  /** From each day's `.times` file (two numbers a trade), or its lines where that file is missing or behind. */
  executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): (number | null)[] {
    const parts: Float64Array[] = [];
    let count = 0;
    const keep = (part: Float64Array) => {
      parts.push(part);
      count += part.length;
    };
    for (const [day, s] of this.reader.daysOf('trades', range.since, range.until)) {
      const times = this.reader.times(day, s.counts.trades);
      if (times !== null) {
        keep(timesIn(times, range, s.ordered.trades));
        continue;
      }
      const values: number[] = [];
      const [from, to] = s.tradeBytes(range.since, range.until);
      forEachLine(this.reader.path('trades', day), from, to, (line) => {
        const t = tradeTimes(line);
        if (t !== null && t[0] >= range.since && t[0] < range.until) values.push(t[1]);
      });
      keep(Float64Array.from(values));
    }
    const all = new Float64Array(count);
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.length;
    }
    // -0 is stored as 0 by the other backends.
    for (let i = 0; i < all.length; i++) all[i]! += 0;
    return percentiles.map((p) => (all.length === 0 ? null : selectKth(all, nearestRank(p, all.length) - 1)));
  }

  recentTrades(limit: number): RecentTrade[] {
    return this.reader.recentTrades(limit);
  }

  growthRows(range: TimeRange): GrowthEvent[] {
    return over([], [], [], this.reader.growth()).growthRows(range);
  }

  loopAggregates(range: TimeRange) {
    return over([], this.loops(range)).loopAggregates(range);
  }

  loopDurationPercentile(range: TimeRange, loopName: string, percentile: number): number | null {
    return over([], this.loops(range)).loopDurationPercentile(range, loopName, percentile);
  }

  errorCounts(range: TimeRange) {
    return over([], [], this.errors(range)).errorCounts(range);
  }

  minuteTotals(range: TimeRange) {
    return over(this.reader.trades(range), [], this.errors(range)).minuteTotals(range);
  }

  private loops(range: TimeRange): LoopExecutionEvent[] {
    return this.reader.rows('loop_executions', range) as LoopExecutionEvent[];
  }

  private errors(range: TimeRange): ErrorEvent[] {
    return this.reader.rows('errors', range) as ErrorEvent[];
  }
}

/** The execution times of a day's `(timestamp, ms)` pairs stamped in `range`; pairs in time order are cut by binary search. */
function timesIn(times: Float64Array, range: TimeRange, ordered: boolean): Float64Array {
  const n = times.length >> 1;
  if (ordered) {
    const first = lowerBound(times, n, range.since);
    const last = lowerBound(times, n, range.until);
    const out = new Float64Array(Math.max(0, last - first));
    for (let i = first; i < last; i++) out[i - first] = times[2 * i + 1]!;
    return out;
  }
  const out: number[] = [];
  for (let i = 0; i < times.length; i += 2) if (times[i]! >= range.since && times[i]! < range.until) out.push(times[i + 1]!);
  return Float64Array.from(out);
}

/** The first pair whose timestamp is at least `t`. */
function lowerBound(times: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[2 * mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value at index `k` of `a` sorted ascending (Hoare's selection: `a` is reordered, not sorted). */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
