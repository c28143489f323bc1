// FileBackend: history as JSON Lines (POSEIDON_STORAGE=file): one append-only file per table per UTC day, read back into memory at open.

import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AnalyticsQueries, TimeRange } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import { carryPositions } from '../analytics/positionCarry.js';
import { EventType, type GrowthMetric, type MonitorEvent, type TradeMetric } from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { botFolder, dayOf, FILE_NAME, readCarryFile, writeCarryFile } from './fileLayout.js';
import {
  type BalanceRecord,
  balanceRecord,
  fromRecord,
  ownerFields,
  type PnlRecord,
  realizedOf,
  toRecord,
  tradeLine,
} from './fileRecords.js';
import type { TableCounts } from './HistoryReader.js';
import { KIND_TABLE, TABLE_OF } from './MemoryBackend.js';
import { EVENT_TYPE_OF, type NormalizedQuery, newestMatches, type StoredEventByKind, type StoredKind } from './queries.js';
import { firstAtOrAfter, RangedAnalytics } from './RangedAnalytics.js';
import { DAY_MS } from './retention.js';
import type { StoreBackend } from './StoreBackend.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';

export interface FileBackendOptions {
  /** Value of every record's `bot` field; also names the bot's folder. @default '' */
  botName?: string;
  /** @default '' */
  strategy?: string;
  /** @default '' */
  exchange?: string;
  /** `normal`: files are fsynced once per flush (interval); `full`: after every batch. @default 'normal' */
  synchronous?: 'normal' | 'full';
  /** Told of what open() found and skipped (a torn last line, a line that is not JSON). */
  onNotice?: (message: string) => void;
  /**
   * Only read (a command looking at history): nothing is created, cut or written, a bot without a
   * folder has no rows, and a last line without its newline (a crash's, or a writer's append in
   * progress) is skipped without being cut off. @default false
   */
  readOnly?: boolean;
}

/** A trade of the batch being written, with the P&L it is stored with. */
class BatchTrade {
  constructor(
    readonly e: TradeMetric,
    public realized: number | null,
    public source: 'caller' | 'ledger' | null,
  ) {}
}

/** The newest trade of the batch with that id, symbol and time and no P&L yet. */
function batchPnlTarget(batch: readonly BatchTrade[], id: string, symbol: string, ts: number): BatchTrade | null {
  for (let j = batch.length - 1; j >= 0; j--) {
    const b = batch[j]!;
    if (b.e.executionId === id && b.e.symbol === symbol && b.e.timestamp === ts && b.source === null) return b;
  }
  return null;
}

/** An open day file: its descriptor and whether it has writes not yet fsynced. */
interface DayFile {
  readonly fd: number;
  dirty: boolean;
}

/**
 * One bot's history in `<directory>/bot=<name>/<table>-<YYYY-MM-DD>.jsonl`. Every record is a line
 * written whole by one append; a batch is one append per file, undone (truncated back) when any of
 * its files fails, so a batch is stored whole or not at all. A crash can leave a torn last line,
 * which open() cuts off and reports. Reads are answered from the rows loaded at open and kept as
 * they are written (same semantics as the memory backend, which is SQLite's); retention deletes
 * whole day files, after folding deleted trades into `position_carry.json`.
 */
export class FileBackend implements StoreBackend {
  readonly kind = 'file';
  private readonly dir: string;
  private readonly bot: string;
  private readonly owner: { bot: string; strategy: string; exchange: string };
  private readonly ownerJson: string;
  private readonly full: boolean;
  private readonly onNotice: (message: string) => void;
  private readonly readOnly: boolean;
  private open_ = false;
  private tables = new Map<TableName, MonitorEvent[]>(TABLES.map((t) => [t, []]));
  private readonly realized = new Map<TradeMetric, number>();
  private readonly files = new Map<string, DayFile>();
  private carry: Position[] = [];
  private balance: BalanceState | null = null;
  private bytes = 0;
  private identity: string | null = null;
  /** Torn or unreadable lines skipped at the last open. */
  skippedLines = 0;
  /** Per table: every row's timestamp is at or after the one before it (then ranges are found by bisection). */
  private readonly ordered = new Map<TableName, boolean>();
  private readonly analytics_ = new RangedAnalytics(
    (table, range) => this.rowsIn(table, range),
    (t) => this.realized.get(t) ?? null,
    (limit) => {
      const trades = this.tables.get('trades') as TradeMetric[];
      return this.ordered.get('trades') && trades.length > limit ? trades.slice(trades.length - limit) : trades;
    },
  );

  constructor(directory: string, options: FileBackendOptions = {}) {
    this.bot = options.botName ?? '';
    this.dir = join(resolve(directory), botFolder(this.bot));
    this.owner = { bot: this.bot, strategy: options.strategy ?? '', exchange: options.exchange ?? '' };
    this.ownerJson = ownerFields(this.owner);
    this.full = options.synchronous === 'full';
    this.onNotice = options.onNotice ?? (() => undefined);
    this.readOnly = options.readOnly ?? false;
  }

  /** The bot's folder. */
  get directory(): string {
    return this.dir;
  }

  get isOpen(): boolean {
    return this.open_;
  }

  open(): void {
    if (this.open_) return;
    for (const path of [dirname(this.dir), this.dir]) {
      const existing = statSync(path, { throwIfNoEntry: false });
      if (existing !== undefined && !existing.isDirectory()) throw new Error(`history directory ${path} is not a directory`);
    }
    if (!this.readOnly) this.prepareDirectory();
    this.tables = new Map(TABLES.map((t) => [t, []]));
    for (const t of TABLES) this.ordered.set(t, true);
    this.realized.clear();
    this.carry = readCarryFile(this.dir, this.readOnly);
    this.balance = null;
    this.bytes = 0;
    this.skippedLines = 0;
    const names = (this.readOnly && statSync(this.dir, { throwIfNoEntry: false }) === undefined ? [] : readdirSync(this.dir))
      .map((name) => FILE_NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null && (TABLES as readonly string[]).includes(m[1]!))
      .sort((a, b) => (a[2]! < b[2]! ? -1 : a[2]! > b[2]! ? 1 : 0));
    for (const m of names) this.load(m[1] as TableName, join(this.dir, m[0]));
    this.identity = this.identityNow();
    this.open_ = true;
  }

  private prepareDirectory(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new Error(`history directory ${this.dir} cannot be created: ${(error as Error).message}`);
    }
    try {
      accessSync(this.dir, constants.W_OK | constants.R_OK);
    } catch {
      throw new Error(`history directory ${this.dir} is not readable and writable by this process`);
    }
  }

  private load(table: TableName, path: string): void {
    const text = readFileSync(path, 'utf8');
    let end = text.length;
    // A crash mid-append leaves a last line without its newline: cut it off so the next append starts clean.
    if (end > 0 && text[end - 1] !== '\n' && this.readOnly) {
      end = text.lastIndexOf('\n') + 1;
      this.skippedLines++;
    } else if (end > 0 && text[end - 1] !== '\n') {
      const cut = text.lastIndexOf('\n') + 1;
      truncateSync(path, Buffer.byteLength(text.slice(0, cut)));
      this.skippedLines++;
      this.onNotice(`history file ${path}: a torn last line (${end - cut} characters, written by a crash) was ignored and cut off`);
      end = cut;
    }
    this.bytes += Buffer.byteLength(text.slice(0, end));
    const rows = this.tables.get(table)!;
    let start = 0;
    while (start < end) {
      const nl = text.indexOf('\n', start);
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.length === 0) continue;
      let record: Row;
      try {
        record = JSON.parse(line) as Row;
      } catch {
        this.skippedLines++;
        this.onNotice(`history file ${path}: a line that is not JSON was ignored`);
        continue;
      }
      if (record.bot !== this.bot) continue;
      if (record.event_type === EventType.PROFIT_LOSS) {
        const p = record as unknown as PnlRecord;
        const t = this.pnlTarget(p.execution_id, p.symbol, p.timestamp);
        if (t !== null) this.realized.set(t, p.realized_pnl);
        continue;
      }
      if (record.event_type === 'balance_updated') {
        const b = record as unknown as BalanceRecord;
        this.balance = nextBalanceState(this.balance, b.balance, b.timestamp);
        continue;
      }
      const e = fromRecord(table, record);
      this.push(table, rows, e);
      if (e.eventType === EventType.TRADE_EXECUTION) {
        const { realized } = realizedOf(record);
        if (realized !== null) this.realized.set(e, realized);
      }
    }
  }

  /** The newest trade with that id, symbol and time whose P&L is not known yet (as SQLite's update picks it). */
  private pnlTarget(executionId: string, symbol: string, timestamp: number): TradeMetric | null {
    const trades = this.tables.get('trades') as TradeMetric[];
    for (let j = trades.length - 1; j >= 0; j--) {
      const t = trades[j]!;
      if (t.executionId === executionId && t.symbol === symbol && t.timestamp === timestamp && t.pnl === null && !this.realized.has(t))
        return t;
    }
    return null;
  }

  writeBatch(rows: RowBatch, start: number, end: number): number {
    this.writable();
    const added: [TableName, MonitorEvent][] = [];
    const filled: [TradeMetric, number][] = [];
    // Each line by file, in order; a trade stays an object until the batch is read through, as a
    // P&L later in the batch may fill it.
    const records: [string, Row | BatchTrade][] = [];
    const batchTrades: BatchTrade[] = [];
    let balance = this.balance;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      const given = balanceOf(e);
      if (given !== null) {
        // A line of the growth file: stored and undone with the batch, read back in order at open.
        balance = nextBalanceState(balance, given, e.timestamp);
        records.push([`growth_metrics-${dayOf(e.timestamp)}.jsonl`, balanceRecord(given, e.timestamp, this.bot) as unknown as Row]);
        continue;
      }
      if (e.eventType === EventType.PROFIT_LOSS) {
        const own = batchPnlTarget(batchTrades, e.executionId, e.symbol, e.timestamp);
        if (own !== null) {
          own.realized = e.realizedPnl;
          own.source = 'ledger';
          filled.push([own.e, e.realizedPnl]);
          continue;
        }
        const t = this.pnlTarget(e.executionId, e.symbol, e.timestamp);
        if (t === null || filled.some(([f]) => f === t)) continue;
        filled.push([t, e.realizedPnl]);
        const p: PnlRecord = {
          event_type: 'profit_loss',
          timestamp: e.timestamp,
          symbol: e.symbol,
          execution_id: e.executionId,
          realized_pnl: e.realizedPnl,
          bot: this.bot,
        };
        records.push([`trades-${dayOf(e.timestamp)}.jsonl`, p as unknown as Row]);
        continue;
      }
      const table = TABLE_OF[e.eventType];
      if (table === undefined) continue;
      added.push([table, e]);
      if (e.eventType === EventType.TRADE_EXECUTION) {
        const trade = new BatchTrade(e, e.pnl, e.pnl === null ? null : 'caller');
        records.push([`trades-${dayOf(e.timestamp)}.jsonl`, trade]);
        if (e.pnl !== null) filled.push([e, e.pnl]);
        else batchTrades.push(trade);
      } else {
        records.push([`${table}-${dayOf(e.timestamp)}.jsonl`, toRecord(e, this.owner, null, null)]);
      }
    }
    const lines = new Map<string, string[]>();
    for (const [file, record] of records) {
      let list = lines.get(file);
      if (list === undefined) {
        list = [];
        lines.set(file, list);
      }
      list.push(
        record instanceof BatchTrade ? tradeLine(record.e, this.ownerJson, record.realized, record.source) : JSON.stringify(record),
      );
    }
    this.append(lines);
    this.balance = balance;
    for (const [table, e] of added) this.push(table, this.tables.get(table)!, e);
    for (const [t, v] of filled) this.realized.set(t, v);
    return added.length;
  }

  private push(table: TableName, rows: MonitorEvent[], e: MonitorEvent): void {
    if (rows.length > 0 && e.timestamp < rows[rows.length - 1]!.timestamp) this.ordered.set(table, false);
    rows.push(e);
  }

  /** The rows of `table` stamped in `range` (all of them, or null for every row, when they are not in time order). */
  private rowsIn(table: TableName, range: TimeRange | null): readonly MonitorEvent[] {
    const rows = this.tables.get(table)!;
    if (range === null || !this.ordered.get(table)) return rows;
    return rows.slice(firstAtOrAfter(rows, range.since), firstAtOrAfter(rows, range.until));
  }

  /** One append per file; on a failure every file of the batch is cut back to where it was. */
  private append(lines: Map<string, string[]>): void {
    const done: [DayFile, number][] = [];
    let written = 0;
    try {
      for (const [name, list] of lines) {
        const f = this.file(name);
        const before = fstatSync(f.fd).size;
        done.push([f, before]);
        const data = Buffer.from(`${list.join('\n')}\n`);
        let off = 0;
        while (off < data.length) off += writeSync(f.fd, data, off, data.length - off);
        written += data.length;
        if (this.full) fsyncSync(f.fd);
        else f.dirty = true;
      }
    } catch (error) {
      for (const [f, size] of done) {
        try {
          ftruncateSync(f.fd, size);
        } catch {
          // The file cannot even be cut back: its partial last line is cut off and reported at the next open.
        }
      }
      // The retry opens the files anew: the fault may have been the file itself (replaced, on a full device).
      this.closeFiles();
      throw error;
    }
    this.bytes += written;
  }

  private file(name: string): DayFile {
    let f = this.files.get(name);
    if (f === undefined) {
      // Trading records are private: owner-only files. Files of days gone by are closed as the day changes.
      if (this.files.size >= 16) this.closeFiles();
      f = { fd: openSync(join(this.dir, name), 'a', 0o600), dirty: false };
      this.files.set(name, f);
    }
    return f;
  }

  private closeFiles(): void {
    for (const f of this.files.values()) {
      try {
        if (f.dirty) fsyncSync(f.fd);
      } catch {
        // Written already; an fsync error here is the disk's, reported by the next write.
      }
      closeSync(f.fd);
    }
    this.files.clear();
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    return newestMatches<StoredEventByKind[K]>(this.tables.get(KIND_TABLE[kind])!, EVENT_TYPE_OF[kind], q);
  }

  analytics(): AnalyticsQueries {
    return this.analytics_;
  }

  lastGrowthBefore(hourStart: number): GrowthMetric | null {
    let best: GrowthMetric | null = null;
    for (const e of this.tables.get('growth_metrics')! as GrowthMetric[]) {
      if (e.hourStart < hourStart && (best === null || e.hourStart >= best.hourStart)) best = e;
    }
    return best;
  }

  lastBalance(): BalanceState | null {
    return this.balance;
  }

  positions(): Position[] {
    return carryPositions(this.carry, this.tables.get('trades') as TradeMetric[]);
  }

  /** The bots whose folders beside this one hold day files (the folder names are the bot names, encoded). */
  bots(): string[] {
    const root = dirname(this.dir);
    const names = statSync(root, { throwIfNoEntry: false }) === undefined ? [] : readdirSync(root);
    return names
      .filter((n) => n.startsWith('bot=') && hasDayFiles(join(root, n)))
      .map((n) => decodeURIComponent(n.slice(4)))
      .sort();
  }

  private writable(): void {
    if (!this.open_) throw new Error('history store is not open');
    if (this.readOnly) throw new Error('history store is open read-only');
  }

  counts(): TableCounts {
    const out = {} as Record<TableName, number>;
    for (const t of TABLES) out[t] = this.tables.get(t)!.length;
    return out;
  }

  /**
   * Deletes the day files of `table` whose whole day is before `cutoff` (a day is kept whole while
   * any of it is inside the window); returns the rows they held. `limit` is not a bound here.
   */
  deleteOlderThan(table: TableName, cutoff: number, _limit: number): number {
    this.writable();
    const keepFrom = Math.floor(cutoff / DAY_MS) * DAY_MS;
    const rows = this.tables.get(table)!;
    const gone = rows.filter((e) => e.timestamp < keepFrom);
    if (gone.length === 0 && !this.hasFilesBefore(table, keepFrom)) return 0;
    if (table === 'trades' && gone.length > 0) {
      // Folded first: positions must not lose the deleted trades if the process dies between the two steps.
      this.carry = writeCarryFile(this.dir, carryPositions(this.carry, gone as TradeMetric[]));
    }
    for (const name of readdirSync(this.dir)) {
      const m = FILE_NAME.exec(name);
      if (m === null || m[1] !== table || Date.parse(`${m[2]}T00:00:00Z`) >= keepFrom) continue;
      const open = this.files.get(name);
      if (open !== undefined) {
        closeSync(open.fd);
        this.files.delete(name);
      }
      const path = join(this.dir, name);
      this.bytes -= statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      unlinkSync(path);
    }
    this.tables.set(
      table,
      rows.filter((e) => e.timestamp >= keepFrom),
    );
    this.ordered.set(
      table,
      this.tables.get(table)!.every((e, i, all) => i === 0 || e.timestamp >= all[i - 1]!.timestamp),
    );
    for (const e of gone) if (e.eventType === EventType.TRADE_EXECUTION) this.realized.delete(e);
    return gone.length;
  }

  private hasFilesBefore(table: TableName, keepFrom: number): boolean {
    return readdirSync(this.dir).some((name) => {
      const m = FILE_NAME.exec(name);
      return m !== null && m[1] === table && Date.parse(`${m[2]}T00:00:00Z`) < keepFrom;
    });
  }

  sizeBytes(): number {
    return this.bytes;
  }

  private identityNow(): string | null {
    const s = statSync(this.dir, { throwIfNoEntry: false });
    return s === undefined ? null : `${s.dev}:${s.ino}`;
  }

  locationChanged(): string | null {
    if (!this.open_ || this.identity === null) return null;
    const now = this.identityNow();
    if (now === this.identity) return null;
    return now === null ? `${this.dir} was deleted or renamed` : `${this.dir} was replaced by another directory`;
  }

  afterFlush(): void {
    // `normal`: one fsync per file written since the last flush, at most once per flush interval.
    for (const f of this.files.values()) {
      if (!f.dirty) continue;
      try {
        fsyncSync(f.fd);
        f.dirty = false;
      } catch {
        // Reported by the next write to the same disk; the rows are in the page cache meanwhile.
      }
    }
  }

  optimize(): void {}

  close(): void {
    if (!this.open_) return;
    this.open_ = false;
    this.closeFiles();
  }
}

function hasDayFiles(folder: string): boolean {
  try {
    return readdirSync(folder).some((f) => FILE_NAME.test(f));
  } catch {
    return false;
  }
}
