// FileReader: the history queries (HistoryReader) over a bot's folder of JSON Lines, reading only the day files (and bytes) of each range.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsQueries, RecentTrade, TimeRange } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent, MonitorEvent, TradeEvent } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { DaySummary, Fill } from './DaySummary.js';
import { FileAnalytics } from './FileAnalytics.js';
import type { FileDays } from './FileDays.js';
import { dataFile, dayStart, timesFile } from './fileLayout.js';
import { fromRecord } from './fileRecords.js';
import { forEachLine, linesBackward, tradeFigures } from './fileScan.js';
import type { TableCounts } from './HistoryReader.js';
import { KIND_TABLE } from './MemoryBackend.js';
import { EVENT_TYPE_OF, matches, type NormalizedQuery, newestGrowthBefore, type StoredEventByKind, type StoredKind } from './queries.js';
import { DAY_MS } from './retention.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';

/** A stored trade with the P&L stored with it. */
export type StoredTrade = RecentTrade;

const keyOf = (executionId: string, symbol: string, timestamp: number) => `${timestamp}\u0000${symbol}\u0000${executionId}`;

function parse(line: Buffer): Row | null {
  try {
    return JSON.parse(line.toString('utf8')) as Row;
  } catch {
    return null;
  }
}

/** A record of a row, not a P&L filled in late or a balance update. */
function isRow(r: Row): boolean {
  return r.event_type !== 'profit_loss' && r.event_type !== 'balance_updated';
}

/** Late P&L of a day by trade key, oldest first: the first goes to the newest trade without one, as SQLite's update picks it. */
function fillsByKey(fills: readonly Fill[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const f of fills) {
    const key = keyOf(f.executionId, f.symbol, f.timestamp);
    const list = out.get(key);
    if (list === undefined) out.set(key, [f.realized]);
    else list.push(f.realized);
  }
  return out;
}

/** The trade of a record and the P&L it is stored with (its own, or a late fill taken from `fills`). */
function storedTrade(r: Row, fills: Map<string, number[]>): StoredTrade {
  const trade = fromRecord('trades', r) as TradeEvent;
  let realized = typeof r.realized_pnl === 'number' ? r.realized_pnl : null;
  if (r.pnl_source !== 'caller' && r.pnl_source !== 'ledger') {
    const list = fills.get(keyOf(trade.executionId, trade.symbol, trade.timestamp));
    if (list !== undefined && list.length > 0) realized = list.shift()!;
  }
  return { trade, realizedPnl: realized };
}

/**
 * Reads what the day summaries account for (whole lines, a snapshot between batches): counts and
 * hour sums from the summaries, rows from the day files overlapping a range only, newest first
 * and stopping at a query's limit.
 */
export class FileReader {
  private readonly analytics_: FileAnalytics;
  /** Growth rows by file, while the file keeps its size: a few per hour, read on every dashboard. */
  private readonly growthCache = new Map<string, { size: number; rows: GrowthEvent[] }>();

  constructor(
    private readonly dir: string,
    private readonly days: FileDays,
  ) {
    this.analytics_ = new FileAnalytics(this);
  }

  /** The days that hold `table`, newest first, with their summaries, overlapping `[since, until)` when given. */
  daysOf(table: TableName, since: number | null = null, until: number | null = null): [string, DaySummary][] {
    const out: [string, DaySummary][] = [];
    for (const [day, tables] of this.days.days()) {
      if (!tables.has(table)) continue;
      const start = dayStart(day);
      if ((until !== null && start >= until) || (since !== null && start + DAY_MS <= since)) continue;
      out.push([day, this.days.summary(day, tables)]);
    }
    return out.reverse();
  }

  path(table: TableName, day: string): string {
    return join(this.dir, dataFile(table, day));
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    const table = KIND_TABLE[kind];
    const type = EVENT_TYPE_OF[kind];
    const out: StoredEventByKind[K][] = [];
    for (const [day, s] of this.daysOf(table, q.since, q.until)) {
      const found: MonitorEvent[] = [];
      for (const line of linesBackward(this.path(table, day), s.bytes[table])) {
        const r = parse(line);
        if (r === null || !isRow(r)) continue;
        const e = fromRecord(table, r);
        if (e.eventType !== type || !matches(q, e)) continue;
        found.push(e);
        // In time order, the lines read so far are the file's newest.
        if (s.ordered[table] && out.length + found.length >= q.limit) break;
      }
      // Read newest first: a stable sort keeps the later line first on equal timestamps (id DESC).
      if (!s.ordered[table]) found.sort((a, b) => b.timestamp - a.timestamp);
      for (const e of found) {
        out.push(e as StoredEventByKind[K]);
        if (out.length >= q.limit) return out;
      }
    }
    return out;
  }

  /** The day's trade times (timestamp, execution ms, …) when its `.times` file holds exactly `trades` of them; else null. */
  times(day: string, trades: number): Float64Array | null {
    const path = join(this.dir, timesFile(day));
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size === undefined || size < trades * 16) return null;
    const times = new Float64Array(trades * 2);
    const fd = openSync(path, 'r');
    try {
      if (readSync(fd, new Uint8Array(times.buffer), 0, trades * 16, 0) !== trades * 16) return null;
    } finally {
      closeSync(fd);
    }
    return times;
  }

  /**
   * Trades stamped in `range`, oldest first (file order), each with its stored P&L; with `figuresOnly`,
   * each holds only what the trade figures read (time, symbol, side, notional, fee, times, slippage, id).
   */
  trades(range: TimeRange, figuresOnly = false): StoredTrade[] {
    const out: StoredTrade[] = [];
    for (const [day, s] of this.daysOf('trades', range.since, range.until).reverse()) {
      const [from, to] = s.tradeBytes(range.since, range.until);
      const rows: Row[] = [];
      forEachLine(this.path('trades', day), from, to, (line) => {
        const light = figuresOnly ? tradeFigures(line) : undefined;
        if (light === null) return;
        const r = light ?? parse(line);
        if (r !== null && r.event_type !== 'profit_loss' && (r.timestamp as number) >= range.since && (r.timestamp as number) < range.until)
          rows.push(r);
      });
      const fills = fillsByKey(s.fills);
      const day_: StoredTrade[] = new Array(rows.length);
      // Newest first, so each late P&L goes to the newest trade of its key.
      for (let i = rows.length - 1; i >= 0; i--) day_[i] = storedTrade(rows[i]!, fills);
      out.push(...day_);
    }
    return out;
  }

  /** The newest `limit` trades, newest first, reading the newest files from their end. */
  recentTrades(limit: number): StoredTrade[] {
    const out: StoredTrade[] = [];
    for (const [day, s] of this.daysOf('trades')) {
      const fills = fillsByKey(s.fills);
      const found: StoredTrade[] = [];
      for (const line of linesBackward(this.path('trades', day), s.bytes.trades, 64 << 10)) {
        const r = parse(line);
        if (r === null || r.event_type === 'profit_loss') continue;
        found.push(storedTrade(r, fills));
        if (s.ordered.trades && out.length + found.length >= limit) break;
      }
      if (!s.ordered.trades) found.sort((a, b) => b.trade.timestamp - a.trade.timestamp);
      for (const t of found) {
        out.push(t);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Rows of a table other than trades stamped in `range`, oldest first. */
  rows(table: TableName, range: TimeRange): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    for (const [day, s] of this.daysOf(table, range.since, range.until).reverse()) {
      forEachLine(this.path(table, day), 0, s.bytes[table], (line) => {
        const r = parse(line);
        if (r === null || !isRow(r) || (r.timestamp as number) < range.since || (r.timestamp as number) >= range.until) return;
        out.push(fromRecord(table, r));
      });
    }
    return out;
  }

  /** Every growth row, oldest file first (a row per hour: small, and cached per file). */
  growth(): GrowthEvent[] {
    const out: GrowthEvent[] = [];
    const seen = new Set<string>();
    for (const [day, s] of this.daysOf('growth_metrics').reverse()) {
      const path = this.path('growth_metrics', day);
      seen.add(path);
      const size = s.bytes.growth_metrics;
      let hit = this.growthCache.get(path);
      if (hit === undefined || hit.size !== size) {
        const rows: GrowthEvent[] = [];
        forEachLine(path, 0, size, (line) => {
          const r = parse(line);
          if (r !== null && isRow(r)) rows.push(fromRecord('growth_metrics', r) as GrowthEvent);
        });
        hit = { size, rows };
        this.growthCache.set(path, hit);
      }
      out.push(...hit.rows);
    }
    for (const path of this.growthCache.keys()) if (!seen.has(path)) this.growthCache.delete(path);
    return out;
  }

  analytics(): AnalyticsQueries {
    return this.analytics_;
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    return newestGrowthBefore(this.growth(), hourStart);
  }

  positions(): Position[] {
    return this.days.carry().positions;
  }

  lastBalance(): BalanceState | null {
    return this.days.carry().balance;
  }

  counts(): TableCounts {
    const out = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>;
    for (const [day, tables] of this.days.days()) {
      const s = this.days.summary(day, tables);
      for (const t of TABLES) out[t] += s.counts[t];
    }
    return out;
  }

  /** Bytes of the folder's day files. */
  sizeBytes(): number {
    let total = 0;
    for (const [day, tables] of this.days.days()) {
      for (const t of tables) total += statSync(this.path(t, day), { throwIfNoEntry: false })?.size ?? 0;
    }
    return total;
  }
}
