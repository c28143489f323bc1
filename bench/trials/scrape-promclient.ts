// Trial (baseline): prom-client registry.metrics() over the series set our /metrics exposes, timed in-process.

import { performance } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_SEVERITIES, ERROR_TYPES, EventType } from '../../src/events/types.js';
import {
  DROPPED_RUNTIME_METRICS,
  EXECUTION_SECONDS_BUCKETS,
  Label,
  METRICS,
  type MetricInfo,
  RUNTIME_PREFIX,
  SLIPPAGE_BPS_BUCKETS,
} from '../../src/telemetry/names.js';
import { numArg, report, tradePool } from './shared.js';

const symbols = numArg('symbols', 100);
const scrapes = numArg('scrapes', 30);
// Scrapes before the timed ones, so both sides are measured with their code compiled (Prometheus scrapes a monitor for as long as it runs).
const warm = numArg('warm', 5);

/**
 * The families, label sets and buckets of our exposition after the same trades, under the same
 * names: per symbol and side the trade and volume counters and the slippage histogram; per symbol
 * the fees counter, realized and unrealized P&L and the execution-time histogram; every error type
 * and severity and every event type from 0; the store's and the monitor's figures; prom-client's
 * default metrics as ours appends them; the bot label on every series.
 */
const registry = new Registry();
registry.setDefaultLabels({ [Label.BOT]: 'bench' });
const registers = [registry];
const counter = <L extends string>(info: MetricInfo, labelNames: readonly L[] = []) =>
  new Counter<L>({ name: info.name, help: info.help, labelNames, registers });
const gauge = <L extends string>(info: MetricInfo, labelNames: readonly L[] = []) =>
  new Gauge<L>({ name: info.name, help: info.help, labelNames, registers });
const bySide = [Label.SYMBOL, Label.SIDE] as const;
const bySymbol = [Label.SYMBOL] as const;

const trades = counter(METRICS.trades, bySide);
const volume = counter(METRICS.tradeVolume, bySide);
const fees = counter(METRICS.tradeFees, bySymbol);
const realized = gauge(METRICS.realizedPnl, bySymbol);
const unrealized = gauge(METRICS.unrealizedPnl, bySymbol);
const execution = new Histogram({
  name: METRICS.tradeExecution.name,
  help: METRICS.tradeExecution.help,
  labelNames: bySymbol,
  buckets: [...EXECUTION_SECONDS_BUCKETS],
  registers,
});
const slippage = new Histogram({
  name: METRICS.tradeSlippage.name,
  help: METRICS.tradeSlippage.help,
  labelNames: bySide,
  buckets: [...SLIPPAGE_BPS_BUCKETS],
  registers,
});
const errors = counter(METRICS.errors, [Label.ERROR_TYPE, Label.SEVERITY]);
for (const type of ERROR_TYPES) for (const severity of ERROR_SEVERITIES) errors.inc({ error_type: type, severity }, 0);
const events = counter(METRICS.events, [Label.EVENT_TYPE]);
for (const type of Object.values(EventType)) events.inc({ event_type: type }, 0);
for (const info of [METRICS.dbSize, METRICS.storeBufferedRows, METRICS.storeFlushDuration, METRICS.buildInfo, METRICS.lastTrade]) {
  gauge(info).set(1);
}
for (const info of [METRICS.storeWriteFailures, METRICS.storeDroppedRows, METRICS.storeRowsWritten]) counter(info).inc(0);
const callbacks = counter(METRICS.callbackFailures, [Label.KIND]);
for (const kind of ['trade', 'error', 'performance']) callbacks.inc({ kind }, 0);
const sinks = counter(METRICS.sinkFailures, [Label.SINK]);
for (const sink of ['store', 'telemetry', 'http']) sinks.inc({ sink }, 0);
collectDefaultMetrics({ register: registry, prefix: RUNTIME_PREFIX });
for (const name of DROPPED_RUNTIME_METRICS) registry.removeSingleMetric(name);

const pool = tradePool(symbols, symbols * 4);
for (let i = 0; i < symbols * 20; i++) {
  const t = pool[i % pool.length]!;
  const side = { symbol: t.symbol, side: t.side };
  const symbol = { symbol: t.symbol };
  trades.inc(side);
  volume.inc(side, t.quantity * t.price);
  fees.inc(symbol, t.fee);
  realized.inc(symbol, t.side === 'sell' ? 1 : 0);
  unrealized.set(symbol, t.price);
  execution.observe(symbol, t.executionTimeMs / 1000);
  slippage.observe(side, Math.max(t.slippageBps, 0));
  events.inc({ event_type: EventType.TRADE_EXECUTION });
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
