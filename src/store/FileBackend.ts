// FileBackend: history as JSON Lines (POSEIDON_STORAGE=file): one append-only file per table per UTC day, with a summary per day and the carried positions beside them.

import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import type { BatchWriter, WriteReport } from './BatchWriter.js';
import type { BalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { DaySummary } from './DaySummary.js';
import { FileAppender } from './FileAppender.js';
import { FileDays, orphanSummaries } from './FileDays.js';
import { FileLease } from './FileLease.js';
import { FileReader } from './FileReader.js';
import { botFolder, CARRY_FILE, dataFile, dayStart, FILE_NAME, readJson, summaryFile, timesFile, writeJson } from './fileLayout.js';
import { ownerFields } from './fileRecords.js';
import { forEachLine, tradeTimes } from './fileScan.js';
import type { TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import type { RowQueue } from './RowQueue.js';
import { DAY_MS } from './retention.js';
import type { StoreBackend } from './StoreBackend.js';
import type { TableName } from './schema.js';
import { ThreadWriter } from './ThreadWriter.js';

export interface FileBackendOptions {
  /** Value of every record's `bot` field; also names the bot's folder. @default '' */
  botName?: string;
  /** @default '' */
  strategy?: string;
  /** @default '' */
  exchange?: string;
  /** `normal`: written files are fsynced at most once per `syncIntervalMs`; `full`: after every batch. @default 'normal' */
  synchronous?: 'normal' | 'full';
  /** With `normal`, the most time between a write and its fsync (the flush interval). @default 0: at every flush */
  syncIntervalMs?: number;
  /** Take the one-writer-per-bot lease (`writer.lock`); off for a process that only reads a live bot's history. @default true */
  writerLease?: boolean;
  /** Set on a writer thread's backend: the owner's lease, renewed here, never taken or released. @internal */
  leaseToken?: string;
  /** Told of what open() found and skipped (a torn last line, a line that is not JSON). */
  onNotice?: (message: string) => void;
  /**
   * Only read (a command looking at history): no lease, nothing created, cut or written, a bot
   * without a folder has no rows, and a last line without its newline (a crash's, or a writer's
   * append in progress) is skipped without being cut off. @default false
   */
  readOnly?: boolean;
}

/** What is open. */
interface Open {
  readonly days: FileDays;
  readonly reader: FileReader;
  readonly appender: FileAppender;
  readonly lease: FileLease | null;
  readonly identity: string | null;
}

/**
 * One bot's history in `<directory>/bot=<name>/`: `<table>-<YYYY-MM-DD>.jsonl` (a record a line,
 * appended whole per batch), `summary-<day>.json` (rows, hour sums and hour offsets of the day,
 * replaced after each batch) and `position_carry.json` (each symbol's position after the trades
 * written). A process crash loses no batch written; `normal` syncs at most once per flush
 * interval, `full` after every batch. A torn last line (a crash mid-append) is cut off at open and
 * reported; retention deletes whole day files.
 */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys'];

export class FileBackend implements StoreBackend {
  readonly kind = 'file';
  private readonly root: string;
  private readonly dir: string;
  private readonly bot: string;
  private readonly options: Readonly<FileBackendOptions>;
  private current: Open | null = null;
  private sizeAt = Number.NEGATIVE_INFINITY;
  private size = 0;

  constructor(directory: string, options: FileBackendOptions = {}) {
    this.bot = options.botName ?? '';
    this.root = resolve(directory);
    this.dir = join(this.root, botFolder(this.bot));
    this.options = Object.freeze({ ...options });
  }

  /** The bot's folder. */
  get directory(): string {
    return this.dir;
  }

  get isOpen(): boolean {
    return this.current !== null;
  }

  open(): void {
    if (this.current !== null) return;
    const o = this.options;
    const readOnly = o.readOnly === true;
    const writes = o.writerLease !== false && !readOnly;
    const pseudo = PSEUDO_FILESYSTEMS.find((p) => this.root === p || this.root.startsWith(`${p}/`));
    // The kernel's pseudo-filesystems take no files; creating folders in them can block.
    if (pseudo !== undefined)
      throw new Error(`history directory ${this.root} is under ${pseudo}, a kernel pseudo-filesystem: choose a directory on a disk`);
    for (const path of [dirname(this.dir), this.dir]) {
      const existing = statSync(path, { throwIfNoEntry: false });
      if (existing !== undefined && !existing.isDirectory()) throw new Error(`history directory ${path} is not a directory`);
    }
    if (!readOnly) this.prepareDirectory();
    const lease = !writes
      ? null
      : o.leaseToken !== undefined
        ? FileLease.adopt(this.dir, o.leaseToken)
        : FileLease.acquire(this.dir, this.bot);
    try {
      const days = new FileDays(this.dir, o.onNotice ?? (() => undefined));
      if (writes) this.reconcile(days);
      const owner = { bot: this.bot, strategy: o.strategy ?? '', exchange: o.exchange ?? '' };
      const appender = new FileAppender(this.dir, owner, ownerFields(owner), days, {
        full: o.synchronous === 'full',
        intervalMs: o.syncIntervalMs ?? null,
      });
      this.current = { days, reader: new FileReader(this.dir, days), appender, lease, identity: this.identityNow() };
    } catch (error) {
      if (o.leaseToken === undefined) lease?.release();
      throw new Error(`history directory ${this.dir} cannot be opened: ${(error as Error).message}`);
    }
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

  /** Writes back what the summaries and the carry file did not account for (a crash between an append and their replacement). */
  private reconcile(days: FileDays): void {
    for (const [day, s] of days.reconcile(true)) writeJson(join(this.dir, summaryFile(day)), s, true);
    for (const [day, tables] of days.days()) if (tables.has('trades')) this.rebuildTimes(day, days.summary(day, tables));
    const carry = days.carry();
    // Written back only when the lines held more than it accounted for (a crash before it was replaced).
    if (JSON.stringify(carry) !== JSON.stringify(readJson(join(this.dir, CARRY_FILE)))) writeJson(join(this.dir, CARRY_FILE), carry, true);
    const all = days.days();
    for (const name of orphanSummaries(readdirSync(this.dir), all)) unlinkSync(join(this.dir, name));
  }

  /** Writes the day's `.times` file anew from its trade lines when it does not hold exactly the day's trades (a crash, or a failed append). */
  private rebuildTimes(day: string, s: DaySummary): void {
    const path = join(this.dir, timesFile(day));
    if ((statSync(path, { throwIfNoEntry: false })?.size ?? -1) === s.counts.trades * 16) return;
    const values: number[] = [];
    forEachLine(join(this.dir, dataFile('trades', day)), 0, s.bytes.trades, (line) => {
      const t = tradeTimes(line);
      if (t !== null) values.push(t[0], t[1]);
    });
    if (values.length !== s.counts.trades * 2) {
      rmSync(path, { force: true });
      return;
    }
    const fd = openSync(path, 'w', 0o600);
    try {
      writeSync(fd, new Uint8Array(Float64Array.from(values).buffer));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private open_(): Open {
    if (this.current === null) throw new Error('history store is not open');
    return this.current;
  }

  private writable(): Open {
    if (this.options.readOnly === true) throw new Error('history store is open read-only');
    return this.open_();
  }

  /** The bots whose folders beside this one hold day files (the folder names are the bot names, encoded). */
  bots(): string[] {
    const names = statSync(this.root, { throwIfNoEntry: false }) === undefined ? [] : readdirSync(this.root);
    return names
      .filter((n) => n.startsWith('bot=') && hasDayFiles(join(this.root, n)))
      .map((n) => decodeURIComponent(n.slice(4)))
      .sort();
  }

  writeBatch(rows: RowBatch, start: number, end: number): number {
    const open = this.writable();
    open.lease?.renewIfDue();
    return open.appender.write(rows, start, end);
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    return this.open_().reader.query(kind, q);
  }

  analytics(): AnalyticsQueries {
    return this.open_().reader.analytics();
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    return this.open_().reader.lastGrowthBefore(hourStart);
  }

  positions(): Position[] {
    return this.open_().reader.positions();
  }

  lastBalance(): BalanceState | null {
    return this.open_().reader.lastBalance();
  }

  counts(): TableCounts {
    return this.open_().reader.counts();
  }

  /**
   * Deletes the day files of `table` whose whole day is before `cutoff` (a day is kept whole while
   * any of it is inside the window); returns the rows they held. `limit` is not a bound here. The
   * carried positions account for every trade line before a trades file goes.
   */
  deleteOlderThan(table: TableName, cutoff: number, _limit: number): number {
    const open = this.writable();
    const keepFrom = Math.floor(cutoff / DAY_MS) * DAY_MS;
    const old = [...open.days.days()].filter(([day, tables]) => tables.has(table) && dayStart(day) < keepFrom);
    if (old.length === 0) return 0;
    open.appender.invalidate();
    let deleted = 0;
    if (table === 'trades' || table === 'growth_metrics') {
      // Carried first: positions must not lose the deleted trades if the process dies between the two steps.
      const carry = open.days.carry();
      for (const [day] of old) delete carry.covered[dataFile(table, day)];
      writeJson(join(this.dir, CARRY_FILE), carry, true);
    }
    for (const [day, tables] of old) {
      const s = open.days.summary(day, tables);
      deleted += s.counts[table];
      const rest = DaySummary.parse(JSON.parse(JSON.stringify(s)))!;
      rest.bytes[table] = 0;
      rest.counts[table] = 0;
      if (table === 'trades') {
        rest.offsets.clear();
        rest.fills.length = 0;
        rest.hours.clear();
      }
      const name = dataFile(table, day);
      open.appender.forgetFile(name);
      unlinkSync(join(this.dir, name));
      if (table === 'trades') {
        open.appender.forgetFile(timesFile(day));
        rmSync(join(this.dir, timesFile(day)), { force: true });
      }
      if (tables.size > 1) writeJson(join(this.dir, summaryFile(day)), rest, true);
      else unlinkSync(join(this.dir, summaryFile(day)));
    }
    open.days.forget();
    this.sizeAt = Number.NEGATIVE_INFINITY;
    return deleted;
  }

  /** Bytes of the day files; re-read at most once a second (it is a directory listing). */
  sizeBytes(): number {
    const open = this.current;
    if (open === null) return this.size;
    const now = performance.now();
    if (now - this.sizeAt >= 1000) {
      this.sizeAt = now;
      this.size = open.reader.sizeBytes();
    }
    return this.size;
  }

  private identityNow(): string | null {
    const s = statSync(this.dir, { throwIfNoEntry: false });
    return s === undefined ? null : `${s.dev}:${s.ino}`;
  }

  locationChanged(): string | null {
    const open = this.current;
    if (open === null || open.identity === null) return null;
    const now = this.identityNow();
    if (now === open.identity) return null;
    return now === null ? `${this.dir} was deleted or renamed` : `${this.dir} was replaced by another directory`;
  }

  startThreadWriter(queue: RowQueue, report: WriteReport): BatchWriter | null {
    const open = this.current;
    if (open === null) return null;
    const { onNotice: _n, ...options } = this.options;
    const token = open.lease?.token;
    const writer = ThreadWriter.start(
      { kind: 'file', directory: this.root, options: token === undefined ? options : { ...options, leaseToken: token } },
      queue,
      report,
    );
    // The thread writes from now on: what this side knows of the folder is read again if it ever writes.
    if (writer !== null) open.appender.invalidate();
    return writer;
  }

  afterFlush(): void {
    this.current?.appender.afterFlush();
  }

  optimize(): void {}

  close(): void {
    const open = this.current;
    if (open === null) return;
    this.current = null;
    try {
      open.appender.close();
    } finally {
      if (this.options.leaseToken === undefined) open.lease?.release();
    }
  }
}

function hasDayFiles(folder: string): boolean {
  try {
    return readdirSync(folder).some((f) => FILE_NAME.test(f));
  } catch {
    return false;
  }
}
