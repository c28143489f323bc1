import { describe, expect, it } from 'vitest';
import { cagr, expectancy, expectancyRatio, holdReturn, returns, sharpe, sortino } from '../../src/analytics/statistics.js';

describe('trading ratios (hand-computed)', () => {
  // 6 closed trades: wins +30, +10, +20 (gross 60), losses −10, −20 (gross 30), one breakeven.
  const w = { wins: 3, losses: 2, grossProfit: 60, grossLoss: 30 };

  it('expectancy = winrate × avg win − lossrate × avg loss', () => {
    // winrate 3/6, avg win 20; lossrate 2/6, avg loss 15 → 10 − 5 = 5
    expect(expectancy(w, 6)).toBeCloseTo(5, 12);
    expect(expectancy({ wins: 0, losses: 0, grossProfit: 0, grossLoss: 0 }, 0)).toBeNull();
  });

  it('expectancy ratio = (1 + avg win / avg loss) × winrate − 1', () => {
    // (1 + 20/15) × 0.5 − 1 = 0.1666…
    expect(expectancyRatio(w, 6)).toBeCloseTo(1 / 6, 12);
    expect(expectancyRatio({ wins: 2, losses: 0, grossProfit: 5, grossLoss: 0 })).toBeNull();
  });

  it('CAGR over half a year', () => {
    // 100 → 121 in half a year: 1.21² − 1 = 0.4641
    expect(cagr(100, 121, (365 * 24 * 3_600_000) / 2)).toBeCloseTo(0.4641, 10);
    expect(cagr(0, 10, 1)).toBeNull();
  });

  it('Sharpe and Sortino on hourly returns', () => {
    const rs = returns([100, 101, 100, 102, 101]);
    expect(rs).toHaveLength(4);
    // returns: 0.01, −0.0099009901, 0.02, −0.0098039216
    const m = (0.01 - 1 / 101 + 0.02 - 1 / 102) / 4;
    const xs = [0.01, -1 / 101, 0.02, -1 / 102];
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / 3);
    expect(sharpe(rs)).toBeCloseTo((m / sd) * Math.sqrt(8760), 9);
    const dd = Math.sqrt(((1 / 101) ** 2 + (1 / 102) ** 2) / 4);
    expect(sortino(rs)).toBeCloseTo((m / dd) * Math.sqrt(8760), 9);
    expect(sharpe([0.01])).toBeNull();
    expect(sortino([0.01, 0.02])).toBeNull();
  });

  it('return of holding the starting inventory', () => {
    // 1000 cash + 1 BTC @ 40000 → BTC @ 44000: (45000 − 41000) / 41000
    expect(holdReturn(1000, { BTC: 1 }, { BTC: 40_000 }, { BTC: 44_000 })).toBeCloseTo(4000 / 41_000, 12);
    expect(holdReturn(1000, { BTC: 1 }, {}, { BTC: 1 })).toBeNull();
  });
});
