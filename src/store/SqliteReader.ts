// SqliteReader: the history read queries (HistoryReader) on one SQLite connection, the writer's or a read-only one of its own.

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthEvent } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { HistoryReader, TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import { OWN_ROWS, SqliteAnalytics } from './SqliteAnalytics.js';
import { SELECT_BALANCE_STATE, schemaMismatch, TABLES, unreadableAsIs } from './schema.js';
import { QUERIES, type Row, toGrowth, toTrade } from './sqliteRows.js';

/** A row of `position_carry`. */
export interface CarryRow {
  readonly symbol: string;
  readonly quantity: number;
  readonly average_cost: number;
  readonly realized_pnl: number;
}

/** A reader on a read-only connection of its own (see {@link SqliteReader.openReadOnly}). */
export interface ReadOnlySqliteReader extends HistoryReader {
  /** Bytes of the file and its WAL. */
  sizeBytes(): number;
  /** Releases the connection. */
  close(): void;
}

/** The magic string every SQLite file begins with. */
const SQLITE_MAGIC = 'SQLite format 3\0';

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
  private allBots: Database.Statement | null = null;
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
   * writes), for a reader thread or a command that only looks at history. It never writes to the
   * file: one it cannot read as it is (not SQLite, a foreign file, a newer or older schema that
   * would need migrating) is refused with what was found. A WAL-mode file that no process has open
   * is checked from its header first, as SQLite would create its -wal and -shm files to read it.
   * `busyTimeoutMs` bounds how long a read waits for the writer's lock.
   */
  static openReadOnly(path: string, bot: string, busyTimeoutMs = 1000): ReadOnlySqliteReader {
    const refused = (why: string) => new Error(`history database ${path} cannot be read: ${why}`);
    const header = Buffer.alloc(100);
    const fd = openSync(path, 'r');
    let length: number;
    try {
      length = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
    if (length === 0) throw refused('the file is empty');
    if (length < header.length || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw refused('not an SQLite database');
    // Byte 18 is 2 in WAL mode; bytes 60–63 hold user_version, our schema version.
    if (header[18] === 2 && !existsSync(`${path}-wal`)) {
      const mismatch = schemaMismatch(header.readUInt32BE(60));
      if (mismatch !== null) throw refused(mismatch);
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      const why = unreadableAsIs(db);
      if (why !== null) throw refused(why);
      const reader = new SqliteReader(db, bot) as SqliteReader & ReadOnlySqliteReader;
      reader.close = () => db.close();
      reader.sizeBytes = () => sqliteFileBytes(path);
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

  bots(): string[] {
    // trade_hours names every bot with trades (retention drops its emptied hours), in far fewer rows than trades.
    this.allBots ??= this.db.prepare(
      `${['trade_hours', ...TABLES.filter((t) => t !== 'trades')].map((t) => `SELECT DISTINCT bot FROM ${t}`).join(' UNION ')} ORDER BY bot`,
    );
    return (this.allBots.all() as { bot: string }[]).map((r) => r.bot);
  }
}

/** Bytes of a SQLite file and its WAL. */
export function sqliteFileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) total += statSync(path + suffix, { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

/** A `position_carry` row as the ledger's position. */
export function carriedPosition(row: CarryRow): Position {
  return { symbol: row.symbol, quantity: row.quantity, averageCost: row.average_cost, realizedPnl: row.realized_pnl };
}
