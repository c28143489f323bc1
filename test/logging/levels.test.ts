// Level filtering and mapping: DEBUG hidden at INFO, detailed trades, error severities, the critical-alert path.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogLevel } from '../../src/config/enums.js';
import type { ErrorEvent, ErrorSeverity } from '../../src/events/types.js';
import { LEVELS } from '../../src/logging/levels.js';
import { fileMonitor, recordsOf, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const trade = { symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 } as const;

describe('the level threshold', () => {
  it('hides DEBUG records at INFO: balance updates, performance metrics', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logLevel: 'INFO' });
    await monitor.start();
    monitor.updateAccountBalance(1000);
    monitor.logPerformanceMetric('latency', 5, 'ms');
    monitor.logTrade(trade);
    await monitor.stop();
    expect(recordsOf(file).map((r) => `${r.level} ${r.event_type}`)).toEqual([
      'INFO system_event',
      'INFO trade_execution',
      'INFO system_event',
    ]);
  });

  it('shows only ERROR and CRITICAL at ERROR', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logLevel: 'ERROR' });
    await monitor.start();
    monitor.logTrade(trade);
    for (const severity of ['low', 'medium', 'high', 'critical'] as const) monitor.logError(severity, { severity });
    await monitor.stop();
    expect(recordsOf(file).map((r) => `${r.level} ${r.msg}`)).toEqual(['ERROR medium', 'ERROR high', 'CRITICAL critical']);
  });

  it('maps the five levels onto pino in order, WARNING to warn and CRITICAL to fatal', () => {
    expect(LEVELS.map((l) => [l.name, l.pino, l.number])).toEqual([
      [LogLevel.DEBUG, 'debug', 20],
      [LogLevel.INFO, 'info', 30],
      [LogLevel.WARNING, 'warn', 40],
      [LogLevel.ERROR, 'error', 50],
      [LogLevel.CRITICAL, 'fatal', 60],
    ]);
  });
});

describe('detailed trade logs (POSEIDON_DETAILED_TRADES)', () => {
  it('off: trades and their P&L are logged at DEBUG, so hidden at INFO', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logLevel: 'INFO', enableDetailedTradeLogs: false });
    await monitor.start();
    monitor.logTrade(trade);
    monitor.logTrade({ ...trade, side: 'sell', price: 110 });
    await monitor.stop();
    expect(recordsOf(file).map((r) => r.event_type)).toEqual(['system_event', 'system_event']);
  });

  it('off, at DEBUG: trades appear at DEBUG with every field', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logLevel: 'DEBUG', enableDetailedTradeLogs: false });
    await monitor.start();
    monitor.logTrade({ ...trade, executionId: 'x' });
    await monitor.stop();
    const records = recordsOf(file).filter((r) => r.event_type === 'trade_execution');
    expect(records).toEqual([expect.objectContaining({ level: 'DEBUG', execution_id: 'x', notional_value: 100, fee: 0 })]);
  });
});

describe('error severities', () => {
  it.each([
    ['low', true, 'WARNING'],
    ['medium', true, 'ERROR'],
    ['high', true, 'ERROR'],
    ['critical', true, 'CRITICAL'],
    ['critical', false, 'ERROR'],
  ] as const)('%s with critical alerts %s logs at %s', async (severity, alerts, level) => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { enableCriticalAlerts: alerts });
    await monitor.start();
    monitor.logError('boom', { severity: severity as ErrorSeverity });
    await monitor.stop();
    expect(recordsOf(file).find((r) => r.event_type === 'error_event')).toMatchObject({ level, severity, msg: 'boom' });
  });

  it('a critical error reaches the file before logError returns, and the error callbacks are called', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    await monitor.start();
    const seen: ErrorEvent[] = [];
    monitor.addErrorCallback((e) => {
      seen.push(e);
    });
    monitor.logTrade(trade);
    monitor.logError('exchange account locked', { severity: 'critical', errorType: 'authentication_error' });
    // No flush, no stop: read what is on disk right now.
    const onDisk = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(onDisk.map((r) => r.event_type)).toEqual(['system_event', 'trade_execution', 'error_event']);
    expect(onDisk[2]).toMatchObject({ level: 'CRITICAL', error_type: 'authentication_error', severity: 'critical' });
    expect(seen.map((e) => e.severity)).toEqual(['critical']);
    await monitor.stop();
  });

  it('a non-critical error waits for the next flush', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    await monitor.start();
    monitor.logError('minor', { severity: 'high' });
    expect(readFileSync(file, 'utf8')).not.toContain('minor');
    await monitor.flush();
    expect(readFileSync(file, 'utf8')).toContain('minor');
    await monitor.stop();
  });
});
