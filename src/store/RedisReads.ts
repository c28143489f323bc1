// RedisReads: the read side of a bot's redis history (queries, analytics, positions, counts), over a connection its owner keeps.

import type { AnalyticsQueries, TimeRange } from '../analytics/AnalyticsQueries.js';
import { AGGREGATE_KEYS, sumAggregates } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthMetric, MonitorEvent, TradeMetric } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { TableCounts } from './HistoryReader.js';
import { MemoryAnalytics } from './MemoryAnalytics.js';
import { KIND_TABLE } from './MemoryBackend.js';
import { EVENT_TYPE_OF, matches, type NormalizedQuery, newestGrowthBefore, type StoredEventByKind, type StoredKind } from './queries.js';
import { type RedisKeys, redisKeys } from './redisLayout.js';
import { decodeMember, EXECUTION_FIELD, flatPairs, kbnAdd, rankedPercentiles } from './redisRows.js';
import { bySymbolBytes, wholeHours } from './SqliteAnalytics.js';
import { TABLES, type TableName } from './schema.js';

/** One bot's reads: each a few commands through `cmd`, which the owner's connection answers. */
export class RedisReads {
  /** P&L of decoded trades as stored (a ledger's fill included), for the analytics. */
  private readonly realized = new WeakMap<TradeMetric, number>();

  constructor(
    private readonly cmd: (args: string[]) => Promise<unknown>,
    private readonly keys: RedisKeys,
    /** First part of every key, to find the other bots' keys. */
    private readonly prefix: string,
  ) {}

  /** Decoded rows of `table` stamped in `[since, until)`, oldest first. */
  private async rowsIn(table: TableName, range: TimeRange | null): Promise<MonitorEvent[]> {
    const min = range === null ? '-inf' : String(range.since);
    const max = range === null ? '+inf' : `(${range.until}`;
    const members = (await this.cmd(['ZRANGE', this.keys.table(table), min, max, 'BYSCORE'])) as string[];
    return members.map((m) => this.decode(table, m));
  }

  /** A stored member as its event (a trade's stored P&L noted for {@link realizedPnl}). */
  decode(table: TableName, member: string): MonitorEvent {
    return decodeMember(table, member, this.realized);
  }

  /** The P&L a decoded trade was stored with. */
  readonly realizedPnl = (t: TradeMetric): number | null => this.realized.get(t) ?? null;

  async query<K extends StoredKind>(kind: K, q: NormalizedQuery): Promise<StoredEventByKind[K][]> {
    const table = KIND_TABLE[kind];
    const type = EVENT_TYPE_OF[kind];
    const max = q.until === null ? '+inf' : `(${q.until}`;
    const min = q.since === null ? '-inf' : String(q.since);
    const out: StoredEventByKind[K][] = [];
    // Newest first, a page at a time, until `limit` rows match the filters.
    const page = Math.min(Math.max(q.limit * 2, 500), 50_000);
    for (let offset = 0; out.length < q.limit; offset += page) {
      const members = (await this.cmd([
        'ZRANGE',
        this.keys.table(table),
        max,
        min,
        'BYSCORE',
        'REV',
        'LIMIT',
        String(offset),
        String(page),
      ])) as string[];
      for (const m of members) {
        const e = this.decode(table, m);
        if (e.eventType === type && matches(q, e)) out.push(e as StoredEventByKind[K]);
        if (out.length >= q.limit) break;
      }
      if (members.length < page) break;
    }
    return out;
  }

  /** Answers one of the {@link AnalyticsQueries}, reading only the rows (or hour sums) of its range. */
  async analytics(method: keyof AnalyticsQueries, args: unknown[]): Promise<unknown> {
    const range = args[0] as TimeRange;
    switch (method) {
      case 'tradeAggregate':
        if (wholeHours(range) !== null) return sumAggregates(await this.tradeAggregateBySymbol(range));
        return (await this.over({ trades: range })).tradeAggregate(range);
      case 'tradeAggregateBySymbol':
        return this.tradeAggregateBySymbol(range);
      case 'executionTimePercentiles':
        return this.executionTimePercentiles(range, args[1] as number[]);
      case 'recentTrades': {
        const limit = args[0] as number;
        const members = (await this.cmd([
          'ZRANGE',
          this.keys.table('trades'),
          '+inf',
          '-inf',
          'BYSCORE',
          'REV',
          'LIMIT',
          '0',
          String(limit),
        ])) as string[];
        const trades = members.map((m) => this.decode('trades', m) as TradeMetric).reverse();
        return this.analyticsOf({ trades }).recentTrades(limit);
      }
      case 'growthRows':
        return (await this.over({ growth: null })).growthRows(range);
      case 'loopAggregates':
        return (await this.over({ loops: range })).loopAggregates(range);
      case 'loopDurationPercentile':
        return (await this.over({ loops: range })).loopDurationPercentile(range, args[1] as string, args[2] as number);
      case 'errorCounts':
        return (await this.over({ errors: range })).errorCounts(range);
      case 'minuteTotals':
        return (await this.over({ trades: range, errors: range })).minuteTotals(range);
      default:
        throw new Error(`unknown analytics query ${String(method)}`);
    }
  }

  /**
   * Whole UTC hours from the hour sums, the partial hours at the edges from the rows, per symbol:
   * the same figures as adding up the range's rows.
   */
  private async tradeAggregateBySymbol(range: TimeRange) {
    const hours = wholeHours(range);
    if (hours === null) return (await this.over({ trades: range })).tradeAggregateBySymbol(range);
    const bySymbol = new Map<string, { sum: number; err: number }[]>();
    const acc = (symbol: string) => {
      let a = bySymbol.get(symbol);
      if (a === undefined) {
        a = AGGREGATE_KEYS.map(() => ({ sum: 0, err: 0 }));
        bySymbol.set(symbol, a);
      }
      return a;
    };
    const fields = (await this.cmd(['ZRANGE', this.keys.hourIndex, String(hours.since), `(${hours.until}`, 'BYSCORE'])) as string[];
    const values = fields.length === 0 ? [] : ((await this.cmd(['HMGET', this.keys.hours, ...fields])) as (string | null)[]);
    const rows: { hour: number; symbol: string; f: number[] }[] = [];
    fields.forEach((field, i) => {
      const value = values[i];
      if (value === null || value === undefined) return;
      const bar = field.indexOf('|');
      rows.push({ hour: Number(field.slice(0, bar)), symbol: field.slice(bar + 1), f: value.split(',').map(Number) });
    });
    rows.sort((a, b) => a.hour - b.hour);
    for (const r of rows) {
      const a = acc(r.symbol);
      for (let i = 0; i < r.f.length; i++) kbnAdd(a[i]!, r.f[i]!);
    }
    type Agg = { symbol: string } & Record<(typeof AGGREGATE_KEYS)[number], number>;
    const parts: Agg[] = [...bySymbol].map(
      ([symbol, a]) =>
        Object.assign({ symbol }, Object.fromEntries(AGGREGATE_KEYS.map((k, i) => [k, a[i]!.sum + a[i]!.err]))) as unknown as Agg,
    );
    for (const edge of [
      { since: range.since, until: hours.since },
      { since: hours.until, until: range.until },
    ]) {
      if (edge.until <= edge.since) continue;
      parts.push(...((await this.over({ trades: edge })).tradeAggregateBySymbol(edge) as Agg[]));
    }
    const merged = new Map<string, Agg>();
    for (const p of parts) {
      const s = merged.get(p.symbol);
      if (s === undefined) merged.set(p.symbol, { ...p });
      else for (const k of AGGREGATE_KEYS) s[k] += p[k];
    }
    return [...merged.values()].sort(bySymbolBytes);
  }

  /**
   * Nearest-rank percentiles of the range's execution times: whole UTC hours from their time
   * counts, the partial hours at the edges from the records' text (no whole record parsed).
   */
  private async executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): Promise<(number | null)[]> {
    const counts = new Map<string, number>();
    const add = (text: string, n: number) => counts.set(text, (counts.get(text) ?? 0) + n);
    const hours = wholeHours(range);
    const edges =
      hours === null
        ? [range]
        : [
            { since: range.since, until: hours.since },
            { since: hours.until, until: range.until },
          ];
    const reads: Promise<void>[] = edges
      .filter((e) => e.until > e.since)
      .map(async (edge) => {
        const members = (await this.cmd([
          'ZRANGE',
          this.keys.table('trades'),
          String(edge.since),
          `(${edge.until}`,
          'BYSCORE',
        ])) as string[];
        for (const m of members) {
          // The record's own field comes before any nested data, so the first match is it.
          const at = m.indexOf(EXECUTION_FIELD) + EXECUTION_FIELD.length;
          add(String(Number(m.slice(at, m.indexOf(',', at)))), 1);
        }
      });
    if (hours !== null) {
      const fields = (await this.cmd(['ZRANGE', this.keys.hourIndex, String(hours.since), `(${hours.until}`, 'BYSCORE'])) as string[];
      const starts = new Set(fields.map((f) => Number(f.slice(0, f.indexOf('|')))));
      for (const hour of starts) {
        reads.push(
          (this.cmd(['HGETALL', this.keys.times(hour)]) as Promise<unknown>).then((flat) => {
            const list = flatPairs(flat);
            for (let i = 0; i < list.length; i += 2) add(list[i]!, Number(list[i + 1]));
          }),
        );
      }
    }
    await Promise.all(reads);
    return rankedPercentiles(counts, percentiles);
  }

  private async over(ranges: { trades?: TimeRange; loops?: TimeRange; errors?: TimeRange; growth?: null }): Promise<MemoryAnalytics> {
    return this.analyticsOf({
      trades: ranges.trades === undefined ? [] : ((await this.rowsIn('trades', ranges.trades)) as TradeMetric[]),
      loops: ranges.loops === undefined ? [] : await this.rowsIn('loop_executions', ranges.loops),
      errors: ranges.errors === undefined ? [] : await this.rowsIn('errors', ranges.errors),
      growth: ranges.growth === undefined ? [] : await this.rowsIn('growth_metrics', null),
    });
  }

  private analyticsOf(t: {
    trades?: readonly MonitorEvent[];
    loops?: readonly MonitorEvent[];
    errors?: readonly MonitorEvent[];
    growth?: readonly MonitorEvent[];
  }) {
    return new MemoryAnalytics({
      trades: () => (t.trades ?? []) as TradeMetric[],
      loops: () => (t.loops ?? []) as never[],
      errors: () => (t.errors ?? []) as never[],
      growth: () => (t.growth ?? []) as GrowthMetric[],
      realizedPnlOf: this.realizedPnl,
    });
  }

  async lastGrowthBefore(hourStart: number): Promise<GrowthMetric | null> {
    return newestGrowthBefore(await this.rowsIn('growth_metrics', null), hourStart);
  }

  async positions(): Promise<Position[]> {
    const all = (await this.cmd(['HVALS', this.keys.carry])) as string[];
    return all.map((s) => JSON.parse(s) as Position).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  async lastBalance(): Promise<BalanceState | null> {
    const stored = (await this.cmd(['GET', this.keys.balance])) as string | null;
    return stored === null ? null : (JSON.parse(stored) as BalanceState);
  }

  /** Bots under this prefix with at least one row, sorted. */
  async bots(): Promise<string[]> {
    const names = ((await this.cmd(['SMEMBERS', this.keys.bots])) as string[]).sort();
    const out: string[] = [];
    for (const name of names) {
      const keys = redisKeys(this.prefix, name);
      for (const t of TABLES) {
        if (Number(await this.cmd(['ZCARD', keys.table(t)])) > 0) {
          out.push(name);
          break;
        }
      }
    }
    return out;
  }

  async counts(): Promise<TableCounts> {
    const out = {} as Record<TableName, number>;
    for (const t of TABLES) out[t] = Number(await this.cmd(['ZCARD', this.keys.table(t)]));
    return out;
  }

  /** Memory the bot's keys take in Redis (`MEMORY USAGE`, sampled). */
  async sizeBytes(): Promise<number> {
    let total = 0;
    const k = this.keys;
    for (const key of [...TABLES.map(k.table), k.hours, k.hourIndex, k.carry])
      total += Number((await this.cmd(['MEMORY', 'USAGE', key])) ?? 0);
    return total;
  }
}
