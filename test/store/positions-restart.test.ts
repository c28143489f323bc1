// Positions survive a restart: the P&L ledger is restored at start() from the positions the writer keeps per symbol.

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PnlLedger } from '../../src/analytics/PnlLedger.js';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { executionIds, monitorAt, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

async function started(path: string, clock: ManualClock, botName: string): Promise<MonitoringSystem> {
  const m = monitorAt(path, clock, { botName, installSignalHandlers: false });
  open.push(m);
  await m.start();
  return m;
}

describe('positions after a restart', () => {
  it('a sell after the restart realizes against the cost of buys made before it (the worked example)', async () => {
    const path = join(dirs.make(), 'positions.db');
    const clock = new ManualClock(T0);
    const first = await started(path, clock, 'alpha');
    first.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, fee: 0.1 });
    clock.advance(1_000);
    first.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 110, fee: 0.1 });
    first.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 2, price: 50, pnl: 3 }); // caller's P&L, opens a short
    await first.stop();

    clock.advance(60_000);
    const second = await started(path, clock, 'alpha');
    expect(second.getPositions()).toEqual([
      { symbol: 'BTCUSDT', quantity: 2, averageCost: 105.1, realizedPnl: 0 },
      { symbol: 'ETHUSDT', quantity: -2, averageCost: 50, realizedPnl: 3 },
    ]);
    second.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1.5, price: 120, fee: 0.2 });
    const btc = second.getPositions().find((p) => p.symbol === 'BTCUSDT')!;
    expect(btc.quantity).toBeCloseTo(0.5, 12);
    expect(btc.averageCost).toBeCloseTo(105.1, 12);
    expect(btc.realizedPnl).toBeCloseTo(22.15, 12);
    second.updateMarketPrice('BTCUSDT', 110);
    expect(second.getUnrealizedPnl().bySymbol.find((p) => p.symbol === 'BTCUSDT')!.unrealizedPnl).toBeCloseTo(2.45, 12);
    // The stored sell carries the P&L the ledger realized.
    await second.flush();
    expect(second.getTradingDashboard({ hours: 1 }).recentTrades[0]!.realizedPnl).toBe(22.15);
  });

  it('restores positions from the one row per symbol the writer keeps, reading no trade', async () => {
    const path = join(dirs.make(), 'carry-only.db');
    const clock = new ManualClock(T0);
    const first = await started(path, clock, 'alpha');
    first.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 2, price: 100, fee: 0.2 });
    first.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 120 });
    first.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 1, price: 50 });
    await first.stop();
    // Without the trades, only the carry can give the positions back.
    const raw = openRaw(path);
    raw.exec('DELETE FROM trades');
    raw.close();
    const second = await started(path, clock, 'alpha');
    expectSamePositions(second.getPositions(), [
      { symbol: 'BTCUSDT', quantity: 1, averageCost: 100.1, realizedPnl: 19.9 },
      { symbol: 'ETHUSDT', quantity: -1, averageCost: 50, realizedPnl: 0 },
    ]);
  });

  it('another bot sharing the file starts flat', async () => {
    const path = join(dirs.make(), 'shared.db');
    const clock = new ManualClock(T0);
    const alpha = await started(path, clock, 'alpha');
    alpha.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    await alpha.flush();
    const beta = await started(path, clock, 'beta');
    expect(beta.getPositions()).toEqual([]);
  });
});

const DAY = 86_400_000;

type Trade = { symbol: string; side: 'buy' | 'sell'; quantity: number; price: number; fee?: number; pnl?: number };

/** The positions a ledger that saw every trade, in order, holds: what a restart must give back. */
function expectedPositions(trades: readonly Trade[]) {
  const ledger = new PnlLedger();
  for (const t of trades) ledger.apply({ fee: 0, pnl: null, ...t });
  return { positions: ledger.positionsList(), total: ledger.totalRealizedPnl };
}

function expectSamePositions(
  actual: readonly { symbol: string; quantity: number; averageCost: number; realizedPnl: number }[],
  expected: ReturnType<typeof expectedPositions>['positions'],
) {
  const bySymbol = (a: { symbol: string }, b: { symbol: string }) => a.symbol.localeCompare(b.symbol);
  const got = [...actual].sort(bySymbol);
  const want = [...expected].sort(bySymbol);
  expect(got.map((p) => p.symbol)).toEqual(want.map((p) => p.symbol));
  for (let i = 0; i < want.length; i++) {
    expect(got[i]!.quantity, want[i]!.symbol).toBeCloseTo(want[i]!.quantity, 9);
    expect(got[i]!.averageCost, want[i]!.symbol).toBeCloseTo(want[i]!.averageCost, 9);
    expect(got[i]!.realizedPnl, want[i]!.symbol).toBeCloseTo(want[i]!.realizedPnl, 9);
  }
}

describe('positions after retention deleted the trades that opened them', () => {
  it('a position opened before the cutoff is restored with its cost and realized P&L', async () => {
    const path = join(dirs.make(), 'carry.db');
    const clock = new ManualClock(T0);
    const trades: Trade[] = [];
    const first = await started(path, clock, 'alpha');
    const log = (m: MonitoringSystem, t: Trade) => {
      trades.push(t);
      m.logTrade(t);
    };
    log(first, { symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, fee: 0.1 });
    clock.advance(DAY);
    log(first, { symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 110, fee: 0.1 });
    log(first, { symbol: 'ETHUSDT', side: 'sell', quantity: 2, price: 50, pnl: 3 });
    clock.advance(34 * DAY);
    log(first, { symbol: 'BTCUSDT', side: 'sell', quantity: 0.5, price: 120, fee: 0.2 });
    await first.stop();

    // 36 days after the first trade: start() deletes everything older than 30 days.
    clock.advance(DAY);
    const second = await started(path, clock, 'alpha');
    await second.flush();
    expect(executionIds(path).length).toBe(1);
    const want = expectedPositions(trades);
    expectSamePositions(second.getPositions(), want.positions);
    expect(second.totalRealizedPnl).toBeCloseTo(want.total, 9);
    // The rest of the long closes against the cost of the deleted buys.
    second.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1.5, price: 130, fee: 0.3 });
    expect(second.getPositions().find((p) => p.symbol === 'BTCUSDT')!.realizedPnl).toBeCloseTo(7.25 + (130 - 105.1) * 1.5 - 0.3, 9);
  });

  it('is carried chunk by chunk across several cleanups, for each bot on the file', async () => {
    const path = join(dirs.make(), 'chunks.db');
    const clock = new ManualClock(T0);
    const alpha = await started(path, clock, 'alpha');
    const beta = await started(path, clock, 'beta');
    const sent: Record<string, Trade[]> = { alpha: [], beta: [] };
    // 60 trades a day for 20 days, alternating bots, buys and sells of three symbols, some with the caller's P&L.
    for (let day = 0; day < 20; day++) {
      for (let i = 0; i < 60; i++) {
        const bot = i % 2 === 0 ? 'alpha' : 'beta';
        const t: Trade = {
          symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][(i >> 1) % 3]!,
          side: (day * 7 + i) % 5 < 3 ? 'buy' : 'sell',
          quantity: 0.5 + ((day + i) % 4) * 0.25,
          price: 100 + day * 3 + (i % 11),
          fee: 0.05 * ((i % 3) + 1),
          ...(i % 13 === 0 ? { pnl: i / 10 - 2 } : {}),
        };
        sent[bot]!.push(t);
        (bot === 'alpha' ? alpha : beta).logTrade(t);
        clock.advance(60_000);
      }
      clock.advance(DAY - 60 * 60_000);
    }
    await alpha.flush();
    await beta.flush();
    const backend = alpha.store.backend;
    // Oldest first in chunks of 7 rows, with the cutoff moving forward twice.
    for (const cutoff of [T0 + 6 * DAY, T0 + 13 * DAY]) {
      while (backend.deleteOlderThan('trades', cutoff, 7) > 0) {}
    }
    expect(executionIds(path).length).toBe(6 * 60 + 60);
    await alpha.stop();
    await beta.stop();

    for (const bot of ['alpha', 'beta']) {
      const restarted = await started(path, clock, bot);
      const want = expectedPositions(sent[bot]!);
      expectSamePositions(restarted.getPositions(), want.positions);
      expect(restarted.totalRealizedPnl, bot).toBeCloseTo(want.total, 6);
    }
  });

  it('folds the trades of a file migrated from schema 5 into the carry, and restores positions from it', async () => {
    const path = join(dirs.make(), 'v5.db');
    const clock = new ManualClock(T0);
    const first = await started(path, clock, 'alpha');
    first.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 2, price: 100 });
    await first.stop();
    const raw = openRaw(path);
    raw.exec('DROP TABLE position_carry');
    raw.pragma('user_version = 5');
    raw.close();
    const second = await started(path, clock, 'alpha');
    expect(second.getPositions()).toEqual([{ symbol: 'BTCUSDT', quantity: 2, averageCost: 100, realizedPnl: 0 }]);
    const check = new Database(path, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(check.prepare('SELECT bot, symbol, quantity, average_cost FROM position_carry').all()).toEqual([
        { bot: 'alpha', symbol: 'BTCUSDT', quantity: 2, average_cost: 100 },
      ]);
    } finally {
      check.close();
    }
  });
});
