// Trial (baseline): prom-client registry.metrics() over the same shape of series, timed in-process.

import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import { numArg, report, tradePool } from './shared.js';

const symbols = numArg('symbols', 100);
const scrapes = numArg('scrapes', 30);
// Scrapes before the timed ones, so both sides are measured with their code compiled (Prometheus scrapes a monitor for as long as it runs).
const warm = numArg('warm', 5);

/**
 * Per {symbol, side}: 3 counters (trades, volume, fees) and 2 histograms (execution time,
 * slippage) of 9 buckets (+Inf, _sum, _count = 12 series each): 27 series per pair, 5,400 for
 * 100 symbols × 2 sides, the "≈ 5,000 series" of the target.
 */
const registry = new Registry();
const labelNames = ['symbol', 'side'] as const;
const trades = new Counter({ name: 'trades_total', help: 'trades', labelNames, registers: [registry] });
const volume = new Counter({ name: 'trade_volume_total', help: 'volume', labelNames, registers: [registry] });
const fees = new Counter({ name: 'trade_fees_total', help: 'fees', labelNames, registers: [registry] });
const execution = new Histogram({
  name: 'trade_execution_time_seconds',
  help: 'execution time',
  labelNames,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});
const slippage = new Histogram({
  name: 'trade_slippage_bps',
  help: 'slippage',
  labelNames,
  buckets: [-10, -5, -1, 0, 1, 5, 10, 25, 50],
  registers: [registry],
});

const pool = tradePool(symbols, symbols * 4);
for (let i = 0; i < symbols * 20; i++) {
  const t = pool[i % pool.length]!;
  const labels = { symbol: t.symbol, side: t.side };
  trades.inc(labels);
  volume.inc(labels, t.quantity * t.price);
  fees.inc(labels, t.fee);
  execution.observe(labels, t.executionTimeMs / 1000);
  slippage.observe(labels, t.slippageBps);
}
for (let i = 0; i < warm; i++) await registry.metrics();
const times: number[] = [];
let body = '';
for (let i = 0; i < scrapes; i++) {
  const t0 = performance.now();
  body = await registry.metrics();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const series = body.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
report({
  scrapeMs: times[times.length >> 1]!,
  minMs: times[0]!,
  series,
  usPerSeries: (times[times.length >> 1]! * 1000) / series,
  bytes: Buffer.byteLength(body),
});
