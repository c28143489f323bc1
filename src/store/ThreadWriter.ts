// ThreadWriter: the BatchWriter that hands batches to the history writer thread, one in flight at a time.

import type { MonitorEvent } from '../events/types.js';
import type { BatchWriter, WriteReport } from './BatchWriter.js';
import type { RowBatch } from './batchCodec.js';
import type { RowQueue } from './RowQueue.js';
import { SqliteWriterThread } from './SqliteWriterThread.js';
import type { BackendSpec, WriterResult } from './writerThread.js';

/** Longest a synchronous drain waits for the writer thread's answer before reporting a failure. */
const THREAD_WAIT_MS = 30_000;

type WriteResult = Extract<WriterResult, { kind: 'write' }>;

/** Starts the thread, handing it where to send its results and its exit; null when it cannot. */
type StartThread = (onResult: (r: WriterResult) => void, onExit: (t: SqliteWriterThread) => void) => SqliteWriterThread | null;

/**
 * Commits happen on the thread, so the bot's event loop never waits for SQLite except when asked
 * to (`drain`, `settle`, back-pressure). The queue's oldest batch is handed over whole; its answer
 * drops what was written and puts the rest back in front.
 */
export class ThreadWriter implements BatchWriter {
  private inflight: RowBatch | null = null;
  private readonly thread: SqliteWriterThread;
  private ended = false;

  private constructor(
    thread: StartThread,
    private readonly queue: RowQueue,
    private readonly report: WriteReport,
  ) {
    const started = thread(this.onResult, this.onExit);
    if (started === null) throw new Error('history writer thread did not start');
    this.thread = started;
  }

  /** A writer on a thread of its own writing to the backend `spec` names; null when the thread cannot start. */
  static start(spec: BackendSpec, queue: RowQueue, report: WriteReport): ThreadWriter | null {
    return ThreadWriter.on((onResult, onExit) => SqliteWriterThread.start(spec, onResult, onExit), queue, report);
  }

  /** A writer on a thread running the writer module `entry` (see {@link SqliteWriterThread.startEntry}); null when it cannot start. */
  static startEntry(entry: string, spec: object, queue: RowQueue, report: WriteReport, youngGenerationMb?: number): ThreadWriter | null {
    return ThreadWriter.on(
      (onResult, onExit) => SqliteWriterThread.startEntry(entry, spec, onResult, onExit, youngGenerationMb),
      queue,
      report,
    );
  }

  private static on(thread: StartThread, queue: RowQueue, report: WriteReport): ThreadWriter | null {
    try {
      return new ThreadWriter(thread, queue, report);
    } catch {
      return null;
    }
  }

  get inflightRows(): number {
    return this.inflight === null ? 0 : this.inflight.length;
  }

  inflightEvents(): MonitorEvent[] {
    return this.inflight === null ? [] : this.inflight.toArray();
  }

  step(): boolean {
    if (this.ended) return false;
    // The next batch leaves when the one in flight is answered (onResult).
    if (this.inflight === null && this.queue.length > 0) this.post();
    return false;
  }

  drain(): boolean {
    for (;;) {
      if (this.ended) return false;
      if (this.inflight !== null) {
        const result = this.next();
        if (result === null) {
          if (!this.ended) this.report.failed(new Error(`history writer thread did not answer within ${THREAD_WAIT_MS} ms`));
          return false;
        }
        if (result.kind === 'write' && !this.settleWith(result)) return false;
      }
      if (this.queue.length === 0) return true;
      this.post();
      if (this.inflight === null) return false;
    }
  }

  relieve(): void {
    if (this.ended) return;
    if (this.inflight === null) this.post();
    else this.waitInflight(true);
  }

  settle(): void {
    this.waitInflight(false);
  }

  close(): void {
    if (!this.ended) this.thread.close(THREAD_WAIT_MS);
    // Only after a thread that did not answer: the rows stay pending, and a restart writes them.
    this.requeueInflight();
  }

  /** Hands the oldest batch to the thread. */
  private post(): void {
    const batch = this.queue.shift();
    if (batch === undefined) return;
    this.inflight = batch;
    try {
      this.thread.write(batch);
    } catch (error) {
      // Not cloneable (only a hand-made event can be) or the thread is gone: keep the rows, report.
      this.inflight = null;
      this.queue.unshift(batch);
      this.report.failed(error);
    }
  }

  private requeueInflight(): void {
    if (this.inflight !== null) {
      this.queue.unshift(this.inflight);
      this.inflight = null;
    }
  }

  /** The thread's next write answer (its `open` answer handled on the way); null on timeout or when it ended. */
  private next(): WriteResult | null {
    for (;;) {
      const result = this.thread.wait(THREAD_WAIT_MS);
      if (result === null || result.kind === 'write') return result;
      this.opened(result);
      if (this.ended) return null;
    }
  }

  /** The thread could not open the database: the store writes from its own thread from now on. */
  private opened(result: WriterResult): void {
    if (result.kind !== 'open' || result.error === null) return;
    this.thread.terminate();
    this.end(`history writer thread could not open the database (${result.error.message}); writing from the main thread from now on`);
  }

  /** The thread ended on its own (it should not): its batch goes back in the queue. */
  private readonly onExit = (thread: SqliteWriterThread): void => {
    if (this.thread !== thread) return;
    this.end('history writer thread ended unexpectedly; writing from the main thread from now on');
  };

  private end(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.requeueInflight();
    this.report.ended(this, new Error(message));
  }

  private readonly onResult = (result: WriterResult): void => {
    if (result.kind === 'open') this.opened(result);
    if (result.kind !== 'write' || this.inflight === null) return;
    this.settleWith(result);
    // A backlog goes out batch after batch, each as soon as the previous one is committed.
    if (this.report.wantsMore()) this.post();
  };

  /** Waits for the batch in flight; with `sendNext`, handles its answer as the thread's message would (sending the next). */
  private waitInflight(sendNext: boolean): void {
    if (this.inflight === null) return;
    const result = this.next();
    if (result === null || result.kind !== 'write') return;
    if (sendNext) this.onResult(result);
    else this.settleWith(result);
  }

  /** Applies the answer for the batch in flight. Returns true when all of it is handled. */
  private settleWith(result: WriteResult): boolean {
    const batch = this.inflight!;
    this.inflight = null;
    for (const r of result.refused) this.report.refused(r.eventType, r.message);
    if (result.consumed < batch.length) {
      batch.dropFirst(result.consumed);
      this.queue.unshift(batch);
    } else {
      this.queue.recycle(batch);
    }
    if (result.error !== null) {
      if (result.written > 0) this.report.succeeded(result.written, result.durationMs);
      this.report.failed(Object.assign(new Error(result.error.message), { code: result.error.code ?? undefined }));
      return false;
    }
    this.report.succeeded(result.written, result.durationMs);
    return true;
  }
}
