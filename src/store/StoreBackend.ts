// The contract every history backend (SQLite, memory; files and Redis next) fulfils, so the store and facade need not care which.

import type { BatchWriter, WriteReport } from './BatchWriter.js';
import type { RowBatch } from './batchCodec.js';
import type { HistoryReader } from './HistoryReader.js';
import type { RowQueue } from './RowQueue.js';
import type { TableName } from './schema.js';

/**
 * A place history is written to and read from. Every method is synchronous and takes plain,
 * structured-clone-able data. Reads are the {@link HistoryReader} queries; writes come in batches
 * from a {@link BatchWriter} (on the bot's thread by default, or on a thread of the backend's own).
 */
export interface StoreBackend extends HistoryReader {
  /** `sqlite` or `memory`. */
  readonly kind: string;
  /**
   * Opens (and migrates) the store. Throws when it cannot, leaving what it found untouched (a file
   * of a newer schema, a foreign file, a bot name another live process writes); harmless when open.
   */
  open(): void;
  readonly isOpen: boolean;
  /**
   * Writes rows `start..end` of `rows` atomically: all of them or, on a throw, none. Events without
   * a table (system events) are skipped; a `profit_loss` event fills `realized_pnl` of its trade.
   * Returns the rows stored (a P&L filled into a trade is not a row of its own).
   */
  writeBatch(rows: RowBatch, start: number, end: number): number;
  /** Deletes at most `limit` rows of `table` stamped before `cutoff`; returns how many. */
  deleteOlderThan(table: TableName, cutoff: number, limit: number): number;
  /** Bytes on disk (a file's, including its journal); 0 in memory. */
  sizeBytes(): number;
  /** Housekeeping after writes (checkpointing); never throws. */
  afterFlush(): void;
  /** Housekeeping after a large delete (planner statistics); never throws. */
  optimize(): void;
  /** Releases the store; harmless when closed. */
  close(): void;
  /**
   * Null while what is open is still what the configured location names; otherwise what happened
   * to it (a file deleted or renamed under a running process). Cheap: called once per flush
   * interval. Absent where nothing can be taken away (memory).
   */
  locationChanged?(): string | null;
  /**
   * A writer on a thread of the backend's own, taking batches from `queue`; null when it cannot
   * start one (the store then writes on the caller's thread), or a throw when writing on the
   * caller's thread is not acceptable (`start()` then fails). Absent where there is no such thread.
   */
  startThreadWriter?(queue: RowQueue, report: WriteReport): BatchWriter | null;
}
