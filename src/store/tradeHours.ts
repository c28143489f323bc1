// HourSums: a batch's changes to trade_hours (per bot, UTC hour and symbol), gathered in memory and written as one upsert each.

import { hourStartOf } from '../analytics/GrowthTracker.js';
import { TRADE_HOUR_FIGURES } from './schema.js';

const TRADES = 0;
const BUYS = 1;
const SELLS = 2;
const VOLUME = 3;
const FEES = 4;
const REALIZED = 5;
const CLOSED = 6;
const WINS = 7;
const LOSSES = 8;
const GROSS_PROFIT = 9;
const GROSS_LOSS = 10;
const EXECUTION_MS = 11;
const SLIPPAGE_BPS = 12;

interface HourRow {
  readonly bot: string;
  readonly hourStart: number;
  readonly symbol: string;
  /** In the order of {@link TRADE_HOUR_FIGURES}. */
  readonly figures: Float64Array;
}

/**
 * What a batch adds to (a written trade, a P&L filled in later) or takes from (a deleted trade)
 * each `trade_hours` row. The same arithmetic as the aggregate `rebuildTradeHours` runs, so the
 * table stays equal to it.
 */
export class HourSums {
  /** By bot, then symbol, then hour: lookups that build no key string per trade. */
  private readonly rows = new Map<string, Map<string, Map<number, HourRow>>>();

  /** A trade written (`sign` 1) or deleted (-1); its realized P&L, when it has one, counted too. */
  addTrade(
    bot: string,
    timestamp: number,
    symbol: string,
    side: string,
    notional: number,
    fee: number,
    realized: number | null,
    executionTimeMs: number,
    slippageBps: number,
    sign: 1 | -1,
  ): void {
    const f = this.row(bot, timestamp, symbol);
    f[TRADES]! += sign;
    if (side === 'buy') f[BUYS]! += sign;
    else if (side === 'sell') f[SELLS]! += sign;
    f[VOLUME]! += sign * notional;
    f[FEES]! += sign * fee;
    f[EXECUTION_MS]! += sign * executionTimeMs;
    f[SLIPPAGE_BPS]! += sign * slippageBps;
    if (realized !== null) this.addRealizedTo(f, realized, sign);
  }

  /** A realized P&L filled into a trade written in an earlier batch. */
  addRealized(bot: string, timestamp: number, symbol: string, realized: number): void {
    this.addRealizedTo(this.row(bot, timestamp, symbol), realized, 1);
  }

  /** Adds a whole row's figures (columns of {@link TRADE_HOUR_FIGURES}), as read back from a stored summary. */
  addFigures(bot: string, hourStart: number, symbol: string, figures: ArrayLike<number>): void {
    const f = this.row(bot, hourStart, symbol);
    for (let i = 0; i < f.length; i++) f[i]! += figures[i] ?? 0;
  }

  /** Calls `visit` with each row's key and figures, keeping them. */
  each(visit: (bot: string, hourStart: number, symbol: string, figures: Float64Array) => void): void {
    for (const symbols of this.rows.values()) {
      for (const hours of symbols.values()) for (const r of hours.values()) visit(r.bot, r.hourStart, r.symbol, r.figures);
    }
  }

  /** Forgets what was gathered (a transaction that failed part-way rolled it back). */
  clear(): void {
    this.rows.clear();
  }

  /** Calls `write` with each row's key and figures (columns of {@link TRADE_HOUR_FIGURES}), then forgets them. */
  drain(write: (bot: string, hourStart: number, symbol: string, figures: Float64Array) => void): void {
    for (const symbols of this.rows.values()) {
      for (const hours of symbols.values()) for (const r of hours.values()) write(r.bot, r.hourStart, r.symbol, r.figures);
    }
    this.rows.clear();
  }

  private addRealizedTo(f: Float64Array, realized: number, sign: 1 | -1): void {
    f[REALIZED]! += sign * realized;
    f[CLOSED]! += sign;
    if (realized > 0) {
      f[WINS]! += sign;
      f[GROSS_PROFIT]! += sign * realized;
    } else if (realized < 0) {
      f[LOSSES]! += sign;
      f[GROSS_LOSS]! -= sign * realized;
    }
  }

  private row(bot: string, timestamp: number, symbol: string): Float64Array {
    const hourStart = hourStartOf(timestamp);
    let symbols = this.rows.get(bot);
    if (symbols === undefined) {
      symbols = new Map();
      this.rows.set(bot, symbols);
    }
    let hours = symbols.get(symbol);
    if (hours === undefined) {
      hours = new Map();
      symbols.set(symbol, hours);
    }
    let r = hours.get(hourStart);
    if (r === undefined) {
      r = { bot, hourStart, symbol, figures: new Float64Array(TRADE_HOUR_FIGURES.length) };
      hours.set(hourStart, r);
    }
    return r.figures;
  }
}
