// Inputs that would push equity, unrealized P&L or a kept sum to ±Infinity are refused with ValidationError, recording nothing.

import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { addProbe, createTestMonitor } from '../helpers/monitor.js';

let monitor: MonitoringSystem;
afterEach(async () => {
  await monitor?.stop();
});

function refused(call: () => unknown, field: string): void {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  expect((caught as ValidationError).field).toBe(field);
}

function everyFigureFinite(m: MonitoringSystem): void {
  const unrealized = m.getUnrealizedPnl();
  expect(Number.isFinite(unrealized.total)).toBe(true);
  for (const p of unrealized.bySymbol) expect(Number.isFinite(p.unrealizedPnl)).toBe(true);
  const equity = m.equity;
  expect(equity === null || Number.isFinite(equity)).toBe(true);
}

describe('finite figures', () => {
  it("after a buy, updateMarketPrice('BTCUSDT', 1e308) is refused and equity stays finite", () => {
    monitor = createTestMonitor();
    monitor.updateAccountBalance(10_000);
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 2, price: 100 });
    refused(() => monitor.updateMarketPrice('BTCUSDT', 1e308), 'price');
    everyFigureFinite(monitor);
    // The last accepted mark still stands.
    monitor.updateMarketPrice('BTCUSDT', 110);
    expect(monitor.getUnrealizedPnl().total).toBeCloseTo(20, 6);
    refused(() => monitor.updateMarketPrice('BTCUSDT', 1e308), 'price');
    expect(monitor.getUnrealizedPnl().total).toBeCloseTo(20, 6);
  });

  it('a liquidity snapshot whose mid price would overflow a position is refused before it is recorded', () => {
    monitor = createTestMonitor();
    monitor.logTrade({ symbol: 'ETH', side: 'buy', quantity: 1e200, price: 1e-10 });
    const probe = addProbe(monitor);
    refused(
      () =>
        monitor.logLiquidityAnalysis({
          symbol: 'ETH',
          spread: 0,
          bidSize: 1,
          askSize: 1,
          marketDepth: 1,
          bidPrice: 1e150,
          askPrice: 1e150,
        }),
      'price',
    );
    expect(probe.seen).toEqual([]);
    everyFigureFinite(monitor);
  });

  it('a trade that would take a marked position past the bound is refused', () => {
    monitor = createTestMonitor();
    monitor.updateMarketPrice('SOL', 1e200);
    monitor.logTrade({ symbol: 'SOL', side: 'buy', quantity: 1e-200, price: 1 });
    refused(() => monitor.logTrade({ symbol: 'SOL', side: 'buy', quantity: 1e150, price: 1e-100 }), 'quantity');
    everyFigureFinite(monitor);
  });

  it('a balance whose sum with unrealized P&L would overflow equity is refused', () => {
    monitor = createTestMonitor();
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 1e299 });
    monitor.updateMarketPrice('BTCUSDT', 1e300);
    refused(() => monitor.updateAccountBalance(Number.MAX_VALUE), 'balance');
    monitor.updateAccountBalance(1e300);
    everyFigureFinite(monitor);
  });

  it('trades whose volume, fee or pnl would overflow the kept sums are refused', () => {
    monitor = createTestMonitor();
    refused(() => monitor.logTrade({ symbol: 'X', side: 'buy', quantity: 1e10, price: 1e299 }), 'quantity');
    refused(() => monitor.logTrade({ symbol: 'X', side: 'buy', quantity: 1, price: 1, fee: 1e308 }), 'fee');
    refused(() => monitor.logTrade({ symbol: 'X', side: 'sell', quantity: 1, price: 1, pnl: -1e308 }), 'pnl');
    // Trades at the bound on several symbols: every kept sum is still finite.
    for (const symbol of ['X', 'Y', 'Z']) monitor.logTrade({ symbol, side: 'buy', quantity: 1, price: 1e299, fee: 1e299 });
    monitor.logTrade({ symbol: 'X', side: 'sell', quantity: 1, price: 1e300, pnl: 1e300 });
    monitor.logTrade({ symbol: 'Y', side: 'sell', quantity: 1, price: 1e300, pnl: 1e300 });
    everyFigureFinite(monitor);
  });
});
