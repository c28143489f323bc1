// Entry of the HTTP API's reader thread: its own read-only SQLite connection (or Redis connection); computes and serializes the dashboard views.

import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AnalyticsQueries, TimeRange } from '../../analytics/AnalyticsQueries.js';
import { DashboardData } from '../../analytics/DashboardData.js';
import { ValidationError } from '../../errors.js';
import { RedisBackend } from '../../store/RedisBackend.js';
import type { RedisHistoryOptions } from '../../store/RedisHistory.js';
import { SqliteReader } from '../../store/SqliteReader.js';
import { type LiveSnapshot, snapshotSources } from './snapshot.js';
import { type ExportFormat, exportPages, renderView, type ViewRequest } from './views.js';

/** What the main thread hands the thread at start. */
export interface ReaderThreadData {
  readonly path: string;
  readonly bot: string;
  readonly busyTimeoutMs: number;
  /** Set for redis storage: the history is read from there (through the backend's own bridge thread), not from `path`. */
  readonly redis?: RedisHistoryOptions;
}

/** Main thread → reader thread. */
export type ReaderRequest =
  | {
      readonly kind: 'view';
      readonly id: number;
      readonly request: ViewRequest;
      readonly symbolLimit: number;
      readonly snapshot: LiveSnapshot;
    }
  | {
      readonly kind: 'export';
      readonly id: number;
      readonly format: ExportFormat;
      readonly symbolLimit: number;
      readonly snapshot: LiveSnapshot;
    }
  /** The next page of an export. */
  | { readonly kind: 'more'; readonly id: number }
  /** The export's client is gone: its remaining pages are not produced. */
  | { readonly kind: 'cancel'; readonly id: number };

/** Reader thread → main thread: one answer per `view`, `export` and `more`. */
export type ReaderReply =
  /** UTF-8 text, its buffer transferred; `done` when it is the last of its request. */
  | { readonly kind: 'bytes'; readonly id: number; readonly bytes: Uint8Array; readonly done: boolean }
  | { readonly kind: 'invalid'; readonly id: number; readonly field: string; readonly value: string; readonly accepted: string }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

/** Answers kept for requests that carry the same snapshot. */
const RECENT_ANSWERS = 16;

/**
 * Lowers this thread's scheduling priority (Linux: a thread is its own task, found through
 * /proc/thread-self), so on a busy machine the bot's thread gets the CPU first and a read waits.
 * Elsewhere, or where it is refused, the thread keeps the process's priority.
 */
function yieldToTheBot(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not Linux, or not allowed: the reader still runs off the bot's thread.
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  yieldToTheBot();
  const port = parentPort;
  const data = workerData as ReaderThreadData;
  const encoder = new TextEncoder();
  /** Exports in progress: their pages, and the next one once made. */
  const exports = new Map<number, { readonly pages: Generator<string, void, undefined>; ahead: IteratorResult<string, void> | null }>();
  let db: { close(): void } | null = null;
  let analytics: AnalyticsQueries | null = null;
  /** The stored minutes that fill the bot's day window, kept while the range they answer stays the same. */
  let seedCache: { until: number; since: number; rows: ReturnType<AnalyticsQueries['minuteTotals']> } | null = null;

  const queries = (): AnalyticsQueries => {
    if (analytics === null) {
      if (data.redis !== undefined) {
        const backend = new RedisBackend(data.redis);
        backend.open();
        analytics = backend.analytics();
        db = backend;
        return analytics;
      }
      // Read-only: this connection can never write, lock the writer out, or change the file (WAL readers run beside the writer).
      const opened = new Database(data.path, { readonly: true, fileMustExist: true });
      try {
        opened.pragma(`busy_timeout = ${Math.trunc(data.busyTimeoutMs)}`);
        analytics = new SqliteReader(opened, data.bot).analytics();
      } catch (error) {
        opened.close();
        throw error;
      }
      db = opened;
    }
    return analytics;
  };

  /**
   * The connection's queries, with the day window's fill (the stored minutes before the bot's first
   * own event, which do not change) read once and narrowed by the day's range as time passes.
   */
  const seededQueries = (snapshot: LiveSnapshot): AnalyticsQueries => {
    const q = queries();
    const minuteTotals = (range: TimeRange): ReturnType<AnalyticsQueries['minuteTotals']> => {
      if (range.until <= range.since) return [];
      if (seedCache === null || seedCache.until !== range.until || seedCache.since > range.since || range.until > snapshot.now) {
        seedCache = { ...range, rows: q.minuteTotals(range) };
      }
      return seedCache.rows;
    };
    // Every other query is the connection's own (its prepared statements are read through the prototype).
    return Object.assign(Object.create(q) as AnalyticsQueries, { minuteTotals });
  };

  const dashboards = (snapshot: LiveSnapshot, symbolLimit: number): DashboardData =>
    new DashboardData(
      snapshotSources(snapshot, () => seededQueries(snapshot)),
      { symbolLimit },
    );

  /**
   * Answers already computed for a snapshot: requests that arrive in one turn of the bot's event
   * loop carry the same snapshot, and the same view of it is computed once for all of them.
   */
  const recent = new Map<string, unknown>();
  const once = <T>(snapshot: LiveSnapshot, what: unknown, compute: () => T): T => {
    const key = JSON.stringify([snapshot, what]);
    if (recent.has(key)) return recent.get(key) as T;
    const value = compute();
    if (recent.size >= RECENT_ANSWERS) recent.delete(recent.keys().next().value!);
    recent.set(key, value);
    return value;
  };

  const send = (id: number, text: string, done: boolean): void => {
    const bytes = encoder.encode(text);
    port.postMessage({ kind: 'bytes', id, bytes, done } satisfies ReaderReply, [bytes.buffer as ArrayBuffer]);
  };

  /**
   * Sends the export's next page, the one after it already made so that the last page says it is
   * the last: a document of one page is one answer, which the bot's thread sends as a whole body.
   */
  const nextPage = (id: number): void => {
    const pending = exports.get(id);
    if (pending === undefined) return;
    const page = pending.ahead ?? pending.pages.next();
    const after = page.done ? page : pending.pages.next();
    pending.ahead = after;
    if (after.done) exports.delete(id);
    send(id, page.done ? '' : page.value, after.done === true);
  };

  port.on('message', (message: ReaderRequest) => {
    try {
      switch (message.kind) {
        case 'view': {
          const { snapshot, symbolLimit, request } = message;
          send(
            message.id,
            once(snapshot, [request, symbolLimit], () => renderView(dashboards(snapshot, symbolLimit), request)),
            true,
          );
          break;
        }
        case 'export': {
          const { snapshot, symbolLimit } = message;
          const data = once(snapshot, ['export', symbolLimit], () => dashboards(snapshot, symbolLimit).exportObject());
          exports.set(message.id, { pages: exportPages(data, message.format), ahead: null });
          nextPage(message.id);
          break;
        }
        case 'more':
          nextPage(message.id);
          break;
        case 'cancel':
          exports.get(message.id)?.pages.return();
          exports.delete(message.id);
          break;
      }
    } catch (error) {
      if (message.kind === 'export' || message.kind === 'more') exports.delete(message.id);
      port.postMessage(failure(message.id, error));
      // A connection that failed (a file replaced, a schema changed under it) is opened anew for the next request.
      if (!(error instanceof ValidationError) && db !== null && exports.size === 0) {
        db.close();
        db = null;
        analytics = null;
      }
    }
  });
}

function failure(id: number, error: unknown): ReaderReply {
  if (error instanceof ValidationError) {
    return { kind: 'invalid', id, field: error.field, value: String(error.value), accepted: error.accepted };
  }
  return { kind: 'failed', id, message: error instanceof Error ? error.message : String(error) };
}
