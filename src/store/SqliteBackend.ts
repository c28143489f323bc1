// SqliteBackend: history in one SQLite file (WAL) — schema, prepared statements, batch writes, queries.

import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import { PnlLedger, type Position } from '../analytics/PnlLedger.js';
import type { DatabaseLocation } from '../config/MonitoringConfig.js';
import {
  type AdditionalData,
  type ErrorEvent,
  type ErrorSeverity,
  type ErrorType,
  EventType,
  type GrowthEvent,
  type LiquidityEvent,
  type LoopExecutionEvent,
  type MonitorEvent,
  type PerformanceEvent,
  type TradeEvent,
  type TradeSide,
} from '../events/types.js';
import type { RowBatch } from './batchCodec.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import { OWN_ROWS, SqliteAnalytics } from './SqliteAnalytics.js';
import type { ReplayedTrade, StoreBackend, TableCounts } from './StoreBackend.js';
import { migrate, TABLES, type TableName, TRADE_HOUR_FIGURES } from './schema.js';
import { HourSums } from './tradeHours.js';

/** How hard SQLite syncs to disk: `normal` (WAL default) or `full`. */
export type SqliteSynchronous = 'normal' | 'full';

export interface SqliteBackendOptions {
  /** Value of every row's `bot` column. @default '' */
  botName?: string;
  /** Value of every row's `strategy` column. @default '' */
  strategy?: string;
  /** Value of every row's `exchange` column. @default '' */
  exchange?: string;
  /** @default 'normal' */
  synchronous?: SqliteSynchronous;
  /**
   * How long a write waits for another connection's lock. Kept short on purpose: a flush runs on
   * the bot's event loop, and a failed flush keeps its rows and is retried at the next interval.
   * @default 100
   */
  busyTimeoutMs?: number;
  /**
   * Copy the WAL into the database (a PASSIVE checkpoint) after the flush that brings the rows
   * written since the last one to this many. @default 10000
   */
  checkpointEveryRows?: number;
  /**
   * The connection's page cache in KiB (SQLite's `cache_size`). better-sqlite3 builds SQLite with
   * 16 MiB; the writer thread's connection, which only appends, sets SQLite's own 2 MiB.
   * @default better-sqlite3's 16000
   */
  cacheSizeKb?: number;
}

type Row = Record<string, unknown>;

/** What the P&L update returns of the trade it filled in. */
interface TradeKey {
  readonly bot: string;
  readonly timestamp: number;
  readonly symbol: string;
}

/** What a retention delete returns of each trade, to take it out of trade_hours and fold it into position_carry. */
interface DeletedTrade extends TradeKey {
  readonly id: number;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly notional_value: number;
  readonly fee: number;
  readonly realized_pnl: number | null;
  readonly pnl_source: string | null;
  readonly execution_time_ms: number;
  readonly slippage_bps: number;
}

/** A row of `position_carry`. */
interface CarryRow {
  readonly symbol: string;
  readonly quantity: number;
  readonly average_cost: number;
  readonly realized_pnl: number;
}

interface QuerySpec {
  readonly table: TableName;
  readonly filters: readonly (readonly [keyof NormalizedQuery, string])[];
  readonly map: (row: Row) => MonitorEvent;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function parseJson(text: unknown): AdditionalData | null {
  return typeof text === 'string' ? (deepFreeze(JSON.parse(text)) as AdditionalData) : null;
}

function toTrade(r: Row): TradeEvent {
  return Object.freeze({
    eventType: EventType.TRADE_EXECUTION,
    timestamp: r.timestamp as number,
    symbol: r.symbol as string,
    side: r.side as TradeSide,
    quantity: r.quantity as number,
    price: r.price as number,
    notionalValue: r.notional_value as number,
    fee: r.fee as number,
    executionTimeMs: r.execution_time_ms as number,
    slippageBps: r.slippage_bps as number,
    executionId: r.execution_id as string,
    orderId: (r.order_id as string | null) ?? null,
    // Only the caller's own figure is the trade's `pnl`; the ledger's lives in realized_pnl alone.
    pnl: r.pnl_source === 'caller' ? (r.realized_pnl as number) : null,
    additionalData: parseJson(r.additional_data),
  });
}

function toPerformance(r: Row): PerformanceEvent {
  return Object.freeze({
    eventType: EventType.PERFORMANCE_METRIC,
    timestamp: r.timestamp as number,
    metricName: r.metric_name as string,
    value: r.value as number,
    unit: r.unit as string,
    tags: (parseJson(r.tags) ?? Object.freeze({})) as Readonly<Record<string, string>>,
  });
}

function toLiquidity(r: Row): LiquidityEvent {
  return Object.freeze({
    eventType: EventType.LIQUIDITY_ANALYSIS,
    timestamp: r.timestamp as number,
    symbol: r.symbol as string,
    spread: r.spread as number,
    bidSize: r.bid_size as number,
    askSize: r.ask_size as number,
    marketDepth: r.market_depth as number,
    volatility24h: r.volatility_24h as number,
    volume24h: r.volume_24h as number,
    bidPrice: (r.bid_price as number | null) ?? null,
    askPrice: (r.ask_price as number | null) ?? null,
  });
}

function equityOf(openingEquity: number | null, closingEquity: number | null) {
  const equityGrowthRatio =
    openingEquity !== null && closingEquity !== null && openingEquity > 0 ? (closingEquity - openingEquity) / openingEquity : null;
  return { openingEquity, closingEquity, equityGrowthRatio };
}

function toGrowth(r: Row): GrowthEvent {
  return Object.freeze({
    eventType: EventType.GROWTH_TRACKING,
    timestamp: r.timestamp as number,
    hourStart: r.hour_start as number,
    openingBalance: r.opening_balance as number,
    closingBalance: r.closing_balance as number,
    growthRatio: r.growth_ratio as number,
    ...equityOf(r.opening_equity as number | null, r.closing_equity as number | null),
    tradeCount: r.trade_count as number,
    realizedPnl: r.realized_pnl as number,
    fees: r.fees as number,
    volume: r.volume as number,
  });
}

function toLoop(r: Row): LoopExecutionEvent {
  return Object.freeze({
    eventType: EventType.LOOP_EXECUTION,
    timestamp: r.timestamp as number,
    loopName: r.loop_name as string,
    executionId: r.execution_id as string,
    startTime: r.start_time as number,
    endTime: r.end_time as number,
    durationMs: r.duration_ms as number,
    success: r.success === 1,
    tradesExecuted: r.trades_executed as number,
    errorMessage: (r.error_message as string | null) ?? null,
    additionalData: parseJson(r.additional_data),
  });
}

function toError(r: Row): ErrorEvent {
  return Object.freeze({
    eventType: EventType.ERROR_EVENT,
    timestamp: r.timestamp as number,
    errorId: r.error_id as string,
    message: r.message as string,
    errorType: r.error_type as ErrorType,
    severity: r.severity as ErrorSeverity,
    symbol: (r.symbol as string | null) ?? null,
    loopName: (r.loop_name as string | null) ?? null,
    stackTrace: (r.stack_trace as string | null) ?? null,
    context: parseJson(r.context),
  });
}

const QUERIES: { readonly [K in StoredKind]: QuerySpec } = {
  trades: { table: 'trades', filters: [['symbol', 'symbol']], map: toTrade },
  performance: { table: 'performance_metrics', filters: [['metricName', 'metric_name']], map: toPerformance },
  liquidity: { table: 'liquidity_metrics', filters: [['symbol', 'symbol']], map: toLiquidity },
  growth: { table: 'growth_metrics', filters: [], map: toGrowth },
  loops: {
    table: 'loop_executions',
    filters: [
      ['loopName', 'loop_name'],
      ['success', 'success'],
    ],
    map: toLoop,
  },
  errors: {
    table: 'errors',
    filters: [
      ['errorType', 'error_type'],
      ['severity', 'severity'],
      ['symbol', 'symbol'],
    ],
    map: toError,
  },
};

/**
 * History in SQLite through better-sqlite3. WAL journal with `synchronous=NORMAL` by default: a
 * process crash loses no committed transaction; a power loss or OS crash may roll back the last
 * transactions committed since the WAL was last synced, never corrupting the file. `full` syncs
 * every commit. Timestamps are UTC epoch milliseconds in INTEGER columns in every table.
 */
export class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite';
  private db: Database.Database | null = null;
  private readonly path: string | null;
  private readonly bot: string;
  private readonly strategy: string;
  private readonly exchange: string;
  private readonly synchronous: SqliteSynchronous;
  private readonly busyTimeoutMs: number;
  private readonly checkpointEveryRows: number;
  private readonly cacheSizeKb: number | null;
  /** The options it was built with, so a writer thread can open a twin connection to the same file. */
  readonly options: Readonly<SqliteBackendOptions>;
  private rowsSinceCheckpoint = 0;
  private insertTrade!: Database.Statement;
  private insertPerformance!: Database.Statement;
  private insertLiquidity!: Database.Statement;
  private insertGrowth!: Database.Statement;
  private insertLoop!: Database.Statement;
  private insertError!: Database.Statement;
  private updatePnl!: Database.Statement;
  private upsertHour!: Database.Statement;
  private deleteTrades!: Database.Statement;
  private dropEmptyHours!: Database.Statement;
  private carryOf!: Database.Statement;
  private upsertCarry!: Database.Statement;
  /** The current batch's (or retention chunk's) changes to trade_hours. */
  private readonly hourSums = new HourSums();
  private lastGrowth!: Database.Statement;
  private analytics_: SqliteAnalytics | null = null;
  private countAll!: Database.Statement;
  private writeTx!: (rows: RowBatch, start: number, end: number) => void;
  private deleteTradesTx!: (cutoff: number, limit: number) => number;
  private readonly queryCache = new Map<string, Database.Statement>();
  private readonly deleteCache = new Map<TableName, Database.Statement>();

  constructor(location: DatabaseLocation, options: SqliteBackendOptions = {}) {
    this.path = location.kind === 'file' ? resolve(location.path) : null;
    this.bot = options.botName ?? '';
    this.strategy = options.strategy ?? '';
    this.exchange = options.exchange ?? '';
    this.synchronous = options.synchronous ?? 'normal';
    this.busyTimeoutMs = options.busyTimeoutMs ?? 100;
    this.checkpointEveryRows = options.checkpointEveryRows ?? 10_000;
    this.cacheSizeKb = options.cacheSizeKb ?? null;
    this.options = Object.freeze({ ...options });
  }

  /** Absolute path of the database file, or null in memory. */
  get filePath(): string | null {
    return this.path;
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  open(): void {
    if (this.db !== null) return;
    if (this.path !== null) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      // Trading records are private: create the file owner-only before SQLite does (SQLite gives
      // the -wal and -shm files the database file's permissions). An existing file keeps its mode.
      closeSync(openSync(this.path, 'a', 0o600));
    }
    const db = new Database(this.path ?? ':memory:');
    try {
      db.pragma(`busy_timeout = ${Math.trunc(this.busyTimeoutMs)}`);
      if (this.cacheSizeKb !== null) db.pragma(`cache_size = ${-Math.max(1, Math.trunc(this.cacheSizeKb))}`);
      if (this.path !== null) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`could not switch ${this.path} to WAL mode (got ${String(mode)})`);
        // Checkpoints run after flushes (afterFlush), not in the middle of a commit.
        db.pragma('wal_autocheckpoint = 0');
      }
      db.pragma(`synchronous = ${this.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      migrate(db);
      this.prepare(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
  }

  private prepare(db: Database.Database): void {
    this.insertTrade = db.prepare(
      `INSERT INTO trades (timestamp, symbol, side, quantity, price, notional_value, fee, execution_time_ms, slippage_bps,
        execution_id, order_id, realized_pnl, pnl_source, additional_data, bot, strategy, exchange) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertPerformance = db.prepare(
      'INSERT INTO performance_metrics (timestamp, metric_name, value, unit, tags, bot, strategy, exchange) VALUES (?,?,?,?,?,?,?,?)',
    );
    this.insertLiquidity = db.prepare(
      `INSERT INTO liquidity_metrics (timestamp, symbol, spread, bid_size, ask_size, market_depth, volatility_24h, volume_24h,
        bid_price, ask_price, bot, strategy, exchange) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertGrowth = db.prepare(
      `INSERT INTO growth_metrics (timestamp, hour_start, opening_balance, closing_balance, growth_ratio, trade_count, realized_pnl,
        fees, volume, bot, strategy, exchange, opening_equity, closing_equity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertLoop = db.prepare(
      `INSERT INTO loop_executions (timestamp, loop_name, execution_id, start_time, end_time, duration_ms, success, trades_executed,
        error_message, additional_data, bot, strategy, exchange) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertError = db.prepare(
      `INSERT INTO errors (timestamp, error_id, message, error_type, severity, symbol, loop_name, stack_trace, context, bot,
        strategy, exchange) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    // The newest trade with that id whose P&L the caller did not give (ids may repeat across runs).
    // A P&L event carries its trade's symbol and timestamp, so the (symbol, timestamp) index finds it.
    this.updatePnl = db.prepare(
      `UPDATE trades SET realized_pnl = ?, pnl_source = 'ledger'
        WHERE id = (SELECT id FROM trades WHERE symbol = ? AND timestamp = ? AND execution_id = ? AND pnl_source IS NULL
          ORDER BY id DESC LIMIT 1)
        RETURNING bot, timestamp, symbol`,
    );
    const figures = TRADE_HOUR_FIGURES.join(', ');
    this.upsertHour = db.prepare(
      `INSERT INTO trade_hours (bot, hour_start, symbol, ${figures}) VALUES (${Array(TRADE_HOUR_FIGURES.length + 3)
        .fill('?')
        .join(',')})
        ON CONFLICT (bot, hour_start, symbol) DO UPDATE SET ${TRADE_HOUR_FIGURES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    // Bounded by rowid so one statement never holds the write lock for long; what it deletes is
    // subtracted from trade_hours and folded into position_carry, oldest first so that chunk after
    // chunk the trades are folded in the order the ledger replays them.
    this.deleteTrades = db.prepare(
      `DELETE FROM trades WHERE id IN (SELECT id FROM trades WHERE timestamp < ? ORDER BY timestamp, id LIMIT ?)
        RETURNING id, bot, timestamp, symbol, side, quantity, price, notional_value, fee, realized_pnl, pnl_source,
          execution_time_ms, slippage_bps`,
    );
    this.carryOf = db.prepare('SELECT symbol, quantity, average_cost, realized_pnl FROM position_carry WHERE bot = ?');
    this.upsertCarry = db.prepare(
      `INSERT INTO position_carry (bot, symbol, quantity, average_cost, realized_pnl) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (bot, symbol) DO UPDATE SET quantity = excluded.quantity, average_cost = excluded.average_cost,
          realized_pnl = excluded.realized_pnl`,
    );
    this.dropEmptyHours = db.prepare('DELETE FROM trade_hours WHERE trade_count <= 0');
    this.lastGrowth = db.prepare(
      `SELECT * FROM growth_metrics WHERE ${OWN_ROWS} AND hour_start < ? ORDER BY hour_start DESC, id DESC LIMIT 1`,
    );
    this.analytics_ = null;
    this.countAll = db.prepare(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
    this.writeTx = db.transaction((rows: RowBatch, start: number, end: number) => this.writeRows(rows, start, end));
    this.deleteTradesTx = db.transaction((cutoff: number, limit: number) => this.deleteOldTrades(cutoff, limit));
    this.queryCache.clear();
    this.deleteCache.clear();
  }

  writeBatch(rows: RowBatch, start: number, end: number): void {
    if (this.db === null) throw new Error('history database is not open');
    this.writeTx(rows, start, end);
    this.rowsSinceCheckpoint += end - start;
  }

  private writeRows(rows: RowBatch, start: number, end: number): void {
    this.hourSums.clear();
    const bot = this.bot;
    const strategy = this.strategy;
    const exchange = this.exchange;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      switch (e.eventType) {
        case EventType.TRADE_EXECUTION: {
          let realized = e.pnl;
          let source: string | null = realized === null ? null : 'caller';
          // logTrade records a closing trade's P&L event right after it: the row is then written
          // with its P&L at once instead of inserted and then updated. (A P&L event anywhere else
          // takes the update below, in this transaction or a later one.)
          if (i + 1 < end && rows.isProfitLoss(i + 1)) {
            const next = rows.at(i + 1);
            if (next.eventType === EventType.PROFIT_LOSS && next.executionId === e.executionId) {
              i++;
              if (realized === null) {
                realized = next.realizedPnl;
                source = 'ledger';
              }
            }
          }
          this.hourSums.addTrade(bot, e.timestamp, e.symbol, e.side, e.notionalValue, e.fee, realized, e.executionTimeMs, e.slippageBps, 1);
          this.insertTrade.run(
            e.timestamp,
            e.symbol,
            e.side,
            e.quantity,
            e.price,
            e.notionalValue,
            e.fee,
            e.executionTimeMs,
            e.slippageBps,
            e.executionId,
            e.orderId,
            realized,
            source,
            json(e.additionalData),
            bot,
            strategy,
            exchange,
          );
          break;
        }
        case EventType.PROFIT_LOSS: {
          // Its trade is in an earlier batch, or earlier in this one; a trade with the caller's own P&L keeps it.
          const trade = this.updatePnl.get(e.realizedPnl, e.symbol, e.timestamp, e.executionId) as TradeKey | undefined;
          if (trade !== undefined) this.hourSums.addRealized(trade.bot, trade.timestamp, trade.symbol, e.realizedPnl);
          break;
        }
        case EventType.PERFORMANCE_METRIC:
          this.insertPerformance.run(e.timestamp, e.metricName, e.value, e.unit, json(e.tags), bot, strategy, exchange);
          break;
        case EventType.LIQUIDITY_ANALYSIS:
          this.insertLiquidity.run(
            e.timestamp,
            e.symbol,
            e.spread,
            e.bidSize,
            e.askSize,
            e.marketDepth,
            e.volatility24h,
            e.volume24h,
            e.bidPrice,
            e.askPrice,
            bot,
            strategy,
            exchange,
          );
          break;
        case EventType.GROWTH_TRACKING:
          this.insertGrowth.run(
            e.timestamp,
            e.hourStart,
            e.openingBalance,
            e.closingBalance,
            e.growthRatio,
            e.tradeCount,
            e.realizedPnl,
            e.fees,
            e.volume,
            bot,
            strategy,
            exchange,
            e.openingEquity,
            e.closingEquity,
          );
          break;
        case EventType.LOOP_EXECUTION:
          this.insertLoop.run(
            e.timestamp,
            e.loopName,
            e.executionId,
            e.startTime,
            e.endTime,
            e.durationMs,
            e.success ? 1 : 0,
            e.tradesExecuted,
            e.errorMessage,
            json(e.additionalData),
            bot,
            strategy,
            exchange,
          );
          break;
        case EventType.ERROR_EVENT:
          this.insertError.run(
            e.timestamp,
            e.errorId,
            e.message,
            e.errorType,
            e.severity,
            e.symbol,
            e.loopName,
            e.stackTrace,
            json(e.context),
            bot,
            strategy,
            exchange,
          );
          break;
        default:
          break;
      }
    }
    this.writeHourSums();
  }

  /** Writes the gathered trade_hours changes, in the caller's transaction. */
  private writeHourSums(): void {
    this.hourSums.drain((bot, hourStart, symbol, f) => this.upsertHour.run(bot, hourStart, symbol, ...f));
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    const db = this.requireOpen();
    const spec = QUERIES[kind];
    const where: string[] = [];
    const params: unknown[] = [];
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
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      stmt = db.prepare(`SELECT * FROM ${spec.table}${clause} ORDER BY timestamp DESC, id DESC LIMIT ?`);
      this.queryCache.set(key, stmt);
    }
    return (stmt.all(...params) as Row[]).map(spec.map) as StoredEventByKind[K][];
  }

  analytics(): AnalyticsQueries {
    this.analytics_ ??= sqliteAnalytics(this.requireOpen(), this.bot);
    return this.analytics_;
  }

  replayTrades(visit: (trade: ReplayedTrade) => void): number {
    const db = this.requireOpen();
    const rows = db
      .prepare(
        `SELECT symbol, side, quantity, price, fee, CASE WHEN pnl_source = 'caller' THEN realized_pnl END AS pnl
         FROM trades WHERE ${OWN_ROWS} ORDER BY timestamp, id`,
      )
      .iterate(this.bot) as IterableIterator<ReplayedTrade>;
    let n = 0;
    for (const row of rows) {
      visit(row);
      n++;
    }
    return n;
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    this.requireOpen();
    const row = this.lastGrowth.get(this.bot, hourStart) as Row | undefined;
    return row === undefined ? null : toGrowth(row);
  }

  deleteOlderThan(table: TableName, cutoff: number, limit: number): number {
    const db = this.requireOpen();
    // Trades also leave trade_hours, in the same transaction.
    if (table === 'trades') return this.deleteTradesTx(cutoff, limit);
    let stmt = this.deleteCache.get(table);
    if (stmt === undefined) {
      // Bounded by rowid so one statement never holds the write lock for long.
      stmt = db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE timestamp < ? LIMIT ?)`);
      this.deleteCache.set(table, stmt);
    }
    return stmt.run(cutoff, limit).changes;
  }

  /** Deletes at most `limit` trades older than `cutoff` and takes them out of trade_hours (in `deleteTradesTx`). */
  private deleteOldTrades(cutoff: number, limit: number): number {
    this.hourSums.clear();
    const deleted = this.deleteTrades.all(cutoff, limit) as DeletedTrade[];
    for (const t of deleted) {
      this.hourSums.addTrade(
        t.bot,
        t.timestamp,
        t.symbol,
        t.side,
        t.notional_value,
        t.fee,
        t.realized_pnl,
        t.execution_time_ms,
        t.slippage_bps,
        -1,
      );
    }
    this.writeHourSums();
    if (deleted.length > 0) {
      this.dropEmptyHours.run();
      this.carryPositions(deleted);
    }
    return deleted.length;
  }

  /**
   * Folds deleted trades into `position_carry`, per bot, in the order the ledger replays them
   * (timestamp, then id): the carried position plus these trades gives what a replay of every
   * trade ever stored would, so a position opened before the retention cutoff survives a restart.
   */
  private carryPositions(deleted: DeletedTrade[]): void {
    const byBot = new Map<string, DeletedTrade[]>();
    for (const t of deleted) {
      const list = byBot.get(t.bot);
      if (list === undefined) byBot.set(t.bot, [t]);
      else list.push(t);
    }
    for (const [bot, trades] of byBot) {
      trades.sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
      const ledger = new PnlLedger();
      for (const row of this.carryOf.all(bot) as CarryRow[]) ledger.restore(carriedPosition(row));
      for (const t of trades) {
        ledger.apply({
          symbol: t.symbol,
          side: t.side,
          quantity: t.quantity,
          price: t.price,
          fee: t.fee,
          pnl: t.pnl_source === 'caller' ? t.realized_pnl : null,
        });
      }
      for (const p of ledger.positionsList()) this.upsertCarry.run(bot, p.symbol, p.quantity, p.averageCost, p.realizedPnl);
    }
  }

  carriedPositions(): Position[] {
    this.requireOpen();
    return (this.carryOf.all(this.bot) as CarryRow[]).map(carriedPosition);
  }

  counts(): TableCounts {
    this.requireOpen();
    return { ...(this.countAll.get() as TableCounts) };
  }

  sizeBytes(): number {
    if (this.path === null) return 0;
    let total = 0;
    for (const suffix of ['', '-wal']) total += statSync(this.path + suffix, { throwIfNoEntry: false })?.size ?? 0;
    return total;
  }

  afterFlush(): void {
    // Counted in rows, not WAL file size: the file keeps its size after a checkpoint (SQLite reuses
    // it from the start), so its size says nothing about what is left to copy.
    if (this.db === null || this.path === null || this.rowsSinceCheckpoint < this.checkpointEveryRows) return;
    try {
      // PASSIVE never waits for readers; pages it cannot copy now are copied next time.
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.rowsSinceCheckpoint = 0;
    } catch {
      // A checkpoint that cannot run now (locked) runs after a later flush; nothing is lost.
    }
  }

  optimize(): void {
    try {
      this.db?.pragma('optimize');
    } catch {
      // Only planner statistics; never worth a failure.
    }
  }

  close(): void {
    const db = this.db;
    if (db === null) return;
    this.db = null;
    try {
      db.pragma('optimize');
      // Leaves a small, self-contained file behind for backups and copies.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Locked by another connection: the WAL stays and is replayed on the next open.
    }
    db.close();
  }

  /** Runs `PRAGMA integrity_check`; `ok` when the file is sound. */
  integrityCheck(): string {
    const db = this.requireOpen();
    return String(db.pragma('integrity_check', { simple: true }));
  }

  private requireOpen(): Database.Database {
    if (this.db === null) throw new Error('history database is not open');
    return this.db;
  }
}

/** The dashboards' queries over `db` for `bot`'s rows (also run by the HTTP API's reader thread on its own connection). */
export function sqliteAnalytics(db: Database.Database, bot: string): SqliteAnalytics {
  const recentTradeRows = db.prepare(`SELECT * FROM trades WHERE ${OWN_ROWS} ORDER BY timestamp DESC, id DESC LIMIT ?`);
  const growthByHour = db.prepare(
    `SELECT * FROM growth_metrics WHERE ${OWN_ROWS} AND hour_start >= ? AND hour_start < ? ORDER BY hour_start, id`,
  );
  return new SqliteAnalytics(
    db,
    bot,
    (limit) =>
      (recentTradeRows.all(bot, limit) as Row[]).map((r) => ({
        trade: toTrade(r),
        realizedPnl: (r.realized_pnl as number | null) ?? null,
      })),
    (since, until) => (growthByHour.all(bot, since, until) as Row[]).map(toGrowth),
  );
}

function carriedPosition(row: CarryRow): Position {
  return { symbol: row.symbol, quantity: row.quantity, averageCost: row.average_cost, realizedPnl: row.realized_pnl };
}
