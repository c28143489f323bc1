// FileAppender: the file backend's write side: a batch appended to its day files, then the day summaries and carried positions brought up to date.

import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type CarriedTrade, carryPositions } from '../analytics/positionCarry.js';
import { EventType, type TradeEvent } from '../events/types.js';
import { balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { DaySummary } from './DaySummary.js';
import type { Carry, FileDays } from './FileDays.js';
import { CARRY_FILE, dataFile, dayOf, summaryFile, syncPath, timesFile, writeJson } from './fileLayout.js';
import { balanceRecord, type RecordOwner, toRecord, tradeLine } from './fileRecords.js';
import { TABLE_OF } from './MemoryBackend.js';
import type { TableName } from './schema.js';

/** A trade of the batch being written, with the P&L it is stored with. */
class BatchTrade {
  constructor(
    readonly e: TradeEvent,
    public realized: number | null,
    public source: 'caller' | 'ledger' | null,
  ) {}
}

/** A line to append and what it adds to its day's summary. */
interface Pending {
  readonly table: TableName;
  readonly day: string;
  readonly timestamp: number;
  readonly record: BatchTrade | string;
  /** A late P&L: the trade it fills. */
  readonly fill?: { symbol: string; executionId: string; realized: number };
  /** A balance update (a line of the growth file, not a row). */
  readonly balance?: number;
}

/** An open day file. */
interface DayFile {
  readonly fd: number;
  readonly ino: number;
  size: number;
  dirty: boolean;
}

const keyOf = (executionId: string, symbol: string, timestamp: number) => `${timestamp}\u0000${symbol}\u0000${executionId}`;

export interface SyncPolicy {
  /** fsync every batch. */
  readonly full: boolean;
  /** With `full` off: fsync at most this often (ms), the rest at the next sync; null: at every afterFlush(). */
  readonly intervalMs: number | null;
}

/**
 * Appends each batch as one write per day file, undone (truncated back) when any file fails, so a
 * batch is stored whole or not at all; then replaces the touched days' summaries and the carried
 * positions (a failure there loses nothing: readers add what a summary does not account for).
 */
export class FileAppender {
  private readonly files = new Map<string, DayFile>();
  private readonly buffers = new Map<string, Buffer>();
  private summaries = new Map<string, DaySummary>();
  private carry: Carry | null = null;
  /** Summaries and the carry file written since the last sync, or not written at all (retried). */
  private readonly unsynced = new Set<string>();
  private readonly unwritten = new Set<string>();
  /** Trades without a P&L of this batch and the previous one: a P&L event follows its trade at once. */
  private previous = new Map<string, number>();
  private current = new Map<string, number>();
  private lastSync = 0;
  private syncTimer: NodeJS.Timeout | null = null;
  private readonly ownerJson: string;

  constructor(
    private readonly dir: string,
    private readonly owner: RecordOwner,
    ownerJson: string,
    private readonly days: FileDays,
    private readonly policy: SyncPolicy,
  ) {
    this.ownerJson = ownerJson;
  }

  /** Forgets what it knows of the folder (another writer, a thread, wrote to it since): read again at the next batch. */
  invalidate(): void {
    this.summaries.clear();
    this.carry = null;
    this.days.forget();
    for (const f of this.files.values()) f.size = fstatSync(f.fd).size;
  }

  private summary(day: string): DaySummary {
    let s = this.summaries.get(day);
    if (s === undefined) {
      const tables = this.days.days().get(day);
      s = tables === undefined ? new DaySummary() : this.days.summary(day, tables, true);
      this.summaries.set(day, s);
    }
    return s;
  }

  write(rows: RowBatch, start: number, end: number): number {
    this.checkFiles();
    const pending: Pending[] = [];
    const batchTrades: BatchTrade[] = [];
    const next = new Map<string, number>();
    let written = 0;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      const given = balanceOf(e);
      if (given !== null) {
        const line = JSON.stringify(balanceRecord(given, e.timestamp, this.owner.bot));
        pending.push({ table: 'growth_metrics', day: dayOf(e.timestamp), timestamp: e.timestamp, record: line, balance: given });
        continue;
      }
      if (e.eventType === EventType.PROFIT_LOSS) {
        const own = this.batchTarget(batchTrades, e.executionId, e.symbol, e.timestamp);
        if (own !== null) {
          own.realized = e.realizedPnl;
          own.source = 'ledger';
          continue;
        }
        const key = keyOf(e.executionId, e.symbol, e.timestamp);
        const map = (this.current.get(key) ?? 0) > 0 ? this.current : (this.previous.get(key) ?? 0) > 0 ? this.previous : null;
        if (map === null) continue;
        map.set(key, map.get(key)! - 1);
        const line = JSON.stringify({
          event_type: 'profit_loss',
          timestamp: e.timestamp,
          symbol: e.symbol,
          execution_id: e.executionId,
          realized_pnl: e.realizedPnl,
          bot: this.owner.bot,
        });
        const fill = { symbol: e.symbol, executionId: e.executionId, realized: e.realizedPnl };
        pending.push({ table: 'trades', day: dayOf(e.timestamp), timestamp: e.timestamp, record: line, fill });
        continue;
      }
      const table = TABLE_OF[e.eventType];
      if (table === undefined) continue;
      written++;
      if (e.eventType === EventType.TRADE_EXECUTION) {
        const trade = new BatchTrade(e, e.pnl, e.pnl === null ? null : 'caller');
        if (e.pnl === null) batchTrades.push(trade);
        pending.push({ table, day: dayOf(e.timestamp), timestamp: e.timestamp, record: trade });
      } else {
        pending.push({
          table,
          day: dayOf(e.timestamp),
          timestamp: e.timestamp,
          record: JSON.stringify(toRecord(e, this.owner, null, null)),
        });
      }
    }
    for (const t of batchTrades) {
      if (t.source !== null) continue;
      const key = keyOf(t.e.executionId, t.e.symbol, t.e.timestamp);
      next.set(key, (next.get(key) ?? 0) + 1);
    }
    // Read before the append: afterwards the files hold lines the stored summaries would count again.
    for (const p of pending) this.summary(p.day);
    const carried = pending.some((p) => p.record instanceof BatchTrade || p.balance !== undefined);
    if (carried) this.carry ??= this.days.carry();
    const offsets = this.append(pending);
    this.appendTimes(pending);
    this.previous = this.current;
    this.current = next;
    this.account(pending, offsets, carried);
    return written;
  }

  /** The newest trade of the batch with that id, symbol and time and no P&L yet. */
  private batchTarget(batch: readonly BatchTrade[], id: string, symbol: string, ts: number): BatchTrade | null {
    for (let j = batch.length - 1; j >= 0; j--) {
      const b = batch[j]!;
      if (b.e.executionId === id && b.e.symbol === symbol && b.e.timestamp === ts && b.source === null) return b;
    }
    return null;
  }

  /** Appends the lines, one write per file; returns each line's byte offset. Undoes every file on a failure. */
  private append(pending: readonly Pending[]): number[] {
    // Each file's lines encoded straight into one buffer, each line's offset in it noted on the way.
    const chunks = new Map<string, { buf: Buffer; len: number }>();
    const offsets = new Array<number>(pending.length);
    const names = new Array<string>(pending.length);
    let lastKey = '';
    let lastName = '';
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      const key = p.table + p.day;
      if (key !== lastKey) {
        lastKey = key;
        lastName = dataFile(p.table, p.day);
      }
      const line = p.record instanceof BatchTrade ? tradeLine(p.record.e, this.ownerJson, p.record.realized, p.record.source) : p.record;
      let chunk = chunks.get(lastName);
      if (chunk === undefined) {
        chunk = { buf: this.scratch(lastName, line.length * 3 + 1), len: 0 };
        chunks.set(lastName, chunk);
      }
      if (chunk.buf.length - chunk.len < line.length * 3 + 1) {
        const bigger = Buffer.allocUnsafe(Math.max(chunk.buf.length * 2, chunk.len + line.length * 3 + 1));
        chunk.buf.copy(bigger, 0, 0, chunk.len);
        chunk.buf = bigger;
      }
      names[i] = lastName;
      offsets[i] = chunk.len;
      chunk.len += chunk.buf.write(line, chunk.len, 'utf8');
      chunk.buf[chunk.len++] = 0x0a;
    }
    const done: [DayFile, number][] = [];
    const base = new Map<string, number>();
    try {
      for (const [name, chunk] of chunks) {
        const f = this.file(name);
        const size = f.size;
        base.set(name, size);
        done.push([f, size]);
        let at = 0;
        while (at < chunk.len) at += writeSync(f.fd, chunk.buf, at, chunk.len - at);
        f.size = size + chunk.len;
        f.dirty = true;
        if (this.policy.full) {
          fsyncSync(f.fd);
          f.dirty = false;
        }
      }
    } catch (error) {
      for (const [f, size] of done) {
        try {
          ftruncateSync(f.fd, size);
          f.size = size;
        } catch {
          // The file stays longer than its summary says: readers add the extra lines.
        }
      }
      // Opened again at the retry: the file may have been replaced (space freed, a link removed).
      for (const name of chunks.keys()) this.forgetFile(name);
      throw error;
    } finally {
      this.buffers.clear();
      for (const [name, chunk] of chunks) this.buffers.set(name, chunk.buf);
    }
    for (let i = 0; i < offsets.length; i++) offsets[i]! += base.get(names[i]!)!;
    return offsets;
  }

  /**
   * Appends the batch's trade times to each day's `.times` file. One that cannot be written, or does
   * not match its day's trades, is deleted: readers then read the times from the lines, and the
   * next open rebuilds it.
   */
  private appendTimes(pending: readonly Pending[]): void {
    const byDay = new Map<string, number[]>();
    for (const p of pending) {
      if (!(p.record instanceof BatchTrade)) continue;
      let list = byDay.get(p.day);
      if (list === undefined) {
        list = [];
        byDay.set(p.day, list);
      }
      list.push(p.timestamp, p.record.e.executionTimeMs);
    }
    for (const [day, list] of byDay) {
      const name = timesFile(day);
      const s = this.summaries.get(day)!;
      try {
        const f = this.file(name);
        if (f.size !== s.counts.trades * 16) throw new Error(`${name} does not match the day's trades`);
        const bytes = new Uint8Array(Float64Array.from(list).buffer);
        let at = 0;
        while (at < bytes.length) at += writeSync(f.fd, bytes, at, bytes.length - at);
        f.size += bytes.length;
        f.dirty = true;
      } catch {
        this.forgetFile(name);
        rmSync(join(this.dir, name), { force: true });
      }
    }
  }

  /** A buffer kept from the last batch to the same file: a busy bot does not allocate one per batch. */
  private scratch(name: string, atLeast: number): Buffer {
    const kept = this.buffers.get(name);
    this.buffers.delete(name);
    return kept !== undefined && kept.length >= atLeast ? kept : Buffer.allocUnsafe(Math.max(atLeast, 1 << 20));
  }

  private file(name: string): DayFile {
    let f = this.files.get(name);
    if (f === undefined) {
      const fd = openSync(join(this.dir, name), 'a', 0o600);
      const st = fstatSync(fd);
      f = { fd, ino: st.ino, size: st.size, dirty: false };
      this.files.set(name, f);
    }
    return f;
  }

  /** Brings the summaries and the carried positions up to the lines just written, and writes them. */
  private account(pending: readonly Pending[], offsets: readonly number[], carried: boolean): void {
    const touched = new Set<string>();
    const trades: CarriedTrade[] = [];
    pending.forEach((p, i) => {
      const s = this.summary(p.day);
      touched.add(p.day);
      if (p.balance !== undefined) {
        this.carry!.balance = nextBalanceState(this.carry!.balance, p.balance, p.timestamp);
        return;
      }
      if (p.fill !== undefined) {
        s.fills.push({ timestamp: p.timestamp, ...p.fill });
        s.hours.addRealized('', p.timestamp, p.fill.symbol, p.fill.realized);
        return;
      }
      s.row(p.table, p.timestamp, offsets[i]!);
      if (!(p.record instanceof BatchTrade)) return;
      const e = p.record.e;
      s.hours.addTrade('', e.timestamp, e.symbol, e.side, e.notionalValue, e.fee, p.record.realized, e.executionTimeMs, e.slippageBps, 1);
      trades.push(e);
    });
    for (const day of touched) {
      const s = this.summaries.get(day)!;
      for (const [name, f] of this.files) {
        const m = name.endsWith(`-${day}.jsonl`) ? (name.slice(0, -17) as TableName) : null;
        if (m !== null && m in s.bytes) s.bytes[m] = f.size;
      }
      this.unwritten.add(summaryFile(day));
    }
    if (carried) {
      const carry = this.carry!;
      if (trades.length > 0) carry.positions = carryPositions(carry.positions, trades);
      for (const [name, f] of this.files) if (/^(trades|growth_metrics)-.*\.jsonl$/.test(name)) carry.covered[name] = f.size;
      this.unwritten.add(CARRY_FILE);
    }
    // With an fsync interval they are replaced once per interval (see sync()): the lines past them are read at the next open.
    if (this.policy.full || this.policy.intervalMs === null) this.writeSmallFiles();
  }

  private writeSmallFiles(): void {
    for (const name of [...this.unwritten]) {
      const day = /^summary-(.*)\.json$/.exec(name)?.[1];
      const value = day === undefined ? this.carry : this.summaries.get(day);
      try {
        if (value !== undefined && value !== null) writeJson(join(this.dir, name), value, this.policy.full);
        this.unwritten.delete(name);
        if (!this.policy.full) this.unsynced.add(name);
      } catch {
        // Written again after the next batch; until then readers add the lines it does not account for.
      }
    }
  }

  /** `normal`: the files written since the last sync are fsynced, at most once per interval. */
  afterFlush(): void {
    if (this.policy.full) return;
    const interval = this.policy.intervalMs;
    const wait = interval === null ? 0 : this.lastSync + interval - Date.now();
    if (wait <= 0) this.sync();
    else if (this.syncTimer === null) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null;
        this.sync();
      }, wait);
      this.syncTimer.unref();
    }
  }

  private sync(): void {
    this.lastSync = Date.now();
    this.checkFiles();
    this.writeSmallFiles();
    for (const f of this.files.values()) {
      if (!f.dirty) continue;
      try {
        fsyncSync(f.fd);
        f.dirty = false;
      } catch {
        // Reported by the next write to the same disk; the rows are in the page cache meanwhile.
      }
    }
    for (const name of this.unsynced) syncPath(this.dir, name);
    this.unsynced.clear();
  }

  /**
   * Retention run by another opening of the folder (the main thread's, while this one writes on its
   * thread) deletes day files: open files it replaced or deleted are closed and everything cached
   * read again, so no line goes to a deleted file and no summary of a deleted day is written back.
   */
  private checkFiles(): void {
    let gone = false;
    for (const [name, f] of this.files) {
      if (statSync(join(this.dir, name), { throwIfNoEntry: false })?.ino === f.ino) continue;
      gone = true;
      this.forgetFile(name);
    }
    if (!gone) return;
    this.unwritten.clear();
    this.invalidate();
  }

  /** Closes a day file retention deleted. */
  forgetFile(name: string): void {
    const f = this.files.get(name);
    if (f === undefined) return;
    closeSync(f.fd);
    this.files.delete(name);
    this.buffers.delete(name);
  }

  close(): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.writeSmallFiles();
    this.sync();
    for (const f of this.files.values()) closeSync(f.fd);
    this.files.clear();
    this.summaries.clear();
    this.carry = null;
  }
}
