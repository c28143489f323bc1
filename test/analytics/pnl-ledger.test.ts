import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PnlLedger, type Position } from '../../src/analytics/PnlLedger.js';
import { CarryFold, carryPositions } from '../../src/analytics/positionCarry.js';

type Side = 'buy' | 'sell';
const t = (symbol: string, side: Side, quantity: number, price: number, fee = 0, pnl: number | null = null) => ({
  symbol,
  side,
  quantity,
  price,
  fee,
  pnl,
});

describe('PnlLedger (average cost)', () => {
  it('worked example: buy 1 @ 100 fee 0.1, buy 1 @ 110 fee 0.1, sell 1.5 @ 120 fee 0.2', () => {
    const ledger = new PnlLedger();
    expect(ledger.apply(t('BTC', 'buy', 1, 100, 0.1)).realizedPnl).toBe(0);
    const second = ledger.apply(t('BTC', 'buy', 1, 110, 0.1));
    expect(second.position.averageCost).toBeCloseTo(105.1, 10);
    const sell = ledger.apply(t('BTC', 'sell', 1.5, 120, 0.2));
    expect(sell.realizedPnl).toBeCloseTo(22.15, 10);
    expect(sell.closedQuantity).toBe(1.5);
    expect(sell.position.quantity).toBeCloseTo(0.5, 12);
    expect(sell.position.averageCost).toBeCloseTo(105.1, 10);
    expect(ledger.totalRealizedPnl).toBeCloseTo(22.15, 10);
  });

  it('a sell beyond the position closes the long and opens a short with the rest, fee split pro rata', () => {
    const ledger = new PnlLedger();
    ledger.apply(t('ETH', 'buy', 1, 100, 1)); // cost 101 per unit
    const r = ledger.apply(t('ETH', 'sell', 3, 110, 3)); // 1 closes, 2 open a short; fee 1 per unit
    expect(r.closedQuantity).toBe(1);
    expect(r.realizedPnl).toBeCloseTo(110 - 101 - 1, 10); // 8
    expect(r.position.quantity).toBeCloseTo(-2, 12);
    expect(r.position.averageCost).toBeCloseTo(109, 10); // proceeds 110 − fee 1
    // Covering the short at 100 with fee 0.5: (109 − 100) × 2 − 0.5
    const cover = ledger.apply(t('ETH', 'buy', 2, 100, 0.5));
    expect(cover.realizedPnl).toBeCloseTo(17.5, 10);
    expect(cover.position.quantity).toBe(0);
    expect(ledger.totalRealizedPnl).toBeCloseTo(25.5, 10);
  });

  it('shorts extend at the average of net proceeds', () => {
    const ledger = new PnlLedger();
    ledger.apply(t('SOL', 'sell', 1, 50, 0));
    const r = ledger.apply(t('SOL', 'sell', 1, 60, 2));
    expect(r.position.quantity).toBe(-2);
    expect(r.position.averageCost).toBeCloseTo(54, 10); // (50 + 58) / 2
    expect(r.realizedPnl).toBe(0);
  });

  it('an explicit pnl wins but the position still moves', () => {
    const ledger = new PnlLedger();
    ledger.apply(t('BTC', 'buy', 2, 100));
    const r = ledger.apply(t('BTC', 'sell', 1, 150, 0, -3));
    expect(r.realizedPnl).toBe(-3);
    expect(r.position.quantity).toBe(1);
    expect(ledger.position('BTC').realizedPnl).toBe(-3);
  });

  it('symbols are independent; unrealized P&L marks longs and shorts', () => {
    const ledger = new PnlLedger();
    ledger.apply(t('A', 'buy', 2, 10));
    ledger.apply(t('B', 'sell', 1, 20));
    expect(ledger.unrealizedPnl('A', 12)).toBeCloseTo(4, 12);
    expect(ledger.unrealizedPnl('B', 15)).toBeCloseTo(5, 12);
    expect(ledger.unrealizedPnl('C', 1)).toBe(0);
    expect(ledger.positionsList().map((p) => p.symbol)).toEqual(['A', 'B']);
  });

  it('property: buying and selling the same quantity at the same price with no fees realizes 0', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            qty: fc.double({ min: 0.0001, max: 1000, noNaN: true }),
            price: fc.double({ min: 0.01, max: 100_000, noNaN: true }),
            first: fc.constantFrom<Side>('buy', 'sell'),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (legs) => {
          const ledger = new PnlLedger();
          for (const leg of legs) {
            ledger.apply(t('X', leg.first, leg.qty, leg.price));
            ledger.apply(t('X', leg.first === 'buy' ? 'sell' : 'buy', leg.qty, leg.price));
            expect(Math.abs(ledger.position('X').quantity)).toBeLessThan(1e-9);
          }
          expect(Math.abs(ledger.totalRealizedPnl)).toBeLessThan(1e-6 * legs.reduce((s, l) => s + l.qty * l.price, 1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: total realized equals the sum of per-trade results and of per-symbol totals', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            symbol: fc.constantFrom('A', 'B'),
            side: fc.constantFrom<Side>('buy', 'sell'),
            qty: fc.double({ min: 0.01, max: 10, noNaN: true }),
            price: fc.double({ min: 1, max: 1000, noNaN: true }),
            fee: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { maxLength: 40 },
        ),
        (trades) => {
          const ledger = new PnlLedger();
          let sum = 0;
          for (const x of trades) sum += ledger.apply(t(x.symbol, x.side, x.qty, x.price, x.fee)).realizedPnl;
          const bySymbol = ledger.positionsList().reduce((s, p) => s + p.realizedPnl, 0);
          expect(ledger.totalRealizedPnl).toBeCloseTo(sum, 6);
          expect(bySymbol).toBeCloseTo(sum, 6);
        },
      ),
    );
  });
});

describe('position carry', () => {
  it('property: CarryFold, trade by trade, gives what carryPositions gives for each symbol, refused trades skipped alike', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            symbol: fc.constantFrom('A', 'B', 'C'),
            side: fc.constantFrom<Side>('buy', 'sell'),
            // Now and then a quantity the ledger refuses (a position beyond the kept bound).
            qty: fc.oneof(fc.double({ min: 0.01, max: 10, noNaN: true }), fc.constant(1e300)),
            price: fc.double({ min: 1, max: 1000, noNaN: true }),
            pnl: fc.option(fc.double({ min: -100, max: 100, noNaN: true })),
          }),
          { maxLength: 40 },
        ),
        fc.dictionary(fc.constantFrom('A', 'B'), fc.double({ min: -5, max: 5, noNaN: true })),
        (trades, carriedQty) => {
          const carried = new Map<string, Position>(
            Object.entries(carriedQty).map(([symbol, quantity]) => [symbol, { symbol, quantity, averageCost: 50, realizedPnl: 7 }]),
          );
          const asked: string[] = [];
          const fold = new CarryFold((symbol) => {
            asked.push(symbol);
            return carried.get(symbol);
          });
          const list = trades.map((x) => t(x.symbol, x.side, x.qty, x.price, 0.01, x.pnl));
          for (const trade of list) fold.add(trade);
          const order = [...new Set(list.map((x) => x.symbol))];
          const expected = order.flatMap((symbol) =>
            carryPositions(
              carried.has(symbol) ? [carried.get(symbol)!] : [],
              list.filter((x) => x.symbol === symbol),
            ),
          );
          expect(fold.positions()).toEqual(expected);
          expect(asked).toEqual(order);
          fold.clear();
          expect(fold.size).toBe(0);
        },
      ),
    );
  });
});
