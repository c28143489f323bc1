// Generated bad input for every public recording method: a complete event everywhere, or a ValidationError naming a field.
// Afterwards the real sinks (SQLite file, /metrics over HTTP, JSON log file, ring) are checked against the accepted calls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { EventType, type MonitorEvent } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { METRICS } from '../../src/telemetry/names.js';
import { addProbe, createTestMonitor } from '../helpers/monitor.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { countRows, sumOf, tempDir, withDb } from './helpers.js';

const weird = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324),
  fc.constantFrom('', ' ', '\u0000', '\n\t', 'x'.repeat(10_000), '𝔅𝔗𝔆', '<script>', "'; DROP TABLE trades; --", '__proto__'),
  fc.constantFrom(null, undefined, true, [], {}, () => 1, Symbol('s'), 10n, new Date(Number.NaN), new Date(8.64e15)),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  fc.anything({ maxDepth: 2 }),
);
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: weird });
// Valid names that are hard on the exposition format: quotes, backslashes, braces, `#`, non-ASCII.
const HOSTILE_NAMES = ['a"b', 'back\\slash', 'x{y}=z,', '# HELP', 'ÄÖÜ-1', '🚀/USDT'];
const symbol = maybe(fc.constantFrom('BTCUSDT', 'ETHUSDT', 'SOL/USDT', ...HOSTILE_NAMES));
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
      maybe(fc.constantFrom('api_latency', 'fill_ratio', ...HOSTILE_NAMES)),
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
      maybe(fc.constantFrom('main', 'rebalance', ...HOSTILE_NAMES)),
      optional(fc.record({ executionId: optional(maybe(fc.constantFrom('e1', 'e2'))) }, { requiredKeys: [] })),
    )
    .map((a): Call => ({ method: 'startLoopExecution', args: a })),
  fc
    .tuple(
      maybe(fc.constantFrom('main', 'rebalance', ...HOSTILE_NAMES)),
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

/** Lines of a JSON-lines log file per `event_type`; throws on a line that is not JSON. */
function logLineCounts(file: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    let type: string;
    try {
      type = (JSON.parse(line) as { event_type: string }).event_type;
    } catch (error) {
      throw new Error(`not a JSON line (${String(error)}): ${line.slice(0, 2000)}`);
    }
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

describe('generated bad input', () => {
  let monitor: MonitoringSystem;
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;
  let logPath: string;
  const seen: MonitorEvent[] = [];
  const accepted: Record<string, number> = {};
  const callbackTrades: unknown[] = [];
  const n = (method: string) => accepted[method] ?? 0;

  beforeAll(async () => {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'history.db');
    logPath = join(tmp.dir, 'logs', 'monitor.log');
    // Every real sink on: a SQLite file, the HTTP server on a free port, a JSON log file with every level.
    monitor = new MonitoringSystem({
      storage: 'sqlite',
      dbUrl: `sqlite:///${dbPath}`,
      logFile: logPath,
      logFormat: 'json',
      logLevel: 'DEBUG',
      logMaxSizeBytes: 1024 ** 3,
      logConsole: false,
      enableMetricsServer: true,
      metricsPort: 0,
      enableHourlyGrowth: false,
      installSignalHandlers: false,
      maxDataPoints: 1_000_000,
    });
    monitor.addSink({ name: 'probe', record: (e) => seen.push(e) });
    monitor.addTradeCallback((t) => callbackTrades.push(t));
    await monitor.start();
  });
  afterAll(async () => {
    await monitor.stop();
    tmp.remove();
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
          accepted[c.method] = n(c.method) + 1;
          // Every event the call produced (a trade's P&L event too) holds finite figures only.
          // (Walked, not matched in JSON: JSON writes NaN as null, and a key may be named "NaN".)
          for (const e of seen.slice(before)) expect(nonFinitePath(e), `${c.method} produced ${e.eventType}`).toBeNull();
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
    expect(count(EventType.TRADE_EXECUTION)).toBe(n('logTrade'));
    expect(callbackTrades).toHaveLength(n('logTrade'));
    expect(count(EventType.ERROR_EVENT)).toBe(n('logError'));
    expect(count(EventType.LOOP_EXECUTION)).toBe(n('endLoopExecution'));
    expect(monitor.recentEvents.query({ limit: 1_000_000, eventType: 'trade_execution' })).toHaveLength(n('logTrade'));
    // Enough of each kind got through for the counts below to mean something.
    for (const method of ['logTrade', 'logError', 'endLoopExecution', 'logLiquidityAnalysis', 'logPerformanceMetric']) {
      expect(n(method), method).toBeGreaterThan(100);
    }
    // The monitor still works.
    expect(monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 1 }).notionalValue).toBe(1);
    accepted.logTrade = n('logTrade') + 1;
    expect(monitor.getSystemHealth().sinkFailures).toBe(0);
  });

  it('leaves a SQLite file that passes integrity_check, with one row per accepted call', async () => {
    await monitor.flush();
    withDb(dbPath, (db) => {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(countRows(db, 'trades')).toBe(n('logTrade'));
      expect(countRows(db, 'errors')).toBe(n('logError'));
      expect(countRows(db, 'loop_executions')).toBe(n('endLoopExecution'));
      expect(countRows(db, 'liquidity_metrics')).toBe(n('logLiquidityAnalysis'));
      expect(countRows(db, 'performance_metrics')).toBe(n('logPerformanceMetric'));
    });
    const stats = monitor.store.stats();
    expect(stats.droppedRows).toBe(0);
    expect(stats.writeFailures).toBe(0);
  });

  it('serves /metrics over HTTP whose counters equal the accepted calls', async () => {
    const response = await fetch(monitor.metricsUrl!);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(sumOf(text, METRICS.trades.name)).toBe(n('logTrade'));
    expect(sumOf(text, METRICS.errors.name)).toBe(n('logError'));
    expect(sumOf(text, METRICS.loopExecutions.name)).toBe(n('endLoopExecution'));
    expect(sumOf(text, METRICS.events.name, { event_type: EventType.LIQUIDITY_ANALYSIS })).toBe(n('logLiquidityAnalysis'));
    expect(sumOf(text, METRICS.events.name, { event_type: EventType.PERFORMANCE_METRIC })).toBe(n('logPerformanceMetric'));
    expect(sumOf(text, METRICS.events.name, { event_type: EventType.TRADE_EXECUTION })).toBe(n('logTrade'));
    // The hostile names reached the exposition as label values (escaped, as the next test checks).
    expect(text).toContain('symbol="a\\"b"');
    expect(sumOf(text, METRICS.sinkFailures.name)).toBe(0);
  });

  const promtool = findBinary('promtool');
  it.skipIf(promtool === null)('serves /metrics that promtool check metrics accepts', async () => {
    const text = await (await fetch(monitor.metricsUrl!)).text();
    const result = checkMetrics(promtool!, text);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('wrote one log line per accepted call, every line whole JSON', async () => {
    await monitor.flush();
    const lines = logLineCounts(logPath);
    expect(lines[EventType.TRADE_EXECUTION] ?? 0).toBe(n('logTrade'));
    expect(lines[EventType.ERROR_EVENT] ?? 0).toBe(n('logError'));
    expect(lines[EventType.LOOP_EXECUTION] ?? 0).toBe(n('endLoopExecution'));
    expect(lines[EventType.LIQUIDITY_ANALYSIS] ?? 0).toBe(n('logLiquidityAnalysis'));
    expect(lines[EventType.PERFORMANCE_METRIC] ?? 0).toBe(n('logPerformanceMetric'));
  });
});

describe('a trade beyond the range of a double', () => {
  it('is refused as a ValidationError and reaches no sink, and the position is unchanged', async () => {
    const monitor = createTestMonitor();
    const probe = addProbe(monitor);
    await monitor.start();
    try {
      monitor.logTrade({ symbol: 'BIG', side: 'buy', quantity: 1e292, price: 1e8 });
      const before = probe.seen.length;
      // Each trade is within bounds on its own; the position's cost basis would pass them.
      expect(() => monitor.logTrade({ symbol: 'BIG', side: 'buy', quantity: 1e292, price: 1e8 })).toThrow(ValidationError);
      expect(() => monitor.logTrade({ symbol: 'BIG', side: 'buy', quantity: 1e292, price: 1e8 })).toThrow(
        /position's cost and market value/,
      );
      expect(probe.seen.length).toBe(before);
      expect(monitor.getPositions()).toEqual([{ symbol: 'BIG', quantity: 1e292, averageCost: 1e8, realizedPnl: 0 }]);
      expect(() => monitor.logTrade({ symbol: 'BIG', side: 'sell', quantity: 1e292, price: 1e8 })).not.toThrow();
      // A realized P&L that would pass the bound is refused the same way.
      expect(() => monitor.logTrade({ symbol: 'BIG', side: 'buy', quantity: 1, price: 1, pnl: 1e300 })).not.toThrow();
      expect(() => monitor.logTrade({ symbol: 'BIG', side: 'buy', quantity: 1, price: 1, pnl: 1e300 })).toThrow(
        expect.objectContaining({ field: 'quantity' }),
      );
      expect(Number.isFinite(monitor.totalRealizedPnl)).toBe(true);
    } finally {
      await monitor.stop();
    }
  });
});

/** The path of the first number in `value` that is NaN or infinite, or null when there is none. */
function nonFinitePath(value: unknown, path = '$'): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = nonFinitePath(v, `${path}.${key}`);
    if (found !== null) return found;
  }
  return null;
}
