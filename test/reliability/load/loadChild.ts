// The bot of the sustained-load run, in its own process: a realistic mix of calls as fast as it can, measuring itself.
// Talks to its parent over IPC: sends `ready` (with the metrics URL), then `done` (the figures); exits on `stop`.

import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { MonitoringSystem } from '../../../src/MonitoringSystem.js';
import type { LoadFigures, LoadOptions } from './figures.js';

const options = JSON.parse(process.env.POSEIDON_LOAD_OPTIONS ?? '{}') as LoadOptions;
const send = (message: unknown) => process.send!(message);

const SYMBOLS = Array.from({ length: 20 }, (_, i) => `SYM${i}USDT`);
const SEVERITIES = ['low', 'medium', 'high'] as const;
const ERROR_TYPES = ['network_timeout', 'rate_limit', 'order_rejected', 'api_error'] as const;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rss = () => process.memoryUsage().rss;

async function main(): Promise<void> {
  const dbPath = join(options.dir, 'history.db');
  const monitor = new MonitoringSystem({
    storage: 'sqlite',
    dbUrl: `sqlite:///${dbPath}`,
    logFile: join(options.dir, 'logs', 'monitor.log'),
    logFormat: 'json',
    logConsole: false,
    metricsPort: 0,
    installSignalHandlers: false,
    maxDataPoints: options.maxDataPoints,
  });
  await monitor.start();
  monitor.updateAccountBalance(100_000);

  const counts = { trades: 0, loops: 0, errors: 0, liquidity: 0, performance: 0 };
  let price = 100;
  let seed = 42;
  const random = () => {
    // Park–Miller: the same run every time.
    seed = (seed * 48_271) % 2_147_483_647;
    return seed / 2_147_483_647;
  };

  /** One loop run of the bot: three trades, sometimes a snapshot, a metric, an error, a balance. */
  const loop = (n: number) => {
    const loopName = n % 10 === 0 ? 'rebalance' : 'main';
    const run = monitor.startLoopExecution(loopName);
    const tradesInRun = Math.min(3, options.trades - counts.trades);
    for (let t = 0; t < tradesInRun; t++) {
      const symbol = SYMBOLS[(n * 3 + t) % SYMBOLS.length]!;
      price *= 1 + (random() - 0.5) * 0.002;
      monitor.logTrade({
        symbol,
        side: random() < 0.5 ? 'buy' : 'sell',
        quantity: 0.01 + random(),
        price,
        fee: 0.01,
        executionTimeMs: random() * 50,
        slippageBps: (random() - 0.5) * 4,
        ...(t === 0 ? { additionalData: { strategy: 'mean-revert', signal: random() } } : {}),
      });
      counts.trades++;
      monitor.updateMarketPrice(symbol, price);
    }
    if (n % 10 === 0) {
      monitor.logLiquidityAnalysis({
        symbol: SYMBOLS[n % SYMBOLS.length]!,
        spread: 0.0005,
        bidSize: random() * 10,
        askSize: random() * 10,
        marketDepth: 1e6 * random(),
        bidPrice: price * 0.9995,
        askPrice: price * 1.0005,
      });
      counts.liquidity++;
    }
    if (n % 5 === 0) {
      monitor.logPerformanceMetric('api_latency', random() * 200, 'ms', { endpoint: '/order' });
      counts.performance++;
    }
    let success = true;
    if (n % 25 === 0) {
      monitor.logError('order failed', { errorType: ERROR_TYPES[n % ERROR_TYPES.length], severity: SEVERITIES[n % 3], loopName });
      counts.errors++;
      success = false;
    }
    if (n % 50 === 0) monitor.updateAccountBalance(100_000 + random() * 1000);
    monitor.endLoopExecution(loopName, { executionId: run.executionId, success, tradesExecuted: tradesInRun });
    counts.loops++;
  };

  send({ type: 'ready', url: monitor.baseUrl });

  const delay = monitorEventLoopDelay({ resolution: 5 });
  const warmupTrades = Math.round(options.trades * 0.1);
  let baselineRss = 0;
  let peakRss = 0;
  let baselineHeap = 0;
  let halfRss = 0;
  let halfHeap = 0;
  const started = performance.now();
  let n = 0;
  while (counts.trades < options.trades) {
    // A bot awaits the exchange between loop runs: yield to the event loop after each batch.
    const before = counts.trades;
    for (let i = 0; i < options.loopsPerBatch && counts.trades < options.trades; i++) loop(n++);
    await yieldToEventLoop();
    if (options.progressEvery && Math.floor(counts.trades / options.progressEvery) > Math.floor(before / options.progressEvery)) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`  ${counts.trades} trades after ${seconds.toFixed(1)} s, rss ${(rss() / 1024 / 1024).toFixed(0)} MB\n`);
    }
    if (baselineRss === 0 && counts.trades >= warmupTrades) {
      await monitor.flush();
      gc();
      baselineRss = rss();
      baselineHeap = process.memoryUsage().heapUsed;
      peakRss = baselineRss;
      // The delay histogram covers the run after warm-up (JIT, first allocations and schema set-up excluded).
      delay.enable();
    } else if (baselineRss !== 0) {
      peakRss = Math.max(peakRss, rss());
      if (halfHeap === 0 && counts.trades >= options.trades / 2) {
        gc();
        halfHeap = process.memoryUsage().heapUsed;
        halfRss = rss();
      }
    }
  }
  const loadMs = performance.now() - started;
  delay.disable();
  await monitor.flush();
  const flushedMs = performance.now() - started;
  gc();
  const finalRss = rss();
  const finalHeap = process.memoryUsage().heapUsed;

  const db = new Database(dbPath, { readonly: true });
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const dbCounts = {
    trades: count('trades'),
    loops: count('loop_executions'),
    errors: count('errors'),
    liquidity: count('liquidity_metrics'),
    performance: count('performance_metrics'),
  };
  const integrity = db.pragma('integrity_check', { simple: true }) as string;
  db.close();

  const health = monitor.getSystemHealth();
  const figures: LoadFigures = {
    logged: counts,
    dbCounts,
    integrity,
    ring: {
      size: health.eventLogSize,
      capacity: health.eventLogCapacity,
      recent: monitor.recentEvents.query({ limit: 10_000_000 }).length,
      recorded: health.eventsRecorded,
    },
    store: monitor.store.stats(),
    sinkFailures: health.sinkFailures,
    loadMs,
    flushedMs,
    tradesPerSecond: counts.trades / (loadMs / 1000),
    eventLoopDelayMs: {
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
      samples: delay.count,
    },
    rssBytes: { baseline: baselineRss, half: halfRss, peak: peakRss, final: finalRss },
    heapUsedBytes: { baseline: baselineHeap, half: halfHeap, final: finalHeap },
  };
  send({ type: 'done', figures });
  process.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    await monitor.stop();
    process.disconnect();
  });
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: String((error as Error)?.stack ?? error) });
  process.exitCode = 1;
  process.disconnect();
});
