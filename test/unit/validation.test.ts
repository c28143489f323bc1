// Every refused argument: a ValidationError naming the field, nothing recorded anywhere, and the monitor keeps working.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { addProbe, createTestMonitor, type ProbeSink } from '../helpers/monitor.js';

const TRADE = { symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45_000 } as const;
const LIQUIDITY = { symbol: 'BTCUSDT', spread: 0.02, bidSize: 100.5, askSize: 95.2, marketDepth: 2500 } as const;

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function nested(levels: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < levels; i++) o = { child: o };
  return o;
}

// biome-ignore lint/suspicious/noExplicitAny: the table calls the API with deliberately wrong types.
type Call = (m: MonitoringSystem) => any;

/** [what, call, the field the error must name]. Each row is one refused input. */
const trade =
  (patch: Record<string, unknown>): Call =>
  (m) =>
    m.logTrade({ ...TRADE, ...patch } as never);
const TRADE_CASES: [string, Call, string][] = [
  ['trade null', (m) => m.logTrade(null as never), 'trade'],
  ['trade a string', (m) => m.logTrade('BTCUSDT' as never), 'trade'],
  ['trade an array', (m) => m.logTrade([] as never), 'trade'],
  ['empty symbol', trade({ symbol: '' }), 'symbol'],
  ['blank symbol', trade({ symbol: '   ' }), 'symbol'],
  ['missing symbol', trade({ symbol: undefined }), 'symbol'],
  ['numeric symbol', trade({ symbol: 42 }), 'symbol'],
  ['symbol with a line break', trade({ symbol: 'BTC\nUSDT' }), 'symbol'],
  ['symbol of 129 characters', trade({ symbol: 'X'.repeat(129) }), 'symbol'],
  ['side hold', trade({ side: 'hold' }), 'side'],
  ['side BUY (case matters)', trade({ side: 'BUY' }), 'side'],
  ['missing side', trade({ side: undefined }), 'side'],
  ['quantity 0', trade({ quantity: 0 }), 'quantity'],
  ['quantity -1', trade({ quantity: -1 }), 'quantity'],
  ['quantity NaN', trade({ quantity: Number.NaN }), 'quantity'],
  ['quantity Infinity', trade({ quantity: Number.POSITIVE_INFINITY }), 'quantity'],
  ['quantity a string', trade({ quantity: '0.1' }), 'quantity'],
  ['missing quantity', trade({ quantity: undefined }), 'quantity'],
  ['price 0', trade({ price: 0 }), 'price'],
  ['price negative', trade({ price: -45_000 }), 'price'],
  ['price NaN', trade({ price: Number.NaN }), 'price'],
  ['price -Infinity', trade({ price: Number.NEGATIVE_INFINITY }), 'price'],
  ['notional overflows', trade({ quantity: 1e200, price: 1e200 }), 'quantity'],
  ['fee negative', trade({ fee: -0.01 }), 'fee'],
  ['fee NaN', trade({ fee: Number.NaN }), 'fee'],
  ['fee Infinity', trade({ fee: Number.POSITIVE_INFINITY }), 'fee'],
  ['fee null', trade({ fee: null }), 'fee'],
  ['executionTimeMs negative', trade({ executionTimeMs: -1 }), 'executionTimeMs'],
  ['executionTimeMs NaN', trade({ executionTimeMs: Number.NaN }), 'executionTimeMs'],
  ['slippageBps NaN', trade({ slippageBps: Number.NaN }), 'slippageBps'],
  ['slippageBps Infinity', trade({ slippageBps: Number.POSITIVE_INFINITY }), 'slippageBps'],
  ['executionId empty', trade({ executionId: '' }), 'executionId'],
  ['executionId a number', trade({ executionId: 42 }), 'executionId'],
  ['orderId empty', trade({ orderId: '' }), 'orderId'],
  ['pnl NaN', trade({ pnl: Number.NaN }), 'pnl'],
  ['additionalData a string', trade({ additionalData: 'x' }), 'additionalData'],
  ['additionalData an array', trade({ additionalData: [1] }), 'additionalData'],
  ['additionalData with a function', trade({ additionalData: { f: () => 1 } }), 'additionalData.f'],
  [
    'additionalData with __proto__ (JSON.parse)',
    trade({ additionalData: JSON.parse('{"ok":1,"__proto__":{"admin":true}}') }),
    'additionalData.__proto__',
  ],
  ['additionalData with constructor', trade({ additionalData: { constructor: 1 } }), 'additionalData.constructor'],
  ['additionalData with a cycle', trade({ additionalData: cyclic() }), 'additionalData.self'],
  ['additionalData with NaN', trade({ additionalData: { n: Number.NaN } }), 'additionalData.n'],
  ['additionalData with a bigint', trade({ additionalData: { big: 1n } }), 'additionalData.big'],
  ['additionalData with a symbol', trade({ additionalData: { s: Symbol('s') } }), 'additionalData.s'],
  ['additionalData with an invalid Date', trade({ additionalData: { d: new Date(Number.NaN) } }), 'additionalData.d'],
  [
    'additionalData nested too deep',
    trade({ additionalData: nested(9) }),
    'additionalData.child.child.child.child.child.child.child.child',
  ],
  ['additionalData NaN inside an array', trade({ additionalData: { list: [1, Number.NaN] } }), 'additionalData.list[1]'],
];

const liquidity =
  (patch: Record<string, unknown>): Call =>
  (m) =>
    m.logLiquidityAnalysis({ ...LIQUIDITY, ...patch } as never);
const LIQUIDITY_CASES: [string, Call, string][] = [
  ['snapshot null', (m) => m.logLiquidityAnalysis(null as never), 'liquidity'],
  ['empty symbol', liquidity({ symbol: '' }), 'symbol'],
  ['spread negative', liquidity({ spread: -0.01 }), 'spread'],
  ['spread NaN', liquidity({ spread: Number.NaN }), 'spread'],
  ['bidSize negative', liquidity({ bidSize: -1 }), 'bidSize'],
  ['askSize NaN', liquidity({ askSize: Number.NaN }), 'askSize'],
  ['marketDepth Infinity', liquidity({ marketDepth: Number.POSITIVE_INFINITY }), 'marketDepth'],
  ['missing marketDepth', liquidity({ marketDepth: undefined }), 'marketDepth'],
  ['volatility24h negative', liquidity({ volatility24h: -0.1 }), 'volatility24h'],
  ['volume24h NaN', liquidity({ volume24h: Number.NaN }), 'volume24h'],
  ['bidPrice 0', liquidity({ bidPrice: 0 }), 'bidPrice'],
  ['askPrice negative', liquidity({ askPrice: -1 }), 'askPrice'],
  ['askPrice below bidPrice', liquidity({ bidPrice: 101, askPrice: 100 }), 'askPrice'],
];

const ERROR_CASES: [string, Call, string][] = [
  ['empty message', (m) => m.logError(''), 'message'],
  ['message a number', (m) => m.logError(42 as never), 'message'],
  ['missing message', (m) => m.logError(undefined as never), 'message'],
  ['message of 8193 characters', (m) => m.logError('x'.repeat(8193)), 'message'],
  ['options a string', (m) => m.logError('boom', 'critical' as never), 'options'],
  ['options null', (m) => m.logError('boom', null as never), 'options'],
  ['unknown error type', (m) => m.logError('boom', { errorType: 'meteor_strike' as never }), 'errorType'],
  ['unknown severity', (m) => m.logError('boom', { severity: 'fatal' as never }), 'severity'],
  ['empty symbol', (m) => m.logError('boom', { symbol: '' }), 'symbol'],
  ['loopName a number', (m) => m.logError('boom', { loopName: 7 as never }), 'loopName'],
  ['empty stackTrace', (m) => m.logError('boom', { stackTrace: '' }), 'stackTrace'],
  ['context with a function', (m) => m.logError('boom', { context: { f: () => 1 } }), 'context.f'],
  ['context with __proto__', (m) => m.logError('boom', { context: JSON.parse('{"__proto__":{}}') }), 'context.__proto__'],
];

const PERFORMANCE_CASES: [string, Call, string][] = [
  ['empty name', (m) => m.logPerformanceMetric('', 1), 'metricName'],
  ['name a number', (m) => m.logPerformanceMetric(1 as never, 1), 'metricName'],
  ['value NaN', (m) => m.logPerformanceMetric('latency', Number.NaN), 'value'],
  ['value Infinity', (m) => m.logPerformanceMetric('latency', Number.POSITIVE_INFINITY), 'value'],
  ['value a string', (m) => m.logPerformanceMetric('latency', '120' as never), 'value'],
  ['empty unit', (m) => m.logPerformanceMetric('latency', 1, ''), 'unit'],
  ['tags a string', (m) => m.logPerformanceMetric('latency', 1, 'ms', 'x' as never), 'tags'],
  ['tag NaN', (m) => m.logPerformanceMetric('latency', 1, 'ms', { endpoint: Number.NaN }), 'tags.endpoint'],
  ['tag an object', (m) => m.logPerformanceMetric('latency', 1, 'ms', { endpoint: {} as never }), 'tags.endpoint'],
  ['tag __proto__', (m) => m.logPerformanceMetric('latency', 1, 'ms', JSON.parse('{"__proto__":"x"}')), 'tags.__proto__'],
  ['empty tag value', (m) => m.logPerformanceMetric('latency', 1, 'ms', { endpoint: '' }), 'tags.endpoint'],
];

// Loop cases run with `main` started (executionId run-1), so ending it wrongly can be tried.
const LOOP_CASES: [string, Call, string][] = [
  ['start with an empty name', (m) => m.startLoopExecution(''), 'loopName'],
  ['start with options a string', (m) => m.startLoopExecution('other', 'x' as never), 'options'],
  ['start with an empty executionId', (m) => m.startLoopExecution('other', { executionId: '' }), 'executionId'],
  ['start with a running executionId', (m) => m.startLoopExecution('main', { executionId: 'run-1' }), 'executionId'],
  [
    'start with additionalData holding a function',
    (m) => m.startLoopExecution('other', { additionalData: { f: () => 1 } }),
    'additionalData.f',
  ],
  ['end a loop never started', (m) => m.endLoopExecution('never_started'), 'loopName'],
  ['end with an empty name', (m) => m.endLoopExecution(''), 'loopName'],
  ['end with success a string', (m) => m.endLoopExecution('main', { success: 'yes' as never }), 'success'],
  ['end with tradesExecuted -1', (m) => m.endLoopExecution('main', { tradesExecuted: -1 }), 'tradesExecuted'],
  ['end with tradesExecuted 1.5', (m) => m.endLoopExecution('main', { tradesExecuted: 1.5 }), 'tradesExecuted'],
  ['end with tradesExecuted NaN', (m) => m.endLoopExecution('main', { tradesExecuted: Number.NaN }), 'tradesExecuted'],
  ['end with an unknown executionId', (m) => m.endLoopExecution('main', { executionId: 'run-404' }), 'executionId'],
  ['end with an empty errorMessage', (m) => m.endLoopExecution('main', { errorMessage: '' }), 'errorMessage'],
  ['end with additionalData cyclic', (m) => m.endLoopExecution('main', { additionalData: cyclic() }), 'additionalData.self'],
  ['trackLoop without a function', (m) => m.trackLoop('other', 'body' as never), 'body'],
  ['trackLoop with an empty name', (m) => m.trackLoop('', () => 1), 'loopName'],
];

const OTHER_CASES: [string, Call, string][] = [
  ['balance negative', (m) => m.updateAccountBalance(-1), 'balance'],
  ['balance NaN', (m) => m.updateAccountBalance(Number.NaN), 'balance'],
  ['balance Infinity', (m) => m.updateAccountBalance(Number.POSITIVE_INFINITY), 'balance'],
  ['balance a string', (m) => m.updateAccountBalance('15000' as never), 'balance'],
  ['market price for an empty symbol', (m) => m.updateMarketPrice('', 100), 'symbol'],
  ['market price 0', (m) => m.updateMarketPrice('BTCUSDT', 0), 'price'],
  ['market price NaN', (m) => m.updateMarketPrice('BTCUSDT', Number.NaN), 'price'],
  ['recent events limit -1', (m) => m.recentEvents.query({ limit: -1 }), 'limit'],
  ['recent events limit 1.5', (m) => m.recentEvents.query({ limit: 1.5 }), 'limit'],
  ['recent events limit a string', (m) => m.recentEvents.query({ limit: '10' as never }), 'limit'],
  ['recent events unknown type', (m) => m.recentEvents.query({ eventType: 'trade' as never }), 'eventType'],
  ['recent events since a string', (m) => m.recentEvents.query({ since: 'yesterday' as never }), 'since'],
  ['recent events since an invalid Date', (m) => m.recentEvents.query({ since: new Date(Number.NaN) }), 'since'],
  ['recent events query a string', (m) => m.recentEvents.query('all' as never), 'query'],
  ['errors since a string', (m) => m.recentEvents.errorsSince('today' as never), 'since'],
  ['trades since an invalid Date', (m) => m.recentEvents.tradesSince(new Date(Number.NaN)), 'since'],
  ['trade callback not a function', (m) => m.addTradeCallback('cb' as never), 'callback'],
  ['error callback not a function', (m) => m.addErrorCallback(null as never), 'callback'],
  ['performance callback not a function', (m) => m.addPerformanceCallback({} as never), 'callback'],
];

/** Calls `call` and returns the ValidationError it throws (or rejects with). */
async function refusal(monitor: MonitoringSystem, call: Call): Promise<ValidationError> {
  let result: unknown;
  try {
    result = call(monitor);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  // trackLoop is async: its refusal is a rejected promise.
  if (result instanceof Promise) {
    const error = await result.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but the call succeeded');
}

describe('refused input', () => {
  let monitor: MonitoringSystem;
  let probe: ProbeSink;
  let callbackCalls: number;

  beforeEach(async () => {
    monitor = createTestMonitor();
    await monitor.start();
    monitor.startLoopExecution('main', { executionId: 'run-1' });
    monitor.updateAccountBalance(1000);
    callbackCalls = 0;
    monitor.addTradeCallback(() => {
      callbackCalls++;
    });
    monitor.addErrorCallback(() => {
      callbackCalls++;
    });
    monitor.addPerformanceCallback(() => {
      callbackCalls++;
    });
    // Added last, so it has seen nothing yet.
    probe = addProbe(monitor);
  });

  afterEach(async () => {
    await monitor.stop();
  });

  it.each([
    ...TRADE_CASES.map(([what, call, field]) => [`logTrade: ${what}`, field, call] as const),
    ...LIQUIDITY_CASES.map(([what, call, field]) => [`logLiquidityAnalysis: ${what}`, field, call] as const),
    ...ERROR_CASES.map(([what, call, field]) => [`logError: ${what}`, field, call] as const),
    ...PERFORMANCE_CASES.map(([what, call, field]) => [`logPerformanceMetric: ${what}`, field, call] as const),
    ...LOOP_CASES.map(([what, call, field]) => [`loops: ${what}`, field, call] as const),
    ...OTHER_CASES.map(([what, call, field]) => [what, field, call] as const),
  ])('%s → field %s', async (_what, field, call) => {
    const ringBefore = monitor.recentEvents.query({ limit: 1_000_000 });
    const recordedBefore = monitor.getSystemHealth().eventsRecorded;

    const err = await refusal(monitor, call);

    expect(err.field).toBe(field);
    expect(err.name).toBe('ValidationError');
    // The message names the field, the value and what is accepted.
    expect(err.message).toContain(field);
    expect(err.message).toContain(err.accepted);
    expect(err.accepted.length).toBeGreaterThan(0);

    // Nothing half-recorded anywhere.
    expect(probe.seen).toEqual([]);
    expect(monitor.recentEvents.query({ limit: 1_000_000 })).toEqual(ringBefore);
    expect(monitor.getSystemHealth().eventsRecorded).toBe(recordedBefore);
    expect(callbackCalls).toBe(0);
    expect(monitor.getActiveExecutions().map((r) => r.executionId)).toEqual(['run-1']);
    expect(monitor.accountBalance).toBe(1000);
    expect(monitor.getPositions()).toEqual([]);

    // And the monitor keeps working.
    const ok = monitor.logTrade(TRADE);
    expect(probe.seen).toEqual([ok]);
    expect(callbackCalls).toBe(1);
    const loop = monitor.endLoopExecution('main', { executionId: 'run-1', tradesExecuted: 1 });
    expect(loop.success).toBe(true);
    expect(probe.seen).toEqual([ok, loop]);
  });

  it('shows the refused value in the message', async () => {
    expect((await refusal(monitor, trade({ price: Number.NaN }))).message).toBe(
      'Invalid price: NaN; expected a finite number greater than 0',
    );
    expect((await refusal(monitor, trade({ side: 'hold' }))).message).toBe('Invalid side: "hold"; expected one of buy, sell');
    const err = await refusal(monitor, (m) => m.logError('boom', { errorType: 'meteor_strike' as never }));
    expect(err.value).toBe('meteor_strike');
    expect(err.message).toContain('"meteor_strike"');
    expect(err.message).toContain('network_timeout');
  });
});
