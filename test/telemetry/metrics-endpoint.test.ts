// Integration: a real monitor on 127.0.0.1 port 0 with SQLite history, scraped over HTTP, values checked exactly and by promtool.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { ERROR_SEVERITIES, ERROR_TYPES, EventType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { EXECUTION_SECONDS_BUCKETS, METRICS, OTHER_LABEL_VALUE, RUNTIME_METRICS } from '../../src/telemetry/names.js';
import { PACKAGE_VERSION } from '../../src/telemetry/packageVersion.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { families, parseSamples, value } from './exposition.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A started monitor on a free port with a SQLite file in a fresh temp dir, stopped and removed after the test. */
async function startMonitor(options: MonitoringConfigOptions = {}): Promise<{ monitor: MonitoringSystem; clock: ManualClock }> {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-telemetry-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 0, 0));
  const monitor = new MonitoringSystem({
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    dbUrl: `sqlite:///${join(dir, 'history.db')}`,
    logFile: join(dir, 'monitor.log'),
    logConsole: false,
    botName: 'test-bot',
    clock,
    ...options,
  });
  cleanups.push(() => monitor.stop());
  await monitor.start();
  return { monitor, clock };
}

async function scrape(
  monitor: MonitoringSystem,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(monitor.metricsUrl!, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const BTC = { symbol: 'BTCUSDT', side: 'buy' } as const;

describe('GET /metrics on a running monitor', () => {
  it('serves every event as exact Prometheus samples that promtool accepts', async () => {
    const { monitor, clock } = await startMonitor();
    expect(monitor.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(monitor.baseUrl).not.toBe('http://127.0.0.1:0');
    expect(monitor.metricsUrl).toBe(`${monitor.baseUrl}/metrics`);

    monitor.updateAccountBalance(1000);
    monitor.logTrade({ ...BTC, quantity: 0.1, price: 50_000, fee: 2, executionTimeMs: 20, slippageBps: 3 });
    monitor.logTrade({ ...BTC, quantity: 0.2, price: 50_000, fee: 4, executionTimeMs: 40, slippageBps: -1 });
    monitor.logTrade({ ...BTC, quantity: 0.1, price: 51_000, fee: 2, executionTimeMs: 3000, slippageBps: 12 });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.4, price: 52_000, fee: 8, executionTimeMs: 15 });

    monitor.startLoopExecution('scanner');
    clock.advance(1500);
    monitor.endLoopExecution('scanner', { success: true, tradesExecuted: 4 });
    const endOfScan = clock.now();
    await expect(
      monitor.trackLoop('scanner', () => {
        throw new Error('exchange down');
      }),
    ).rejects.toThrow('exchange down');
    monitor.startLoopExecution('rebalancer');

    monitor.logError('timeout talking to exchange', { errorType: 'network_timeout', severity: 'medium' });
    monitor.logError(new Error('order refused'), { errorType: 'order_rejected', severity: 'critical' });
    monitor.logLiquidityAnalysis({
      symbol: 'BTCUSDT',
      spread: 0.0002,
      bidSize: 1.5,
      askSize: 2.5,
      marketDepth: 250_000,
      volatility24h: 0.031,
      volume24h: 12_000_000,
    });
    monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds');
    monitor.logPerformanceMetric('api_response_time', 99.5, 'milliseconds');
    monitor.updateAccountBalance(1100);
    clock.advanceTo(Date.UTC(2026, 0, 1, 11, 0, 0) + 1); // closes the 10:00 hour: growth 0.1
    monitor.updateAccountBalance(1100);
    await monitor.flush();

    const { status, type, text } = await scrape(monitor);
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');

    // The literal line, labels in order: the table's labels, then the bot identity.
    expect(text).toContain('\nposeidon_trades_total{symbol="BTCUSDT",side="buy",bot="test-bot"} 3\n');
    expect(value(text, METRICS.trades.name, BTC)).toBe(3);
    expect(value(text, METRICS.trades.name, { symbol: 'BTCUSDT', side: 'sell' })).toBe(1);
    expect(value(text, METRICS.tradeVolume.name, BTC)).toBeCloseTo(5000 + 10_000 + 5100, 9);
    expect(value(text, METRICS.tradeVolume.name, { symbol: 'BTCUSDT', side: 'sell' })).toBeCloseTo(20_800, 9);
    expect(value(text, METRICS.tradeFees.name, { symbol: 'BTCUSDT' })).toBe(16);

    const exec = METRICS.tradeExecution.name;
    expect(value(text, `${exec}_count`, { symbol: 'BTCUSDT' })).toBe(4);
    expect(value(text, `${exec}_sum`, { symbol: 'BTCUSDT' })).toBeCloseTo(0.02 + 0.04 + 3 + 0.015, 9);
    const le = (bound: string) => value(text, `${exec}_bucket`, { symbol: 'BTCUSDT', le: bound });
    expect(le('0.01')).toBe(0);
    expect(le('0.025')).toBe(2);
    expect(le('0.05')).toBe(3);
    expect(le('2.5')).toBe(3);
    expect(le('5')).toBe(4);
    expect(le('+Inf')).toBe(4);
    expect(parseSamples(text).flatMap((s) => (s.name === `${exec}_bucket` ? [s.labels.le] : []))).toEqual([
      ...EXECUTION_SECONDS_BUCKETS.map(String),
      '+Inf',
    ]);

    const slip = METRICS.tradeSlippage.name;
    expect(value(text, `${slip}_count`, BTC)).toBe(3);
    expect(value(text, `${slip}_sum`, BTC)).toBe(15); // 3 + 0 (favourable −1) + 12
    expect(value(text, `${slip}_bucket`, { ...BTC, le: '0' })).toBe(1);
    expect(value(text, `${slip}_bucket`, { ...BTC, le: '5' })).toBe(2);
    expect(value(text, `${slip}_bucket`, { ...BTC, le: '20' })).toBe(3);

    // The ledger's figure: 0.4 bought at 50 250 on average and sold at 52 000 is +700, less 16 of fees.
    expect(value(text, METRICS.realizedPnl.name, { symbol: 'BTCUSDT' })).toBeCloseTo(684, 6);
    expect(value(text, METRICS.realizedPnl.name, { symbol: 'BTCUSDT' })).toBeCloseTo(monitor.totalRealizedPnl, 9);

    expect(value(text, METRICS.loopExecutions.name, { loop: 'scanner', status: 'success' })).toBe(1);
    expect(value(text, METRICS.loopExecutions.name, { loop: 'scanner', status: 'failure' })).toBe(1);
    expect(value(text, `${METRICS.loopDuration.name}_count`, { loop: 'scanner' })).toBe(2);
    expect(value(text, `${METRICS.loopDuration.name}_sum`, { loop: 'scanner' })).toBe(1.5);
    expect(value(text, `${METRICS.loopDuration.name}_bucket`, { loop: 'scanner', le: '1' })).toBe(1);
    expect(value(text, METRICS.loopLastSuccess.name, { loop: 'scanner' })).toBe(endOfScan / 1000);
    expect(value(text, METRICS.loopsActive.name, { loop: 'rebalancer' })).toBe(1);
    expect(value(text, METRICS.loopsActive.name, { loop: 'scanner' })).toBe(0);

    expect(value(text, METRICS.errors.name, { error_type: 'network_timeout', severity: 'medium' })).toBe(1);
    expect(value(text, METRICS.errors.name, { error_type: 'order_rejected', severity: 'critical' })).toBe(1);
    expect(value(text, METRICS.errors.name, { error_type: 'loop_error', severity: 'high' })).toBe(1);

    expect(value(text, METRICS.liquiditySpread.name, { symbol: 'BTCUSDT' })).toBe(0.0002);
    expect(value(text, METRICS.liquidityBidSize.name, { symbol: 'BTCUSDT' })).toBe(1.5);
    expect(value(text, METRICS.liquidityAskSize.name, { symbol: 'BTCUSDT' })).toBe(2.5);
    expect(value(text, METRICS.liquidityDepth.name, { symbol: 'BTCUSDT' })).toBe(250_000);
    expect(value(text, METRICS.liquidityVolatility.name, { symbol: 'BTCUSDT' })).toBe(0.031);
    expect(value(text, METRICS.liquidityVolume.name, { symbol: 'BTCUSDT' })).toBe(12_000_000);

    expect(value(text, METRICS.performance.name, { name: 'api_response_time', unit: 'milliseconds' })).toBe(99.5);
    expect(value(text, METRICS.accountBalance.name)).toBe(1100);
    expect(value(text, METRICS.growthRatio.name)).toBeCloseTo(0.1, 12);

    expect(value(text, METRICS.events.name, { event_type: 'trade_execution' })).toBe(4);
    expect(value(text, METRICS.events.name, { event_type: 'profit_loss' })).toBe(1);
    expect(value(text, METRICS.events.name, { event_type: 'loop_execution' })).toBe(2);
    expect(value(text, METRICS.events.name, { event_type: 'error_event' })).toBe(3);
    expect(value(text, METRICS.events.name, { event_type: 'growth_tracking' })).toBe(1);
    expect(value(text, METRICS.callbackFailures.name, { kind: 'trade' })).toBe(0);
    expect(value(text, METRICS.buildInfo.name, { version: PACKAGE_VERSION })).toBe(1);
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);

    // The store's figures after a flush to a real SQLite file.
    expect(value(text, METRICS.dbSize.name)).toBeGreaterThan(0);
    expect(value(text, METRICS.storeRowsWritten.name)).toBeGreaterThan(0);
    expect(value(text, METRICS.storeBufferedRows.name)).toBe(0);
    expect(value(text, METRICS.storeWriteFailures.name)).toBe(0);
    expect(value(text, METRICS.storeDroppedRows.name)).toBe(0);

    // Every metric of the catalogue is there with its declared type, and no family twice.
    const declared = families(text);
    for (const info of Object.values(METRICS)) {
      if (info === METRICS.labelOverflow) continue; // only once a cap is hit (next test)
      // only with webhooks configured (equity-notifications.test.ts)
      if ([METRICS.notificationsSent, METRICS.notificationsFailed, METRICS.notificationsDropped].includes(info)) continue;
      // only with system metrics on, which an injected clock turns off (system-metrics.test.ts)
      if (info.name.startsWith('poseidon_system_')) continue;
      expect(declared, info.name).toContainEqual({ name: info.name, type: info.type });
    }
    const names = declared.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    // Runtime metrics share the prefix; every family does.
    for (const name of Object.values(RUNTIME_METRICS)) expect(names).toContain(name);
    expect(names.filter((n) => !n.startsWith('poseidon_'))).toEqual([]);
    // Scope and target info are off: only table labels, `le`, and the bot identity.
    expect(text).not.toMatch(/otel_scope|target_info/);
    for (const s of parseSamples(text)) expect(s.labels.bot).toBe('test-bot');

    const promtool = findBinary('promtool');
    if (promtool !== null) {
      const check = checkMetrics(promtool, text);
      expect(check.output).toBe('');
      expect(check.ok).toBe(true);
    }
  });

  it('shows no trade series when trade tracking is off', async () => {
    const { monitor } = await startMonitor({ enableTradeTracking: false });
    monitor.logTrade({ ...BTC, quantity: 1, price: 100, fee: 1, executionTimeMs: 5 });
    monitor.logError('still counted', { errorType: 'api_error' });
    const { text } = await scrape(monitor);
    for (const info of [
      METRICS.trades,
      METRICS.tradeVolume,
      METRICS.tradeFees,
      METRICS.tradeExecution,
      METRICS.tradeSlippage,
      METRICS.realizedPnl,
    ]) {
      expect(
        parseSamples(text).filter((s) => s.name.startsWith(info.name)),
        info.name,
      ).toEqual([]);
    }
    // Every event type is shown from the start (at 0), so the first of each is a step Prometheus can see.
    expect(value(text, METRICS.events.name, { event_type: 'trade_execution' })).toBe(0);
    expect(value(text, METRICS.errors.name, { error_type: 'api_error', severity: 'medium' })).toBe(1);
  });

  it('shows every error type and severity, every event type and both outcomes of a loop at 0 before the first of each', async () => {
    const { monitor } = await startMonitor();
    monitor.startLoopExecution('main');
    monitor.endLoopExecution('main', { success: true });
    const { text } = await scrape(monitor);
    for (const errorType of ERROR_TYPES)
      for (const severity of ERROR_SEVERITIES) expect(value(text, METRICS.errors.name, { error_type: errorType, severity })).toBe(0);
    for (const eventType of Object.values(EventType))
      expect(value(text, METRICS.events.name, { event_type: eventType }), eventType).toBeTypeOf('number');
    expect(value(text, METRICS.loopExecutions.name, { loop: 'main', status: 'success' })).toBe(1);
    expect(value(text, METRICS.loopExecutions.name, { loop: 'main', status: 'failure' })).toBe(0);
  });

  it('caps symbols at maxSymbols and counts the overflow', async () => {
    const { monitor } = await startMonitor({ maxSymbols: 2 });
    for (const symbol of ['AAA', 'BBB', 'CCC', 'DDD', 'CCC']) {
      monitor.logTrade({ symbol, side: 'buy', quantity: 1, price: 10, executionTimeMs: 1 });
    }
    monitor.logLiquidityAnalysis({ symbol: 'EEE', spread: 0.01, bidSize: 1, askSize: 1, marketDepth: 1, volatility24h: 0.1, volume24h: 1 });
    const { text } = await scrape(monitor);
    expect(value(text, METRICS.trades.name, { symbol: 'AAA', side: 'buy' })).toBe(1);
    expect(value(text, METRICS.trades.name, { symbol: 'BBB', side: 'buy' })).toBe(1);
    expect(value(text, METRICS.trades.name, { symbol: OTHER_LABEL_VALUE, side: 'buy' })).toBe(3);
    expect(value(text, METRICS.trades.name, { symbol: 'CCC', side: 'buy' })).toBeUndefined();
    expect(value(text, METRICS.liquiditySpread.name, { symbol: OTHER_LABEL_VALUE })).toBe(0.01);
    // 3 trades + 1 snapshot mapped to __other__.
    expect(value(text, METRICS.labelOverflow.name, { label: 'symbol' })).toBe(4);
    const symbols = new Set(parseSamples(text).flatMap((s) => (s.labels.symbol === undefined ? [] : [s.labels.symbol])));
    expect([...symbols].sort()).toEqual(['AAA', 'BBB', OTHER_LABEL_VALUE]);
  });

  it('requires the bearer token on /metrics but never on /healthz', async () => {
    const token = 'a-long-enough-secret-token';
    const { monitor } = await startMonitor({ apiToken: token });
    expect((await scrape(monitor)).status).toBe(401);
    expect((await scrape(monitor, { Authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    const ok = await scrape(monitor, { Authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('poseidon_build_info');
    const health = await fetch(`${monitor.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('has no server when enableMetricsServer is false, and none after stop', async () => {
    const { monitor } = await startMonitor({ enableMetricsServer: false });
    expect(monitor.baseUrl).toBeNull();
    expect(monitor.metricsUrl).toBeNull();
    expect(await monitor.telemetry.scrape()).toContain('poseidon_build_info');

    const { monitor: served } = await startMonitor();
    const url = served.baseUrl!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await served.stop();
    await served.stop();
    expect(served.baseUrl).toBeNull();
    expect(served.metricsUrl).toBeNull();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('fails start() loudly when the port is taken, opening nothing', async () => {
    const { monitor: first } = await startMonitor();
    const port = Number(new URL(first.baseUrl!).port);
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-telemetry-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const second = new MonitoringSystem({
      metricsPort: port,
      storage: 'memory',
      logFile: null,
      logConsole: false,
      clock: new ManualClock(),
    });
    cleanups.push(() => second.stop());
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    expect(second.isRunning).toBe(false);
    expect(second.baseUrl).toBeNull();
  });

  it('keeps counting across an hour of scrapes (cumulative, not reset by collection)', async () => {
    const { monitor, clock } = await startMonitor();
    monitor.logTrade({ ...BTC, quantity: 1, price: 10 });
    expect(value((await scrape(monitor)).text, METRICS.trades.name, BTC)).toBe(1);
    clock.advance(HOUR);
    monitor.logTrade({ ...BTC, quantity: 1, price: 10 });
    expect(value((await scrape(monitor)).text, METRICS.trades.name, BTC)).toBe(2);
  });
});
