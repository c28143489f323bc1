// MonitoringSystem: each method of the facade, its events, callbacks, feature flags, health and lifecycle.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { ErrorType, EventType, type MonitorEvent } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { addProbe, clockOf, createTestMonitor, type ProbeSink, TEST_START } from '../helpers/monitor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRADE = { symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45_000, fee: 4.5, executionTimeMs: 150, slippageBps: 2.5 } as const;
const LIQUIDITY = {
  symbol: 'BTCUSDT',
  spread: 0.02,
  bidSize: 100.5,
  askSize: 95.2,
  marketDepth: 2500,
  volatility24h: 0.025,
  volume24h: 1_500_000,
} as const;

/** Lets pending promise reactions (a rejected async callback) run: waits for an event-loop turn, not for time. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const ofType = (events: readonly MonitorEvent[], type: EventType) => events.filter((e) => e.eventType === type);

describe('MonitoringSystem', () => {
  let monitor: MonitoringSystem;
  let probe: ProbeSink;

  beforeEach(async () => {
    monitor = createTestMonitor();
    probe = addProbe(monitor);
    await monitor.start();
  });

  afterEach(async () => {
    await monitor.stop();
  });

  describe('logTrade', () => {
    it('returns the frozen trade with notional value, defaults and a generated execution id, and records it', () => {
      const trade = monitor.logTrade(TRADE);
      expect(trade).toMatchObject({
        eventType: EventType.TRADE_EXECUTION,
        timestamp: TEST_START,
        symbol: 'BTCUSDT',
        side: 'buy',
        quantity: 0.1,
        price: 45_000,
        notionalValue: 4500,
        fee: 4.5,
        executionTimeMs: 150,
        slippageBps: 2.5,
        orderId: null,
        pnl: null,
        additionalData: null,
      });
      expect(trade.executionId).toMatch(UUID);
      expect(Object.isFrozen(trade)).toBe(true);
      // Every sink gets the same object; nothing re-derives it.
      expect(ofType(probe.seen, EventType.TRADE_EXECUTION)).toEqual([trade]);
      expect(ofType(probe.seen, EventType.TRADE_EXECUTION)[0]).toBe(trade);
      // The ring keeps trades as columns and rebuilds them: equal, frozen, fields in the same order.
      const recent = monitor.recentEvents.query({ eventType: EventType.TRADE_EXECUTION })[0]!;
      expect(recent).toEqual(trade);
      expect(Object.keys(recent)).toEqual(Object.keys(trade));
      expect(Object.isFrozen(recent)).toBe(true);
    });

    it('defaults fee, execution time and slippage to 0 and generates a new id each time', () => {
      const a = monitor.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 2, price: 3000 });
      const b = monitor.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 2, price: 3000 });
      expect([a.fee, a.executionTimeMs, a.slippageBps]).toEqual([0, 0, 0]);
      expect(a.executionId).not.toBe(b.executionId);
    });

    it('keeps a given execution id, order id, pnl and negative slippage', () => {
      const t = monitor.logTrade({ ...TRADE, executionId: 'exec_1', orderId: 'ord_9', pnl: -12.5, slippageBps: -1 });
      expect([t.executionId, t.orderId, t.pnl, t.slippageBps]).toEqual(['exec_1', 'ord_9', -12.5, -1]);
    });

    it('copies and deep-freezes additionalData, so later changes by the bot do not reach the sinks', () => {
      const extra = { strategy: 'grid', levels: [1, 2], nested: { at: new Date(TEST_START) }, skipped: undefined };
      const t = monitor.logTrade({ ...TRADE, additionalData: extra });
      extra.strategy = 'changed';
      extra.levels.push(3);
      expect(t.additionalData).toEqual({ strategy: 'grid', levels: [1, 2], nested: { at: new Date(TEST_START).toISOString() } });
      expect(Object.isFrozen(t.additionalData)).toBe(true);
      expect(Object.isFrozen(t.additionalData!.levels)).toBe(true);
      expect(Object.isFrozen(t.additionalData!.nested)).toBe(true);
      // A shared (not cyclic) reference is fine.
      const shared = { x: 1 };
      expect(monitor.logTrade({ ...TRADE, additionalData: { a: shared, b: shared } }).additionalData).toEqual({ a: { x: 1 }, b: { x: 1 } });
    });

    it('stamps the time from the injected clock', () => {
      clockOf(monitor).advance(60_000);
      expect(monitor.logTrade(TRADE).timestamp).toBe(TEST_START + 60_000);
    });

    it('emits a profit_loss event when a trade closes a position', () => {
      monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
      const sell = monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 110 });
      const pnl = ofType(probe.seen, EventType.PROFIT_LOSS);
      expect(pnl).toHaveLength(1);
      expect(pnl[0]).toMatchObject({ symbol: 'BTCUSDT', executionId: sell.executionId, realizedPnl: 10, positionQuantity: 0 });
      expect(monitor.totalRealizedPnl).toBe(10);
    });
  });

  describe('the other recording methods', () => {
    it('logPerformanceMetric records name, value, unit and tags as strings', () => {
      const m = monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds', { endpoint: '/order', retry: 1, cached: false });
      expect(m).toEqual({
        eventType: EventType.PERFORMANCE_METRIC,
        timestamp: TEST_START,
        metricName: 'api_response_time',
        value: 120.5,
        unit: 'milliseconds',
        tags: { endpoint: '/order', retry: '1', cached: 'false' },
      });
      expect(Object.isFrozen(m)).toBe(true);
      expect(Object.isFrozen(m.tags)).toBe(true);
      expect(monitor.logPerformanceMetric('queue_depth', -3).unit).toBe('');
      expect(ofType(probe.seen, EventType.PERFORMANCE_METRIC)).toHaveLength(2);
    });

    it('logLiquidityAnalysis records the snapshot', () => {
      const l = monitor.logLiquidityAnalysis(LIQUIDITY);
      expect(l).toEqual({ eventType: EventType.LIQUIDITY_ANALYSIS, timestamp: TEST_START, ...LIQUIDITY, bidPrice: null, askPrice: null });
      expect(Object.isFrozen(l)).toBe(true);
      expect(ofType(probe.seen, EventType.LIQUIDITY_ANALYSIS)).toEqual([l]);
    });

    it('logError records a message with its type and severity', () => {
      const e = monitor.logError('Connection timeout', { errorType: ErrorType.NETWORK_TIMEOUT, severity: 'critical', symbol: 'BTCUSDT' });
      expect(e).toMatchObject({
        eventType: EventType.ERROR_EVENT,
        timestamp: TEST_START,
        message: 'Connection timeout',
        errorType: 'network_timeout',
        severity: 'critical',
        symbol: 'BTCUSDT',
        loopName: null,
        stackTrace: null,
        context: null,
      });
      expect(e.errorId).toMatch(UUID);
      expect(Object.isFrozen(e)).toBe(true);
      expect(ofType(probe.seen, EventType.ERROR_EVENT)).toEqual([e]);
    });

    it('logError defaults to unknown / medium and accepts the type as a string', () => {
      expect(monitor.logError('x')).toMatchObject({ errorType: ErrorType.UNKNOWN, severity: 'medium' });
      expect(monitor.logError('x', { errorType: 'rate_limit' }).errorType).toBe(ErrorType.RATE_LIMIT);
    });

    it('logError takes an Error and keeps its stack', () => {
      const e = monitor.logError(new TypeError('bad response'), { errorType: ErrorType.API_ERROR });
      expect(e.message).toBe('bad response');
      expect(e.stackTrace).toContain('TypeError: bad response');
    });

    it('logError records an Error with a huge or empty message instead of refusing it', () => {
      const huge = monitor.logError(new Error(`<html>${'x'.repeat(20_000)}</html>`));
      expect(huge.message.length).toBe(8192);
      expect(huge.message.startsWith('<html>')).toBe(true);
      const empty = new Error('');
      expect(monitor.logError(empty).message).toBe('Error');
      empty.name = '';
      expect(monitor.logError(empty).message).toBe('Error');
    });

    it('updateAccountBalance sets the balance and records it', () => {
      expect(monitor.accountBalance).toBeNull();
      monitor.updateAccountBalance(15_000);
      monitor.updateAccountBalance(15_500);
      expect(monitor.accountBalance).toBe(15_500);
      expect(monitor.getSystemHealth().accountBalance).toBe(15_500);
      const updates = ofType(probe.seen, EventType.SYSTEM_EVENT).filter((e) => 'kind' in e && e.kind === 'balance_updated');
      expect(updates.map((e) => (e as { data: unknown }).data)).toEqual([
        { balance: 15_000, previousBalance: null },
        { balance: 15_500, previousBalance: 15_000 },
      ]);
      expect(monitor.updateAccountBalance(0)).toBeUndefined();
    });
  });

  describe('loops', () => {
    it('startLoopExecution / endLoopExecution measure the run on the injected clock', () => {
      const run = monitor.startLoopExecution('main_trading_loop', { executionId: 'exec_123' });
      expect(run).toMatchObject({ loopName: 'main_trading_loop', executionId: 'exec_123', startTime: TEST_START });
      expect(monitor.getSystemHealth().activeExecutions).toBe(1);
      expect(monitor.getSystemHealth().activeLoops).toEqual(['main_trading_loop']);
      clockOf(monitor).advance(1500);
      const loop = monitor.endLoopExecution('main_trading_loop', { success: true, tradesExecuted: 3 });
      expect(loop).toEqual({
        eventType: EventType.LOOP_EXECUTION,
        timestamp: TEST_START + 1500,
        loopName: 'main_trading_loop',
        executionId: 'exec_123',
        startTime: TEST_START,
        endTime: TEST_START + 1500,
        durationMs: 1500,
        success: true,
        tradesExecuted: 3,
        errorMessage: null,
        additionalData: null,
      });
      expect(Object.isFrozen(loop)).toBe(true);
      expect(ofType(probe.seen, EventType.LOOP_EXECUTION)).toEqual([loop]);
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
      // It is no longer running: ending it again is refused.
      expect(() => monitor.endLoopExecution('main_trading_loop')).toThrow(ValidationError);
    });

    it('generates an execution id and defaults to success with no trades', () => {
      const run = monitor.startLoopExecution('scan');
      expect(run.executionId).toMatch(UUID);
      expect(monitor.endLoopExecution('scan')).toMatchObject({
        executionId: run.executionId,
        success: true,
        tradesExecuted: 0,
        durationMs: 0,
      });
    });

    it('ends the most recent run by default, or the one named by executionId', () => {
      const clock = clockOf(monitor);
      monitor.startLoopExecution('scan', { executionId: 'a' });
      clock.advance(100);
      monitor.startLoopExecution('scan', { executionId: 'b' });
      clock.advance(100);
      monitor.startLoopExecution('scan', { executionId: 'c' });
      expect(monitor.getActiveExecutions().map((r) => r.executionId)).toEqual(['a', 'b', 'c']);
      expect(monitor.endLoopExecution('scan', { executionId: 'a' })).toMatchObject({ executionId: 'a', durationMs: 200 });
      expect(monitor.endLoopExecution('scan').executionId).toBe('c');
      expect(monitor.getSystemHealth().activeExecutions).toBe(1);
      expect(monitor.endLoopExecution('scan').executionId).toBe('b');
    });

    it('records a failed run with its message, and merges start and end data', () => {
      monitor.startLoopExecution('scan', { additionalData: { pair: 'BTCUSDT', phase: 'start' } });
      const loop = monitor.endLoopExecution('scan', { success: false, errorMessage: 'feed stalled', additionalData: { phase: 'end' } });
      expect(loop).toMatchObject({ success: false, errorMessage: 'feed stalled', additionalData: { pair: 'BTCUSDT', phase: 'end' } });
    });

    it('trackLoop returns the body’s value and records a successful run', async () => {
      const clock = clockOf(monitor);
      const value = await monitor.trackLoop('main_trading_loop', async (run) => {
        expect(monitor.getSystemHealth().activeExecutions).toBe(1);
        clock.advance(250);
        run.tradesExecuted = 2;
        return 'done';
      });
      expect(value).toBe('done');
      const loops = ofType(probe.seen, EventType.LOOP_EXECUTION);
      expect(loops).toHaveLength(1);
      expect(loops[0]).toMatchObject({
        loopName: 'main_trading_loop',
        success: true,
        tradesExecuted: 2,
        durationMs: 250,
        errorMessage: null,
      });
      expect(ofType(probe.seen, EventType.ERROR_EVENT)).toEqual([]);
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
    });

    it('trackLoop takes a synchronous body and a given execution id', async () => {
      expect(await monitor.trackLoop('sync', () => 42, { executionId: 'exec_7' })).toBe(42);
      expect(ofType(probe.seen, EventType.LOOP_EXECUTION)[0]).toMatchObject({ executionId: 'exec_7', success: true });
    });

    it('trackLoop records a failed run and a loop_error, and rethrows the same error', async () => {
      const boom = new Error('exchange down');
      const clock = clockOf(monitor);
      const thrown = await monitor
        .trackLoop('main_trading_loop', async (run) => {
          clock.advance(40);
          run.tradesExecuted = 1;
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(thrown).toBe(boom);
      const [loop] = ofType(probe.seen, EventType.LOOP_EXECUTION);
      expect(loop).toMatchObject({ success: false, errorMessage: 'exchange down', tradesExecuted: 1, durationMs: 40 });
      const [error] = ofType(probe.seen, EventType.ERROR_EVENT);
      expect(error).toMatchObject({
        errorType: ErrorType.LOOP_ERROR,
        severity: 'high',
        loopName: 'main_trading_loop',
        message: 'exchange down',
      });
      expect((error as { stackTrace: string }).stackTrace).toContain('exchange down');
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
    });

    it.each([
      [
        'a synchronous throw',
        () => {
          throw new RangeError('sync');
        },
        'sync',
      ],
      ['a thrown string', () => Promise.reject('plain string'), 'plain string'],
      ['an Error with a 20 000-character message', () => Promise.reject(new Error('y'.repeat(20_000))), `${'y'.repeat(8191)}…`],
      ['an Error without message or name', () => Promise.reject(Object.assign(new Error(''), { name: '' })), 'Error'],
      ['an empty string', () => Promise.reject(''), 'loop failed'],
      ['undefined', () => Promise.reject(undefined), 'undefined'],
      ['an object without a prototype', () => Promise.reject(Object.create(null)), 'an object'],
    ])('trackLoop rethrows %s as it was, and still records the failure', async (_what, body, message) => {
      let thrown: unknown = 'nothing';
      let caught: unknown;
      try {
        await monitor.trackLoop('scan', () => {
          try {
            return (body as () => unknown)();
          } catch (e) {
            thrown = e;
            throw e;
          }
        });
      } catch (e) {
        caught = e;
      }
      if (thrown !== 'nothing') expect(caught).toBe(thrown);
      else expect(caught).not.toBeInstanceOf(ValidationError);
      expect(ofType(probe.seen, EventType.LOOP_EXECUTION)[0]).toMatchObject({ success: false, errorMessage: message });
      expect(ofType(probe.seen, EventType.ERROR_EVENT)[0]).toMatchObject({ errorType: ErrorType.LOOP_ERROR, message });
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
    });

    it.each([-1, 1.5, Number.NaN])('trackLoop refuses tradesExecuted = %s set by the body, and still ends the run', async (count) => {
      const caught = await monitor
        .trackLoop('scan', (run) => {
          run.tradesExecuted = count;
        })
        .catch((e: unknown) => e);
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe('tradesExecuted');
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
      expect(ofType(probe.seen, EventType.LOOP_EXECUTION)[0]).toMatchObject({ success: false, tradesExecuted: 0 });
      // When the body also throws, its own error wins and the run ends all the same.
      const boom = new Error('boom');
      const thrown = await monitor
        .trackLoop('scan', (run) => {
          run.tradesExecuted = count;
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(thrown).toBe(boom);
      expect(monitor.getSystemHealth().activeExecutions).toBe(0);
    });

    it('trackLoop still rethrows the body’s error when the failure cannot be recorded', async () => {
      const boom = new Error('exchange down');
      const caught = await monitor
        .trackLoop('scan', (run) => {
          // The body ended its own run, so trackLoop cannot end it again.
          monitor.endLoopExecution(run.loopName, { executionId: run.executionId });
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(caught).toBe(boom);
      expect(monitor.diagnostics.sinkFailures.get('trackLoop')).toBe(1);
    });
  });

  describe('callbacks', () => {
    it('are called with the recorded events, and removed by the function they return', () => {
      const trades: unknown[] = [];
      const errors: unknown[] = [];
      const metrics: unknown[] = [];
      const off = monitor.addTradeCallback((t) => trades.push(t));
      monitor.addErrorCallback((e) => errors.push(e));
      monitor.addPerformanceCallback((m) => metrics.push(m));
      const t = monitor.logTrade(TRADE);
      const e = monitor.logError('boom');
      const m = monitor.logPerformanceMetric('latency', 1);
      expect(trades).toEqual([t]);
      expect(errors).toEqual([e]);
      expect(metrics).toEqual([m]);
      off();
      off();
      monitor.logTrade(TRADE);
      expect(trades).toHaveLength(1);
    });

    it('a throwing callback is counted, the call succeeds and later callbacks still run', () => {
      const later: string[] = [];
      monitor.addTradeCallback(() => {
        throw new Error('callback bug');
      });
      monitor.addTradeCallback((t) => later.push(t.symbol));
      monitor.addErrorCallback(() => {
        throw new Error('error callback bug');
      });
      monitor.addPerformanceCallback(() => {
        throw 'not even an Error';
      });
      expect(monitor.logTrade(TRADE).symbol).toBe('BTCUSDT');
      expect(() => monitor.logError('boom')).not.toThrow();
      expect(() => monitor.logPerformanceMetric('latency', 1)).not.toThrow();
      expect(later).toEqual(['BTCUSDT']);
      expect(monitor.diagnostics.callbackFailures).toEqual({ trade: 1, error: 1, performance: 1 });
      expect(monitor.getSystemHealth().callbackFailures).toBe(3);
      expect(monitor.getSystemHealth().lastFailure).toMatchObject({ where: 'callback:performance', message: 'not even an Error' });
      // The trade was recorded in full all the same.
      expect(ofType(probe.seen, EventType.TRADE_EXECUTION)).toHaveLength(1);
    });

    it('a rejecting async callback is counted and never becomes an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const later: string[] = [];
        monitor.addTradeCallback(async () => {
          throw new Error('async callback bug');
        });
        monitor.addTradeCallback((t) => later.push(t.symbol));
        monitor.logTrade(TRADE);
        expect(later).toEqual(['BTCUSDT']);
        await settle();
        expect(monitor.diagnostics.callbackFailures.trade).toBe(1);
        expect(monitor.diagnostics.lastFailure?.message).toBe('async callback bug');
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('whatever a callback or sink throws, the bot’s call succeeds and the failure is counted', async () => {
      const unprintable = {
        toString: () => {
          throw new Error('no string for you');
        },
      };
      monitor.addTradeCallback(() => {
        throw Object.create(null);
      });
      monitor.addTradeCallback(() => Promise.reject(unprintable));
      monitor.addSink({
        name: 'odd',
        record() {
          throw unprintable;
        },
      });
      expect(monitor.logTrade(TRADE).symbol).toBe('BTCUSDT');
      await settle();
      expect(monitor.diagnostics.callbackFailures.trade).toBe(2);
      expect(monitor.diagnostics.sinkFailures.get('odd')).toBe(1);
      expect(monitor.getSystemHealth().lastFailure).toMatchObject({ where: 'callback:trade', message: 'an object' });
    });

    it('a callback that removes itself does not make the next one miss the event', () => {
      const seen: string[] = [];
      const off = monitor.addTradeCallback(() => {
        seen.push('once');
        off();
      });
      monitor.addTradeCallback(() => seen.push('always'));
      monitor.logTrade(TRADE);
      monitor.logTrade(TRADE);
      expect(seen).toEqual(['once', 'always', 'always']);
    });
  });

  describe('queries', () => {
    it('getRecentEvents answers newest first, by type, since and limit', () => {
      const clock = clockOf(monitor);
      const first = monitor.logTrade(TRADE);
      clock.advance(1000);
      const error = monitor.logError('boom');
      clock.advance(1000);
      const second = monitor.logTrade({ ...TRADE, side: 'sell' });
      expect(monitor.recentEvents.query({ eventType: 'trade_execution' })).toEqual([second, first]);
      expect(monitor.recentEvents.query({ eventType: EventType.TRADE_EXECUTION, limit: 1 })).toEqual([second]);
      expect(
        monitor.recentEvents.query({ since: new Date(TEST_START + 1000) }).filter((e) => e.eventType !== EventType.PROFIT_LOSS),
      ).toEqual([second, error]);
      expect(monitor.recentEvents.query({ since: TEST_START + 1000, eventType: EventType.ERROR_EVENT })).toEqual([error]);
      expect(monitor.recentEvents.query({ limit: 0 })).toEqual([]);
      // Default limit: 100.
      for (let i = 0; i < 150; i++) monitor.logPerformanceMetric('m', i);
      expect(monitor.recentEvents.query()).toHaveLength(100);
    });

    it('logger.getErrorsSince / getTradesSince / clearEvents work on the ring', () => {
      const clock = clockOf(monitor);
      monitor.logError('old');
      monitor.logTrade(TRADE);
      clock.advance(5000);
      const recentError = monitor.logError('new');
      const recentTrade = monitor.logTrade(TRADE);
      const cut = new Date(TEST_START + 5000);
      expect(monitor.recentEvents.errorsSince(cut)).toEqual([recentError]);
      expect(monitor.recentEvents.tradesSince(cut)).toEqual([recentTrade]);
      expect(monitor.recentEvents.errorsSince(TEST_START)).toHaveLength(2);
      monitor.recentEvents.clear();
      expect(monitor.recentEvents.tradesSince(0)).toEqual([]);
      expect(monitor.recentEvents.query()).toEqual([]);
      expect(monitor.getSystemHealth().eventLogSize).toBe(0);
    });

    it('getSystemHealth reports running state, uptime on the injected clock and active loops', async () => {
      const clock = clockOf(monitor);
      clock.advance(5000);
      monitor.startLoopExecution('main');
      const health = monitor.getSystemHealth();
      expect(health).toMatchObject({
        monitoringSystemRunning: true,
        startedAt: new Date(TEST_START).toISOString(),
        uptimeSeconds: 5,
        activeExecutions: 1,
        activeLoops: ['main'],
        eventLogCapacity: 10_000,
        callbackFailures: 0,
        sinkFailures: 0,
        lastFailure: null,
      });
      expect(health.memory.rssBytes).toBeGreaterThan(0);
      expect(health.memory.heapUsedBytes).toBeGreaterThan(0);
      await monitor.stop();
      expect(monitor.getSystemHealth()).toMatchObject({ monitoringSystemRunning: false, uptimeSeconds: 0 });
    });
  });

  describe('sinks and lifecycle', () => {
    it('a sink that throws is counted and the others still get the event', () => {
      const after: MonitorEvent[] = [];
      monitor.addSink({
        name: 'broken',
        record() {
          throw new Error('disk full');
        },
      });
      monitor.addSink({ name: 'after', record: (e) => after.push(e) });
      const t = monitor.logTrade(TRADE);
      expect(after).toEqual([t]);
      expect(ofType(probe.seen, EventType.TRADE_EXECUTION)).toEqual([t]);
      expect(monitor.diagnostics.sinkFailures.get('broken')).toBe(1);
      expect(monitor.getSystemHealth()).toMatchObject({ sinkFailures: 1, lastFailure: { where: 'sink:broken', message: 'disk full' } });
    });

    it('flush reaches every sink, and a failing flush or stop is counted, not thrown', async () => {
      monitor.addSink({
        name: 'flaky',
        record() {},
        flush: () => Promise.reject(new Error('flush failed')),
        stop() {
          throw new Error('stop failed');
        },
      });
      await expect(monitor.flush()).resolves.toBeUndefined();
      expect(probe.calls).toEqual(['start', 'flush']);
      await expect(monitor.stop()).resolves.toBeUndefined();
      expect(probe.calls).toEqual(['start', 'flush', 'stop']);
      expect(monitor.diagnostics.sinkFailures.get('flaky')).toBe(2);
    });

    it('start twice starts once; stop twice stops once; both record a system event', async () => {
      await monitor.start();
      expect(probe.calls).toEqual(['start']);
      expect(monitor.isRunning).toBe(true);
      const first = monitor.stop();
      const second = monitor.stop();
      expect(second).toBe(first);
      await first;
      await monitor.stop();
      expect(probe.calls).toEqual(['start', 'stop']);
      expect(monitor.isRunning).toBe(false);
      const kinds = ofType(probe.seen, EventType.SYSTEM_EVENT).map((e) => (e as { kind: string }).kind);
      expect(kinds).toEqual(['monitor_started', 'monitor_stopped']);
    });

    it('await using stops (and so flushes) the monitor at the end of the block', async () => {
      let disposed: MonitoringSystem;
      let disposedProbe: ProbeSink;
      {
        await using m = createTestMonitor();
        disposed = m;
        disposedProbe = addProbe(m);
        await m.start();
        m.logTrade(TRADE);
        expect(disposedProbe.calls).toEqual(['start']);
      }
      expect(disposedProbe.calls).toEqual(['start', 'stop']);
      expect(disposed.isRunning).toBe(false);
      // The history store was stopped too: what was recorded is in it.
      expect(disposed.getDatabaseStats().trades).toBe(1);
    });

    it('await using stops the monitor when the block throws', async () => {
      let disposedProbe: ProbeSink | undefined;
      await expect(
        (async () => {
          await using m = createTestMonitor();
          disposedProbe = addProbe(m);
          await m.start();
          throw new Error('bot crashed');
        })(),
      ).rejects.toThrow('bot crashed');
      expect(disposedProbe?.calls).toEqual(['start', 'stop']);
    });

    it('exposes Symbol.asyncDispose', async () => {
      const m = createTestMonitor();
      const p = addProbe(m);
      await m.start();
      await m[Symbol.asyncDispose]();
      expect(p.calls).toEqual(['start', 'stop']);
    });
  });
});

describe('feature switches', () => {
  const started: MonitoringSystem[] = [];
  async function monitorWith(options: Parameters<typeof createTestMonitor>[0]) {
    const m = createTestMonitor(options);
    const probe = addProbe(m);
    await m.start();
    started.push(m);
    // Forget the start event, so each test sees only what its own calls record.
    probe.seen.length = 0;
    m.recentEvents.clear();
    return { m, probe };
  }

  afterEach(async () => {
    for (const m of started.splice(0)) await m.stop();
  });

  it('enableTradeTracking: false validates and returns trades but records nothing', async () => {
    const { m, probe } = await monitorWith({ enableTradeTracking: false });
    let called = 0;
    m.addTradeCallback(() => {
      called++;
    });
    const t = m.logTrade(TRADE);
    m.logTrade({ ...TRADE, side: 'sell' });
    expect(t.notionalValue).toBe(4500);
    expect(probe.seen).toEqual([]);
    expect(m.recentEvents.query()).toEqual([]);
    expect(called).toBe(0);
    expect(m.getPositions()).toEqual([]);
    expect(() => m.logTrade({ ...TRADE, price: Number.NaN })).toThrow(ValidationError);
  });

  it('enablePerformanceMonitoring: false records no metrics and calls no callbacks', async () => {
    const { m, probe } = await monitorWith({ enablePerformanceMonitoring: false });
    let called = 0;
    m.addPerformanceCallback(() => {
      called++;
    });
    expect(m.logPerformanceMetric('latency', 5).value).toBe(5);
    expect(probe.seen).toEqual([]);
    expect(m.recentEvents.query()).toEqual([]);
    expect(called).toBe(0);
    expect(() => m.logPerformanceMetric('latency', Number.NaN)).toThrow(ValidationError);
  });

  it('enableLiquidityTracking: false records no snapshots', async () => {
    const { m, probe } = await monitorWith({ enableLiquidityTracking: false });
    expect(m.logLiquidityAnalysis(LIQUIDITY).spread).toBe(0.02);
    expect(probe.seen).toEqual([]);
    expect(m.recentEvents.query()).toEqual([]);
    expect(() => m.logLiquidityAnalysis({ ...LIQUIDITY, spread: -1 })).toThrow(ValidationError);
  });

  it('enableErrorTracking: false records no errors and calls no callbacks', async () => {
    const { m, probe } = await monitorWith({ enableErrorTracking: false });
    let called = 0;
    m.addErrorCallback(() => {
      called++;
    });
    expect(m.logError('boom', { severity: 'critical' }).severity).toBe('critical');
    expect(probe.seen).toEqual([]);
    expect(m.recentEvents.query()).toEqual([]);
    expect(called).toBe(0);
    expect(() => m.logError('boom', { errorType: 'nope' as never })).toThrow(ValidationError);
  });

  it('enableLoopMonitoring: false records no loops, but runs are still tracked and checked', async () => {
    const { m, probe } = await monitorWith({ enableLoopMonitoring: false });
    m.startLoopExecution('main');
    expect(m.getSystemHealth().activeExecutions).toBe(1);
    expect(m.endLoopExecution('main').success).toBe(true);
    expect(await m.trackLoop('main', () => 'ok')).toBe('ok');
    expect(probe.seen).toEqual([]);
    expect(m.recentEvents.query()).toEqual([]);
    expect(() => m.endLoopExecution('main')).toThrow(ValidationError);
  });

  it('enableHourlyGrowth: false closes no growth hour', async () => {
    const growthRows = async (options: Parameters<typeof createTestMonitor>[0]) => {
      const { m, probe } = await monitorWith(options);
      m.updateAccountBalance(1_000);
      clockOf(m).advance(3_600_000);
      return probe.seen.filter((e) => e.eventType === EventType.GROWTH_TRACKING).length;
    };
    expect(await growthRows({ enableHourlyGrowth: false })).toBe(0);
    expect(await growthRows({})).toBe(1);
  });

  it('with every feature on, the same calls are all recorded (the probe can see them)', async () => {
    const { m, probe } = await monitorWith({});
    m.logTrade(TRADE);
    m.logPerformanceMetric('latency', 5);
    m.logLiquidityAnalysis(LIQUIDITY);
    m.logError('boom');
    m.startLoopExecution('main');
    m.endLoopExecution('main');
    expect(probe.seen.map((e) => e.eventType)).toEqual([
      EventType.TRADE_EXECUTION,
      EventType.PERFORMANCE_METRIC,
      EventType.LIQUIDITY_ANALYSIS,
      EventType.ERROR_EVENT,
      EventType.LOOP_EXECUTION,
    ]);
  });
});
