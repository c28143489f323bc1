// Unrealized P&L, equity and webhook notification counters as scraped, with worked numbers, and promtool on the result.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { ErrorType } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { METRICS, OTHER_LABEL_VALUE } from '../../src/telemetry/names.js';
import { createTestMonitor } from '../helpers/monitor.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { families, find, value } from './exposition.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function started(options: MonitoringConfigOptions = {}): Promise<MonitoringSystem> {
  const monitor = createTestMonitor({ botName: 'equity-bot', ...options });
  cleanups.push(() => monitor.stop());
  await monitor.start();
  return monitor;
}

function expectPromtoolAccepts(text: string): void {
  const promtool = findBinary('promtool');
  if (promtool === null) return;
  const check = checkMetrics(promtool, text);
  expect(check.output).toBe('');
  expect(check.ok).toBe(true);
}

const unrealized = (text: string, symbol: string) => value(text, METRICS.unrealizedPnl.name, { symbol });

describe('poseidon_unrealized_pnl and poseidon_equity', () => {
  it('mark open positions to market: buy 1 BTC at 100, mark 110 → unrealized 10; balance 1000 → equity 1010', async () => {
    const monitor = await started();
    let text = await monitor.telemetry.scrape();
    // Nothing to report before a balance and a trade.
    expect(find(text, METRICS.equity.name)).toEqual([]);
    expect(find(text, METRICS.unrealizedPnl.name, { symbol: 'BTCUSDT' })).toEqual([]);

    monitor.updateAccountBalance(1000);
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    text = await monitor.telemetry.scrape();
    // Not priced yet: the position counts 0 and equity is the balance.
    expect(unrealized(text, 'BTCUSDT')).toBe(0);
    expect(value(text, METRICS.equity.name)).toBe(1000);

    monitor.updateMarketPrice('BTCUSDT', 110);
    text = await monitor.telemetry.scrape();
    expect(unrealized(text, 'BTCUSDT')).toBe(10);
    expect(value(text, METRICS.equity.name)).toBe(1010);
    expect(value(text, METRICS.accountBalance.name)).toBe(1000);
    expect(families(text)).toContainEqual({ name: METRICS.unrealizedPnl.name, type: 'gauge' });
    expect(families(text)).toContainEqual({ name: METRICS.equity.name, type: 'gauge' });
    expect(monitor.equity).toBe(1010);

    // Sell half at 120 (realized 10 on 0.5); 0.5 left at cost 100, marked at 90 → −5.
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.5, price: 120 });
    monitor.updateAccountBalance(1010);
    monitor.updateMarketPrice('BTCUSDT', 90);
    text = await monitor.telemetry.scrape();
    expect(value(text, METRICS.realizedPnl.name, { symbol: 'BTCUSDT' })).toBe(10);
    expect(unrealized(text, 'BTCUSDT')).toBe(-5);
    expect(value(text, METRICS.equity.name)).toBe(1005);

    // A second symbol marked from the mid of a liquidity snapshot: 2 ETH at 50, mid (59 + 61) / 2 = 60 → +20.
    monitor.logTrade({ symbol: 'ETHUSDT', side: 'buy', quantity: 2, price: 50 });
    monitor.logLiquidityAnalysis({
      symbol: 'ETHUSDT',
      spread: 2 / 60,
      bidSize: 1,
      askSize: 1,
      marketDepth: 1000,
      volatility24h: 0.02,
      volume24h: 1e6,
      bidPrice: 59,
      askPrice: 61,
    });
    text = await monitor.telemetry.scrape();
    expect(unrealized(text, 'ETHUSDT')).toBe(20);
    expect(value(text, METRICS.equity.name)).toBe(1010 - 5 + 20);

    // Closed: the series stays, at 0, rather than keeping its last value.
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.5, price: 90 });
    text = await monitor.telemetry.scrape();
    expect(unrealized(text, 'BTCUSDT')).toBe(0);
    expect(value(text, METRICS.equity.name)).toBe(1030);
    expectPromtoolAccepts(text);
  });

  it('sums positions past the symbol cap under __other__ without counting more overflows at each scrape', async () => {
    const monitor = await started({ maxSymbols: 1 });
    monitor.updateAccountBalance(500);
    for (const [symbol, price, mark] of [
      ['AAA', 10, 12],
      ['BBB', 20, 21],
      ['CCC', 30, 27],
    ] as const) {
      monitor.logTrade({ symbol, side: 'buy', quantity: 1, price });
      monitor.updateMarketPrice(symbol, mark);
    }
    const first = await monitor.telemetry.scrape();
    expect(unrealized(first, 'AAA')).toBe(2);
    expect(unrealized(first, OTHER_LABEL_VALUE)).toBe(1 - 3);
    expect(unrealized(first, 'BBB')).toBeUndefined();
    expect(value(first, METRICS.equity.name)).toBe(500 + 2 + 1 - 3);
    expect(value(first, METRICS.labelOverflow.name, { label: 'symbol' })).toBe(2);
    const second = await monitor.telemetry.scrape();
    expect(value(second, METRICS.labelOverflow.name, { label: 'symbol' })).toBe(2);
  });

  it('report a position restored from history at start, though this process has not traded it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-equity-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const options: MonitoringConfigOptions = { storage: 'sqlite', dbUrl: `sqlite:///${join(dir, 'history.db')}` };
    const before = createTestMonitor({ botName: 'equity-bot', ...options });
    await before.start();
    before.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    await before.stop();

    const monitor = await started(options);
    monitor.updateAccountBalance(1000);
    monitor.updateMarketPrice('BTCUSDT', 110);
    const text = await monitor.telemetry.scrape();
    expect(value(text, METRICS.trades.name, { symbol: 'BTCUSDT', side: 'buy' })).toBeUndefined();
    expect(unrealized(text, 'BTCUSDT')).toBe(10);
    expect(value(text, METRICS.equity.name)).toBe(1010);
    expect(value(text, METRICS.labelOverflow.name, { label: 'symbol' })).toBeUndefined();
  });
});

describe('poseidon_notifications_*_total', () => {
  it('are absent without webhooks', async () => {
    const monitor = await started();
    monitor.logError('boom', { errorType: ErrorType.EXCHANGE_ERROR, severity: 'critical' });
    const text = await monitor.telemetry.scrape();
    for (const info of [METRICS.notificationsSent, METRICS.notificationsFailed, METRICS.notificationsDropped]) {
      expect(find(text, info.name), info.name).toEqual([]);
    }
  });

  it('count sent, failed and dropped: 22 critical errors, a receiver that accepts 2 then answers 400, 20 a minute allowed', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.statusCode = requests <= 2 ? 204 : 400;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const monitor = await started({ webhookUrls: url });

    let text = await monitor.telemetry.scrape();
    expect(value(text, METRICS.notificationsSent.name)).toBe(0);
    expect(value(text, METRICS.notificationsFailed.name)).toBe(0);
    expect(value(text, METRICS.notificationsDropped.name)).toBe(0);

    for (let i = 0; i < 22; i++) monitor.logError(`down ${i}`, { errorType: ErrorType.EXCHANGE_ERROR, severity: 'critical' });
    await monitor.notifier!.flush();
    text = await monitor.telemetry.scrape();
    // A 400 is not retried: 20 requests, 2 accepted and 18 refused; 2 over the rate limit never sent.
    expect(requests).toBe(20);
    expect(value(text, METRICS.notificationsSent.name)).toBe(2);
    expect(value(text, METRICS.notificationsFailed.name)).toBe(18);
    expect(value(text, METRICS.notificationsDropped.name)).toBe(2);
    for (const info of [METRICS.notificationsSent, METRICS.notificationsFailed, METRICS.notificationsDropped]) {
      expect(families(text)).toContainEqual({ name: info.name, type: 'counter' });
    }
    expect(text).not.toContain(url);
    expectPromtoolAccepts(text);
  });
});
