// DaySummary: what one UTC day's files of the file backend hold (rows, bytes, hour sums, hour offsets), kept as rows are written.

import { hourStartOf } from '../analytics/GrowthTracker.js';
import { TABLES, type TableName } from './schema.js';
import { HourSums } from './tradeHours.js';

/** A realized P&L written after its trade (in a later batch): the trade's key and the figure. */
export interface Fill {
  readonly timestamp: number;
  readonly symbol: string;
  readonly executionId: string;
  readonly realized: number;
}

const SUMMARY_VERSION = 1;

/** The JSON a summary is stored as (checked field by field when read). */
interface StoredSummary {
  readonly version: number;
  readonly bytes: Record<string, unknown>;
  readonly counts: Record<string, unknown>;
  readonly ordered: Record<string, unknown>;
  readonly last: Record<string, unknown>;
  readonly offsets: [unknown, unknown][];
  readonly hours: [unknown, unknown, ...unknown[]][];
  readonly fills: [unknown, unknown, unknown, unknown][];
}

function perTable<T>(value: T): Record<TableName, T> {
  return Object.fromEntries(TABLES.map((t) => [t, value])) as Record<TableName, T>;
}

/**
 * The day's `summary-<day>.json`: for each table the bytes of its file accounted for and the rows
 * in them; for trades the hour sums (SQLite's `trade_hours`), where each hour's lines start, and
 * the P&L filled in late. Counts, the trading dashboard's whole hours and range reads come from
 * here instead of from every line; whatever a file holds past `bytes` (a crash between the append
 * and this file's replacement) is read from the lines and added.
 */
export class DaySummary {
  readonly bytes = perTable(0);
  readonly counts = perTable(0);
  /** Every row's timestamp at or after the one before it (then a range is found through `offsets`). */
  readonly ordered = perTable(true);
  readonly last = perTable(Number.NEGATIVE_INFINITY);
  /** UTC hour start → byte offset of the first trade line of that hour. */
  readonly offsets = new Map<number, number>();
  readonly hours = new HourSums();
  readonly fills: Fill[] = [];
  /** A row of `table` stamped `timestamp`, its line starting at byte `offset`. */
  row(table: TableName, timestamp: number, offset: number): void {
    this.counts[table]++;
    if (timestamp < this.last[table]) this.ordered[table] = false;
    else this.last[table] = timestamp;
    if (table === 'trades') {
      const hour = hourStartOf(timestamp);
      if (!this.offsets.has(hour)) this.offsets.set(hour, offset);
    }
  }

  /**
   * The byte range of the trade lines stamped in `[since, until)` when the file is in time order
   * (whole hours, so a few lines outside the range may come with it); the whole file otherwise.
   */
  tradeBytes(since: number, until: number): [number, number] {
    const end = this.bytes.trades;
    if (!this.ordered.trades) return [0, end];
    let start = end;
    let stop = end;
    const first = hourStartOf(since);
    for (const [hour, offset] of this.offsets) {
      if (hour >= first && offset < start) start = offset;
      if (hour >= until && offset < stop) stop = offset;
    }
    return [start, Math.max(start, stop)];
  }

  toJSON(): unknown {
    const hours: (string | number)[][] = [];
    this.hours.each((_bot, hourStart, symbol, f) => hours.push([hourStart, symbol, ...f]));
    return {
      version: SUMMARY_VERSION,
      bytes: this.bytes,
      counts: this.counts,
      ordered: this.ordered,
      last: Object.fromEntries(TABLES.map((t) => [t, Number.isFinite(this.last[t]) ? this.last[t] : null])),
      offsets: [...this.offsets],
      hours,
      fills: this.fills.map((f) => [f.timestamp, f.symbol, f.executionId, f.realized]),
    };
  }

  /** The summary stored as `value`, or null when it is not one this version wrote (then it is rebuilt). */
  static parse(value: unknown): DaySummary | null {
    try {
      const v = value as StoredSummary;
      if (v === null || typeof v !== 'object' || v.version !== SUMMARY_VERSION) return null;
      const s = new DaySummary();
      for (const t of TABLES) {
        s.bytes[t] = num(v.bytes[t]);
        s.counts[t] = num(v.counts[t]);
        s.ordered[t] = v.ordered[t] !== false;
        s.last[t] = v.last[t] === null ? Number.NEGATIVE_INFINITY : num(v.last[t]);
      }
      for (const [hour, offset] of v.offsets) s.offsets.set(num(hour), num(offset));
      for (const [hour, symbol, ...f] of v.hours) s.hours.addFigures('', num(hour), String(symbol), f.map(num));
      for (const [timestamp, symbol, executionId, realized] of v.fills) {
        s.fills.push({ timestamp: num(timestamp), symbol: String(symbol), executionId: String(executionId), realized: num(realized) });
      }
      return s;
    } catch {
      return null;
    }
  }
}

function num(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error('not a number');
  return v;
}
