// Generated bad input for every public recording method: a complete event everywhere, or a ValidationError naming a field.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { EventType, type MonitorEvent } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

const weird = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324),
  fc.constantFrom('', ' ', '\u0000', '\n\t', 'x'.repeat(10_000), '𝔅𝔗𝔆', '<script>', "'; DROP TABLE trades; --", '__proto__'),
  fc.constantFrom(null, undefined, true, [], {}, () => 1, Symbol('s'), 10n, new Date(Number.NaN), new Date(8.64e15)),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  fc.anything({ maxDepth: 2 }),
);
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: weird });
const symbol = maybe(fc.constantFrom('BTCUSDT', 'ETHUSDT', 'SOL/USDT', 'ÄÖÜ-1'));
const positive = maybe(fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
const nonNegative = maybe(fc.double({ min: 0, max: 1e4, noNaN: true }));
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const tradeArgs = fc.record(
  {
    symbol,
    side: maybe(fc.constantFrom('buy', 'sell')),
    quantity: positive,
    price: positive,
    fee: optional(nonNegative),
    executionTimeMs: optional(nonNegative),
    slippageBps: optional(maybe(fc.double({ min: -50, max: 50, noNaN: true }))),
    executionId: optional(maybe(fc.uuid())),
    pnl: optional(maybe(fc.double({ min: -100, max: 100, noNaN: true }))),
    additionalData: optional(maybe(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))),
    extra: optional(fc.anything({ maxDepth: 1 })),
  },
  // Missing required fields come from `weird` (which includes undefined) and from the other keys.
  { requiredKeys: ['symbol', 'side', 'quantity', 'price'] },
);

type Call = { method: string; args: unknown[] };
const call = fc.oneof(
  tradeArgs.map((t): Call => ({ method: 'logTrade', args: [t] })),
  fc
    .tuple(
      maybe(fc.constantFrom('api_latency', 'fill_ratio')),
      maybe(fc.double({ noNaN: true, min: -1e6, max: 1e6 })),
      optional(maybe(fc.constantFrom('ms', 'ratio'))),
      optional(maybe(fc.dictionary(fc.constantFrom('endpoint', 'venue'), fc.constantFrom('/order', 'binance')))),
    )
    .map((a): Call => ({ method: 'logPerformanceMetric', args: a })),
  fc
    .record(
      {
        symbol,
        spread: nonNegative,
        bidSize: nonNegative,
        askSize: nonNegative,
        marketDepth: nonNegative,
        volatility24h: optional(nonNegative),
        volume24h: optional(nonNegative),
      },
      { requiredKeys: ['symbol', 'spread', 'bidSize', 'askSize', 'marketDepth'] },
    )
    .map((l): Call => ({ method: 'logLiquidityAnalysis', args: [l] })),
  fc
    .tuple(
      maybe(fc.constantFrom('timeout', 'rejected')),
      optional(
        fc.record(
          {
            errorType: optional(maybe(fc.constantFrom('network_timeout', 'rate_limit', 'order_rejected'))),
            severity: optional(maybe(fc.constantFrom('low', 'medium', 'high', 'critical'))),
            context: optional(weird),
          },
          { requiredKeys: [] },
        ),
      ),
    )
    .map((a): Call => ({ method: 'logError', args: a })),
  fc
    .tuple(
      maybe(fc.constantFrom('main', 'rebalance')),
      optional(fc.record({ executionId: optional(maybe(fc.constantFrom('e1', 'e2'))) }, { requiredKeys: [] })),
    )
    .map((a): Call => ({ method: 'startLoopExecution', args: a })),
  fc
    .tuple(
      maybe(fc.constantFrom('main', 'rebalance')),
      optional(fc.record({ success: optional(maybe(fc.boolean())), tradesExecuted: optional(maybe(fc.nat(20))) }, { requiredKeys: [] })),
    )
    .map((a): Call => ({ method: 'endLoopExecution', args: a })),
  maybe(fc.double({ min: 0, max: 1e7, noNaN: true })).map((b): Call => ({ method: 'updateAccountBalance', args: [b] })),
  fc.tuple(symbol, positive).map((a): Call => ({ method: 'updateMarketPrice', args: a })),
  fc
    .record(
      { limit: optional(maybe(fc.nat(50))), eventType: optional(maybe(fc.constantFrom(...Object.values(EventType)))) },
      { requiredKeys: [] },
    )
    .map((q): Call => ({ method: 'getRecentEvents', args: [q] })),
);

const EVENT_OF: Record<string, EventType | undefined> = {
  logTrade: EventType.TRADE_EXECUTION,
  logPerformanceMetric: EventType.PERFORMANCE_METRIC,
  logLiquidityAnalysis: EventType.LIQUIDITY_ANALYSIS,
  logError: EventType.ERROR_EVENT,
  endLoopExecution: EventType.LOOP_EXECUTION,
};

describe('generated bad input', () => {
  let monitor: MonitoringSystem;
  const seen: MonitorEvent[] = [];
  const accepted: Record<string, number> = {};
  const callbackTrades: unknown[] = [];

  beforeAll(async () => {
    monitor = new MonitoringSystem({ storage: 'memory', logFile: null, enableMetricsServer: false, maxDataPoints: 1_000_000 });
    monitor.addSink({ name: 'probe', record: (e) => seen.push(e) });
    monitor.addTradeCallback((t) => callbackTrades.push(t));
    await monitor.start();
  });
  afterAll(async () => {
    await monitor.stop();
  });

  it('every call records a complete event or throws ValidationError naming a field — nothing else, nothing partial', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 30 }), (calls) => {
        for (const c of calls) {
          const before = seen.length;
          let result: unknown;
          try {
            result = (monitor as unknown as Record<string, (...a: unknown[]) => unknown>)[c.method]!(...c.args);
          } catch (error) {
            expect(error, `${c.method} threw a non-validation error`).toBeInstanceOf(ValidationError);
            expect(typeof (error as ValidationError).field).toBe('string');
            expect((error as ValidationError).field.length).toBeGreaterThan(0);
            expect(seen.length, `${c.method} left a partial record`).toBe(before);
            continue;
          }
          accepted[c.method] = (accepted[c.method] ?? 0) + 1;
          const type = EVENT_OF[c.method];
          if (type !== undefined) {
            const mine = seen.slice(before).filter((e) => e.eventType === type);
            expect(mine).toHaveLength(1);
            expect(mine[0]).toBe(result);
            expect(Object.isFrozen(mine[0])).toBe(true);
            // Complete: every field serialises, no NaN or undefined slipped through.
            const json = JSON.stringify(mine[0]);
            expect(json).not.toMatch(/NaN|Infinity/);
            for (const v of Object.values(mine[0]!)) expect(v).not.toBeUndefined();
          }
        }
      }),
      { numRuns: 1500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The probe, the ring and the callbacks agree with the number of accepted calls.
    const count = (t: EventType) => seen.filter((e) => e.eventType === t).length;
    expect(count(EventType.TRADE_EXECUTION)).toBe(accepted.logTrade ?? 0);
    expect(callbackTrades).toHaveLength(accepted.logTrade ?? 0);
    expect(count(EventType.ERROR_EVENT)).toBe(accepted.logError ?? 0);
    expect(count(EventType.LOOP_EXECUTION)).toBe(accepted.endLoopExecution ?? 0);
    expect(monitor.getRecentEvents({ limit: 1_000_000, eventType: 'trade_execution' })).toHaveLength(accepted.logTrade ?? 0);
    expect(accepted.logTrade).toBeGreaterThan(200);
    // The monitor still works.
    expect(monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 1 }).notionalValue).toBe(1);
    expect(monitor.getSystemHealth().sinkFailures).toBe(0);
  });
});
