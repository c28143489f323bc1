// RedisBackend: history in Redis (POSEIDON_STORAGE=redis): writes from a thread of its own, synchronous reads through a bridge thread.

import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import { startThread } from '../internal/threadEntry.js';
import type { BatchWriter, WriteReport } from './BatchWriter.js';
import type { BalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import type { TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import type { RedisHistoryOptions } from './RedisHistory.js';
import type { RowQueue } from './RowQueue.js';
import type { BridgeOp, BridgeReply, BridgeRequest, RedisThreadData } from './redisThread.js';
import type { StoreBackend } from './StoreBackend.js';
import type { TableName } from './schema.js';
import { ThreadWriter } from './ThreadWriter.js';

/**
 * Longest a synchronous call waits for the bridge's answer. Each Redis command has its own,
 * shorter deadline (`commandTimeoutMs`); this bounds a call of several, and a bridge that hangs.
 */
const CALL_DEADLINE_MS = 10_000;

/** A batch's script may take longer than a read (see RedisHistory's batch deadline). */
const WRITE_DEADLINE_MS = 20_000;
/** Young generation of the writer thread, MB: room for a 10,000-row batch's argument strings (megabytes, alive until its script answers) so they die young instead of being promoted. */
const REDIS_WRITER_YOUNG_MB = 64;

const ANALYTICS_METHODS = [
  'tradeAggregate',
  'tradeAggregateBySymbol',
  'executionTimePercentiles',
  'recentTrades',
  'growthRows',
  'loopAggregates',
  'loopDurationPercentile',
  'errorCounts',
  'minuteTotals',
] as const satisfies readonly (keyof AnalyticsQueries)[];

/**
 * A thread owning an asynchronous Redis client, called synchronously: the caller posts a request
 * and blocks on `Atomics.wait` until the answer is on the port (`receiveMessageOnPort`), or the
 * deadline passes. For the reads the history interface makes synchronous.
 */
class RedisBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private nextId = 1;
  private closed = false;
  /** Callers of {@link ask} by request id. */
  private readonly pending = new Map<number, (reply: BridgeReply) => void>();

  constructor(options: RedisHistoryOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: RedisThreadData = { role: 'bridge', options, port: port2, signal: this.signal };
    this.worker = startThread(import.meta.url, 'redisThread', (message) => `{ id: 0, ok: false, message: ${message} }`, data);
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => {
      this.closed = true;
    });
  }

  /** The answer to `op`; throws the bridge's error, or when no answer came within `timeoutMs`. */
  call(op: BridgeOp, args: readonly unknown[] = [], timeoutMs = CALL_DEADLINE_MS): unknown {
    if (this.closed) throw new Error('redis history is closed');
    const id = this.nextId++;
    this.worker.postMessage({ id, op, args } satisfies BridgeRequest);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const reply = this.take(id);
      if (reply !== undefined) {
        if (reply.ok) return reply.value;
        throw new Error(reply.message);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`redis history: no answer to ${op} within ${timeoutMs} ms`);
      if (this.closed) throw new Error('redis history thread ended');
      Atomics.wait(this.signal, 0, seen, Math.min(left, 100));
    }
  }

  /** Asks for `op` without waiting: `onAnswer` gets its value when a later call or {@link poll} finds it on the port. */
  ask(op: BridgeOp, onAnswer: (reply: BridgeReply) => void): void {
    if (this.closed) return;
    const id = this.nextId++;
    this.pending.set(id, onAnswer);
    this.worker.postMessage({ id, op, args: [] } satisfies BridgeRequest);
  }

  /** Hands the answers already on the port to their {@link ask} callers. */
  poll(): void {
    this.take(-1);
  }

  /** Reads the port until the answer to `id` (returned) or until it is empty; other answers go to their askers or are dropped. */
  private take(id: number): BridgeReply | undefined {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const reply = m.message as BridgeReply;
      if (reply.id === id || reply.id === 0) return reply;
      const asker = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      // An answer to a call that gave up waiting is dropped.
      asker?.(reply);
    }
    return undefined;
  }

  terminate(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

/**
 * One bot's history in Redis (key layout in RedisHistory). The store's batches are written by a
 * writer thread of the backend's own; every method here is synchronous, answered by a bridge
 * thread within a deadline, so the backend fits the same contract as SQLite's.
 */
export class RedisBackend implements StoreBackend {
  readonly kind = 'redis';
  private bridge: RedisBridge | null = null;
  private size = 0;
  private asking = false;
  private readonly analytics_: AnalyticsQueries;

  constructor(readonly options: RedisHistoryOptions) {
    this.analytics_ = Object.fromEntries(
      ANALYTICS_METHODS.map((method) => [method, (...args: unknown[]) => this.call('analytics', [method, args])]),
    ) as unknown as AnalyticsQueries;
  }

  get isOpen(): boolean {
    return this.bridge !== null;
  }

  open(): void {
    if (this.bridge !== null) return;
    const bridge = new RedisBridge(this.options);
    try {
      bridge.call('open');
    } catch (error) {
      bridge.terminate();
      throw error;
    }
    this.bridge = bridge;
  }

  private call(op: BridgeOp, args: readonly unknown[] = [], timeoutMs = CALL_DEADLINE_MS): never {
    if (this.bridge === null) throw new Error('history store is not open');
    return this.bridge.call(op, args, timeoutMs) as never;
  }

  /** On the caller's thread only with an injected clock (tests, simulations): on the real clock the writer thread writes. */
  writeBatch(rows: RowBatch, start: number, end: number): number {
    return this.call('write', [rows.encode(), start, end], WRITE_DEADLINE_MS);
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    return this.call('query', [kind, q]);
  }

  analytics(): AnalyticsQueries {
    return this.analytics_;
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    return this.call('lastGrowthBefore', [hourStart]);
  }

  positions(): Position[] {
    return this.call('positions');
  }

  lastBalance(): BalanceState | null {
    return this.call('lastBalance');
  }

  bots(): string[] {
    return this.call('bots');
  }

  counts(): TableCounts {
    return this.call('counts');
  }

  deleteOlderThan(table: TableName, cutoff: number, limit: number): number {
    return this.call('deleteOlderThan', [table, cutoff, limit]);
  }

  /**
   * The last figure the bridge gave, asked for again without waiting: the dashboards read it on the
   * bot's thread, which must not wait on Redis for a figure of the dashboards.
   */
  sizeBytes(): number {
    const bridge = this.bridge;
    if (bridge === null) return this.size;
    bridge.poll();
    if (!this.asking) {
      this.asking = true;
      bridge.ask('sizeBytes', (reply) => {
        this.asking = false;
        if (reply.ok) this.size = reply.value as number;
      });
    }
    return this.size;
  }

  /** Throws rather than return null: writing from the caller's thread would make the bot wait on Redis. */
  startThreadWriter(queue: RowQueue, report: WriteReport): BatchWriter {
    const spec: Omit<RedisThreadData, 'port' | 'signal'> = { role: 'writer', options: this.options };
    const writer = ThreadWriter.startEntry('redisThread', spec, queue, report, REDIS_WRITER_YOUNG_MB);
    if (writer === null) {
      throw new Error(
        "history store: the Redis writer thread could not start, and writes are not made on the bot's thread, where they would wait on Redis",
      );
    }
    return writer;
  }

  afterFlush(): void {}

  optimize(): void {}

  close(): void {
    const bridge = this.bridge;
    if (bridge === null) return;
    this.bridge = null;
    this.asking = false;
    try {
      bridge.call('close', [], 3000);
    } catch {
      // Closed below either way.
    }
    bridge.terminate();
  }
}
