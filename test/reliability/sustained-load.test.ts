// Sustained load (CI size): 100,000 trades with loops, errors, liquidity and metrics in a child process, scraped every 100 ms from here.
// `npm run soak` runs the same at 1,000,000 trades and prints the figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { BOUNDS, type LoadFigures, type ScrapeFigures } from './load/figures.js';
import { describeRun, runLoad } from './load/runLoad.js';

const TRADES = 100_000;
const MAX_DATA_POINTS = 10_000;

describe(`sustained load: ${TRADES.toLocaleString('en')} trades while /metrics and /api/summary are scraped every 100 ms`, () => {
  let tmp: ReturnType<typeof tempDir>;
  let load: LoadFigures;
  let scrape: ScrapeFigures;

  beforeAll(async () => {
    tmp = tempDir();
    ({ load, scrape } = await runLoad({ dir: tmp.dir, trades: TRADES, loopsPerBatch: 20, maxDataPoints: MAX_DATA_POINTS }));
    // The figures, for the CI log.
    for (const line of describeRun(load, scrape)) console.log(line);
  }, 180_000);
  afterAll(() => tmp.remove());

  it('loses nothing: every call is a row on disk after flush() and a count in /metrics', () => {
    expect(load.logged.trades).toBe(TRADES);
    expect(load.dbCounts).toEqual(load.logged);
    expect(load.integrity).toBe('ok');
    expect(scrape.finalTradesTotal).toBe(TRADES);
    expect(scrape.finalDroppedRows).toBe(0);
    expect(load.store.droppedRows).toBe(0);
    expect(load.store.writeFailures).toBe(0);
    expect(load.sinkFailures).toBe(0);
  });

  it('answers every scrape with 200, and the scrapes really ran during the load', () => {
    expect(scrape.failures).toEqual([]);
    // Two requests per 100 ms tick; a tick waits for its answers, so a slow answer means fewer ticks, never a skipped one.
    expect(scrape.scrapes).toBeGreaterThanOrEqual(2 * Math.floor(load.loadMs / 1000));
    expect(scrape.intermediateTradeTotals).toBeGreaterThanOrEqual(5);
  });

  it('keeps the event ring at its capacity', () => {
    expect(load.ring.capacity).toBe(MAX_DATA_POINTS);
    expect(load.ring.size).toBe(MAX_DATA_POINTS);
    expect(load.ring.recent).toBe(MAX_DATA_POINTS);
    expect(load.ring.recorded).toBeGreaterThan(TRADES);
  });

  it(`keeps RSS growth after warm-up under ${BOUNDS.rssGrowthBytes / 1024 / 1024} MB`, () => {
    expect(load.rssBytes.baseline).toBeGreaterThan(0);
    expect(load.rssBytes.peak - load.rssBytes.baseline).toBeLessThan(BOUNDS.rssGrowthBytes);
    expect(load.rssBytes.final - load.rssBytes.baseline).toBeLessThan(BOUNDS.rssGrowthBytes);
  });

  it(`keeps the heap flat: the second half of the run adds under ${BOUNDS.heapGrowthSecondHalfBytes / 1024 / 1024} MB (after GC)`, () => {
    expect(load.heapUsedBytes.half).toBeGreaterThan(0);
    expect(load.heapUsedBytes.final - load.heapUsedBytes.half).toBeLessThan(BOUNDS.heapGrowthSecondHalfBytes);
  });

  it(`keeps the event-loop delay p99 under ${BOUNDS.eventLoopDelayP99Ms} ms`, () => {
    expect(load.eventLoopDelayMs.samples).toBeGreaterThan(100);
    expect(load.eventLoopDelayMs.p99).toBeLessThan(BOUNDS.eventLoopDelayP99Ms);
  });
});
