// The history buffer's encoded rows, and the batches the writer thread gets: every row comes back exactly as it went, whatever its kind or shape.

import { describe, expect, it } from 'vitest';
import { buildProfitLoss, buildTrade } from '../../src/events/build.js';
import { EventType, type MonitorEvent, type TradeEvent } from '../../src/events/types.js';
import { RowBatch } from '../../src/store/batchCodec.js';
import { RowQueue } from '../../src/store/RowQueue.js';
import { T0 } from './helpers.js';

function rowsOf(events: readonly MonitorEvent[]): RowBatch {
  const rows = new RowBatch(2);
  for (const e of events) rows.push(e);
  return rows;
}

/** Through structured clone, as postMessage does, transferring both buffers. */
function acrossThreads(rows: RowBatch): RowBatch {
  const batch = rows.encode();
  return RowBatch.decode(structuredClone(batch, { transfer: [batch.nums.buffer as ArrayBuffer, batch.bytes.buffer as ArrayBuffer] }));
}

function roundTrip(events: readonly MonitorEvent[], start = 0, end = events.length): MonitorEvent[] {
  const rows = rowsOf(events.slice(0, end));
  rows.dropFirst(start);
  expect(rows.toArray()).toEqual(events.slice(start, end));
  return acrossThreads(rows).toArray();
}

describe('batch codec', () => {
  it('trades, P&L events and other events come back equal, in order', () => {
    const plain = buildTrade({ symbol: 'BTC/USDT', side: 'buy', quantity: 0.5, price: 65_000.25, executionId: 'e1' }, T0);
    const full = buildTrade(
      {
        symbol: 'ÉTH/€',
        side: 'sell',
        quantity: 2,
        price: 3000,
        fee: 1.5,
        executionTimeMs: 12,
        slippageBps: -0.5,
        executionId: 'e-2-ü',
        orderId: 'o-9',
        pnl: -12.75,
        additionalData: { venue: 'x', nested: { n: 1 } },
      },
      T0 + 1,
    );
    // Empty strings (never built, but they must keep their place) and a zero P&L.
    const zeroPnl = { ...buildTrade({ symbol: 'S', side: 'buy', quantity: 1, price: 1, pnl: 0 }, T0 + 2), executionId: '', orderId: '' };
    const pnl = buildProfitLoss({
      timestamp: T0 + 1,
      symbol: 'ÉTH/€',
      executionId: 'e-2-ü',
      realizedPnl: 4.25,
      positionQuantity: -1,
      averageCost: 2999.5,
      cumulativeRealizedPnl: 10,
    });
    const other = { eventType: EventType.PERFORMANCE_METRIC, timestamp: T0, metricName: 'm', value: 1, unit: 'u', tags: { a: 'b' } };
    const events = [plain, full, other, pnl, zeroPnl] as MonitorEvent[];
    expect(roundTrip(events)).toEqual(events);
    expect(roundTrip(events, 1, 4)).toEqual(events.slice(1, 4));
    expect(roundTrip([])).toEqual([]);
  });

  it('a hand-made row that does not fit the layout goes as it is (so the database refuses what it holds)', () => {
    const good = buildTrade({ symbol: 'A', side: 'buy', quantity: 1, price: 1, executionId: 'a' }, T0);
    const bad = { ...good, symbol: null, quantity: '1' } as unknown as TradeEvent;
    const back = roundTrip([good, bad]);
    expect(back).toEqual([good, bad]);
    expect((back[1] as unknown as { symbol: unknown }).symbol).toBeNull();
  });

  it('an all-ASCII batch and a batch with one wider character both come back exactly', () => {
    const ascii = Array.from({ length: 50 }, (_, i) =>
      buildTrade(
        { symbol: `SYM${i % 4}`, side: 'sell', quantity: i + 1, price: 2, executionId: `id-${i}`, orderId: i % 2 ? `o${i}` : undefined },
        T0 + i,
      ),
    );
    const rows = rowsOf(ascii);
    expect(rows.encode().ascii).toBe(true);
    expect(acrossThreads(rows).toArray()).toEqual(ascii);
    const wide = [...ascii, buildTrade({ symbol: 'X', side: 'buy', quantity: 1, price: 1, executionId: 'ünï' }, T0), ...ascii];
    const wideRows = rowsOf(wide);
    expect(wideRows.encode().ascii).toBe(false);
    expect(acrossThreads(wideRows).toArray()).toEqual(wide);
  });

  it('a decoded ASCII batch larger than one run of text gives back every string whole, read in order, backwards or again', () => {
    // 3,000 trades of 36-character ids and 100-character order ids: about 450 KB of text, many runs.
    const trades = Array.from({ length: 3000 }, (_, i) =>
      buildTrade(
        {
          symbol: `S${i % 7}`,
          side: 'buy',
          quantity: 1,
          price: 1,
          executionId: `${String(i).padStart(36, 'x')}`,
          orderId: `${i}`.padEnd(100, '-'),
        },
        T0 + i,
      ),
    );
    const back = acrossThreads(rowsOf(trades));
    expect(back.toArray()).toEqual(trades);
    for (let i = trades.length - 1; i >= 0; i -= 97) expect(back.at(i)).toEqual(trades[i]);
    expect(back.toArray()).toEqual(trades);
  });

  it('a string UTF-8 cannot carry unchanged (a lone surrogate) keeps its row as the object it is', () => {
    // Hand-made: the builder refuses it.
    const lone = { ...buildTrade({ symbol: 'A', side: 'buy', quantity: 1, price: 1, executionId: 'a' }, T0), executionId: 'x\ud800y' };
    const after = buildTrade({ symbol: 'B', side: 'sell', quantity: 2, price: 3, executionId: 'ok' }, T0 + 1);
    const back = roundTrip([lone, after]);
    expect(back).toEqual([lone, after]);
    expect(back[0]!.eventType === EventType.TRADE_EXECUTION && back[0]!.executionId).toBe('x\ud800y');
  });

  it('rows pushed past every initial capacity, then dropped from the front, cross with their objects renumbered', () => {
    const events: MonitorEvent[] = [];
    for (let i = 0; i < 500; i++) {
      const extra = i % 7 === 0 ? { n: i } : undefined;
      events.push(
        buildTrade(
          {
            symbol: `S${i % 13}`,
            side: i % 2 ? 'buy' : 'sell',
            quantity: i + 0.5,
            price: 100 + i,
            executionId: `id-${'é'.repeat(i % 40)}-${i}`,
            additionalData: extra,
          },
          T0 + i,
        ),
      );
      if (i % 11 === 0)
        events.push({ eventType: EventType.PERFORMANCE_METRIC, timestamp: T0 + i, metricName: `m${i}`, value: i, unit: 'u', tags: {} });
    }
    const rows = rowsOf(events);
    expect(rows.length).toBe(events.length);
    rows.dropFirst(123);
    expect(rows.length).toBe(events.length - 123);
    const crossed = acrossThreads(rows);
    expect(crossed.toArray()).toEqual(events.slice(123));
    // The copy holds only the objects of the rows it carries.
    expect(rows.encode().objects.length).toBe(
      events.slice(123).filter((e) => e.eventType !== EventType.TRADE_EXECUTION || e.additionalData !== null).length,
    );
    rows.dropFirst(rows.length);
    expect(rows.length).toBe(0);
    expect(rows.toArray()).toEqual([]);
    rows.push(events[0]!);
    expect(rows.toArray()).toEqual([events[0]]);
  });

  it('grows to its row limit and no further, yet takes rows past it', () => {
    const trades = Array.from({ length: 300 }, (_, i) =>
      buildTrade({ symbol: 'S', side: 'buy', quantity: 1, price: i + 1, executionId: `e${i}` }, T0 + i),
    );
    const capped = new RowBatch(1, 200);
    const free = new RowBatch(1);
    for (const t of trades.slice(0, 200)) {
      capped.push(t);
      free.push(t);
    }
    // 200 rows of 15 numbers: the capped arrays hold exactly that; doubling went to 256 rows.
    expect(capped.capacityBytes).toBeLessThan(free.capacityBytes);
    for (const t of trades.slice(200)) capped.push(t);
    expect(capped.toArray()).toEqual(trades);
  });

  it('is copied into arrays handed back when they have room, and into new ones with room to spare when not', () => {
    const events = [
      buildTrade({ symbol: 'ΔBTC', side: 'buy', quantity: 1, price: 2, executionId: 'x1', orderId: 'o1' }, T0),
      buildProfitLoss({
        timestamp: T0,
        symbol: 'ΔBTC',
        executionId: 'x1',
        realizedPnl: 0.5,
        positionQuantity: 1,
        averageCost: 2,
        cumulativeRealizedPnl: 0.5,
      }),
      buildTrade({ symbol: 'ETH', side: 'sell', quantity: 3, price: 4, executionId: 'x2' }, T0 + 1),
    ];
    const rows = rowsOf(events);
    const roomy = { nums: new Float64Array(1024).fill(7), bytes: new Uint8Array(1024).fill(7) };
    const into = rows.encode(roomy);
    // Views of the arrays given, of exactly the batch's length: what is posted is what was written.
    expect(into.nums.buffer).toBe(roomy.nums.buffer);
    expect(into.bytes.buffer).toBe(roomy.bytes.buffer);
    expect(into.nums.length).toBe(rows.encode().nums.length);
    expect(into.bytes.length).toBe(rows.encode().bytes.length);
    const moved = structuredClone(into, { transfer: [into.nums.buffer as ArrayBuffer, into.bytes.buffer as ArrayBuffer] });
    expect(RowBatch.decode(moved).toArray()).toEqual(events);
    expect(roomy.nums.length).toBe(0); // transferred whole, as the writer thread's answer hands it back

    const small = { nums: new Float64Array(3), bytes: new Uint8Array(3) };
    const fresh = rows.encode(small);
    expect(fresh.nums.buffer).not.toBe(small.nums.buffer);
    expect(fresh.bytes.buffer).not.toBe(small.bytes.buffer);
    expect(fresh.nums.buffer.byteLength).toBeGreaterThan(fresh.nums.byteLength);
    expect(RowBatch.decode(fresh).toArray()).toEqual(events);
  });

  it('a malformed batch is refused, not misread', () => {
    const batch = rowsOf([buildTrade({ symbol: 'A', side: 'buy', quantity: 1, price: 1, executionId: 'a' }, T0)]).encode();
    const longer = new Uint8Array(batch.bytes.length + 1);
    longer.set(batch.bytes);
    expect(() => RowBatch.decode({ ...batch, bytes: longer })).toThrow(/malformed/);
    const nums = batch.nums.slice();
    nums[0] = 9;
    expect(() => RowBatch.decode({ ...batch, nums })).toThrow(/malformed/);
    const cut = batch.nums.slice(0, 10);
    expect(() => RowBatch.decode({ ...batch, nums: cut })).toThrow(/malformed/);
    expect(() => RowBatch.decode({ ...batch, objects: [], nums: Float64Array.of(3, 0) })).toThrow(/malformed/);
  });
});

describe('row queue', () => {
  const trade = (i: number) => buildTrade({ symbol: `S${i % 3}`, side: 'buy', quantity: 1, price: i + 1, executionId: `e${i}` }, T0 + i);

  it('hands out the oldest rows in batches of at most batchRows, takes rows back in front, and reuses a written batch', () => {
    const queue = new RowQueue(4);
    const events = Array.from({ length: 10 }, (_, i) => trade(i));
    for (const e of events) queue.push(e);
    expect(queue.length).toBe(10);
    const first = queue.shift()!;
    expect(first.toArray()).toEqual(events.slice(0, 4));
    expect(queue.length).toBe(6);
    // The thread took one row of it: the other three go back in front, before everything else.
    first.dropFirst(1);
    queue.unshift(first);
    expect(queue.length).toBe(9);
    expect(queue.toArray()).toEqual(events.slice(1));
    queue.dropFirst(2);
    expect(queue.toArray()).toEqual(events.slice(3));
    const again = queue.shift()!;
    expect(again.toArray()).toEqual(events.slice(3, 4));
    queue.recycle(again);
    expect(again.length).toBe(0);
    // Emptied, the queue builds its next batch in the recycled one, after the rows still queued.
    while (queue.length > 0) queue.dropFirst(1);
    queue.push(events[9]!);
    expect(queue.peek()).toBe(again);
    expect(queue.toArray()).toEqual([events[9]]);
  });
});
