// Telemetry as a sink on its own: store figures, caps on loops and metric names, identity labels, failures, lifecycle.

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildLoopExecution, buildPerformance, buildTrade, parseLoopEnd } from '../../src/events/build.js';
import { Diagnostics } from '../../src/internal/Diagnostics.js';
import type { StoreStats } from '../../src/internal/StoreStats.js';
import { METRICS, OTHER_LABEL_VALUE, RUNTIME_METRICS } from '../../src/telemetry/names.js';
import { Telemetry, type TelemetryOptions } from '../../src/telemetry/Telemetry.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { families, parseSamples, value } from './exposition.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
/** A monitor with no balance, no loop running and no position. */
const NO_STATE = {
  accountBalance: () => null,
  activeLoops: () => [],
  unrealizedPnl: () => ({ total: 0, bySymbol: [] }),
  equity: () => null,
};

function telemetry(options: ConstructorParameters<typeof MonitoringConfig>[0] = {}, extra: TelemetryOptions = { runtimeMetrics: false }) {
  const diagnostics = new Diagnostics();
  const t = new Telemetry(
    new MonitoringConfig({ clock, botName: 'unit-bot', ...options }),
    { state: NO_STATE, notifier: null, diagnostics },
    extra,
  );
  return { t, diagnostics };
}

const trade = (symbol: string) => buildTrade({ symbol, side: 'sell', quantity: 2, price: 3 }, clock.now());
const loop = (name: string, success = true) => buildLoopExecution(name, 'id', clock.now(), parseLoopEnd({ success }), clock.now(), null);

const STATS: StoreStats = {
  dbSizeBytes: 40_960,
  bufferedRows: 7,
  writeFailures: 2,
  droppedRows: 1,
  rowsWritten: 1234,
  flushes: 10,
  lastFlushDurationMs: 12.5,
  lastFlushRows: 3,
};

describe('Telemetry', () => {
  it('exports store figures only once a source is set, read at scrape time', async () => {
    const { t } = telemetry();
    const before = await t.scrape();
    for (const info of [METRICS.dbSize, METRICS.storeBufferedRows, METRICS.storeRowsWritten]) {
      expect(
        parseSamples(before).some((s) => s.name === info.name),
        info.name,
      ).toBe(false);
    }
    let stats = STATS;
    t.observeStore({ stats: () => stats });
    const text = await t.scrape();
    expect(value(text, METRICS.dbSize.name)).toBe(40_960);
    expect(value(text, METRICS.storeBufferedRows.name)).toBe(7);
    expect(value(text, METRICS.storeWriteFailures.name)).toBe(2);
    expect(value(text, METRICS.storeDroppedRows.name)).toBe(1);
    expect(value(text, METRICS.storeRowsWritten.name)).toBe(1234);
    expect(value(text, METRICS.storeFlushDuration.name)).toBe(0.0125);
    stats = { ...STATS, rowsWritten: 2000 };
    expect(value(await t.scrape(), METRICS.storeRowsWritten.name)).toBe(2000);
    await t.stop();
  });

  it('counts a throwing store source as a telemetry failure and still scrapes', async () => {
    const { t, diagnostics } = telemetry();
    t.observeStore({
      stats: () => {
        throw new Error('database closed');
      },
    });
    t.record(trade('BTCUSDT'));
    const text = await t.scrape();
    expect(value(text, METRICS.trades.name, { symbol: 'BTCUSDT', side: 'sell' })).toBe(1);
    expect(diagnostics.sinkFailures.get('telemetry')).toBe(1);
    expect(value(text, METRICS.sinkFailures.name, { sink: 'telemetry' })).toBe(1);
    expect(value(await t.scrape(), METRICS.sinkFailures.name, { sink: 'telemetry' })).toBe(2);
    expect(value(text, METRICS.sinkFailures.name, { sink: 'store' })).toBe(0);
  });

  it('caps loop names and performance (name, unit) pairs, counting overflow per label', async () => {
    const { t } = telemetry({}, { runtimeMetrics: false, maxLoops: 2, maxMetricNames: 2 });
    for (const name of ['a', 'b', 'c', 'd']) t.record(loop(name));
    t.record(buildPerformance('latency', 5, 'ms', undefined, clock.now()));
    t.record(buildPerformance('latency', 6, 's', undefined, clock.now()));
    t.record(buildPerformance('memory', 7, 'bytes', undefined, clock.now()));
    const text = await t.scrape();
    expect(value(text, METRICS.loopExecutions.name, { loop: 'a', status: 'success' })).toBe(1);
    expect(value(text, METRICS.loopExecutions.name, { loop: OTHER_LABEL_VALUE, status: 'success' })).toBe(2);
    expect(value(text, METRICS.labelOverflow.name, { label: 'loop' })).toBe(2);
    expect(value(text, METRICS.performance.name, { name: 'latency', unit: 'ms' })).toBe(5);
    expect(value(text, METRICS.performance.name, { name: 'latency', unit: 's' })).toBe(6);
    expect(value(text, METRICS.performance.name, { name: OTHER_LABEL_VALUE, unit: OTHER_LABEL_VALUE })).toBe(7);
    expect(value(text, METRICS.labelOverflow.name, { label: 'name' })).toBe(1);
  });

  it('keeps thousands of symbols apart when the cap allows it (no OpenTelemetry overflow series)', async () => {
    const { t } = telemetry({ maxSymbols: 3000 });
    for (let i = 0; i < 3000; i++) t.record(trade(`S${i}`));
    const text = await t.scrape();
    expect(parseSamples(text).filter((s) => s.name === METRICS.trades.name)).toHaveLength(3000);
    expect(text).not.toContain('otel_metric_overflow');
    expect(text).not.toContain(OTHER_LABEL_VALUE);
  });

  it('puts bot, strategy and exchange on every series, runtime metrics included', async () => {
    const { t } = telemetry({ strategy: 'grid', exchange: 'binance' }, { runtimeMetrics: true });
    t.record(trade('ETHUSDT'));
    const text = await t.scrape();
    expect(text).toContain('poseidon_trades_total{symbol="ETHUSDT",side="sell",bot="unit-bot",strategy="grid",exchange="binance"} 1\n');
    const samples = parseSamples(text);
    expect(samples.length).toBeGreaterThan(50);
    for (const s of samples) expect(s.labels, s.name).toMatchObject({ bot: 'unit-bot', strategy: 'grid', exchange: 'binance' });
    const names = families(text).map((f) => f.name);
    for (const name of Object.values(RUNTIME_METRICS)) expect(names).toContain(name);
    expect(names).not.toContain('poseidon_nodejs_active_handles_total');
  });

  it('escapes quotes and backslashes in label values, and promtool parses the result', async () => {
    const { t } = telemetry();
    t.record(trade('A"B\\C'));
    const text = await t.scrape();
    expect(text).toContain('poseidon_trades_total{symbol="A\\"B\\\\C",side="sell",bot="unit-bot"} 1\n');
    expect(value(text, METRICS.trades.name, { symbol: 'A"B\\C', side: 'sell' })).toBe(1);
    const promtool = findBinary('promtool');
    if (promtool !== null) expect(checkMetrics(promtool, text)).toMatchObject({ ok: true, output: '' });
  });

  it('never throws from record after stop, and stops twice safely', async () => {
    const { t } = telemetry();
    await t.stop();
    await t.stop();
    expect(() => t.record(trade('BTCUSDT'))).not.toThrow();
  });
});
