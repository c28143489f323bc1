// The memory backend's analytics take a time-ordered shortcut (binary search, the newest rows last): a clock set back must not change their answers.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, ManualClock } from '../../src/clock.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { monitorAt, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

const MIN = 60_000;

/** A wall clock over a manual one that can be set back, as an NTP correction does. */
function steppableClock(): { clock: Clock; base: ManualClock; stepBy: (ms: number) => void } {
  const base = new ManualClock(T0);
  let offset = 0;
  const clock: Clock = {
    now: () => base.now() + offset,
    setTimeout: (callback, delay) => base.setTimeout(callback, delay),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
  return { clock, base, stepBy: (ms) => (offset += ms) };
}

describe('memory analytics over rows out of time order', () => {
  it('answer as SQLite does, before and after a clock set back, and after more rows', async () => {
    const mem = steppableClock();
    const sql = steppableClock();
    const memory = monitorAt(null, mem.clock as ManualClock);
    const sqlite = monitorAt(join(dirs.make(), 'o.db'), sql.clock as ManualClock);
    open.push(memory, sqlite);
    await memory.start();
    await sqlite.start();
    const both = (f: (m: MonitoringSystem) => void) => {
      f(memory);
      f(sqlite);
    };
    const advance = (ms: number) => {
      mem.base.advance(ms);
      sql.base.advance(ms);
    };
    const symbols = ['BTC', 'ETH', 'SOL'];
    const trade = (i: number) =>
      both((m) =>
        m.logTrade({
          symbol: symbols[i % 3]!,
          side: i % 2 === 0 ? 'buy' : 'sell',
          quantity: 1,
          price: 100 + i,
          executionTimeMs: (i * 7) % 50,
        }),
      );
    const ranges = [
      { since: T0, until: T0 + 60 * MIN },
      { since: T0 + 5 * MIN, until: T0 + 12 * MIN },
      { since: T0 - 60 * MIN, until: T0 + 8 * MIN },
    ];
    const compare = async () => {
      await memory.flush();
      await sqlite.flush();
      const a = memory.store.analytics();
      const b = sqlite.store.analytics();
      // Not two empty answers: the first range holds every trade logged so far.
      expect(a.tradeAggregate(ranges[0]!).tradeCount).toBeGreaterThan(0);
      for (const r of ranges) {
        expect(a.tradeAggregate(r)).toEqual(b.tradeAggregate(r));
        expect(a.tradeAggregateBySymbol(r)).toEqual(b.tradeAggregateBySymbol(r));
        expect(a.executionTimePercentiles(r, [50, 95, 99])).toEqual(b.executionTimePercentiles(r, [50, 95, 99]));
        expect(a.minuteTotals(r)).toEqual(b.minuteTotals(r));
      }
      const ids = (rows: ReturnType<typeof a.recentTrades>) => rows.map((r) => [r.trade.timestamp, r.trade.price]);
      expect(a.recentTrades(5)).toHaveLength(5);
      expect(ids(a.recentTrades(5))).toEqual(ids(b.recentTrades(5)));
    };

    for (let i = 0; i < 10; i++) {
      trade(i);
      advance(MIN);
    }
    await compare();
    // Set back by 7 minutes: the next rows are stamped before rows already kept.
    mem.stepBy(-7 * MIN);
    sql.stepBy(-7 * MIN);
    for (let i = 10; i < 14; i++) {
      trade(i);
      advance(MIN);
    }
    await compare();
    for (let i = 14; i < 20; i++) {
      trade(i);
      advance(MIN);
    }
    await compare();
  });
});
