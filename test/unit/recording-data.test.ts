// What JSON cannot carry in additionalData is refused naming its path or converted as documented; an Error is never refused, whatever its getters do.

import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { createTestMonitor } from '../helpers/monitor.js';

const TRADE = { symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45_000 } as const;

let monitor: MonitoringSystem;
afterEach(async () => {
  await monitor?.stop();
});

function refusal(additionalData: unknown): ValidationError {
  monitor = createTestMonitor();
  try {
    monitor.logTrade({ ...TRADE, additionalData } as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

describe('additionalData that JSON cannot carry faithfully', () => {
  it.each([
    ['a Map', { order: { fills: [1, 2, new Map([['a', 1]])] } }, 'additionalData.order.fills[2]', /not a Map/],
    ['a Set', { ids: new Set([1]) }, 'additionalData.ids', /not a Set/],
    ['a class instance', { at: new (class Point {})() }, 'additionalData.at', /not a Point/],
    ['a boxed string', { s: new String('x') }, 'additionalData.s', /not a String/],
    ['a symbol key', { o: { [Symbol('k')]: 1, a: 1 } }, 'additionalData.o', /symbol keys/],
    ['a bigint', { n: 1n }, 'additionalData.n', /JSON data/],
    ['a function', { f: () => 1 }, 'additionalData.f', /JSON data/],
    ['undefined in an array', { list: [1, undefined] }, 'additionalData.list[1]', /JSON data/],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    ['a hole in an array', { list: [1, , 3] }, 'additionalData.list[1]', /JSON data/],
  ])('%s is refused with a ValidationError naming its path', (_what, data, field, accepted) => {
    const error = refusal(data);
    expect(error.field).toBe(field);
    expect(error.accepted).toMatch(accepted);
  });

  it('converts as documented: a Date to ISO text, an Error to { name, message }, an undefined value left out', () => {
    monitor = createTestMonitor();
    const trade = monitor.logTrade({
      ...TRADE,
      additionalData: {
        at: new Date(Date.UTC(2026, 10, 24)),
        failure: new TypeError('bad fill'),
        gone: undefined,
        bare: Object.assign(Object.create(null), { k: 1 }),
      },
    });
    expect(trade.additionalData).toEqual({
      at: '2026-11-24T00:00:00.000Z',
      failure: { name: 'TypeError', message: 'bad fill' },
      bare: { k: 1 },
    });
    expect(JSON.parse(JSON.stringify(trade.additionalData))).toEqual(trade.additionalData);
  });

  it('redacts secrets in string values as in free text', () => {
    monitor = createTestMonitor();
    const trade = monitor.logTrade({ ...TRADE, additionalData: { request: 'GET /v3/order?apiKey=abc123&symbol=BTC' } });
    expect(trade.additionalData).toEqual({ request: 'GET /v3/order?apiKey=[REDACTED]&symbol=BTC' });
  });
});

describe('logError with a hostile Error', () => {
  const throwing = () => {
    throw new Error('getter exploded');
  };
  it.each(['stack', 'message', 'name', 'cause'])('an Error whose %s getter throws is recorded, not refused', (property) => {
    monitor = createTestMonitor();
    const error = new Error('order rejected');
    Object.defineProperty(error, property, { get: throwing, configurable: true });
    const event = monitor.logError(error, { severity: 'high' });
    expect(event.message).toBe(property === 'message' ? 'Error' : 'order rejected');
    if (property === 'stack') expect(event.stackTrace).toBeNull();
  });

  it('an Error whose every getter throws is recorded as "Error"', () => {
    monitor = createTestMonitor();
    const error = new Error('x');
    for (const p of ['stack', 'message', 'name', 'cause']) Object.defineProperty(error, p, { get: throwing, configurable: true });
    expect(monitor.logError(error).message).toBe('Error');
  });
});
