// The trade histograms kept per symbol series: bucket edges, +Inf, favourable slippage, the symbol cap, and the producer's data.

import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildLiquidity, buildTrade } from '../../src/events/build.js';
import { Diagnostics } from '../../src/internal/Diagnostics.js';
import { EXECUTION_SECONDS_BUCKETS, METRICS, OTHER_LABEL_VALUE, SLIPPAGE_BPS_BUCKETS } from '../../src/telemetry/names.js';
import { BucketHistogram, SeriesProducer } from '../../src/telemetry/SeriesProducer.js';
import { Telemetry } from '../../src/telemetry/Telemetry.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { families, value } from './exposition.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
/** A monitor with no balance, no loop running and no position. */
const NO_STATE = {
  accountBalance: () => null,
  activeLoops: () => [],
  unrealizedPnl: () => ({ total: 0, bySymbol: [] }),
  equity: () => null,
};

function telemetry(options: ConstructorParameters<typeof MonitoringConfig>[0] = {}): Telemetry {
  return new Telemetry(
    new MonitoringConfig({ clock, botName: 'hist-bot', ...options }),
    { state: NO_STATE, notifier: null, diagnostics: new Diagnostics() },
    { runtimeMetrics: false },
  );
}

const trade = (symbol: string, side: 'buy' | 'sell', executionTimeMs: number, slippageBps: number) =>
  buildTrade({ symbol, side, quantity: 1, price: 10, executionTimeMs, slippageBps }, clock.now());

/** The sample lines of `name` (its _bucket, _sum and _count) in exposition order. */
const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}_`));

describe('trade histograms', () => {
  it('puts a value equal to a bound in that bucket and a value above the last bound only in +Inf', async () => {
    const t = telemetry();
    // 1 ms and 10 ms are exactly the bounds 0.001 and 0.01; 10.001 s is above the last bound (10).
    for (const ms of [1, 10, 10_001]) t.record(trade('BTCUSDT', 'buy', ms, 0));
    const text = await t.scrape();
    const labels = 'symbol="BTCUSDT",bot="hist-bot"';
    const expected = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map((le) => {
      const n = le < 0.01 ? 1 : 2;
      return `poseidon_trade_execution_seconds_bucket{${labels},le="${le}"} ${n}`;
    });
    expect(EXECUTION_SECONDS_BUCKETS).toEqual([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(lines(text, METRICS.tradeExecution.name)).toEqual([
      ...expected,
      `poseidon_trade_execution_seconds_bucket{${labels},le="+Inf"} 3`,
      `poseidon_trade_execution_seconds_sum{${labels}} ${0.001 + 0.01 + 10.001}`,
      `poseidon_trade_execution_seconds_count{${labels}} 3`,
    ]);
    await t.stop();
  });

  it('counts favourable slippage as 0 in the first bucket, per side, with HELP and TYPE once', async () => {
    const t = telemetry({ strategy: 'grid' });
    t.record(trade('ETHUSDT', 'sell', 5, -7.5)); // favourable: 0, le="0"
    t.record(trade('ETHUSDT', 'sell', 5, 0)); // exactly the first bound
    t.record(trade('ETHUSDT', 'sell', 5, 1)); // exactly le="1"
    t.record(trade('ETHUSDT', 'sell', 5, 500)); // exactly the last bound
    t.record(trade('ETHUSDT', 'sell', 5, 500.5)); // only +Inf
    t.record(trade('ETHUSDT', 'buy', 5, 3));
    t.record(trade('BTCUSDT', 'buy', 5, 2));
    const text = await t.scrape();
    const sell = 'symbol="ETHUSDT",side="sell",bot="hist-bot",strategy="grid"';
    const cumulative = [2, 3, 3, 3, 3, 3, 3, 3, 3, 4];
    expect(SLIPPAGE_BPS_BUCKETS).toEqual([0, 1, 2, 5, 10, 20, 50, 100, 200, 500]);
    expect(lines(text, METRICS.tradeSlippage.name).filter((l) => l.includes(sell))).toEqual([
      ...SLIPPAGE_BPS_BUCKETS.map((le, i) => `poseidon_trade_slippage_bps_bucket{${sell},le="${le}"} ${cumulative[i]}`),
      `poseidon_trade_slippage_bps_bucket{${sell},le="+Inf"} 5`,
      `poseidon_trade_slippage_bps_sum{${sell}} 1001.5`,
      `poseidon_trade_slippage_bps_count{${sell}} 5`,
    ]);
    expect(value(text, `${METRICS.tradeSlippage.name}_bucket`, { symbol: 'ETHUSDT', side: 'buy', le: '2' })).toBe(0);
    expect(value(text, `${METRICS.tradeSlippage.name}_bucket`, { symbol: 'ETHUSDT', side: 'buy', le: '5' })).toBe(1);
    expect(value(text, `${METRICS.tradeSlippage.name}_bucket`, { symbol: 'BTCUSDT', side: 'buy', le: '2' })).toBe(1);
    expect(value(text, `${METRICS.tradeSlippage.name}_count`, { symbol: 'BTCUSDT', side: 'sell' })).toBeUndefined();
    expect(text.split('\n').filter((l) => l.startsWith(`# HELP ${METRICS.tradeSlippage.name} `))).toEqual([
      `# HELP ${METRICS.tradeSlippage.name} ${METRICS.tradeSlippage.help}`,
    ]);
    const declared = families(text).map((f) => f.name);
    expect(new Set(declared).size).toBe(declared.length);
    expect(families(text)).toContainEqual({ name: METRICS.tradeSlippage.name, type: 'histogram' });
    expect(families(text)).toContainEqual({ name: METRICS.tradeExecution.name, type: 'histogram' });
    const promtool = findBinary('promtool');
    if (promtool !== null) expect(checkMetrics(promtool, text)).toMatchObject({ ok: true, output: '' });
    await t.stop();
  });

  it('folds symbols past the cap into __other__ and counts each as an overflow', async () => {
    const t = telemetry({ maxSymbols: 1 });
    t.record(trade('AAA', 'buy', 20, 1));
    t.record(trade('BBB', 'buy', 20, 1));
    t.record(trade('CCC', 'sell', 3000, 50));
    const text = await t.scrape();
    const exec = METRICS.tradeExecution.name;
    expect(value(text, `${exec}_count`, { symbol: 'AAA' })).toBe(1);
    expect(value(text, `${exec}_count`, { symbol: OTHER_LABEL_VALUE })).toBe(2);
    expect(value(text, `${exec}_sum`, { symbol: OTHER_LABEL_VALUE })).toBeCloseTo(3.02, 12);
    expect(value(text, `${exec}_bucket`, { symbol: OTHER_LABEL_VALUE, le: '0.025' })).toBe(1);
    expect(value(text, `${METRICS.tradeSlippage.name}_count`, { symbol: OTHER_LABEL_VALUE, side: 'sell' })).toBe(1);
    expect(value(text, `${exec}_count`, { symbol: 'BBB' })).toBeUndefined();
    expect(value(text, METRICS.labelOverflow.name, { label: 'symbol' })).toBe(2);
    await t.stop();
  });

  it('shows no trade histogram for a symbol seen only in a liquidity snapshot', async () => {
    const t = telemetry();
    t.record(
      buildLiquidity({ symbol: 'X', spread: 0.01, bidSize: 1, askSize: 1, marketDepth: 1, volatility24h: 0.1, volume24h: 1 }, clock.now()),
    );
    const text = await t.scrape();
    expect(value(text, METRICS.liquiditySpread.name, { symbol: 'X' })).toBe(0.01);
    expect(text).not.toContain(METRICS.tradeExecution.name);
    expect(text).not.toContain(METRICS.tradeSlippage.name);
    await t.stop();
  });
});

describe('SeriesProducer', () => {
  it('reports cumulative explicit-bucket points shaped like the SDK histogram', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'test' });
    const h = new BucketHistogram([1, 2]);
    const empty = new BucketHistogram([1, 2]);
    const attributes = Object.freeze({ symbol: 'S' });
    const producer = new SeriesProducer(
      resource,
      { name: 'scope', version: '1.2.3' },
      {
        histograms: [
          {
            info: METRICS.tradeExecution,
            boundaries: [1, 2],
            forEach: (emit) => {
              emit(attributes, h);
              emit({ symbol: 'none' }, empty);
            },
          },
        ],
      },
    );
    expect((await producer.collect()).resourceMetrics.scopeMetrics).toEqual([]);

    const before = Date.now();
    for (const v of [0, 1, 1.5, 2, 3]) h.record(v);
    const { resourceMetrics, errors } = await producer.collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.resource).toBe(resource);
    expect(resourceMetrics.scopeMetrics).toHaveLength(1);
    const [scope] = resourceMetrics.scopeMetrics;
    expect(scope?.scope).toEqual({ name: 'scope', version: '1.2.3' });
    const [metric] = scope?.metrics ?? [];
    expect(metric).toMatchObject({
      descriptor: { name: METRICS.tradeExecution.name, description: METRICS.tradeExecution.help, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
    });
    expect(metric?.dataPoints).toHaveLength(1);
    const point = metric?.dataPoints[0];
    expect(point?.attributes).toBe(attributes);
    expect(point?.value).toEqual({ buckets: { boundaries: [1, 2], counts: [2, 2, 1] }, sum: 7.5, count: 5 });
    const millis = ([s, ns]: readonly [number, number]) => s * 1000 + ns / 1e6;
    expect(millis(point!.startTime)).toBeGreaterThanOrEqual(before - 1);
    expect(millis(point!.endTime)).toBeGreaterThanOrEqual(millis(point!.startTime) - 1);
  });

  it('reports running totals as cumulative sums, counters monotonic and P&L not, each from its start time', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'test' });
    const buy = Object.freeze({ symbol: 'S', side: 'buy' });
    const plain = Object.freeze({ symbol: 'S' });
    const totals = { trades: 0, pnl: 0 };
    const started = Date.UTC(2026, 0, 1, 12);
    const producer = new SeriesProducer(
      resource,
      { name: 'scope', version: '1.2.3' },
      {
        sums: [
          {
            info: METRICS.trades,
            monotonic: true,
            forEach: (emit) => {
              if (totals.trades > 0) emit(buy, totals.trades, started);
            },
          },
          {
            info: METRICS.realizedPnl,
            monotonic: false,
            forEach: (emit) => {
              if (totals.pnl !== 0) emit(plain, totals.pnl, started + 1500);
            },
          },
        ],
      },
    );
    // No series yet: nothing reported, as the SDK reports nothing for an unused instrument.
    expect((await producer.collect()).resourceMetrics.scopeMetrics).toEqual([]);
    totals.trades = 3;
    totals.pnl = -2.5;
    const [scope] = (await producer.collect()).resourceMetrics.scopeMetrics;
    const [trades, pnl] = scope?.metrics ?? [];
    expect(trades).toMatchObject({
      descriptor: { name: METRICS.trades.name, description: METRICS.trades.help, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
    });
    expect(trades?.dataPoints.map((p) => [p.attributes, p.value, p.startTime])).toEqual([[buy, 3, [started / 1000, 0]]]);
    expect(trades?.dataPoints[0]?.attributes).toBe(buy);
    expect(pnl).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: false });
    expect(pnl?.dataPoints.map((p) => [p.value, p.startTime])).toEqual([[-2.5, [started / 1000 + 1, 500_000_000]]]);
  });
});
