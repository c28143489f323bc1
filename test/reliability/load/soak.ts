// `npm run soak`: the sustained-load run at full size (1,000,000 trades by default), printing the figures against the documented bounds.
// Options: --trades N, --summary-every MS (time between /api/summary requests; /metrics is scraped every 100 ms).

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BOUNDS } from './figures.js';
import { describeRun, runLoad } from './runLoad.js';

const { values } = parseArgs({
  options: {
    trades: { type: 'string', default: '1000000' },
    'summary-every': { type: 'string', default: String(BOUNDS.scrapeIntervalMs) },
  },
});
const trades = Number(values.trades);
const summaryEveryMs = Number(values['summary-every']);
if (!Number.isSafeInteger(trades) || trades < 1000) throw new Error(`--trades must be a whole number >= 1000, got ${values.trades}`);
if (!Number.isFinite(summaryEveryMs) || summaryEveryMs < 0)
  throw new Error(`--summary-every must be milliseconds >= 0, got ${values['summary-every']}`);

const dir = mkdtempSync(join(tmpdir(), 'poseidon-soak-'));
console.log(`soak: ${trades} trades; /metrics every ${BOUNDS.scrapeIntervalMs} ms, /api/summary every ${summaryEveryMs} ms`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}`);
try {
  const { load, scrape } = await runLoad(
    { dir, trades, loopsPerBatch: 20, maxDataPoints: 10_000, progressEvery: Math.max(10_000, Math.round(trades / 10)) },
    summaryEveryMs,
  );
  for (const line of describeRun(load, scrape)) console.log(line);
  const problems = [
    load.dbCounts.trades !== load.logged.trades && `DB has ${load.dbCounts.trades} trades of ${load.logged.trades}`,
    scrape.finalTradesTotal !== load.logged.trades && `/metrics counts ${scrape.finalTradesTotal} trades of ${load.logged.trades}`,
    scrape.failures.length > 0 && `${scrape.failures.length} scrapes not answered 200: ${scrape.failures.slice(0, 3).join('; ')}`,
    load.rssBytes.peak - load.rssBytes.baseline >= BOUNDS.rssGrowthBytes && 'RSS growth over its bound',
    load.heapUsedBytes.final - load.heapUsedBytes.half >= BOUNDS.heapGrowthSecondHalfBytes &&
      'heap growth in the second half over its bound',
    load.eventLoopDelayMs.p99 >= BOUNDS.eventLoopDelayP99Ms && 'event-loop delay p99 over its bound',
    load.ring.size > load.ring.capacity && 'ring over capacity',
  ].filter((p): p is string => typeof p === 'string');
  for (const p of problems) console.log(`FAIL: ${p}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
