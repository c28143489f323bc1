// Entry of the redis backend's threads: a writer (batches from the history store, as the SQLite writer thread takes them) or a bridge (the backend's synchronous calls).

import { performance } from 'node:perf_hooks';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { signalledPoster } from '../internal/threadEntry.js';
import { type EncodedBatch, RowBatch } from './batchCodec.js';
import { RedisHistory, type RedisHistoryOptions } from './RedisHistory.js';
import { faultOf } from './writeFaults.js';
import type { WriterRequest, WriterResult } from './writerThread.js';

/** What the main thread hands the thread at start. */
export interface RedisThreadData {
  readonly role: 'writer' | 'bridge';
  readonly options: RedisHistoryOptions;
  /** Answers go back on this port, read with `receiveMessageOnPort` when the main thread waits. */
  readonly port: MessagePort;
  /** [0]: answers posted so far (bumped after each post). */
  readonly signal: Int32Array;
}

/** The bridge's operations: the backend's methods, answered by {@link RedisHistory}. */
export type BridgeOp =
  | 'open'
  | 'write'
  | 'query'
  | 'analytics'
  | 'lastGrowthBefore'
  | 'positions'
  | 'lastBalance'
  | 'bots'
  | 'counts'
  | 'deleteOlderThan'
  | 'sizeBytes'
  | 'close';

/** Main thread → bridge. */
export interface BridgeRequest {
  readonly id: number;
  readonly op: BridgeOp;
  readonly args: readonly unknown[];
}

/** Bridge → main thread, one per request (id 0: the thread could not load). */
export type BridgeReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

async function answer(history: RedisHistory, op: BridgeOp, args: readonly unknown[]): Promise<unknown> {
  switch (op) {
    case 'open':
      return history.open();
    case 'write': {
      const rows = RowBatch.decode(args[0] as EncodedBatch);
      return history.write(rows, args[1] as number, args[2] as number);
    }
    case 'query':
      return history.query(args[0] as never, args[1] as never);
    case 'analytics':
      return history.analytics(args[0] as never, args[1] as unknown[]);
    case 'lastGrowthBefore':
      return history.lastGrowthBefore(args[0] as number);
    case 'positions':
      return history.positions();
    case 'lastBalance':
      return history.lastBalance();
    case 'bots':
      return history.bots();
    case 'counts':
      return history.counts();
    case 'deleteOlderThan':
      return history.deleteOlderThan(args[0] as never, args[1] as number, args[2] as number);
    case 'sizeBytes':
      return history.sizeBytes();
    case 'close':
      return history.close();
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const data = workerData as RedisThreadData;
  const { port, signal } = data;
  const post = signalledPoster(port, signal);
  const history = new RedisHistory(data.options);
  // One request at a time, in the order posted.
  let chain: Promise<void> = Promise.resolve();

  if (data.role === 'bridge') {
    parentPort.on('message', (request: BridgeRequest) => {
      chain = chain.then(async () => {
        try {
          post({ id: request.id, ok: true, value: await answer(history, request.op, request.args) } satisfies BridgeReply);
        } catch (error) {
          post({ id: request.id, ok: false, message: faultOf(error).message } satisfies BridgeReply);
        }
      });
    });
  } else {
    // Redis down at this moment is an outage like any other: each write tries to connect, failing as a write (rows kept,
    // counted, retried), so the store never falls back to writing on the bot's thread.
    chain = history.open().then(
      () => post({ kind: 'open', error: null } satisfies WriterResult),
      () => post({ kind: 'open', error: null } satisfies WriterResult),
    );
    parentPort.on('message', (request: WriterRequest) => {
      chain = chain.then(async () => {
        if (request.kind === 'close') {
          await history.close().catch(() => undefined);
          post({ kind: 'closed' } satisfies WriterResult);
          return;
        }
        const { nums, bytes } = request.batch;
        const started = performance.now();
        let result: Omit<Extract<WriterResult, { kind: 'write' }>, 'buffers'>;
        try {
          await history.open();
          const rows = RowBatch.decode(request.batch);
          // What is not consumed (a failure part way) the main thread keeps and sends again.
          const r = await history.writeChunks(rows, 0, rows.length);
          const error = r.error === null ? null : faultOf(r.error);
          result = { kind: 'write', consumed: r.consumed, written: r.written, refused: [], error, durationMs: performance.now() - started };
        } catch (error) {
          result = { kind: 'write', consumed: 0, written: 0, refused: [], error: faultOf(error), durationMs: 0 };
        }
        const buffers = { nums: new Float64Array(nums.buffer), bytes: new Uint8Array(bytes.buffer) };
        post({ ...result, buffers } satisfies WriterResult, [nums.buffer as ArrayBuffer, bytes.buffer as ArrayBuffer]);
      });
    });
  }
}
