// SqliteWriterThread: the main thread's handle on a history writer thread (SQLite's, or another backend's speaking its protocol) — post a batch, take its result, or wait for it.

import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { startThread } from '../internal/threadEntry.js';
import type { BatchBuffers, RowBatch } from './batchCodec.js';
import type { SqliteBackendOptions } from './SqliteBackend.js';
import type { BackendSpec, WriterRequest, WriterResult, WriterThreadData } from './writerThread.js';

/** Rows between WAL checkpoints on the thread's connection, unless the backend names its own figure. */
const THREAD_CHECKPOINT_ROWS = 50_000;

/**
 * The thread's page cache (KiB). Appending rows touches the tables' and indexes' last pages: 2 MiB
 * (SQLite's own default) wrote 1,000,000 trades as fast as better-sqlite3's 16 MiB, which the
 * connection fills and keeps, 12-14 MB of the process's RSS.
 */
const THREAD_CACHE_KB = 2000;

/** The thread's connection: the backend's options, with the thread's own defaults where the backend names none. */
export function threadOptions(options: Readonly<SqliteBackendOptions>): SqliteBackendOptions {
  return {
    ...options,
    // Checkpoints less often than on the caller's thread, where each one stops the event loop:
    // here they only cost the thread, and a page rewritten by several batches is copied once.
    checkpointEveryRows: options.checkpointEveryRows ?? THREAD_CHECKPOINT_ROWS,
    cacheSizeKb: options.cacheSizeKb ?? THREAD_CACHE_KB,
  };
}

/**
 * better-sqlite3 is synchronous: on the bot's thread, every commit (and a checkpoint's fsync) stops
 * the event loop. This thread owns a second connection to the same file and does the writing; the
 * main thread keeps its connection for reads and retention. One batch is in flight at a time, so
 * rows are committed in the order they were logged. Waiting for a result synchronously (flush at
 * exit, before a query) uses `Atomics.wait` on a shared counter and `receiveMessageOnPort`, so it
 * works in `exit` handlers and needs no turn of the event loop.
 */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private closed = false;
  /** Arrays the thread handed back with its last answer, for the next batch to be copied into. */
  private spare: BatchBuffers | null = null;

  private constructor(
    entry: string,
    spec: object,
    onResult: (result: WriterResult) => void,
    onExit: (thread: SqliteWriterThread) => void,
    youngGenerationMb: number,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data = { ...spec, port: port2, signal: this.signal };
    // A thread that cannot even load its module answers `open` with the error instead of leaving start() to time out.
    this.worker = startThread(import.meta.url, entry, (message) => `{ kind: 'open', error: { message: ${message}, code: null } }`, data, {
      maxYoungGenerationSizeMb: youngGenerationMb,
    });
    this.port.on('message', (result: WriterResult) => onResult(this.received(result)));
    // Neither keeps the process alive (exit hooks wait for the thread synchronously). After `on`,
    // which refs the port again.
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => {
      if (this.closed) return;
      this.closed = true;
      onExit(this);
    });
  }

  /**
   * Starts a writer thread on the backend `spec` names (opened with the owner's options) without
   * waiting for it: batches posted before it has opened the database wait in its port, and its
   * `open` answer (an error, when it could not open) comes first, through `onResult` or
   * {@link wait}. Returns null when no thread can be started.
   */
  static start(
    spec: BackendSpec,
    onResult: (result: WriterResult) => void,
    onExit: (thread: SqliteWriterThread) => void,
  ): SqliteWriterThread | null {
    const backend: BackendSpec = spec.kind === 'sqlite' ? { ...spec, options: threadOptions(spec.options) } : spec;
    const data: Omit<WriterThreadData, 'port' | 'signal'> = { backend };
    return SqliteWriterThread.startEntry('writerThread', data, onResult, onExit);
  }

  /**
   * Starts the writer thread module `entry` (beside this file, speaking the same requests and
   * results) with `spec` as its data, plus the port and signal this handle adds. Null when no
   * thread can be started. A small young generation by default: a thread that only decodes batches
   * needs no more, and a large one shows up as RSS.
   */
  static startEntry(
    entry: string,
    spec: object,
    onResult: (result: WriterResult) => void,
    onExit: (thread: SqliteWriterThread) => void,
    youngGenerationMb = 4,
  ): SqliteWriterThread | null {
    try {
      return new SqliteWriterThread(entry, spec, onResult, onExit, youngGenerationMb);
    } catch {
      return null;
    }
  }

  /** Hands a batch to the thread; its result comes through `onResult`, or from {@link wait}. */
  write(rows: RowBatch): void {
    const batch = rows.encode(this.spare);
    this.spare = null;
    this.post({ kind: 'write', batch }, [batch.nums.buffer as ArrayBuffer, batch.bytes.buffer as ArrayBuffer]);
  }

  /**
   * Blocks until the thread's next result and returns it (it is then not passed to `onResult`);
   * null after `timeoutMs` or when the thread is gone.
   */
  wait(timeoutMs: number): WriterResult | null {
    return this.take(timeoutMs);
  }

  /** Closes the thread's connection (waiting up to `timeoutMs`) and ends the thread. */
  close(timeoutMs: number): void {
    if (this.closed) return;
    this.post({ kind: 'close' });
    this.take(timeoutMs);
    this.terminate();
  }

  private post(request: WriterRequest, transfer: ArrayBuffer[] = []): void {
    if (this.closed) throw new Error('history writer thread is closed');
    this.worker.postMessage(request, transfer);
  }

  private take(timeoutMs: number): WriterResult | null {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const message = receiveMessageOnPort(this.port);
      if (message !== undefined) return this.received(message.message as WriterResult);
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) return null;
      Atomics.wait(this.signal, 0, seen, Math.min(left, 100));
    }
  }

  /** Keeps the arrays a write's answer brings back. */
  private received(result: WriterResult): WriterResult {
    if (result.kind === 'write' && result.buffers !== null) this.spare = result.buffers;
    return result;
  }

  /** Ends the thread at once (it could not open the database). */
  terminate(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}
