// Long run on the injected clock: ten simulated days with a restart; retention runs daily, the database stays bounded, one growth row per hour.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/analytics/GrowthTracker.js';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { EventType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { DAY_MS } from '../../src/store/HistoryStore.js';
import { TABLES } from '../../src/store/schema.js';
import { QUIET_OPTIONS, TEST_START } from '../helpers/monitor.js';
import { countRows, tempDir, withDb } from './helpers.js';

const RETENTION_DAYS = 2;
const DAYS = 10;
const STEP_MS = 10 * 60_000;
/** The day (from the start) at whose middle the bot restarts. */
const RESTART_DAY = 4;

interface DayFigures {
  readonly day: number;
  readonly rows: number;
  readonly oldest: number;
  readonly pages: number;
  readonly retentionCutoff: number;
}

describe(`${DAYS} simulated days with POSEIDON_METRICS_RETENTION_DAYS=${RETENTION_DAYS}`, () => {
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;
  const clock = new ManualClock(TEST_START);
  let monitor: MonitoringSystem;
  const growthEmitted: number[] = [];
  const retentionRuns: number[] = [];
  const days: DayFigures[] = [];
  let balance = 10_000;
  let step = 0;
  let restartedAt = 0;

  const open = async () => {
    const config = MonitoringConfig.fromEnv(
      { POSEIDON_METRICS_RETENTION_DAYS: String(RETENTION_DAYS), POSEIDON_FLUSH_INTERVAL_MS: '60000' },
      { ...QUIET_OPTIONS, storage: 'sqlite', dbUrl: `sqlite:///${dbPath}`, clock },
    );
    expect(config.metricsRetentionDays).toBe(RETENTION_DAYS);
    const m = new MonitoringSystem(config);
    m.addSink({ name: 'growth-probe', record: (e) => e.eventType === EventType.GROWTH_TRACKING && growthEmitted.push(e.hourStart) });
    // Every retention run (at start and daily) is noted with the time it ran.
    const cleanupOldData = m.store.cleanupOldData.bind(m.store);
    m.store.cleanupOldData = (d) => {
      retentionRuns.push(clock.now());
      return cleanupOldData(d);
    };
    await m.start();
    await m.store.cleanupInProgress;
    return m;
  };

  /** The bot's activity of one ten-minute step: a loop with two trades, a liquidity snapshot, an error now and then. */
  const activity = () => {
    step++;
    monitor.startLoopExecution('main');
    const price = 100 + Math.sin(step / 20) * 5;
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price, fee: 0.1 });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: price * 1.001, fee: 0.1 });
    monitor.endLoopExecution('main', { tradesExecuted: 2 });
    monitor.logLiquidityAnalysis({ symbol: 'BTCUSDT', spread: 0.001, bidSize: 2, askSize: 3, marketDepth: 5e5 });
    if (step % 6 === 0) monitor.logError('rate limited', { errorType: 'rate_limit' });
    balance += 0.5;
    monitor.updateAccountBalance(balance);
  };

  /** Moves the clock by one step; waits for a retention run it started (its chunks yield to the event loop). */
  const advance = async () => {
    clock.advance(STEP_MS);
    await monitor.store.cleanupInProgress;
  };

  const figures = (day: number, retentionCutoff: number): DayFigures =>
    withDb(dbPath, (db) => {
      let rows = 0;
      let oldest = Number.POSITIVE_INFINITY;
      for (const table of TABLES) {
        rows += countRows(db, table);
        const min = (db.prepare(`SELECT min(timestamp) AS t FROM ${table}`).get() as { t: number | null }).t;
        if (min !== null) oldest = Math.min(oldest, min);
      }
      const pages = Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
      return { day, rows, oldest, pages, retentionCutoff };
    });

  beforeAll(async () => {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'history.db');
    monitor = await open();
    const stepsPerDay = DAY_MS / STEP_MS;
    for (let day = 1; day <= DAYS; day++) {
      for (let i = 0; i < stepsPerDay; i++) {
        if (day === RESTART_DAY && i === stepsPerDay / 2 + 2) {
          // A restart in the middle of an hour (20 minutes into it): the open hour must resume, not be written twice.
          await monitor.stop();
          restartedAt = clock.now();
          monitor = await open();
        }
        activity();
        await advance();
      }
      await monitor.flush();
      const lastRun = retentionRuns.at(-1) ?? clock.now();
      days.push(figures(day, lastRun - RETENTION_DAYS * DAY_MS));
    }
  }, 120_000);
  afterAll(async () => {
    await monitor.stop();
    tmp.remove();
  });

  it('runs retention at start and once a day, and never keeps a row older than its cutoff', () => {
    // At each start, then every 24 hours of that run.
    const end = clock.now();
    const schedule: number[] = [];
    for (let t = TEST_START; t < restartedAt; t += DAY_MS) schedule.push(t);
    for (let t = restartedAt; t <= end; t += DAY_MS) schedule.push(t);
    expect(restartedAt).toBeGreaterThan(TEST_START);
    expect(retentionRuns).toEqual(schedule);
    for (const d of days.filter((f) => f.day > RETENTION_DAYS)) {
      expect(d.oldest, `day ${d.day}`).toBeGreaterThanOrEqual(d.retentionCutoff);
    }
    // The last day: nothing older than retention plus the day between runs.
    expect(clock.now() - days.at(-1)!.oldest).toBeLessThanOrEqual((RETENTION_DAYS + 1) * DAY_MS);
  });

  it('keeps the database bounded: rows and used pages level off once retention has caught up', () => {
    const steady = days.filter((d) => d.day > RETENTION_DAYS + 1);
    // Per step: two trades, a loop, a liquidity snapshot, an error every sixth step; a growth row per hour.
    const rowsPerDay = (DAY_MS / STEP_MS) * (4 + 1 / 6) + 24;
    for (const d of steady) {
      expect(d.rows, `day ${d.day}`).toBeLessThanOrEqual((RETENTION_DAYS + 1) * rowsPerDay);
      expect(d.rows, `day ${d.day}`).toBeGreaterThanOrEqual(RETENTION_DAYS * rowsPerDay);
    }
    const pages = steady.map((d) => d.pages);
    expect(Math.max(...pages)).toBeLessThanOrEqual(Math.min(...pages) * 1.5);
    // The file itself does not keep growing: freed pages are reused.
    const size = statSync(dbPath).size;
    expect(size).toBeLessThan(8 * 1024 * 1024);
  });

  it('writes exactly one growth row per UTC hour, across the restart', async () => {
    await monitor.flush();
    const firstHour = Math.floor(TEST_START / HOUR_MS) * HOUR_MS;
    const lastClosed = Math.floor(clock.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
    // Emitted: every hour from the first to the last closed one, once each.
    const expected = [];
    for (let h = firstHour; h <= lastClosed; h += HOUR_MS) expected.push(h);
    expect(growthEmitted).toEqual(expected);
    // Stored: the hours retention has not yet removed, once each and without gaps.
    const stored = withDb(dbPath, (db) =>
      (db.prepare('SELECT hour_start AS h FROM growth_metrics ORDER BY hour_start').all() as { h: number }[]).map((r) => r.h),
    );
    expect(stored.length).toBeGreaterThanOrEqual(RETENTION_DAYS * 24);
    expect(stored).toEqual(expected.slice(expected.length - stored.length));
  });

  it('leaves a file that passes integrity_check', () => {
    withDb(dbPath, (db) => expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]));
  });
});
