// Runs the load child and scrapes its /metrics and /api/summary every 100 ms from this process, as Prometheus and a dashboard would.

import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as wait } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { METRICS } from '../../../src/telemetry/names.js';
import { parseSamples } from '../../telemetry/exposition.js';
import { BOUNDS, type LoadFigures, type LoadOptions, percentile, type ScrapeFigures } from './figures.js';

const CHILD = fileURLToPath(new URL('./loadChild.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type ChildMessage = { type: 'ready'; url: string } | { type: 'done'; figures: LoadFigures } | { type: 'failed'; error: string };

function sum(exposition: string, name: string): number {
  return parseSamples(exposition)
    .filter((s) => s.name === name)
    .reduce((a, s) => a + s.value, 0);
}

/** Runs one load: the child logs `options.trades` trades while this process scrapes it. Resolves once the child has exited. */
export async function runLoad(
  options: LoadOptions,
  /** Time between two requests of /api/summary (each tick requests /metrics). */
  summaryEveryMs: number = BOUNDS.scrapeIntervalMs,
): Promise<{ load: LoadFigures; scrape: ScrapeFigures }> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', TSX, '--expose-gc'],
    env: { ...process.env, POSEIDON_LOAD_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const messages: ChildMessage[] = [];
  let notify: (() => void) | null = null;
  child.on('message', (m: ChildMessage) => {
    messages.push(m);
    notify?.();
  });
  const next = async (type: ChildMessage['type']): Promise<ChildMessage> => {
    for (;;) {
      const found = messages.find((m) => m.type === type || m.type === 'failed');
      if (found) {
        if (found.type === 'failed') throw new Error(`load child failed: ${found.error}`);
        return found;
      }
      const code = await Promise.race([new Promise<'message'>((r) => (notify = () => r('message'))), exited]);
      if (code !== 'message' && !messages.some((m) => m.type === type)) throw new Error(`load child exited with ${code} before ${type}`);
    }
  };

  try {
    const { url } = (await next('ready')) as { url: string };
    let done = false;
    const latencies: number[] = [];
    const failures: string[] = [];
    const totals = new Set<number>();
    const scrape = async (path: string): Promise<string> => {
      const started = performance.now();
      try {
        const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
        const body = await response.text();
        if (response.status !== 200) failures.push(`${path}: ${response.status}`);
        return body;
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        failures.push(`${path}: ${String(error)}${cause === undefined ? '' : ` (${String(cause)})`}`);
        return '';
      } finally {
        latencies.push(performance.now() - started);
      }
    };
    let lastSummary = Number.NEGATIVE_INFINITY;
    const scraper = (async () => {
      while (!done) {
        const started = performance.now();
        const summary = started - lastSummary >= summaryEveryMs;
        if (summary) lastSummary = started;
        const [metrics] = await Promise.all([scrape('/metrics'), summary ? scrape('/api/summary') : undefined]);
        if (!done && metrics !== '') totals.add(sum(metrics, METRICS.trades.name));
        await wait(Math.max(0, BOUNDS.scrapeIntervalMs - (performance.now() - started)));
      }
    })();
    const { figures } = (await next('done')) as { figures: LoadFigures };
    done = true;
    await scraper;
    const final = await scrape('/metrics');
    const finalTradesTotal = sum(final, METRICS.trades.name);
    const finalDroppedRows = sum(final, METRICS.storeDroppedRows.name);
    child.send({ type: 'stop' });
    const code = await exited;
    if (code !== 0) throw new Error(`load child exited with ${code}`);
    const intermediate = [...totals].filter((t) => t > 0 && t < figures.logged.trades).length;
    return {
      load: figures,
      scrape: {
        scrapes: latencies.length,
        failures,
        latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(0, ...latencies) },
        intermediateTradeTotals: intermediate,
        finalTradesTotal,
        finalDroppedRows,
      },
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The figures as the lines `npm run soak` prints. */
export function describeRun(load: LoadFigures, scrape: ScrapeFigures): string[] {
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  return [
    `logged       ${load.logged.trades} trades, ${load.logged.loops} loops, ${load.logged.errors} errors, ${load.logged.liquidity} liquidity, ${load.logged.performance} metrics`,
    `on disk      ${load.dbCounts.trades} trades, ${load.dbCounts.loops} loops, ${load.dbCounts.errors} errors, ${load.dbCounts.liquidity} liquidity (integrity ${load.integrity})`,
    `throughput   ${Math.round(load.tradesPerSecond)} trades/s (${(load.loadMs / 1000).toFixed(1)} s logging, ${(load.flushedMs / 1000).toFixed(1)} s until flushed)`,
    `event loop   p50 ${load.eventLoopDelayMs.p50.toFixed(1)} ms, p99 ${load.eventLoopDelayMs.p99.toFixed(1)} ms, max ${load.eventLoopDelayMs.max.toFixed(1)} ms (bound p99 ${BOUNDS.eventLoopDelayP99Ms} ms)`,
    `rss          baseline ${mb(load.rssBytes.baseline)}, half-way +${mb(load.rssBytes.half - load.rssBytes.baseline)}, peak +${mb(load.rssBytes.peak - load.rssBytes.baseline)}, final +${mb(load.rssBytes.final - load.rssBytes.baseline)} (bound +${mb(BOUNDS.rssGrowthBytes)})`,
    `heap (GC'd)  baseline ${mb(load.heapUsedBytes.baseline)}, half-way ${mb(load.heapUsedBytes.half)}, final ${mb(load.heapUsedBytes.final)} (bound second half +${mb(BOUNDS.heapGrowthSecondHalfBytes)})`,
    `ring         ${load.ring.size} of ${load.ring.capacity} events kept, ${load.ring.recorded} recorded`,
    `store        ${load.store.rowsWritten} rows written in ${load.store.flushes} flushes, ${load.store.droppedRows} dropped, ${load.store.writeFailures} failures`,
    `scrapes      ${scrape.scrapes} answered (${scrape.failures.length} not 200), latency p50 ${scrape.latencyMs.p50.toFixed(1)} ms, p99 ${scrape.latencyMs.p99.toFixed(1)} ms, max ${scrape.latencyMs.max.toFixed(1)} ms; ${scrape.intermediateTradeTotals} distinct counts seen mid-run`,
    `metrics      poseidon_trades_total ${scrape.finalTradesTotal}, poseidon_store_dropped_rows_total ${scrape.finalDroppedRows}`,
  ];
}
