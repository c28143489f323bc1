import { describe, expect, it } from 'vitest';
import { RateCounter } from '../../src/analytics/RateCounter.js';
import { maxDrawdown, nearestRank, nearestRankOffset, profitFactor, winRate } from '../../src/analytics/statistics.js';
import { buildError, buildTrade } from '../../src/events/build.js';

describe('statistics', () => {
  it('nearest-rank percentiles', () => {
    const v = [15, 20, 35, 40, 50];
    expect(nearestRank(v, 5)).toBe(15);
    expect(nearestRank(v, 30)).toBe(20);
    expect(nearestRank(v, 40)).toBe(20);
    expect(nearestRank(v, 50)).toBe(35);
    expect(nearestRank(v, 100)).toBe(50);
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRankOffset(5, 50)).toBe(2);
    expect(nearestRankOffset(100, 95)).toBe(94);
    expect(nearestRankOffset(1, 0)).toBe(0);
  });

  it('max drawdown picks the largest relative fall with its peak and trough times', () => {
    const dd = maxDrawdown([
      { t: 1, v: 100 },
      { t: 2, v: 120 },
      { t: 3, v: 90 }, // −25 % from 120
      { t: 4, v: 130 },
      { t: 5, v: 104 }, // −20 % from 130
    ]);
    expect(dd).toEqual({ absolute: 30, ratio: 0.25, peakAt: 2, troughAt: 3 });
    expect(
      maxDrawdown([
        { t: 1, v: 1 },
        { t: 2, v: 2 },
      ]),
    ).toBeNull();
  });

  it('win rate and profit factor follow the field definitions', () => {
    expect(winRate(3, 4)).toBe(0.75);
    expect(winRate(0, 0)).toBeNull();
    expect(profitFactor(300, 100)).toBe(3);
    expect(profitFactor(300, 0)).toBeNull();
  });
});

describe('RateCounter', () => {
  const M = 60_000;
  const T = Date.UTC(2026, 10, 24, 10, 0);
  const trade = (t: number) => buildTrade({ symbol: 'X', side: 'buy', quantity: 1, price: 1 }, t);
  const error = (t: number, severity: 'low' | 'critical' = 'low') => buildError('e', { severity }, t);

  it('counts per minute and over the last hour, exactly, at any rate', () => {
    const r = new RateCounter();
    for (let i = 0; i < 25_000; i++) r.record(trade(T + 10));
    r.record(error(T + 20, 'critical'));
    for (let i = 0; i < 3; i++) r.record(trade(T + M + 5));
    expect(r.window(T + 30, 0)).toEqual({ events: 25_001, trades: 25_000, errors: 1, criticalErrors: 1 });
    expect(r.window(T + M + 30, 59)).toEqual({ events: 25_004, trades: 25_003, errors: 1, criticalErrors: 1 });
  });

  it('forgets minutes older than an hour', () => {
    const r = new RateCounter();
    r.record(error(T));
    r.record(trade(T + 61 * M));
    expect(r.window(T + 61 * M, 59)).toEqual({ events: 1, trades: 1, errors: 0, criticalErrors: 0 });
    expect(r.window(T + 61 * M, 0)).toEqual({ events: 1, trades: 1, errors: 0, criticalErrors: 0 });
  });

  it('counts events per minute over the trailing 60 seconds, not the last full minute', () => {
    const r = new RateCounter();
    // Five events at 10:00:50 and two at 10:01:05: at 10:01:10 the last full minute (10:00) holds
    // five, but the trailing 60 seconds hold all seven; at 10:01:51 only the two are left.
    for (let i = 0; i < 5; i++) r.record(trade(T + 50_000));
    r.record(error(T + M + 5_000));
    r.record(trade(T + M + 5_999));
    expect(r.lastSixtySeconds(T + M + 10_000)).toBe(7);
    expect(r.lastSixtySeconds(T + M + 49_999)).toBe(7);
    expect(r.lastSixtySeconds(T + M + 50_000)).toBe(2);
    expect(r.lastSixtySeconds(T + 2 * M + 6_000)).toBe(0);
    // Right after activity it is not 0, as a count of the last full minute would be.
    const fresh = new RateCounter();
    fresh.record(trade(T + 1_000));
    expect(fresh.lastSixtySeconds(T + 2_000)).toBe(1);
  });
});
