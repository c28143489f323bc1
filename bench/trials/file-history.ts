// Trial: file storage (JSON Lines): logTrade throughput into the files, then the trading dashboard over the stored month.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { fail, numArg, report, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const DAY_MS = 86_400_000;

function monitor(dir: string, clock: ManualClock | undefined, flushIntervalMs: number): MonitoringSystem {
  return new MonitoringSystem({
    storage: 'file',
    storagePath: join(dir, 'history'),
    botName: 'bench',
    enableMetricsServer: false,
    logFile: null,
    logConsole: false,
    logLevel: 'ERROR',
    enableHourlyGrowth: false,
    metricsRetentionDays: 3650,
    storeMaxBufferRows: 1_000_000,
    flushIntervalMs,
    ...(clock === undefined ? {} : { clock }),
  });
}

const tmp = tempDir('file-history');
try {
  const pool = tradePool(20);
  // Throughput: `n` trades on the real clock, into the files, every one read back.
  const live = monitor(join(tmp.dir, 'live'), undefined, 1000);
  await live.start();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    live.logTrade(pool[i % pool.length]!);
    // A bot yields to its event loop; the flush timer writes then.
    if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await live.flush();
  const logMs = performance.now() - t0;
  const stored = live.getDatabaseStats().trades;
  await live.stop();
  if (stored !== n) fail(`stored ${stored} trades of ${n}`);

  // The month for the dashboard, logged on a manual clock so the trades spread over `days` days.
  const end = Date.now();
  const clock = new ManualClock(end - days * DAY_MS);
  const step = (days * DAY_MS) / n;
  const writer = monitor(tmp.dir, clock, 3_600_000);
  await writer.start();
  let at = end - days * DAY_MS;
  for (let i = 0; i < n; i++) {
    writer.logTrade(pool[i % pool.length]!);
    at += step;
    if (i % 100 === 99) clock.advance(Math.floor(at) - clock.now());
  }
  await writer.stop();

  // A new process's view: open (reads the files back), then the dashboards.
  const readerClock = new ManualClock(end);
  const reader = monitor(tmp.dir, readerClock, 3_600_000);
  const o0 = performance.now();
  await reader.start();
  const openMs = performance.now() - o0;
  const reread = reader.getDatabaseStats().trades;
  if (reread !== n) fail(`read back ${reread} trades of ${n}`);
  const times: number[] = [];
  for (let i = 0; i < calls + 3; i++) {
    const s = performance.now();
    reader.getTradingDashboard({ hours: 24 });
    if (i >= 3) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss;
  await reader.stop();
  report({
    tradesPerSec: Math.round(n / (logMs / 1000)),
    stored,
    openMs,
    tradingMs: times[times.length >> 1],
    tradingMaxMs: times[times.length - 1],
    rssMb: Math.round(rss / 2 ** 20),
  });
} finally {
  tmp.remove();
}
