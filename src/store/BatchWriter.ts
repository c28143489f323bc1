// BatchWriter: how the history store's queued rows reach its backend, on the bot's thread or from a writer thread.

import { performance } from 'node:perf_hooks';
import type { MonitorEvent } from '../events/types.js';
import type { RowBatch } from './batchCodec.js';
import type { RowQueue } from './RowQueue.js';
import type { StoreBackend } from './StoreBackend.js';
import { isPermanent } from './writeFaults.js';

/** What a writer tells the store of each outcome (the store counts, reports and schedules). */
export interface WriteReport {
  /** `rows` rows were made durable in `durationMs`. */
  succeeded(rows: number, durationMs: number): void;
  /** Nothing more could be written now (a locked, full or failing database); the rows stay queued. */
  failed(error: unknown): void;
  /** One row was refused for its content and dropped alone. */
  refused(eventType: string, message: string): void;
  /** Whether the next batch should leave at once (a backlog, no fault, running). */
  wantsMore(): boolean;
  /** The writer stopped working on its own (its thread ended); its rows are back in the queue. */
  ended(writer: BatchWriter, error: Error): void;
}

/**
 * Writes the rows of a {@link RowQueue}, oldest first, each exactly once: written rows leave the
 * queue, failed ones stay in front of it. One per store; built by the store (on its thread) or by
 * the backend (`startThreadWriter`).
 */
export interface BatchWriter {
  /** Rows taken from the queue and not yet answered for (handed to a thread). */
  readonly inflightRows: number;
  /** Those rows' events, oldest first (for queries that add what is not written yet). */
  inflightEvents(): MonitorEvent[];
  /**
   * One step of a timer flush, short enough for the bot's event loop: writes or hands over the
   * oldest rows. Returns true when more rows are ready and the next step should come at once.
   */
  step(): boolean;
  /** Writes everything queued before returning. True when the queue (and what is in flight) is empty. */
  drain(): boolean;
  /** Back-pressure from the hot path, when the queue is long: hands the backlog over or waits for the batch in flight. */
  relieve(): void;
  /** Waits for the batch in flight, if any (before the backend's own connection writes: retention). */
  settle(): void;
  /** Stops the writer; rows still in flight go back to the front of the queue. */
  close(): void;
}

/**
 * The writer on the caller's thread: a step writes one transaction of at most `rowsPerTransaction`
 * rows, so a long backlog (after an outage) never stalls the event loop in one go.
 */
export class InThreadWriter implements BatchWriter {
  readonly inflightRows = 0;

  constructor(
    private readonly backend: StoreBackend,
    private readonly queue: RowQueue,
    private readonly report: WriteReport,
    private readonly rowsPerTransaction: number,
  ) {}

  inflightEvents(): MonitorEvent[] {
    return [];
  }

  step(): boolean {
    if (this.queue.length === 0) return false;
    const ok = this.writeChunk();
    if (ok && this.queue.length === 0) this.backend.afterFlush();
    return ok && this.queue.length > 0;
  }

  drain(): boolean {
    if (this.queue.length === 0) return true;
    if (!this.backend.isOpen) return false;
    while (this.queue.length > 0) {
      if (!this.writeChunk()) return false;
    }
    this.backend.afterFlush();
    return true;
  }

  relieve(): void {}

  settle(): void {}

  close(): void {}

  private writeChunk(): boolean {
    const rows = this.queue.peek()!;
    const n = Math.min(rows.length, this.rowsPerTransaction);
    const started = performance.now();
    let written: number;
    try {
      written = this.backend.writeBatch(rows, 0, n);
    } catch (error) {
      if (!isPermanent(error)) {
        this.report.failed(error);
        return false;
      }
      return this.writeRowByRow(rows, n);
    }
    this.queue.dropFirst(n);
    this.report.succeeded(written, performance.now() - started);
    return true;
  }

  /**
   * A batch refused for its content (a row the backend cannot take): the rows one by one, so only
   * the bad ones are dropped, each reported. Stops at a fault that is not the rows'.
   */
  private writeRowByRow(rows: RowBatch, n: number): boolean {
    const started = performance.now();
    let written = 0;
    for (let done = 0; done < n; done++) {
      try {
        written += this.backend.writeBatch(rows, done, done + 1);
      } catch (error) {
        if (!isPermanent(error)) {
          this.queue.dropFirst(done);
          if (written > 0) this.report.succeeded(written, performance.now() - started);
          this.report.failed(error);
          return false;
        }
        this.report.refused(rows.at(done).eventType, String(error));
      }
    }
    this.queue.dropFirst(n);
    this.report.succeeded(written, performance.now() - started);
    return true;
  }
}
