// Positions survive a restart: the P&L ledger is rebuilt from this bot's stored trades at start().

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { monitorAt, T0, tempDirs } from './helpers.js';

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
