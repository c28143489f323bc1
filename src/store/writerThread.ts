// Entry of the history writer thread: its own backend (a SQLite connection, or a bot's folder of files), one batch at a time as SqliteWriterThread posts them.

import { performance } from 'node:perf_hooks';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { signalledPoster } from '../internal/threadEntry.js';
import { type BatchBuffers, type EncodedBatch, RowBatch } from './batchCodec.js';
import { FileBackend, type FileBackendOptions } from './FileBackend.js';
import { SqliteBackend, type SqliteBackendOptions } from './SqliteBackend.js';
import type { StoreBackend } from './StoreBackend.js';
import { faultOf, isPermanent } from './writeFaults.js';

/** The backend the thread opens: the owner's twin (same file or folder, same options, the owner's lease). */
export type BackendSpec =
  | { readonly kind: 'sqlite'; readonly path: string; readonly options: SqliteBackendOptions }
  | { readonly kind: 'file'; readonly directory: string; readonly options: FileBackendOptions };

function openable(spec: BackendSpec): StoreBackend {
  return spec.kind === 'sqlite'
    ? new SqliteBackend({ kind: 'file', path: spec.path }, spec.options)
    : new FileBackend(spec.directory, spec.options);
}

/** What the main thread hands the thread at start. */
export interface WriterThreadData {
  readonly backend: BackendSpec;
  /** Results go back on this port, read with `receiveMessageOnPort` when the main thread waits. */
  readonly port: MessagePort;
  /** [0]: results posted so far (bumped after each post), [1]: 1 once open, 2 when opening failed. */
  readonly signal: Int32Array;
}

/** Main thread → writer thread. */
export type WriterRequest =
  | { readonly kind: 'write' /** `RowBatch.encode()`, its buffers transferred. */; readonly batch: EncodedBatch }
  | { readonly kind: 'close' };

/** A failure as it crosses the thread boundary (SQLite's `code` kept, for the fault classification). */
export interface WriterFault {
  readonly message: string;
  readonly code: string | null;
}

/** Writer thread → main thread, one per request, in order. */
export type WriterResult =
  | { readonly kind: 'open'; readonly error: WriterFault | null }
  | {
      readonly kind: 'write';
      /** Rows handled from the front of the batch (written or refused); the rest are kept and retried. */
      readonly consumed: number;
      /** Rows committed. */
      readonly written: number;
      /** Rows refused for their content, each dropped alone (the rest of the batch is written). */
      readonly refused: readonly { readonly eventType: string; readonly message: string }[];
      /** Set when nothing was written (a locked or failing database): the main thread keeps the rows and retries. */
      readonly error: WriterFault | null;
      readonly durationMs: number;
      /** The request's arrays, whole, handed back (transferred) for the next batch to be copied into. */
      readonly buffers: BatchBuffers | null;
    }
  | { readonly kind: 'closed' };

/** A write's answer before the request's arrays are added to it. */
type WriteOutcome = Omit<Extract<WriterResult, { kind: 'write' }>, 'buffers'>;

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const data = workerData as WriterThreadData;
  const { port, signal } = data;
  const reply: (result: WriterResult, transfer?: ArrayBuffer[]) => void = signalledPoster(port, signal);
  const backend = openable(data.backend);
  try {
    backend.open();
    reply({ kind: 'open', error: null });
    Atomics.store(signal, 1, 1);
  } catch (error) {
    reply({ kind: 'open', error: faultOf(error) });
    Atomics.store(signal, 1, 2);
  }
  Atomics.notify(signal, 1);

  const write = (events: RowBatch): WriteOutcome => {
    const started = performance.now();
    try {
      const written = backend.writeBatch(events, 0, events.length);
      backend.afterFlush();
      return {
        kind: 'write',
        consumed: events.length,
        written,
        refused: [],
        error: null,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      if (!isPermanent(error)) return { kind: 'write', consumed: 0, written: 0, refused: [], error: faultOf(error), durationMs: 0 };
    }
    // A batch refused for its content: row by row, so only the bad rows are dropped.
    const refused: { eventType: string; message: string }[] = [];
    let written = 0;
    for (let i = 0; i < events.length; i++) {
      try {
        written += backend.writeBatch(events, i, i + 1);
      } catch (error) {
        if (!isPermanent(error)) {
          // Rows before i are committed; the main thread keeps and retries the rest.
          return { kind: 'write', consumed: i, written, refused, error: faultOf(error), durationMs: performance.now() - started };
        }
        refused.push({ eventType: events.at(i).eventType, message: String(error) });
      }
    }
    backend.afterFlush();
    return { kind: 'write', consumed: events.length, written, refused, error: null, durationMs: performance.now() - started };
  };

  parentPort.on('message', (request: WriterRequest) => {
    if (request.kind === 'write') {
      const { nums, bytes } = request.batch;
      let outcome: WriteOutcome;
      try {
        outcome = write(RowBatch.decode(request.batch));
      } catch (error) {
        // Cannot happen with RowBatch.encode's output; answered as a failure so the rows are kept, not lost.
        outcome = { kind: 'write', consumed: 0, written: 0, refused: [], error: faultOf(error), durationMs: 0 };
      }
      // The decoded rows are not used past here: their arrays go back whole.
      const buffers = { nums: new Float64Array(nums.buffer), bytes: new Uint8Array(bytes.buffer) };
      reply({ ...outcome, buffers }, [nums.buffer as ArrayBuffer, bytes.buffer as ArrayBuffer]);
    } else {
      try {
        backend.close();
      } finally {
        reply({ kind: 'closed' });
      }
    }
  });
}
