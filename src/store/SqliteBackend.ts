// SqliteBackend: history in one SQLite file (WAL): opening it safely (checks, migrations, the writer lease) and composing its writer, reader and retention.

import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { DatabaseLocation } from '../config/MonitoringConfig.js';
import type { GrowthEvent } from '../events/types.js';
import type { BatchWriter, WriteReport } from './BatchWriter.js';
import type { BalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import type { TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import type { RowQueue } from './RowQueue.js';
import { SqliteReader, sqliteFileBytes } from './SqliteReader.js';
import { SqliteRetention } from './SqliteRetention.js';
import { SqliteRowWriter } from './SqliteRowWriter.js';
import type { StoreBackend } from './StoreBackend.js';
import { inspectDatabase, migrate, type TableName } from './schema.js';
import { ThreadWriter } from './ThreadWriter.js';
import { WriterLease } from './writerLease.js';

/** How hard SQLite syncs to disk: `normal` (WAL default) or `full`. */
export type SqliteSynchronous = 'normal' | 'full';

export interface SqliteBackendOptions {
  /** Value of every row's `bot` column. @default '' */
  botName?: string;
  /** Value of every row's `strategy` column. @default '' */
  strategy?: string;
  /** Value of every row's `exchange` column. @default '' */
  exchange?: string;
  /** @default 'normal' */
  synchronous?: SqliteSynchronous;
  /**
   * How long a write waits for another connection's lock. Kept short on purpose: a flush runs on
   * the bot's event loop, and a failed flush keeps its rows and is retried at the next interval.
   * @default 100
   */
  busyTimeoutMs?: number;
  /**
   * Copy the WAL into the database (a PASSIVE checkpoint) after the flush that brings the rows
   * written since the last one to this many. @default 10000
   */
  checkpointEveryRows?: number;
  /**
   * The connection's page cache in KiB (SQLite's `cache_size`). better-sqlite3 builds SQLite with
   * 16 MiB; the writer thread's connection, which only appends, sets SQLite's own 2 MiB.
   * @default better-sqlite3's 16000
   */
  cacheSizeKb?: number;
  /**
   * Set on a writer thread's connection: the lease its owner took, renewed by this connection's
   * batches instead of a lease of its own. @internal
   */
  leaseToken?: string;
  /**
   * Take the one-writer-per-bot lease. Off for a process that only looks at a live bot's history
   * (the CLI's report, export and serve), which must not be refused while the bot runs. @default true
   */
  writerLease?: boolean;
}

/** What is open: the connection and the parts built on it. */
interface Open {
  readonly db: Database.Database;
  readonly writer: SqliteRowWriter;
  readonly reader: SqliteReader;
  readonly retention: SqliteRetention;
  readonly lease: WriterLease | null;
  readonly writeTx: (rows: RowBatch, start: number, end: number) => number;
  /** The file's identity when it was opened (device and inode), to notice it deleted or replaced. */
  readonly identity: string | null;
}

function identityOf(path: string): string | null {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? null : `${s.dev}:${s.ino}`;
}

/**
 * History in SQLite through better-sqlite3. WAL journal with `synchronous=NORMAL` by default: a
 * process crash loses no committed transaction; a power loss or OS crash may roll back the last
 * transactions committed since the WAL was last synced, never corrupting the file. `full` syncs
 * every commit. Timestamps are UTC epoch milliseconds in INTEGER columns in every table.
 */
export class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite';
  private current: Open | null = null;
  private readonly path: string | null;
  private readonly bot: string;
  /** The options it was built with, so a writer thread can open a twin connection to the same file. */
  readonly options: Readonly<SqliteBackendOptions>;
  private rowsSinceCheckpoint = 0;
  private readonly checkpointEveryRows: number;

  constructor(location: DatabaseLocation, options: SqliteBackendOptions = {}) {
    this.path = location.kind === 'file' ? resolve(location.path) : null;
    this.bot = options.botName ?? '';
    this.checkpointEveryRows = options.checkpointEveryRows ?? 10_000;
    this.options = Object.freeze({ ...options });
  }

  /** Absolute path of the database file, or null in memory. */
  get filePath(): string | null {
    return this.path;
  }

  get isOpen(): boolean {
    return this.current !== null;
  }

  open(): void {
    if (this.current !== null) return;
    const path = this.path;
    if (path !== null) {
      // Read-only first: a file this code must not write to is refused exactly as it was found.
      if (existsSync(path) && statSync(path).size > 0) {
        try {
          inspectDatabase(() => new Database(path, { readonly: true, fileMustExist: true }));
        } catch (error) {
          throw new Error(`history database ${path} refused, left as it was: ${(error as Error).message}`);
        }
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Trading records are private: create the file owner-only before SQLite does (SQLite gives
      // the -wal and -shm files the database file's permissions). An existing file keeps its mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    const db = new Database(path ?? ':memory:');
    try {
      this.current = this.prepare(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private prepare(db: Database.Database): Open {
    const o = this.options;
    db.pragma(`busy_timeout = ${Math.trunc(o.busyTimeoutMs ?? 100)}`);
    if (o.cacheSizeKb !== undefined) db.pragma(`cache_size = ${-Math.max(1, Math.trunc(o.cacheSizeKb))}`);
    if (this.path !== null) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`could not switch ${this.path} to WAL mode (got ${String(mode)})`);
      // Checkpoints run after flushes (afterFlush), not in the middle of a commit.
      db.pragma('wal_autocheckpoint = 0');
    }
    db.pragma(`synchronous = ${o.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // PRAGMA optimize (after retention, at close) then samples each index instead of reading a
    // million-row table whole, bounding its pause.
    db.pragma('analysis_limit = 1000');
    migrate(db);
    const leaseKey = this.path ?? ':memory:';
    const lease =
      this.path === null || o.writerLease === false
        ? null
        : o.leaseToken !== undefined
          ? WriterLease.adopt(db, this.bot, leaseKey, o.leaseToken)
          : WriterLease.acquire(db, this.bot, leaseKey);
    try {
      const writer = new SqliteRowWriter(db, { bot: this.bot, strategy: o.strategy ?? '', exchange: o.exchange ?? '' });
      const writeTx = db.transaction((rows: RowBatch, start: number, end: number) => {
        lease?.renewIfDue();
        return writer.write(rows, start, end);
      });
      return {
        db,
        writer,
        reader: new SqliteReader(db, this.bot),
        retention: new SqliteRetention(db, writer),
        lease,
        writeTx,
        identity: this.path === null ? null : identityOf(this.path),
      };
    } catch (error) {
      if (o.leaseToken === undefined) lease?.release();
      throw error;
    }
  }

  writeBatch(rows: RowBatch, start: number, end: number): number {
    const written = this.open_().writeTx(rows, start, end);
    this.rowsSinceCheckpoint += end - start;
    return written;
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

  bots(): string[] {
    return this.open_().reader.bots();
  }

  deleteOlderThan(table: TableName, cutoff: number, limit: number): number {
    return this.open_().retention.deleteOlderThan(table, cutoff, limit);
  }

  sizeBytes(): number {
    return this.path === null ? 0 : sqliteFileBytes(this.path);
  }

  locationChanged(): string | null {
    const open = this.current;
    if (open === null || this.path === null || open.identity === null) return null;
    const now = identityOf(this.path);
    if (now === open.identity) return null;
    return now === null ? `${this.path} was deleted or renamed` : `${this.path} was replaced by another file`;
  }

  startThreadWriter(queue: RowQueue, report: WriteReport): BatchWriter | null {
    if (this.path === null) return null;
    const token = this.current?.lease?.token;
    return ThreadWriter.start(this.path, token === undefined ? this.options : { ...this.options, leaseToken: token }, queue, report);
  }

  afterFlush(): void {
    // Counted in rows, not WAL file size: the file keeps its size after a checkpoint (SQLite reuses
    // it from the start), so its size says nothing about what is left to copy.
    const open = this.current;
    if (open === null || this.path === null || this.rowsSinceCheckpoint < this.checkpointEveryRows) return;
    try {
      // PASSIVE never waits for readers; pages it cannot copy now are copied next time.
      open.db.pragma('wal_checkpoint(PASSIVE)');
      this.rowsSinceCheckpoint = 0;
    } catch {
      // A checkpoint that cannot run now (locked) runs after a later flush; nothing is lost.
    }
  }

  optimize(): void {
    try {
      this.current?.db.pragma('optimize');
    } catch {
      // Only planner statistics; never worth a failure.
    }
  }

  close(): void {
    const open = this.current;
    if (open === null) return;
    this.current = null;
    if (this.options.leaseToken === undefined) open.lease?.release();
    try {
      open.db.pragma('optimize');
      // Leaves a small, self-contained file behind for backups and copies.
      open.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Locked by another connection: the WAL stays and is replayed on the next open.
    }
    open.db.close();
  }

  /** Runs `PRAGMA integrity_check`; `ok` when the file is sound. */
  integrityCheck(): string {
    return String(this.open_().db.pragma('integrity_check', { simple: true }));
  }

  private open_(): Open {
    if (this.current === null) throw new Error('history database is not open');
    return this.current;
  }
}
