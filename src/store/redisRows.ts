// redisRows: helpers on the redis history's rows and members: decoding, P&L fills, hour time counts, percentiles, member buffers.

import { hourStartOf } from '../analytics/GrowthTracker.js';
import type { MonitorEvent, TradeMetric } from '../events/types.js';
import { jsonNumber } from '../internal/numberText.js';
import { fromRecord, realizedOf } from './fileRecords.js';
import { SEQ_WIDTH } from './redisLayout.js';
import { nearestRank } from './SqliteAnalytics.js';
import type { TableName } from './schema.js';
import type { Row } from './sqliteRows.js';

/** A trade of the batch being written, with the P&L it is stored with. */
export interface BatchTrade {
  readonly e: TradeMetric;
  realized: number | null;
  source: 'caller' | 'ledger' | null;
}

/** Kahan–Babuška–Neumaier summation step, as SQLite's sum() adds REAL values. */
export function kbnAdd(acc: { sum: number; err: number }, v: number): void {
  const t = acc.sum + v;
  acc.err += Math.abs(acc.sum) >= Math.abs(v) ? acc.sum - t + v : v - t + acc.sum;
  acc.sum = t;
}

/** A stored member decoded to its event; a trade's stored P&L is noted in `realized` (the event has no field for a ledger's fill). */
export function decodeMember(table: TableName, member: string, realized: WeakMap<TradeMetric, number>): MonitorEvent {
  const record = JSON.parse(member.slice(SEQ_WIDTH)) as Row;
  const e = fromRecord(table, record);
  if (table === 'trades') {
    const pnl = realizedOf(record).realized;
    if (pnl !== null) realized.set(e as TradeMetric, pnl);
  }
  return e;
}

/** The newest trade of the batch with that id, symbol and time and no P&L yet. */
export function newestOpen(batch: readonly BatchTrade[], id: string, symbol: string, ts: number): BatchTrade | null {
  for (let j = batch.length - 1; j >= 0; j--) {
    const b = batch[j]!;
    if (b.e.executionId === id && b.e.symbol === symbol && b.e.timestamp === ts && b.source === null) return b;
  }
  return null;
}

export const EXECUTION_FIELD = '"execution_time_ms":';

/** HGETALL's answer as [field, value, …] (node-redis gives a flat list over RESP2, an object otherwise). */
export function flatPairs(reply: unknown): string[] {
  if (Array.isArray(reply)) return reply as string[];
  return Object.entries(reply as Record<string, string>).flat();
}

/** Nearest-rank percentiles of values given as text (as the records hold them, -0 as 0) → how many: the same answer as sorting them all. */
export function rankedPercentiles(counts: ReadonlyMap<string, number>, percentiles: readonly number[]): (number | null)[] {
  const values = [...counts]
    .map(([text, n]) => ({ v: Number(text), n }))
    .filter((x) => x.n > 0)
    .sort((a, b) => a.v - b.v);
  let total = 0;
  for (const x of values) total += x.n;
  return percentiles.map((p) => {
    if (total === 0) return null;
    const rank = nearestRank(p, total);
    let seen = 0;
    for (const x of values) {
      seen += x.n;
      if (seen >= rank) return x.v;
    }
    return null;
  });
}

/** A batch's execution-time counts per UTC hour, for the hours' `trade_times` hashes. */
export class HourTimes {
  private readonly hours = new Map<number, Map<string, number>>();

  add(timestamp: number, executionTimeMs: number, sign: 1 | -1): void {
    const hour = hourStartOf(timestamp);
    let m = this.hours.get(hour);
    if (m === undefined) {
      m = new Map();
      this.hours.set(hour, m);
    }
    const text = String(executionTimeMs);
    m.set(text, (m.get(text) ?? 0) + sign);
  }

  /** Appends the script's arguments (count of hours, then per hour a count and pairs) to `args`; returns the hours' keys in that order. */
  drain(keyOf: (hourStart: number) => string, args: string[]): string[] {
    const keys: string[] = [];
    args.push(String(this.hours.size));
    for (const [hour, m] of this.hours) {
      keys.push(keyOf(hour));
      args.push(String(m.size));
      for (const [text, n] of m) args.push(text, String(n));
    }
    this.hours.clear();
    return keys;
  }
}

const NO_PNL = '"realized_pnl":null,"pnl_source":null';

/** A stored trade's member with the ledger's P&L filled in (the first such text is the record's own field: it comes before any nested data). */
export function withPnl(member: string, realized: number): string {
  const at = member.indexOf(NO_PNL, SEQ_WIDTH);
  return `${member.slice(0, at)}"realized_pnl":${jsonNumber(realized)},"pnl_source":"ledger"${member.slice(at + NO_PNL.length)}`;
}

/** Members written as UTF-8 into large buffers, handed to the client as views: no per-member strings for it to measure and join. */
export class MemberSlab {
  private buf = Buffer.alloc(0);
  private at = 0;

  member(seqHex: string, record: string): Buffer {
    const most = seqHex.length + record.length * 3;
    if (this.at + most > this.buf.length) {
      // From 64 KiB, doubling to 1 MiB: a script of a few rows takes little.
      this.buf = Buffer.allocUnsafe(Math.max(most, Math.min(SLAB_BYTES, Math.max(64 << 10, this.buf.length * 2))));
      this.at = 0;
    }
    const start = this.at;
    this.at += this.buf.write(seqHex, this.at, 'latin1');
    this.at += this.buf.write(record, this.at, 'utf8');
    return this.buf.subarray(start, this.at);
  }
}

const SLAB_BYTES = 1 << 20;
