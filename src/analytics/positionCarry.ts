// Position carry: folds trades into the positions carried before them, as a ledger that saw every trade would hold them.

import { PnlLedger, type Position } from './PnlLedger.js';

/** What folding a trade needs: the figures the ledger applies, and the caller's own P&L when it gave one. */
export interface CarriedTrade {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  /** The caller's own P&L, when the trade was logged with one. */
  readonly pnl: number | null;
}

/**
 * The positions `carried` become once `trades` (in the order they happened) are applied, by the
 * average-cost rules of {@link PnlLedger}: the carried positions plus newer trades give what a
 * replay of every trade would, so history can keep one row per symbol instead of every trade.
 * Returns every carried or traded symbol. A trade the ledger refuses (figures that would leave a
 * sum non-finite) is skipped, as the ledger refused it when it was logged.
 */
export function carryPositions(carried: Iterable<Position>, trades: Iterable<CarriedTrade>): Position[] {
  const ledger = new PnlLedger();
  for (const p of carried) ledger.restore(p);
  for (const t of trades) {
    try {
      ledger.apply(t);
    } catch {
      // Refused by the ledger at the time too: it never moved the live position.
    }
  }
  return ledger.positionsList();
}

/**
 * {@link carryPositions} trade by trade, one symbol's ledger each: what it returns for the trades
 * added since {@link clear}, without keeping the trades until the end. `carried` is asked for a
 * symbol's position once, when its first trade is added.
 */
export class CarryFold {
  private readonly ledgers = new Map<string, PnlLedger>();

  constructor(private readonly carried: (symbol: string) => Position | undefined) {}

  add(trade: CarriedTrade): void {
    let ledger = this.ledgers.get(trade.symbol);
    if (ledger === undefined) {
      ledger = new PnlLedger();
      const position = this.carried(trade.symbol);
      if (position !== undefined) ledger.restore(position);
      this.ledgers.set(trade.symbol, ledger);
    }
    try {
      ledger.apply(trade);
    } catch {
      // Refused by the ledger at the time too: it never moved the live position.
    }
  }

  get size(): number {
    return this.ledgers.size;
  }

  /** Each touched symbol's position, in the order first added. */
  positions(): Position[] {
    const out: Position[] = [];
    for (const ledger of this.ledgers.values()) out.push(...ledger.positionsList());
    return out;
  }

  clear(): void {
    this.ledgers.clear();
  }
}
