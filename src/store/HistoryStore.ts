// HistoryStore: the store sink — buffers events on the hot path, hands them to a BatchWriter, survives faults, reports losses.

import { performance } from 'node:perf_hooks';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { Clock, TimerHandle } from '../clock.js';
import { FlushError, ValidationError } from '../errors.js';
import type { EventSink } from '../events/EventSink.js';
import { EventType, type GrowthEvent, type MonitorEvent } from '../events/types.js';
import type { StoreStats } from '../internal/StoreStats.js';
import { type BatchWriter, InThreadWriter, type WriteReport } from './BatchWriter.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { HistoryReader, TableCounts } from './HistoryReader.js';
import {
  EVENT_TYPE_OF,
  mergeNewest,
  type NormalizedQuery,
  newestGrowthBefore,
  newestMatches,
  type StoredEventByKind,
  type StoredKind,
} from './queries.js';
import { RowQueue } from './RowQueue.js';
import { type CleanupResult, DAY_MS, deleteOlderThan } from './retention.js';
import type { StoreBackend } from './StoreBackend.js';
import { StoreCounters } from './StoreCounters.js';
import type { TableName } from './schema.js';

export { type CleanupResult, DAY_MS } from './retention.js';

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
   * Write from a thread of the backend's own (`StoreBackend.startThreadWriter`), so commits and
   * checkpoints never stop the bot's event loop. Falls back to writing on the caller's thread when
   * the thread cannot start or the backend has none. @default false
   */
  readonly writerThread?: boolean;
  /** Failures go here (the facade passes them to `diagnostics.sinkFailed('store', …)`). */
  readonly onFailure: (error: unknown) => void;
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

/**
 * Rows per writer-thread batch. Larger than on the caller's thread, where a transaction stops the
 * event loop: off it, fewer commits write fewer WAL pages. Bigger batches hold more memory.
 */
const THREAD_BATCH_ROWS = 10_000;

/**
 * The history sink. `record` appends the event to a bounded buffer (encoded, see `RowBatch`) and
 * returns; a {@link BatchWriter} writes the buffer in transactions: every `flushIntervalMs`, early
 * at `flushAtRows`, and on `flush()`, `stop()`, queries and `flushSync()` (the monitor's exit hooks).
 * A crash loses at most the rows of the last flush interval. A failed write keeps its rows, counts
 * the failure, reports it and is retried; `flush()` and `stop()` reject with {@link FlushError}
 * saying how many rows are not durable; rows beyond `maxBufferRows` are dropped and counted.
 */
export class HistoryStore implements EventSink, HistoryReader {
  readonly name = 'store';
  private readonly buffer: RowQueue;
  private readonly clock: Clock;
  private readonly flushIntervalMs: number;
  private readonly maxBufferRows: number;
  private readonly flushAtRows: number;
  private readonly rowsPerTransaction: number;
  private readonly retentionDays: number | null;
  private readonly retentionChunkRows: number;
  private readonly useThread: boolean;
  private writer: BatchWriter | null = null;
  /**
   * Buffered rows past which the hot path relieves the writer: half the buffer limit, so a
   * checkpoint or a slow disk holding a writer thread for a second or two does not stop the bot.
   */
  private readonly backlogRows: number;
  private flushTimer: TimerHandle | null = null;
  private retentionTimer: TimerHandle | null = null;
  private earlyFlushArmed = false;
  private running = false;
  private stopping: Promise<void> | null = null;
  private cleanup: Promise<unknown> | null = null;
  /** performance.now() of the last idle check of the database location. */
  private lastLocationCheck = Number.NEGATIVE_INFINITY;
  private readonly counters: StoreCounters;

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
    this.counters = new StoreCounters(options.clock, options.onFailure, options.maxBufferRows);
    this.backlogRows = Math.max(1, Math.floor(options.maxBufferRows / 2));
    this.buffer = new RowQueue(Math.max(this.rowsPerTransaction, THREAD_BATCH_ROWS));
    this.useThread = options.writerThread ?? false;
  }

  // ── hot path ───────────────────────────────────────────────────────────────

  record(event: MonitorEvent): void {
    // Of the system events only balance updates are kept: the backend folds them into the bot's balance state.
    if (event.eventType === EventType.SYSTEM_EVENT && event.kind !== 'balance_updated') return;
    const buffer = this.buffer;
    const writer = this.writer;
    if (buffer.length + (writer === null ? 0 : writer.inflightRows) >= this.maxBufferRows) {
      this.counters.dropped();
      return;
    }
    buffer.push(event);
    // Back-pressure: a bot logging faster than the writer commits (or never yielding to the timers)
    // hands the backlog over here, or waits for the batch in flight, rather than growing the
    // buffer until rows are dropped. Never while a fault lasts.
    if (buffer.length >= this.backlogRows && writer !== null && this.running && !this.counters.failing) writer.relieve();
    // Not while a fault lasts: retries then wait for the interval instead of hammering a locked file.
    if (buffer.length >= this.flushAtRows && !this.earlyFlushArmed && this.running && !this.counters.failing) {
      // Not written here: the write happens on the next timer turn, off the caller's stack.
      this.earlyFlushArmed = true;
      this.armFlush(0);
    }
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────

  /**
   * Opens the backend, starts the writer, the flush timer and retention; throws when the backend
   * cannot be opened (a refused file is left as it was found).
   */
  start(): void {
    if (this.running) return;
    this.backend.open();
    try {
      this.writer = this.startWriter();
    } catch (error) {
      this.backend.close();
      throw error;
    }
    this.running = true;
    this.stopping = null;
    this.armFlush(this.flushIntervalMs);
    if (this.retentionDays !== null) this.runRetention();
  }

  private startWriter(): BatchWriter {
    const threaded = this.useThread ? (this.backend.startThreadWriter?.(this.buffer, this.report) ?? null) : null;
    return threaded ?? new InThreadWriter(this.backend, this.buffer, this.report, this.rowsPerTransaction);
  }

  /**
   * Writes everything recorded so far. Rejects with {@link FlushError} (its `historyRows` the rows
   * recorded before the call that are not durable; they stay buffered and are retried) when the
   * backend cannot take them; the failure is also counted and reported.
   */
  async flush(): Promise<void> {
    if (!this.flushSync()) throw new FlushError({ historyRows: this.pendingRows, logLines: 0 });
  }

  /**
   * Flushes, stops timers, and closes the backend, whatever the flush did. Safe to call
   * twice. Rejects with {@link FlushError} after closing when rows could not be written (they are
   * kept in memory, and a later `start()` writes them).
   */
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
    let written = true;
    if (this.backend.isOpen) {
      written = this.flushSync();
      this.closeWriter();
      this.backend.close();
    }
    if (!written || this.pendingRows > 0) throw new FlushError({ historyRows: this.pendingRows, logLines: 0 });
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

  /** Writes the whole buffer now. Returns true when nothing is left unwritten. Never throws. */
  flushSync(): boolean {
    for (;;) {
      const writer = this.writer;
      if (writer === null) return this.buffer.length === 0;
      const drained = writer.drain();
      // A writer thread that ended while draining was replaced by a writer on this thread: go on with it.
      if (drained || this.writer === writer) return drained;
    }
  }

  /** What the writer reports: counted and reported by the counters. */
  private readonly report: WriteReport = {
    succeeded: (rows, durationMs) => this.counters.succeeded(rows, durationMs, this.buffer.length),
    failed: (error) => this.counters.failed(error),
    refused: (eventType, message) => this.counters.refused(eventType, message),
    wantsMore: () => this.running && !this.counters.failing && this.buffer.length >= this.flushAtRows,
    ended: (writer, error) => {
      if (this.writer !== writer) return;
      this.writer = new InThreadWriter(this.backend, this.buffer, this.report, this.rowsPerTransaction);
      this.counters.report(error, true);
    },
  };

  private armFlush(delayMs: number): void {
    if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = this.clock.setTimeout(this.onFlushTimer, delayMs);
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = null;
    this.earlyFlushArmed = false;
    if (!this.running) return;
    if (!this.checkLocation()) {
      this.armFlush(this.flushIntervalMs);
      return;
    }
    const more = this.writer!.step();
    this.armFlush(more ? 0 : this.flushIntervalMs);
  };

  /**
   * Notices the database deleted or renamed under the running process (rows would go on into a
   * file nobody can open): counts a write failure, reports it, and opens the configured location
   * anew, where the rows not yet written go at the next interval (until then the failure shows in
   * the health status). False when nothing is to be written this turn.
   */
  private checkLocation(): boolean {
    // Before every write; when idle, once per interval of real time (a manual clock may run a
    // day of ticks in a moment, and an idle check is a file-system call).
    const idle = this.buffer.length === 0;
    const now = performance.now();
    if (this.backend.isOpen && idle && now - this.lastLocationCheck < this.flushIntervalMs) return true;
    if (idle) this.lastLocationCheck = now;
    if (this.backend.isOpen) {
      const changed = this.backend.locationChanged?.() ?? null;
      if (changed === null) return true;
      this.counters.failed(
        new Error(`history database lost: ${changed}; opening it anew (rows written to the old file are not in the new one)`),
      );
      this.closeWriter();
      this.backend.close();
    }
    try {
      this.backend.open();
      this.writer = this.startWriter();
    } catch (error) {
      this.counters.failed(error);
    }
    return false;
  }

  private closeWriter(): void {
    const writer = this.writer;
    if (writer === null) return;
    this.writer = null;
    writer.close();
  }

  /** Rows not yet written: in flight to a writer thread, then buffered. */
  private get pendingRows(): number {
    return this.buffer.length + (this.writer === null ? 0 : this.writer.inflightRows);
  }

  /** Rows in flight and buffered, oldest first (what a query adds to the backend's answer). */
  private pending(): readonly MonitorEvent[] {
    const buffered = this.buffer.toArray();
    const inflight = this.writer === null ? [] : this.writer.inflightEvents();
    return inflight.length === 0 ? buffered : inflight.concat(buffered);
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
        .catch((error: unknown) => this.counters.report(error, true))
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
    // stop() waits for this run: it ends at the next chunk instead of finishing a long delete. The
    // backend's connection deletes; a writer thread's batch in flight is committed first.
    return deleteOlderThan(
      this.backend,
      cutoff,
      this.retentionChunkRows,
      () => this.running,
      () => this.writer?.settle(),
    );
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

  /** This bot's positions as every trade written left them (one row per symbol); none where history does not outlive the process. */
  positions(): Position[] {
    this.flushSync();
    return this.backend.positions();
  }

  /** The last balance stored, buffered balance updates included. */
  lastBalance(): BalanceState | null {
    this.flushSync();
    let state = this.backend.lastBalance();
    for (const e of this.pending()) {
      const given = balanceOf(e);
      if (given !== null) state = nextBalanceState(state, given, e.timestamp);
    }
    return state;
  }

  /** The newest growth row of an hour before `hourStart`, buffered rows included. */
  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    this.flushSync();
    return newestGrowthBefore(this.pending(), hourStart, this.backend.lastGrowthBefore(hourStart));
  }

  /** Rows per table, buffered rows included. */
  counts(): TableCounts {
    this.flushSync();
    const counts = this.backend.counts();
    for (const e of this.pending()) {
      const table = TABLE_OF_TYPE[e.eventType];
      if (table !== undefined) counts[table]++;
    }
    return counts;
  }

  /** The bots with rows in the store (rows a failing flush keeps buffered are not counted until it succeeds). */
  bots(): string[] {
    this.flushSync();
    return this.backend.bots();
  }

  /** Rows per table (buffered rows included) and the size on disk. */
  databaseStats(): DatabaseStats {
    return Object.freeze({ ...this.counts(), db_size_bytes: this.sizeBytes() });
  }

  /** The store's figures for telemetry; cheap, never throws. */
  stats(): StoreStats {
    const c = this.counters;
    return {
      dbSizeBytes: this.sizeBytes(),
      bufferedRows: this.pendingRows,
      writeFailures: c.writeFailures,
      droppedRows: c.droppedRows,
      rowsWritten: c.rowsWritten,
      flushes: c.flushes,
      lastFlushDurationMs: c.lastFlushDurationMs,
      lastFlushRows: c.lastFlushRows,
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
