// The contract every history backend (SQLite, memory) fulfils, so the store and facade need not care which.

import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import type { RowBatch } from './batchCodec.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import type { TableName } from './schema.js';

/** What a replayed trade carries: enough for the P&L ledger. */
export interface ReplayedTrade {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  /** The caller's own P&L, when the trade was logged with one. */
  readonly pnl: number | null;
}

/** Rows per table. */
export type TableCounts = Record<TableName, number>;

/**
 * A place history is written to and read from. Every method is synchronous and takes plain,
 * structured-clone-able data, so a backend could later run in a worker thread behind a message port.
 */
export interface StoreBackend {
  /** `sqlite` or `memory`. */
  readonly kind: string;
  /** Opens (and migrates) the store. Throws when it cannot; calling it when open is harmless. */
  open(): void;
  readonly isOpen: boolean;
  /**
   * Writes rows `start..end` of `rows` atomically: all of them or, on a throw, none. Events without
   * a table (system events) are skipped; a `profit_loss` event fills `realized_pnl` of its trade.
   */
  writeBatch(rows: RowBatch, start: number, end: number): void;
  /** Newest first. */
  query<K extends StoredKind>(kind: K, query: NormalizedQuery): StoredEventByKind[K][];
  /** The dashboards' aggregate queries over what has been written. Requires the store to be open. */
  analytics(): AnalyticsQueries;
  /**
   * Calls `visit` with this bot's stored trades, oldest first (for rebuilding positions after a
   * restart). Absent where history does not outlive the process.
   */
  replayTrades?(visit: (trade: ReplayedTrade) => void): number;
  /**
   * This bot's positions as the trades retention deleted left them (what {@link replayTrades}
   * replays on top of). Absent where history does not outlive the process.
   */
  carriedPositions?(): Position[];
  /** The newest growth row of an hour before `hourStart`, or null. */
  lastGrowthBefore(hourStart: number): GrowthEvent | null;
  /** Deletes at most `limit` rows of `table` stamped before `cutoff`; returns how many. */
  deleteOlderThan(table: TableName, cutoff: number, limit: number): number;
  counts(): TableCounts;
  /** Bytes on disk, including the WAL; 0 in memory. */
  sizeBytes(): number;
  /** Housekeeping after writes (checkpointing); never throws. */
  afterFlush(): void;
  /** Housekeeping after a large delete (planner statistics); never throws. */
  optimize(): void;
  /** Releases the store; harmless when closed. */
  close(): void;
}
