// SqliteRetention: deletes history older than a cutoff in bounded chunks, taking deleted trades out of trade_hours.

import type Database from 'better-sqlite3';
import type { SqliteRowWriter } from './SqliteRowWriter.js';
import type { TableName } from './schema.js';

/** What a retention delete returns of each trade, to take it out of trade_hours. */
interface DeletedTrade {
  readonly bot: string;
  readonly timestamp: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly notional_value: number;
  readonly fee: number;
  readonly realized_pnl: number | null;
  readonly execution_time_ms: number;
  readonly slippage_bps: number;
}

/**
 * Each delete is bounded by rowid so one statement never holds the write lock for long. Positions
 * need nothing from it: position_carry already holds every trade written, deleted ones included.
 */
export class SqliteRetention {
  private readonly deleteTrades: Database.Statement;
  private readonly dropEmptyHours: Database.Statement;
  private readonly deleteTradesTx: (cutoff: number, limit: number) => number;
  private readonly deleteCache = new Map<TableName, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly writer: SqliteRowWriter,
  ) {
    this.deleteTrades = db.prepare(
      `DELETE FROM trades WHERE id IN (SELECT id FROM trades WHERE timestamp < ? ORDER BY timestamp, id LIMIT ?)
        RETURNING bot, timestamp, symbol, side, notional_value, fee, realized_pnl, execution_time_ms, slippage_bps`,
    );
    this.dropEmptyHours = db.prepare('DELETE FROM trade_hours WHERE trade_count <= 0');
    this.deleteTradesTx = db.transaction((cutoff: number, limit: number) => this.deleteOldTrades(cutoff, limit));
  }

  /** Deletes at most `limit` rows of `table` stamped before `cutoff`; returns how many. */
  deleteOlderThan(table: TableName, cutoff: number, limit: number): number {
    // Trades also leave trade_hours, in the same transaction.
    if (table === 'trades') return this.deleteTradesTx(cutoff, limit);
    let stmt = this.deleteCache.get(table);
    if (stmt === undefined) {
      stmt = this.db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE timestamp < ? LIMIT ?)`);
      this.deleteCache.set(table, stmt);
    }
    return stmt.run(cutoff, limit).changes;
  }

  private deleteOldTrades(cutoff: number, limit: number): number {
    const sums = this.writer.sums;
    sums.clear();
    const deleted = this.deleteTrades.all(cutoff, limit) as DeletedTrade[];
    for (const t of deleted) {
      sums.addTrade(t.bot, t.timestamp, t.symbol, t.side, t.notional_value, t.fee, t.realized_pnl, t.execution_time_ms, t.slippage_bps, -1);
    }
    this.writer.writeHourSums();
    if (deleted.length > 0) this.dropEmptyHours.run();
    return deleted.length;
  }
}
