// ValidationError and ConfigurationError: what they carry, how they show a refused value, and the public exports.

import { describe, expect, it } from 'vitest';
import { ConfigurationError, describeValue, ValidationError } from '../../src/errors.js';
import * as api from '../../src/index.js';

describe('ValidationError', () => {
  it('carries the field, the value and what is accepted, and says all three', () => {
    const err = new ValidationError('quantity', -1, 'a finite number greater than 0');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ValidationError');
    expect(err.field).toBe('quantity');
    expect(err.value).toBe(-1);
    expect(err.accepted).toBe('a finite number greater than 0');
    expect(err.message).toBe('Invalid quantity: -1; expected a finite number greater than 0');
    expect(err.stack).toContain('ValidationError');
  });

  it('ConfigurationError is a ValidationError with its own name', () => {
    const err = new ConfigurationError('POSEIDON_LOG_LEVEL', 'LOUD', 'one of DEBUG, INFO');
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.name).toBe('ConfigurationError');
    expect(err.message).toBe('Invalid POSEIDON_LOG_LEVEL: "LOUD"; expected one of DEBUG, INFO');
  });

  it.each([
    ['a string, quoted', 'BTC', '"BTC"'],
    ['an empty string', '', '""'],
    ['a line break, escaped', 'a\nb', '"a\\nb"'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
    ['-0', -0, '-0'],
    ['a bigint', 10n, '10n'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a boolean', false, 'false'],
    ['a function', () => 1, 'a function'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a Date', new Date(0), '1970-01-01T00:00:00.000Z'],
    ['an invalid Date', new Date(Number.NaN), 'Invalid Date'],
    ['an array', [1, 2, 3], 'an array of 3'],
    ['an object', { secret: 'x' }, 'an object'],
    ['an object without a prototype', Object.create(null), 'an object'],
  ])('describes %s', (_what, value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('cuts a long string so a message stays short', () => {
    const shown = describeValue('x'.repeat(10_000));
    expect(shown.length).toBeLessThan(100);
    expect(shown).toContain('…');
  });
});

describe('the public API', () => {
  it('exports what the README shows', () => {
    for (const name of [
      'MonitoringSystem',
      'MonitoringConfig',
      'LogLevel',
      'OutputFormat',
      'ErrorType',
      'EventType',
      'ValidationError',
      'ConfigurationError',
      'ManualClock',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
    for (const internal of ['HistoryStore', 'SqliteBackend', 'MemoryBackend', 'Telemetry', 'LogSink', 'HttpServer', 'EventLog']) {
      expect(api, internal).not.toHaveProperty(internal);
    }
    expect(api.LogLevel.DEBUG).toBe('DEBUG');
    expect(api.OutputFormat.JSON).toBe('json');
    expect(api.ErrorType.NETWORK_TIMEOUT).toBe('network_timeout');
  });

  it('runs the README snippet end to end', async () => {
    const config = api.MonitoringConfig.fromEnv(
      { POSEIDON_LOG_LEVEL: 'DEBUG' },
      { metricsPort: 0, enableMetricsServer: false, logFile: null, logConsole: false, storage: 'memory', clock: new api.ManualClock() },
    );
    const callbacks: string[] = [];
    {
      await using monitor = new api.MonitoringSystem(config);
      await monitor.start();
      monitor.addTradeCallback((t) => callbacks.push(`trade ${t.symbol}`));
      monitor.addErrorCallback((e) => callbacks.push(`error ${e.errorType}`));
      monitor.addPerformanceCallback((m) => callbacks.push(`metric ${m.metricName}`));
      const trade = monitor.logTrade({
        symbol: 'BTCUSDT',
        side: 'buy',
        quantity: 0.1,
        price: 45000,
        fee: 4.5,
        executionTimeMs: 150,
        slippageBps: 2.5,
      });
      expect(trade.notionalValue).toBe(4500);
      expect(trade.executionId.length).toBeGreaterThan(0);
      monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds', { endpoint: '/order' });
      monitor.logLiquidityAnalysis({
        symbol: 'BTCUSDT',
        spread: 0.02,
        bidSize: 100.5,
        askSize: 95.2,
        marketDepth: 2500,
        volatility24h: 0.025,
        volume24h: 1_500_000,
      });
      monitor.logError('Connection timeout', { errorType: api.ErrorType.NETWORK_TIMEOUT, severity: 'critical' });
      monitor.startLoopExecution('main_trading_loop', { executionId: 'exec_123' });
      monitor.endLoopExecution('main_trading_loop', { success: true, tradesExecuted: 3 });
      await monitor.trackLoop('main_trading_loop', async () => {});
      monitor.updateAccountBalance(15000);
      expect(monitor.recentEvents.query({ limit: 100, eventType: 'trade_execution' })).toEqual([trade]);
      expect(monitor.recentEvents.errorsSince(new Date(0))).toHaveLength(1);
      expect(monitor.recentEvents.tradesSince(new Date(0))).toEqual([trade]);
      expect(monitor.getSystemHealth()).toMatchObject({ monitoringSystemRunning: true, activeExecutions: 0, accountBalance: 15000 });
      expect(callbacks).toEqual(['trade BTCUSDT', 'metric api_response_time', 'error network_timeout']);
    }
  });
});
