// SqliteRowWriter: the history writer's statements — one batch of events into the tables, trade_hours and position_carry, in the caller's transaction.

import type Database from 'better-sqlite3';
import { CarryFold } from '../analytics/positionCarry.js';
import { EventType } from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { type CarryRow, carriedPosition } from './SqliteReader.js';
import { SELECT_BALANCE_STATE, TRADE_HOUR_FIGURES, UPSERT_BALANCE_STATE, UPSERT_CARRY } from './schema.js';
import { json } from './sqliteRows.js';
import { HourSums } from './tradeHours.js';

/** What the P&L update returns of the trade it filled in. */
interface TradeKey {
  readonly bot: string;
  readonly timestamp: number;
  readonly symbol: string;
}

/** The columns every row carries besides its own: whose it is. */
export interface RowOwner {
  readonly bot: string;
  readonly strategy: string;
  readonly exchange: string;
}

/**
 * Prepared once per connection. Besides the rows, each batch keeps two summaries current in its
 * own transaction: `trade_hours` (the dashboards' hour sums) and `position_carry` (each symbol's
 * position after every trade written, folded by the domain's {@link CarryFold}), so a restart
 * reads one row per symbol instead of replaying every trade.
 */
export class SqliteRowWriter {
  private readonly insertTrade: Database.Statement;
  private readonly insertPerformance: Database.Statement;
  private readonly insertLiquidity: Database.Statement;
  private readonly insertGrowth: Database.Statement;
  private readonly insertLoop: Database.Statement;
  private readonly insertError: Database.Statement;
  private readonly updatePnl: Database.Statement;
  private readonly upsertHour: Database.Statement;
  private readonly carryOne: Database.Statement;
  private readonly upsertCarry: Database.Statement;
  private readonly selectBalance: Database.Statement;
  private readonly upsertBalance: Database.Statement;
  private readonly bot: string;
  private readonly strategy: string;
  private readonly exchange: string;
  /** The current batch's changes to trade_hours. */
  private readonly hourSums = new HourSums();
  /** The current batch's trades folded per symbol for position_carry (not kept: a batch's decoded rows die young). */
  private readonly carry: CarryFold;

  constructor(db: Database.Database, owner: RowOwner) {
    this.bot = owner.bot;
    this.strategy = owner.strategy;
    this.exchange = owner.exchange;
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
    this.carryOne = db.prepare('SELECT symbol, quantity, average_cost, realized_pnl FROM position_carry WHERE bot = ? AND symbol = ?');
    this.upsertCarry = db.prepare(UPSERT_CARRY);
    this.selectBalance = db.prepare(SELECT_BALANCE_STATE);
    this.upsertBalance = db.prepare(UPSERT_BALANCE_STATE);
    this.carry = new CarryFold((symbol) => {
      const row = this.carryOne.get(this.bot, symbol) as CarryRow | undefined;
      return row === undefined ? undefined : carriedPosition(row);
    });
  }

  /**
   * Writes rows `start..end` (call inside a transaction); returns the rows inserted (a P&L update is
   * not a row, nor is a balance update, which only sets the bot's `balance_state`).
   */
  write(rows: RowBatch, start: number, end: number): number {
    this.hourSums.clear();
    this.carry.clear();
    let inserted = 0;
    // Read at the batch's first balance update, written once after its last.
    let balance: BalanceState | null | undefined;
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
          inserted++;
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
          // After the insert: the transaction then holds the write lock, so the carry read is current.
          this.carry.add(e);
          break;
        }
        case EventType.PROFIT_LOSS: {
          // Its trade is in an earlier batch, or earlier in this one; a trade with the caller's own P&L keeps it.
          const trade = this.updatePnl.get(e.realizedPnl, e.symbol, e.timestamp, e.executionId) as TradeKey | undefined;
          if (trade !== undefined) this.hourSums.addRealized(trade.bot, trade.timestamp, trade.symbol, e.realizedPnl);
          break;
        }
        case EventType.PERFORMANCE_METRIC:
          inserted++;
          this.insertPerformance.run(e.timestamp, e.metricName, e.value, e.unit, json(e.tags), bot, strategy, exchange);
          break;
        case EventType.LIQUIDITY_ANALYSIS:
          inserted++;
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
          inserted++;
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
          inserted++;
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
          inserted++;
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
        case EventType.SYSTEM_EVENT: {
          const given = balanceOf(e);
          if (given === null) break;
          if (balance === undefined) balance = (this.selectBalance.get(bot) as BalanceState | undefined) ?? null;
          balance = nextBalanceState(balance, given, e.timestamp);
          break;
        }
        default:
          break;
      }
    }
    if (balance) this.upsertBalance.run(bot, balance.balance, balance.at, balance.openingBalance);
    this.writeHourSums();
    if (this.carry.size > 0) this.writeCarry();
    return inserted;
  }

  /** Writes the gathered trade_hours changes, in the caller's transaction. */
  writeHourSums(): void {
    this.hourSums.drain((bot, hourStart, symbol, f) => this.upsertHour.run(bot, hourStart, symbol, ...f));
  }

  /** Gathers a trade's figures for trade_hours with `sign` -1 (a deleted trade), written by {@link writeHourSums}. */
  get sums(): HourSums {
    return this.hourSums;
  }

  /** Writes the batch's folded positions to position_carry, one row per symbol traded. */
  private writeCarry(): void {
    for (const p of this.carry.positions()) this.upsertCarry.run(this.bot, p.symbol, p.quantity, p.averageCost, p.realizedPnl);
    this.carry.clear();
  }
}
