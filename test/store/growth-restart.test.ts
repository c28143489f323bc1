// Growth across restarts on a real SQLite file: the hour a run stopped in is closed from history, and its balances survive.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { monitorAt, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

const at = (h: number, m = 0) => Date.UTC(2026, 0, 15, h, m);

async function started(path: string, clock: ManualClock): Promise<MonitoringSystem> {
  const m = monitorAt(path, clock, { botName: 'alpha', enableHourlyGrowth: true, installSignalHandlers: false });
  open.push(m);
  await m.start();
  return m;
}

async function stopped(m: MonitoringSystem): Promise<void> {
  await m.stop();
  open.splice(open.indexOf(m), 1);
}

/** A round trip worth +9.8: bought at 100, sold at 109.8. */
function tradeWorth98(m: MonitoringSystem): void {
  m.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
  m.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 109.8 });
}

/** The growth rows, oldest first, as `HH:MM opening->closing ratio=r trades=n pnl=p`. */
function growthRows(m: MonitoringSystem): string[] {
  return m.metricsCollector
    .getGrowthMetrics()
    .reverse()
    .map(
      (g) =>
        `${new Date(g.hourStart).toISOString().slice(11, 16)} ${g.openingBalance}->${g.closingBalance} ratio=${+g.growthRatio.toFixed(6)} trades=${g.tradeCount} pnl=${+g.realizedPnl.toFixed(6)}`,
    );
}

describe('growth across a restart', () => {
  it('the hour the monitor stopped in is closed at the next start, with its own trades and P&L', async () => {
    const path = join(dirs.make(), 'growth.db');
    const clock = new ManualClock(at(8, 30));
    const first = await started(path, clock);
    first.updateAccountBalance(1000);
    clock.advanceTo(at(9, 10)); // closes 08:00
    tradeWorth98(first);
    first.updateAccountBalance(1009.8);
    clock.advanceTo(at(9, 20));
    await stopped(first);

    clock.advanceTo(at(10, 30));
    const second = await started(path, clock);
    clock.advanceTo(at(10, 40));
    second.updateAccountBalance(1020);
    clock.advanceTo(at(11, 0));
    expect(growthRows(second)).toEqual([
      '08:00 1000->1000 ratio=0 trades=0 pnl=0',
      '09:00 1000->1009.8 ratio=0.0098 trades=2 pnl=9.8',
      '10:00 1009.8->1020 ratio=0.010101 trades=0 pnl=0',
    ]);
  });

  it('the opening and the last balance survive a restart inside the hour', async () => {
    const path = join(dirs.make(), 'growth.db');
    const clock = new ManualClock(at(9, 5));
    const first = await started(path, clock);
    clock.advanceTo(at(9, 10));
    first.updateAccountBalance(1000);
    tradeWorth98(first);
    clock.advanceTo(at(9, 20));
    await stopped(first);

    clock.advanceTo(at(9, 40));
    const second = await started(path, clock);
    // Before the bot gives a balance again, the last one it gave stands.
    expect(second.accountBalance).toBe(1000);
    const summary = second.getDashboardSummary();
    expect(summary.accountBalance).toBe(1000);
    expect(summary.growth24h).toBe(0);
    second.updateAccountBalance(1020);
    expect(second.getDashboardSummary().growth24h).toBeCloseTo(0.02, 12);
    clock.advanceTo(at(10, 0));
    expect(growthRows(second)).toEqual(['09:00 1000->1020 ratio=0.02 trades=2 pnl=9.8']);
  });

  it('hours the monitor was down get no row; the hour it stopped in closes with the balance it last had', async () => {
    const path = join(dirs.make(), 'growth.db');
    const clock = new ManualClock(at(8, 10));
    const first = await started(path, clock);
    first.updateAccountBalance(500);
    clock.advanceTo(at(9, 30)); // closes 08:00; no balance given in 09:00
    tradeWorth98(first);
    await stopped(first);

    clock.advanceTo(at(13, 15));
    const second = await started(path, clock);
    expect(second.accountBalance).toBe(500);
    clock.advanceTo(at(14, 0));
    expect(growthRows(second)).toEqual([
      '08:00 500->500 ratio=0 trades=0 pnl=0',
      '09:00 500->500 ratio=0 trades=2 pnl=9.8',
      '13:00 500->500 ratio=0 trades=0 pnl=0',
    ]);
  });

  it('a restart on a clock set back by hours carries the last balance, and rows go on from the hour it reads', async () => {
    const path = join(dirs.make(), 'growth.db');
    const ahead = new ManualClock(at(12, 10));
    const first = await started(path, ahead);
    first.updateAccountBalance(1000);
    ahead.advanceTo(at(13, 5)); // closes 12:00 under the wrong time
    await stopped(first);

    const corrected = new ManualClock(at(9, 30));
    const second = await started(path, corrected);
    expect(second.accountBalance).toBe(1000);
    corrected.advanceTo(at(11, 0));
    // In time order: the row written under the wrong time stays where it was stamped.
    expect(growthRows(second)).toEqual([
      '09:00 1000->1000 ratio=0 trades=0 pnl=0',
      '10:00 1000->1000 ratio=0 trades=0 pnl=0',
      '12:00 1000->1000 ratio=0 trades=0 pnl=0',
    ]);
  });

  it('a balance given before start() is not replaced by the stored one', async () => {
    const path = join(dirs.make(), 'growth.db');
    const clock = new ManualClock(at(9, 10));
    const first = await started(path, clock);
    first.updateAccountBalance(1000);
    await stopped(first);

    clock.advanceTo(at(9, 50));
    const second = monitorAt(path, clock, { botName: 'alpha', enableHourlyGrowth: true, installSignalHandlers: false });
    open.push(second);
    await second.start();
    expect(second.accountBalance).toBe(1000);
    await stopped(second);
    const third = monitorAt(path, clock, { botName: 'alpha', enableHourlyGrowth: true, installSignalHandlers: false });
    open.push(third);
    third.updateAccountBalance(990);
    await third.start();
    expect(third.accountBalance).toBe(990);
  });
});
