// PnlLedger: per-symbol positions and realized P&L by the average-cost method.

import { ValidationError } from '../errors.js';
import type { TradeEvent } from '../events/types.js';
import { MAX_AMOUNT, requireBounded } from '../internal/validate.js';

/** One symbol's open position. Quantity is signed: positive long, negative short. */
export interface Position {
  readonly symbol: string;
  readonly quantity: number;
  /**
   * Average cost per unit. For a long: purchase price plus buying fees per unit. For a short:
   * sale proceeds net of selling fees per unit.
   */
  readonly averageCost: number;
  /** Realized P&L of this symbol so far. */
  readonly realizedPnl: number;
}

/** What one trade did to its symbol's position. */
export interface LedgerResult {
  /** Realized P&L of this trade (the caller's `pnl` when given). */
  readonly realizedPnl: number;
  /** Quantity of the trade that closed an existing position; 0 for a pure opening trade. */
  readonly closedQuantity: number;
  readonly position: Position;
}

interface MutablePosition {
  quantity: number;
  averageCost: number;
  realizedPnl: number;
}

// Quantities below this are float noise left after closing a position exactly.
const EPSILON = 1e-12;

/**
 * Keeps positions per symbol. A buy adds to a long (its fee raises the cost basis) or closes a
 * short; a sell closes a long, realizing `(price − average cost) × quantity − fee`, or opens and
 * extends a short the same way mirrored. A trade that crosses zero closes the old position and
 * opens the rest on the other side, its fee split in proportion. A trade carrying an explicit
 * `pnl` moves the position the same way, but its `pnl` is the realized figure.
 */
export class PnlLedger {
  private readonly positions = new Map<string, MutablePosition>();
  /** The last market price of each symbol, to keep every position's value at it within bounds. */
  private readonly marks = new Map<string, number>();
  private total = 0;

  /**
   * Applies a trade. A trade whose figures would leave the position or the realized P&L non-finite
   * (sums beyond the range of a double) throws {@link ValidationError} and changes nothing.
   */
  apply(trade: Pick<TradeEvent, 'symbol' | 'side' | 'quantity' | 'price' | 'fee' | 'pnl'>): LedgerResult {
    // Worked on in locals and stored only once every figure is known finite: on the hot path, with
    // no copy of the position per trade.
    const existing = this.positions.get(trade.symbol);
    let quantity = existing === undefined ? 0 : existing.quantity;
    let averageCost = existing === undefined ? 0 : existing.averageCost;
    let realizedPnl = existing === undefined ? 0 : existing.realizedPnl;
    const direction = trade.side === 'buy' ? 1 : -1;
    const qty = trade.quantity;
    const feePerUnit = trade.fee / qty;
    let realized = 0;
    let closed = 0;

    // The part of the trade that closes an opposite position.
    if (quantity * direction < 0) {
      closed = Math.min(qty, Math.abs(quantity));
      // Long closed by a sell: (price − cost) per unit; short closed by a buy: (proceeds − price).
      realized = (direction < 0 ? trade.price - averageCost : averageCost - trade.price) * closed - feePerUnit * closed;
      quantity += direction * closed;
      if (Math.abs(quantity) < EPSILON) {
        quantity = 0;
        averageCost = 0;
      }
    }

    // The rest opens or extends a position in the trade's direction.
    const opening = qty - closed;
    if (opening > EPSILON) {
      // Per-unit basis of the new part: a buy pays price + fee, a short receives price − fee.
      const unitBasis = direction > 0 ? trade.price + feePerUnit : trade.price - feePerUnit;
      const held = Math.abs(quantity);
      averageCost = (held * averageCost + opening * unitBasis) / (held + opening);
      quantity += direction * opening;
    }

    if (trade.pnl !== null) realized = trade.pnl;
    realizedPnl += realized;
    const total = this.total + realized;
    if (
      !Number.isFinite(quantity) ||
      !Number.isFinite(averageCost) ||
      !Number.isFinite(realizedPnl) ||
      !Number.isFinite(realized) ||
      !Number.isFinite(total)
    ) {
      throw new ValidationError('quantity', trade.quantity, 'a trade that keeps the position and realized P&L finite');
    }
    // Unrealized P&L is at most |quantity| × (mark + average cost): both terms kept within bounds.
    const mark = this.marks.get(trade.symbol);
    const held = Math.abs(quantity);
    if (!(held * averageCost <= MAX_AMOUNT && (mark === undefined || held * mark <= MAX_AMOUNT) && Math.abs(realizedPnl) <= MAX_AMOUNT)) {
      throw new ValidationError(
        'quantity',
        trade.quantity,
        `a trade that keeps the position's cost and market value at most ${MAX_AMOUNT}`,
      );
    }
    if (existing === undefined) this.positions.set(trade.symbol, { quantity, averageCost, realizedPnl });
    else {
      existing.quantity = quantity;
      existing.averageCost = averageCost;
      existing.realizedPnl = realizedPnl;
    }
    this.total = total;
    return { realizedPnl: realized, closedQuantity: closed, position: { symbol: trade.symbol, quantity, averageCost, realizedPnl } };
  }

  /** The position of one symbol (quantity 0 when flat or never traded). */
  position(symbol: string): Position {
    const p = this.positions.get(symbol);
    return { symbol, quantity: p?.quantity ?? 0, averageCost: p?.averageCost ?? 0, realizedPnl: p?.realizedPnl ?? 0 };
  }

  /** Every symbol traded so far. */
  positionsList(): Position[] {
    return [...this.positions.keys()].map((s) => this.position(s));
  }

  /** Realized P&L across all symbols. */
  get totalRealizedPnl(): number {
    return this.total;
  }

  /** The last price {@link mark} recorded for `symbol`, or null. */
  markOf(symbol: string): number | null {
    return this.marks.get(symbol) ?? null;
  }

  /**
   * Records `price` as the market price of `symbol` and returns it. Throws {@link ValidationError}
   * (recording nothing) when the open position's value at that price would pass the bound every
   * kept figure stays within, so unrealized P&L and equity never become ±Infinity.
   */
  mark(symbol: string, price: number): number {
    const p = this.positions.get(symbol);
    if (p !== undefined) requireBounded('price', price, Math.abs(p.quantity) * price, "a price at which the open position's value is");
    else requireBounded('price', price, price, 'a price');
    this.marks.set(symbol, price);
    return price;
  }

  /** Unrealized P&L of one symbol marked at `price`. */
  unrealizedPnl(symbol: string, price: number): number {
    const p = this.positions.get(symbol);
    if (!p || p.quantity === 0) return 0;
    return p.quantity > 0 ? (price - p.averageCost) * p.quantity : (p.averageCost - price) * -p.quantity;
  }

  /** Restores a position (e.g. from history on restart). */
  restore(position: Position): void {
    this.positions.set(position.symbol, {
      quantity: position.quantity,
      averageCost: position.averageCost,
      realizedPnl: position.realizedPnl,
    });
    this.total += position.realizedPnl;
  }
}
