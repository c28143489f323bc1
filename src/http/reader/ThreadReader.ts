// ThreadReader: the bot's handle on the HTTP API's reader thread — snapshot the live figures, post, await the bytes.

import { Worker } from 'node:worker_threads';
import { ValidationError } from '../../errors.js';
import { threadEntry } from '../../internal/threadEntry.js';
import type { RedisHistoryOptions } from '../../store/RedisHistory.js';
import { TurnPacer } from '../TurnPacer.js';
import type { DashboardReader } from './DashboardReader.js';
import type { ReaderReply, ReaderRequest, ReaderThreadData } from './readerThread.js';
import { type LiveSources, SnapshotTaker } from './snapshot.js';
import type { ExportFormat, ViewRequest } from './views.js';
import { withCleanup } from './withCleanup.js';

/** Options of {@link ThreadReader}. */
export interface ThreadReaderOptions {
  /** The SQLite file the history store writes ('' with `redis`). */
  readonly path: string;
  /** Reads the bot's history from this Redis instead of the file. */
  readonly redis?: RedisHistoryOptions;
  /** Whose rows the views count (the `bot` column). */
  readonly bot: string;
  readonly live: LiveSources;
  /** False before the monitor has started its history store (the file may not exist or be migrated yet). */
  readonly storeRunning: () => boolean;
  /** Told when the thread fails or ends on its own (it is started again at the next request). */
  readonly onError: (error: unknown) => void;
  /** How long a read waits for the writer's lock on the file. @default 1000 */
  readonly busyTimeoutMs?: number;
}

/** Requests posted, and answers handed to their requests, per turn of the bot's event loop. */
const PER_TURN = 4;

/** Longest `stop()` waits for the thread to end. */
const STOP_WAIT_MS = 2000;

/**
 * Runs every history read of the JSON API on a thread of its own, with a read-only connection to
 * the database (WAL lets it read while the writer writes). The bot's thread only copies the live
 * figures ({@link SnapshotTaker}, once per turn of the event loop), posts the request and hands the answer's bytes to the socket: the
 * queries, the statistics and `JSON.stringify` all run on the reader thread. Started at the first
 * request; a thread that dies is counted and started again at the next one.
 */
export class ThreadReader implements DashboardReader {
  private worker: Worker | null = null;
  private nextId = 1;
  /** The one answer each request id awaits. */
  private readonly waiting = new Map<number, { resolve: (reply: ReaderReply) => void; reject: (error: Error) => void }>();

  private readonly snapshots: SnapshotTaker;
  private readonly pacer = new TurnPacer(PER_TURN);
  /** Counts `stop()` calls: a request paced past one is refused rather than starting a new thread. */
  private stops = 0;

  constructor(private readonly options: ThreadReaderOptions) {
    this.snapshots = new SnapshotTaker(options.live);
  }

  async view(request: ViewRequest, symbolLimit: number): Promise<Uint8Array> {
    await this.turn();
    const id = this.nextId++;
    const snapshot = this.snapshots.take(request.view === 'performance');
    return bytesOf(await this.call({ kind: 'view', id, request, symbolLimit, snapshot }));
  }

  async export(format: ExportFormat, symbolLimit: number): Promise<Uint8Array | AsyncIterable<Uint8Array>> {
    await this.turn();
    const id = this.nextId++;
    const snapshot = this.snapshots.take(true);
    const first = await this.call({ kind: 'export', id, format, symbolLimit, snapshot });
    // A document of one page is sent whole (no stream to set up on the bot's thread).
    if (first.kind === 'bytes' && first.done) return first.bytes;
    // Given up before the end (the client went away): the thread drops the rest of the document.
    return withCleanup(this.pages(id, first), (completed) => {
      if (!completed) this.worker?.postMessage({ kind: 'cancel', id } satisfies ReaderRequest);
    });
  }

  private async *pages(id: number, first: ReaderReply): AsyncGenerator<Uint8Array, void, undefined> {
    for (let reply = first; ; reply = await this.call({ kind: 'more', id })) {
      const bytes = bytesOf(reply);
      if (bytes.byteLength > 0) yield bytes;
      if (reply.kind === 'bytes' && reply.done) return;
    }
  }

  /** Terminates the thread; what it was answering is rejected. Never waits longer than a short deadline. */
  async stop(): Promise<void> {
    this.stops++;
    const worker = this.worker;
    if (worker === null) return;
    this.worker = null;
    this.rejectAll(new Error('the HTTP API reader was stopped'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      worker.terminate().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Resolves in this turn's share of the pacer, or a later one: the requests of a burst are posted,
   * like their answers are handed on, a few per turn. Rejects when the reader was stopped meanwhile.
   */
  private async turn(): Promise<void> {
    const stops = this.stops;
    await new Promise<void>((resolve) => this.pacer.run(resolve));
    if (this.stops !== stops) throw new Error('the HTTP API reader was stopped');
  }

  private call(request: ReaderRequest): Promise<ReaderReply> {
    if (!this.options.storeRunning()) return Promise.reject(new Error('the dashboards read the history store: call monitor.start() first'));
    const worker = this.started();
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  private started(): Worker {
    if (this.worker !== null) return this.worker;
    const data: ReaderThreadData = {
      path: this.options.path,
      bot: this.options.bot,
      busyTimeoutMs: this.options.busyTimeoutMs ?? 1000,
      ...(this.options.redis === undefined ? {} : { redis: this.options.redis }),
    };
    const worker = new Worker(`${threadEntry(import.meta.url, 'readerThread')}.catch((e) => { throw e; });`, {
      eval: true,
      workerData: data,
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    // Answers that arrive together are handed on a few per turn: sending each costs the bot's thread a little.
    worker.on('message', (reply: ReaderReply) =>
      this.pacer.run(() => {
        const waiter = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        waiter?.resolve(reply);
      }),
    );
    worker.on('error', (error) => this.options.onError(error));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const error = new Error(`the HTTP API reader thread ended (exit code ${code}); it is started again at the next request`);
      this.options.onError(error);
      this.rejectAll(error);
    });
    // Never keeps the bot's process alive; a request in progress holds its socket open anyway.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private rejectAll(error: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}

function bytesOf(reply: ReaderReply): Uint8Array {
  if (reply.kind === 'bytes') return reply.bytes;
  if (reply.kind === 'invalid') throw new ValidationError(reply.field, reply.value, reply.accepted);
  throw new Error(`the HTTP API reader failed: ${reply.message}`);
}
