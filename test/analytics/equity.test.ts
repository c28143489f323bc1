import { describe, expect, it } from 'vitest';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

const quiet = { storage: 'memory', logFile: null, logConsole: false, enableMetricsServer: false } as const;

describe('unrealized P&L and equity', () => {
  it('marks open positions to market (worked numbers)', () => {
    const m = new MonitoringSystem({ ...quiet });
    m.updateAccountBalance(10_000);
    expect(m.equity).toBe(10_000);
    m.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.5, price: 40_000, fee: 20 }); // cost 40,040 per unit
    m.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 2, price: 2_500, fee: 5 }); // short, proceeds 2,497.5 per unit
    expect(m.getUnrealizedPnl().bySymbol.map((p) => p.markPrice)).toEqual([null, null]);
    expect(m.getUnrealizedPnl().total).toBe(0);
    m.updateMarketPrice('BTCUSDT', 42_000); // (42,000 − 40,040) × 0.5 = 980
    m.logLiquidityAnalysis({
      symbol: 'ETHUSDT',
      spread: 0.0004,
      bidSize: 1,
      askSize: 1,
      marketDepth: 10,
      bidPrice: 2_399,
      askPrice: 2_401,
    }); // mid 2,400: (2,497.5 − 2,400) × 2 = 195
    const u = m.getUnrealizedPnl();
    expect(u.bySymbol.find((p) => p.symbol === 'BTCUSDT')!.unrealizedPnl).toBeCloseTo(980, 9);
    expect(u.bySymbol.find((p) => p.symbol === 'ETHUSDT')!.unrealizedPnl).toBeCloseTo(195, 9);
    expect(u.total).toBeCloseTo(1_175, 9);
    expect(m.equity).toBeCloseTo(11_175, 9);
    // Closing the BTC position removes it from the unrealized list.
    m.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.5, price: 42_000 });
    expect(m.getUnrealizedPnl().bySymbol.map((p) => p.symbol)).toEqual(['ETHUSDT']);
    expect(() => m.updateMarketPrice('BTCUSDT', Number.NaN)).toThrow(expect.objectContaining({ field: 'price' }));
    expect(() => m.updateMarketPrice('', 1)).toThrow(expect.objectContaining({ field: 'symbol' }));
  });
});
