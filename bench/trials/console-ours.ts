// Trial (ours): the console at / in the system Chromium over N stored trades: page weight and time to the first figures painted.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchChromium } from '../../test/helpers/chromium.js';
import { buildConsole } from '../../test/helpers/consoleFixture.js';
import { generateHistory } from './history.js';
import { startOurMonitor } from './ourMonitor.js';
import { fail, numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const loads = numArg('loads', 5);
const symbolCount = numArg('symbols', 20);
const VIEWS = ['summary', 'trading', 'performance'] as const;

/** Milliseconds from navigation start to the page's mark after its first figures, and to the next frame painted. */
const TIMINGS = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve({
  firstData: performance.getEntriesByName('poseidon:first-data')[0]?.startTime ?? null,
  fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
}))))`;

/** The /api reads of the views, by the key their time is reported under. */
const API_READS = {
  apiSummaryMs: '/api/summary',
  apiTradingMs: '/api/trading?hours=24',
  apiPerformanceMs: '/api/performance?hours=24',
} as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const tmp = tempDir('console-ours');
try {
  buildConsole();
  const generateMs = generateHistory(join(tmp.dir, 'ours.db'), Date.now(), n, days, symbolCount);
  const ours = await startOurMonitor(tmp.dir, { metricsRetentionDays: 3650 });
  const url = ours.monitor.baseUrl;
  if (url === null) fail('the monitor serves no HTTP');
  const result: Record<string, number | null> = { trades: n, generateMs };
  // The server's share: each /api read the views make, timed from this process.
  for (const [key, path] of Object.entries(API_READS)) {
    const times: number[] = [];
    for (let i = 0; i < loads; i++) {
      const t0 = performance.now();
      await (await fetch(`${url}${path}`)).arrayBuffer();
      times.push(performance.now() - t0);
    }
    result[key] = median(times);
  }
  const browser = await launchChromium();
  try {
    for (const view of VIEWS) {
      const firstData: number[] = [];
      const fcp: number[] = [];
      let pageBytes = 0;
      let apiBytes = 0;
      for (let i = 0; i < loads; i++) {
        const page = await browser.context.newPage();
        let assets = 0;
        let api = 0;
        page.on('response', (response) => {
          void response.body().then(
            (body) => {
              if (new URL(response.url()).pathname.startsWith('/api/')) api += body.length;
              else assets += body.length;
            },
            () => {},
          );
        });
        await page.goto(`${url}/#${view}`);
        try {
          await page.waitForSelector(`main[data-ready="${view}"]`, { timeout: 60_000 });
        } catch (error) {
          fail(`the ${view} view showed no figures: ${(await page.content()).slice(0, 600)} (${String(error)})`);
        }
        const t = (await page.evaluate(TIMINGS)) as { firstData: number | null; fcp: number | null };
        if (t.firstData === null) fail(`the ${view} view set no first-data mark`);
        firstData.push(t.firstData);
        if (t.fcp !== null) fcp.push(t.fcp);
        await page.close();
        pageBytes = assets;
        apiBytes = api;
      }
      result[`${view}FirstDataMs`] = median(firstData);
      result[`${view}FcpMs`] = fcp.length > 0 ? median(fcp) : null;
      result[`${view}ApiBytes`] = apiBytes;
      result.pageBytes = pageBytes;
    }
  } finally {
    await browser.close();
    await ours.monitor.stop();
  }
  report(result);
} finally {
  tmp.remove();
}
