// HistoryStore: the store sink — buffers events on the hot path, writes them in batches, survives faults.

import { performance } from 'node:perf_hooks';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { Clock, TimerHandle } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { EventSink } from '../events/EventSink.js';
import { EventType, type GrowthEvent, type MonitorEvent } from '../events/types.js';
import type { StoreStats } from '../internal/StoreStats.js';
import type { RowBatch } from './batchCodec.js';
import { EVENT_TYPE_OF, mergeNewest, type NormalizedQuery, newestMatches, type StoredEventByKind, type StoredKind } from './queries.js';
import { RowQueue } from './RowQueue.js';
import { SqliteBackend } from './SqliteBackend.js';
import { SqliteWriterThread } from './SqliteWriterThread.js';
import type { ReplayedTrade, StoreBackend, TableCounts } from './StoreBackend.js';
import { TABLES, type TableName } from './schema.js';
import { isPermanent } from './writeFaults.js';
import type { WriterResult } from './writerThread.js';

export const DAY_MS = 86_400_000;

export interface HistoryStoreOptions {
  /** Timers and `now()`. */
  readonly clock: Clock;
  /** Time between flushes, milliseconds. */
  readonly flushIntervalMs: number;
  /** Rows the buffer holds at most; further rows are dropped and counted. */
  readonly maxBufferRows: number;
  /** Flush early once this many rows are buffered (a 2,000-row flush takes about 10 ms). @default 2000 */
  readonly flushAtRows?: number;
  /** Rows per transaction; a timer flush writes one such chunk per turn of the event loop. @default 5000 */
  readonly rowsPerTransaction?: number;
  /** Delete history older than this many days, at start and daily; null keeps everything. */
  readonly retentionDays: number | null;
  /** Rows deleted per statement by retention. @default 5000 */
  readonly retentionChunkRows?: number;
  /**
   * Write a SQLite file from a thread of its own (see {@link SqliteWriterThread}), so commits and
   * checkpoints never stop the bot's event loop. Falls back to writing on the caller's thread when
   * the thread cannot start. Ignored for other backends. @default false
   */
  readonly writerThread?: boolean;
  /** Failures go here (the facade passes them to `diagnostics.sinkFailed('store', …)`). */
  readonly onFailure: (error: unknown) => void;
}

/** What `cleanupOldData` deleted. */
export interface CleanupResult {
  /** Rows stamped before this instant (epoch ms) were deleted. */
  readonly cutoff: number;
  readonly deleted: Readonly<Record<TableName, number>>;
  readonly total: number;
}

/** Row counts per table and the file size, as `getDatabaseStats()` reports them. */
export type DatabaseStats = Readonly<TableCounts & { db_size_bytes: number }>;

const TABLE_OF_TYPE: Partial<Record<EventType, TableName>> = {
  [EventType.TRADE_EXECUTION]: 'trades',
  [EventType.PERFORMANCE_METRIC]: 'performance_metrics',
  [EventType.GROWTH_TRACKING]: 'growth_metrics',
  [EventType.LIQUIDITY_ANALYSIS]: 'liquidity_metrics',
  [EventType.LOOP_EXECUTION]: 'loop_executions',
  [EventType.ERROR_EVENT]: 'errors',
};

/** At most one report per this many milliseconds while a fault lasts; every failure is still counted. */
const REPORT_INTERVAL_MS = 60_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Rows per writer-thread transaction. Larger than on the caller's thread, where a transaction
 * stops the event loop: off it, fewer commits write fewer WAL pages. Bigger batches save a little
 * more CPU but hold more memory.
 */
const THREAD_BATCH_ROWS = 10_000;

/** Longest a synchronous flush waits for the writer thread's answer before reporting a failure. */
const THREAD_WAIT_MS = 30_000;

/**
 * The history sink. `record` appends the event to a bounded buffer (encoded, see `RowBatch`) and
 * returns; the buffer is written in one transaction per flush: every `flushIntervalMs`, early at
 * `flushAtRows`, and on `flush()`, `stop()`, queries, process exit and (opt-in) SIGTERM/SIGINT. A
 * crash loses at most the rows of the last flush interval. A failed flush keeps its rows, counts the failure, reports it,
 * and is retried; rows beyond `maxBufferRows` are dropped and counted, never silently.
 */
export class HistoryStore implements EventSink {
  readonly name = 'store';
  private readonly buffer: RowQueue;
  private readonly clock: Clock;
  private readonly flushIntervalMs: number;
  private readonly maxBufferRows: number;
  private readonly flushAtRows: number;
  private readonly rowsPerTransaction: number;
  private readonly retentionDays: number | null;
  private readonly retentionChunkRows: number;
  private readonly onFailure: (error: unknown) => void;
  private readonly useThread: boolean;
  private thread: SqliteWriterThread | null = null;
  /** Rows handed to the writer thread and not yet answered for; written before anything in `buffer`. */
  private inflight: RowBatch | null = null;
  /**
   * Buffered rows past which the hot path waits for the writer thread: half the buffer limit, so a
   * checkpoint or a slow disk holding the thread for a second or two does not stop the bot.
   */
  private readonly backlogRows: number;
  private readonly threadBatchRows: number;
  private flushTimer: TimerHandle | null = null;
  private retentionTimer: TimerHandle | null = null;
  private earlyFlushArmed = false;
  private running = false;
  private stopping: Promise<void> | null = null;
  private cleanup: Promise<unknown> | null = null;
  // A fault episode lasts from the first failure (or drop) to the next successful flush.
  private failing = false;
  private dropping = false;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private writeFailures = 0;
  private droppedRows = 0;
  private rowsWritten = 0;
  private flushes = 0;
  private lastFlushDurationMs = 0;
  private lastFlushRows = 0;

  constructor(
    readonly backend: StoreBackend,
    options: HistoryStoreOptions,
  ) {
    this.clock = options.clock;
    this.flushIntervalMs = options.flushIntervalMs;
    this.maxBufferRows = options.maxBufferRows;
    this.flushAtRows = Math.min(options.flushAtRows ?? 2000, options.maxBufferRows);
    this.rowsPerTransaction = options.rowsPerTransaction ?? 5000;
    this.retentionDays = options.retentionDays;
    this.retentionChunkRows = options.retentionChunkRows ?? 5000;
    this.onFailure = options.onFailure;
    this.threadBatchRows = Math.max(this.rowsPerTransaction, THREAD_BATCH_ROWS);
    this.backlogRows = Math.max(1, Math.floor(options.maxBufferRows / 2));
    this.buffer = new RowQueue(this.threadBatchRows);
    this.useThread = (options.writerThread ?? false) && backend instanceof SqliteBackend && backend.filePath !== null;
  }

  // ── hot path ───────────────────────────────────────────────────────────────

  record(event: MonitorEvent): void {
    if (event.eventType === EventType.SYSTEM_EVENT) return;
    const buffer = this.buffer;
    if (buffer.length + (this.inflight === null ? 0 : this.inflight.length) >= this.maxBufferRows) {
      this.dropped();
      return;
    }
    buffer.push(event);
    // Back-pressure: a bot logging faster than SQLite can commit (or never yielding to the timers)
    // hands the backlog over here, or waits for the batch in flight, rather than growing the
    // buffer until rows are dropped. Never while a fault lasts.
    if (buffer.length >= this.backlogRows && this.thread !== null && this.running && !this.failing) {
      if (this.inflight === null) this.postBatch();
      else this.settleInflight(true);
    }
    // Not while a fault lasts: retries then wait for the interval instead of hammering a locked file.
    if (buffer.length >= this.flushAtRows && !this.earlyFlushArmed && this.running && !this.failing) {
      // Not written here: the write happens on the next timer turn, off the caller's stack.
      this.earlyFlushArmed = true;
      this.armFlush(0);
    }
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────

  /** Opens the backend, starts the flush timer and retention; throws when the database cannot be opened. */
  start(): void {
    if (this.running) return;
    this.backend.open();
    if (this.useThread) this.thread = SqliteWriterThread.start(this.backend as SqliteBackend, this.onThreadResult, this.onThreadExit);
    this.running = true;
    this.stopping = null;
    this.armFlush(this.flushIntervalMs);
    if (this.retentionDays !== null) this.runRetention();
  }

  /** Writes everything buffered. Failures are counted and reported, never thrown. */
  flush(): void {
    this.flushSync();
  }

  /** Flushes, stops timers, and closes the backend. Safe to call twice. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimers();
    // Retention checks `running` before each chunk, so this wait is at most one chunk long.
    await this.cleanup?.catch(() => undefined);
    if (this.backend.isOpen) {
      if (!this.flushSync()) {
        this.report(
          new Error(`history store stopped with ${this.pendingRows} rows not written (kept in memory until the next start)`),
          true,
        );
      }
      this.closeThread();
      this.backend.close();
    }
  }

  /** True between `start()` and `stop()`. */
  get isRunning(): boolean {
    return this.running;
  }

  /** The retention run in progress (at start or daily), if any. */
  get cleanupInProgress(): Promise<unknown> | null {
    return this.cleanup;
  }

  // ── writing ────────────────────────────────────────────────────────────────

  /**
   * Writes the whole buffer now, in transactions of `rowsPerTransaction`. Returns true when the
   * buffer is empty afterwards. Never throws.
   */
  flushSync(): boolean {
    if (this.thread !== null) return this.drainThread();
    if (this.buffer.length === 0) return true;
    if (!this.backend.isOpen) return false;
    while (this.buffer.length > 0) {
      if (!this.writeChunk()) return false;
    }
    this.backend.afterFlush();
    return true;
  }

  private writeChunk(): boolean {
    const rows = this.buffer.peek()!;
    const n = Math.min(rows.length, this.rowsPerTransaction);
    const started = performance.now();
    try {
      this.backend.writeBatch(rows, 0, n);
    } catch (error) {
      if (!isPermanent(error)) {
        this.failed(error);
        return false;
      }
      return this.writeRowByRow(rows, n);
    }
    this.buffer.dropFirst(n);
    this.succeeded(n, performance.now() - started);
    return true;
  }

  /**
   * A batch refused for its content (a row SQLite cannot take): write the rows one by one so only
   * the bad ones are dropped, each counted and reported. Stops at a fault that is not the rows'.
   */
  private writeRowByRow(rows: RowBatch, n: number): boolean {
    const started = performance.now();
    let done = 0;
    let dropped = 0;
    while (done < n) {
      try {
        this.backend.writeBatch(rows, done, done + 1);
      } catch (error) {
        if (!isPermanent(error)) {
          this.buffer.dropFirst(done);
          this.failed(error);
          return false;
        }
        dropped++;
        this.droppedRows++;
        this.report(new Error(`history row refused by the database and dropped (${rows.at(done).eventType}): ${String(error)}`), true);
      }
      done++;
    }
    this.buffer.dropFirst(n);
    this.succeeded(n - dropped, performance.now() - started);
    return true;
  }

  private succeeded(rows: number, durationMs: number): void {
    this.rowsWritten += rows;
    this.flushes++;
    this.lastFlushRows = rows;
    this.lastFlushDurationMs = durationMs;
    this.failing = false;
    if (this.buffer.length < this.maxBufferRows) this.dropping = false;
  }

  private failed(error: unknown): void {
    this.writeFailures++;
    const first = !this.failing;
    this.failing = true;
    this.report(error, first);
  }

  private dropped(): void {
    this.droppedRows++;
    if (!this.dropping) {
      this.dropping = true;
      this.report(
        new Error(`history buffer full (${this.maxBufferRows} rows): new rows are dropped and counted until a flush succeeds`),
        true,
      );
    }
  }

  private report(error: unknown, force = false): void {
    const now = this.clock.now();
    if (!force && now - this.lastReportAt < REPORT_INTERVAL_MS) return;
    this.lastReportAt = now;
    try {
      this.onFailure(error);
    } catch {
      // Reporting must not turn a failed write into an exception in the bot.
    }
  }

  private armFlush(delayMs: number): void {
    if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = this.clock.setTimeout(this.onFlushTimer, delayMs);
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = null;
    this.earlyFlushArmed = false;
    if (!this.running) return;
    if (this.thread !== null) {
      // The next batch leaves when the one in flight is answered (onThreadResult).
      if (this.inflight === null && this.buffer.length > 0) this.postBatch();
      this.armFlush(this.flushIntervalMs);
      return;
    }
    // One chunk per turn keeps a long backlog (after an outage) from stalling the event loop.
    let ok = true;
    if (this.buffer.length > 0) {
      ok = this.writeChunk();
      if (ok && this.buffer.length === 0) this.backend.afterFlush();
    }
    this.armFlush(ok && this.buffer.length > 0 ? 0 : this.flushIntervalMs);
  };

  // ── writer thread ──────────────────────────────────────────────────────────

  /** Rows not yet written: in flight to the writer thread, then buffered. */
  private get pendingRows(): number {
    return this.buffer.length + (this.inflight === null ? 0 : this.inflight.length);
  }

  /** Buffered and in-flight rows, oldest first (what a query adds to the database's answer). */
  private pending(): readonly MonitorEvent[] {
    const buffered = this.buffer.toArray();
    return this.inflight === null ? buffered : this.inflight.toArray().concat(buffered);
  }

  /** Hands the oldest buffered rows (at most `threadBatchRows`) to the thread. */
  private postBatch(): void {
    const batch = this.buffer.shift();
    if (batch === undefined) return;
    this.inflight = batch;
    try {
      this.thread!.write(batch);
    } catch (error) {
      // Not cloneable (only a hand-made event can be) or the thread is gone: keep the rows, report.
      this.inflight = null;
      this.buffer.unshift(batch);
      this.failed(error);
    }
  }

  /** The thread ended on its own (it should not): its batch is kept, and writing goes on from this thread. */
  private readonly onThreadExit = (thread: SqliteWriterThread): void => {
    if (this.thread !== thread) return;
    this.thread = null;
    if (this.inflight !== null) {
      this.buffer.unshift(this.inflight);
      this.inflight = null;
    }
    this.report(new Error('history writer thread ended unexpectedly; writing from the main thread from now on'), true);
  };

  private readonly onThreadResult = (result: WriterResult): void => {
    if (result.kind !== 'write' || this.inflight === null) return;
    this.settle(result);
    // A backlog goes out batch after batch, each as soon as the previous one is committed.
    if (this.running && !this.failing && this.buffer.length >= this.flushAtRows) this.postBatch();
  };

  /** Applies the answer for the batch in flight. Returns true when all of it is handled. */
  private settle(result: WriterResult & { kind: 'write' }): boolean {
    const batch = this.inflight!;
    this.inflight = null;
    for (const r of result.refused) {
      this.droppedRows++;
      this.report(new Error(`history row refused by the database and dropped (${r.eventType}): ${r.message}`), true);
    }
    if (result.consumed < batch.length) {
      batch.dropFirst(result.consumed);
      this.buffer.unshift(batch);
    } else {
      this.buffer.recycle(batch);
    }
    if (result.error !== null) {
      if (result.written > 0) this.rowsWritten += result.written;
      this.failed(Object.assign(new Error(result.error.message), { code: result.error.code ?? undefined }));
      return false;
    }
    this.succeeded(result.written, result.durationMs);
    return true;
  }

  /** Writes everything through the thread, waiting for each batch. Never throws. */
  private drainThread(): boolean {
    for (;;) {
      if (this.inflight !== null) {
        const result = this.thread!.wait(THREAD_WAIT_MS);
        if (result === null) {
          this.failed(new Error(`history writer thread did not answer within ${THREAD_WAIT_MS} ms`));
          return false;
        }
        if (result.kind === 'write' && !this.settle(result)) return false;
      }
      if (this.buffer.length === 0) return true;
      this.postBatch();
      if (this.inflight === null) return false;
    }
  }

  /**
   * Waits for the batch in flight: before the main connection writes itself (retention), or as
   * back-pressure, then sending the next batch at once (`sendNext`).
   */
  private settleInflight(sendNext: boolean): void {
    if (this.thread === null || this.inflight === null) return;
    const result = this.thread.wait(THREAD_WAIT_MS);
    if (result === null || result.kind !== 'write') return;
    if (sendNext) this.onThreadResult(result);
    else this.settle(result);
  }

  private closeThread(): void {
    const thread = this.thread;
    if (thread === null) return;
    this.thread = null;
    thread.close(THREAD_WAIT_MS);
    // Only after a thread that did not answer: the rows stay pending, and a restart writes them.
    if (this.inflight !== null) {
      this.buffer.unshift(this.inflight);
      this.inflight = null;
    }
  }

  private clearTimers(): void {
    if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
    if (this.retentionTimer !== null) this.clock.clearTimeout(this.retentionTimer);
    this.flushTimer = null;
    this.retentionTimer = null;
    this.earlyFlushArmed = false;
  }

  // ── retention ──────────────────────────────────────────────────────────────

  private runRetention(): void {
    const days = this.retentionDays!;
    if (this.cleanup === null) {
      const run = this.cleanupOldData(days)
        .catch((error: unknown) => this.report(error, true))
        .finally(() => {
          if (this.cleanup === run) this.cleanup = null;
        });
      this.cleanup = run;
    }
    this.retentionTimer = this.clock.setTimeout(() => {
      this.retentionTimer = null;
      if (this.running) this.runRetention();
    }, DAY_MS);
  }

  /**
   * Deletes history stamped more than `days` days before `clock.now()`, table by table in chunks
   * of `retentionChunkRows`, yielding to the event loop between chunks.
   */
  async cleanupOldData(days: number): Promise<CleanupResult> {
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) throw new ValidationError('days', days, 'a number of days > 0');
    if (!this.backend.isOpen) throw new Error('history store is not open (call start() first)');
    const cutoff = this.clock.now() - days * DAY_MS;
    this.flushSync();
    const deleted = {} as Record<TableName, number>;
    let total = 0;
    for (const table of TABLES) {
      deleted[table] = 0;
      for (;;) {
        // stop() waits for this run: it ends at the next chunk instead of finishing a long delete.
        if (!this.running || !this.backend.isOpen) break;
        // The main connection deletes; the writer thread's batch in flight is committed first.
        this.settleInflight(false);
        const n = this.backend.deleteOlderThan(table, cutoff, this.retentionChunkRows);
        deleted[table] += n;
        total += n;
        if (n < this.retentionChunkRows) break;
        await yieldToEventLoop();
      }
    }
    if (total > 0) this.backend.optimize();
    return { cutoff, deleted, total };
  }

  // ── reading ────────────────────────────────────────────────────────────────

  /** Newest first; flushes first, and still includes rows a failed flush left in the buffer. */
  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    this.flushSync();
    const stored = this.backend.query(kind, q);
    if (this.pendingRows === 0) return stored;
    return mergeNewest(stored, newestMatches<StoredEventByKind[K]>(this.pending(), EVENT_TYPE_OF[kind], q), q.limit);
  }

  /**
   * The dashboards' aggregate queries, after a flush so everything logged so far is counted (rows
   * a failing flush keeps buffered are not, until it succeeds). Requires the store to be started.
   */
  analytics(): AnalyticsQueries {
    this.flushSync();
    return this.backend.analytics();
  }

  /**
   * Calls `visit` with this bot's trades in the order they happened, everything logged so far
   * included; returns how many (0 where history does not outlive the process).
   */
  replayTrades(visit: (trade: ReplayedTrade) => void): number {
    if (this.backend.replayTrades === undefined) return 0;
    this.flushSync();
    return this.backend.replayTrades(visit);
  }

  /** This bot's positions as the trades deleted by retention left them; none where history does not outlive the process. */
  carriedPositions(): Position[] {
    return this.backend.carriedPositions?.() ?? [];
  }

  /** The newest growth row of an hour before `hourStart`, buffered rows included. */
  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    this.flushSync();
    let best = this.backend.lastGrowthBefore(hourStart);
    for (const e of this.pending()) {
      if (e.eventType === EventType.GROWTH_TRACKING && e.hourStart < hourStart && (best === null || e.hourStart >= best.hourStart))
        best = e;
    }
    return best;
  }

  /** Rows per table (buffered rows included) and the size on disk. */
  databaseStats(): DatabaseStats {
    this.flushSync();
    const counts = this.backend.counts();
    for (const e of this.pending()) {
      const table = TABLE_OF_TYPE[e.eventType];
      if (table !== undefined) counts[table]++;
    }
    return Object.freeze({ ...counts, db_size_bytes: this.sizeBytes() });
  }

  /** The store's figures for telemetry; cheap, never throws. */
  stats(): StoreStats {
    return {
      dbSizeBytes: this.sizeBytes(),
      bufferedRows: this.pendingRows,
      writeFailures: this.writeFailures,
      droppedRows: this.droppedRows,
      rowsWritten: this.rowsWritten,
      flushes: this.flushes,
      lastFlushDurationMs: this.lastFlushDurationMs,
      lastFlushRows: this.lastFlushRows,
    };
  }

  private sizeBytes(): number {
    try {
      return this.backend.sizeBytes();
    } catch {
      return 0;
    }
  }
}
