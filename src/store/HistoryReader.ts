// The history read contract: the queries the dashboards, the CLI and metricsCollector run, whatever holds the rows.

import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import type { TableName } from './schema.js';

/** Rows per table. */
export type TableCounts = Record<TableName, number>;

/**
 * Reads of one bot's history. Synchronous, with plain structured-clone-able answers, so it can be
 * served by a backend on the bot's thread or by a reader on a thread of its own (its own
 * read-only connection). Every history backend implements it; the history store implements it too,
 * adding the rows it has not written yet.
 */
export interface HistoryReader {
  /** Newest first. */
  query<K extends StoredKind>(kind: K, query: NormalizedQuery): StoredEventByKind[K][];
  /** The dashboards' aggregate queries. */
  analytics(): AnalyticsQueries;
  /** The newest growth row of an hour before `hourStart`, or null. */
  lastGrowthBefore(hourStart: number): GrowthEvent | null;
  /**
   * This bot's positions as every stored trade (deleted ones included) left them, one row per
   * symbol: what a restart restores without replaying trades. Empty where history does not outlive
   * the process.
   */
  positions(): Position[];
  /**
   * The last account balance stored for this bot and the balance its UTC hour opened with (folded
   * with `nextBalanceState` from the `balance_updated` system events of the written batches), or
   * null before the first. What a restart resumes growth and `accountBalance` from.
   */
  lastBalance(): BalanceState | null;
  /** Rows per table. */
  counts(): TableCounts;
  /**
   * The bot names with at least one row in the store, sorted: several bots may write to one store
   * (a SQLite file, a directory, a Redis), and every other method reads only this reader's bot.
   * Reads every table's bot names, so it is for commands and reports, not for a hot path.
   */
  bots(): string[];
}
