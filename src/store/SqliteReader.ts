// SqliteReader: the history read queries (HistoryReader) on one SQLite connection, the writer's or a read-only one of its own.

import Database from 'better-sqlite3';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { HistoryReader, TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import { OWN_ROWS, SqliteAnalytics } from './SqliteAnalytics.js';
import { SELECT_BALANCE_STATE, TABLES } from './schema.js';
import { QUERIES, type Row, toGrowth, toTrade } from './sqliteRows.js';

/** A row of `position_carry`. */
export interface CarryRow {
  readonly symbol: string;
  readonly quantity: number;
  readonly average_cost: number;
  readonly realized_pnl: number;
}

/**
 * Reads one bot's rows. Statements are prepared once per connection and per query shape. Usable on
 * any thread: {@link SqliteReader.openReadOnly} needs only the file's path and the bot's name.
 */
export class SqliteReader implements HistoryReader {
  private readonly lastGrowth: Database.Statement;
  private readonly growthByHour: Database.Statement;
  private readonly recentTradeRows: Database.Statement;
  private readonly carryOf: Database.Statement;
  private readonly countAll: Database.Statement;
  private readonly balanceOf: Database.Statement;
  private readonly queryCache = new Map<string, Database.Statement>();
  private analytics_: SqliteAnalytics | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly bot: string,
  ) {
    this.lastGrowth = db.prepare(
      `SELECT * FROM growth_metrics WHERE ${OWN_ROWS} AND hour_start < ? ORDER BY hour_start DESC, id DESC LIMIT 1`,
    );
    this.recentTradeRows = db.prepare(`SELECT * FROM trades WHERE ${OWN_ROWS} ORDER BY timestamp DESC, id DESC LIMIT ?`);
    this.growthByHour = db.prepare(
      `SELECT * FROM growth_metrics WHERE ${OWN_ROWS} AND hour_start >= ? AND hour_start < ? ORDER BY hour_start, id`,
    );
    this.carryOf = db.prepare('SELECT symbol, quantity, average_cost, realized_pnl FROM position_carry WHERE bot = ?');
    this.balanceOf = db.prepare(SELECT_BALANCE_STATE);
    this.countAll = db.prepare(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
  }

  /**
   * A reader with a read-only connection of its own to `path` (WAL lets it read while the writer
   * writes), for a reader thread. `close()` releases the connection.
   */
  static openReadOnly(path: string, bot: string): SqliteReader & { close(): void } {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const reader = new SqliteReader(db, bot) as SqliteReader & { close(): void };
      reader.close = () => db.close();
      return reader;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    const spec = QUERIES[kind];
    // Only this bot's rows: several bots may share one file, and each sees only its own history.
    const where: string[] = [OWN_ROWS];
    const params: unknown[] = [this.bot];
    let key: string = kind;
    if (q.since !== null) {
      where.push('timestamp >= ?');
      params.push(q.since);
      key += ':s';
    }
    if (q.until !== null) {
      where.push('timestamp < ?');
      params.push(q.until);
      key += ':u';
    }
    for (const [field, column] of spec.filters) {
      const value = q[field];
      if (value === null) continue;
      where.push(`${column} = ?`);
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
      key += `:${column}`;
    }
    params.push(q.limit);
    let stmt = this.queryCache.get(key);
    if (stmt === undefined) {
      const clause = ` WHERE ${where.join(' AND ')}`;
      stmt = this.db.prepare(`SELECT * FROM ${spec.table}${clause} ORDER BY timestamp DESC, id DESC LIMIT ?`);
      this.queryCache.set(key, stmt);
    }
    return (stmt.all(...params) as Row[]).map(spec.map) as StoredEventByKind[K][];
  }

  analytics(): AnalyticsQueries {
    this.analytics_ ??= new SqliteAnalytics(
      this.db,
      this.bot,
      (limit) =>
        (this.recentTradeRows.all(this.bot, limit) as Row[]).map((r) => ({
          trade: toTrade(r),
          realizedPnl: (r.realized_pnl as number | null) ?? null,
        })),
      (since, until) => (this.growthByHour.all(this.bot, since, until) as Row[]).map(toGrowth),
    );
    return this.analytics_;
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    const row = this.lastGrowth.get(this.bot, hourStart) as Row | undefined;
    return row === undefined ? null : toGrowth(row);
  }

  positions(): Position[] {
    return (this.carryOf.all(this.bot) as CarryRow[]).map(carriedPosition);
  }

  lastBalance(): BalanceState | null {
    return (this.balanceOf.get(this.bot) as BalanceState | undefined) ?? null;
  }

  counts(): TableCounts {
    return { ...(this.countAll.get() as TableCounts) };
  }
}

/** A `position_carry` row as the ledger's position. */
export function carriedPosition(row: CarryRow): Position {
  return { symbol: row.symbol, quantity: row.quantity, averageCost: row.average_cost, realizedPnl: row.realized_pnl };
}
