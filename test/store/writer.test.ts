// The batched writer's schedule on a manual clock: the hot path writes nothing; the interval, size and backlog rules do.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { buildSystemEvent, buildTrade } from '../../src/events/build.js';
import { HistoryStore } from '../../src/store/HistoryStore.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const stores: HistoryStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  dirs.cleanup();
});

function storeOn(clock: ManualClock, options: { flushAtRows?: number; rowsPerTransaction?: number } = {}) {
  const backend = new SqliteBackend({ kind: 'file', path: join(dirs.make(), 'w.db') });
  const store = new HistoryStore(backend, {
    clock,
    flushIntervalMs: 1000,
    maxBufferRows: 100_000,
    retentionDays: null,
    onFailure: (e) => {
      throw e;
    },
    ...options,
  });
  stores.push(store);
  store.start();
  return { store, backend };
}

const trade = (i: number) => buildTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1, executionId: `w${i}` }, T0);

describe('batched writer', () => {
  it('record() only buffers; the flush interval of the clock writes everything in one transaction', () => {
    const clock = new ManualClock(T0);
    const { store, backend } = storeOn(clock);
    for (let i = 0; i < 500; i++) store.record(trade(i));
    store.record(buildSystemEvent('notice', 'no table for system events', null, T0));
    expect(backend.counts().trades).toBe(0);
    clock.advance(999);
    expect(backend.counts().trades).toBe(0);
    clock.advance(1);
    expect(backend.counts().trades).toBe(500);
    expect(store.stats()).toMatchObject({ flushes: 1, lastFlushRows: 500, bufferedRows: 0 });
  });

  it('reaching flushAtRows schedules an early flush on the next timer turn, not inside record()', () => {
    const clock = new ManualClock(T0);
    const { store, backend } = storeOn(clock, { flushAtRows: 100 });
    for (let i = 0; i < 150; i++) store.record(trade(i));
    expect(backend.counts().trades).toBe(0);
    clock.advance(0);
    expect(backend.counts().trades).toBe(150);
  });

  it('a backlog is written one transaction per timer turn', () => {
    const clock = new ManualClock(T0);
    const { store, backend } = storeOn(clock, { flushAtRows: 100_000, rowsPerTransaction: 100 });
    for (let i = 0; i < 350; i++) store.record(trade(i));
    clock.advance(1000);
    // The first turn wrote 100 rows and re-armed at once; ManualClock runs those turns in order.
    expect(backend.counts().trades).toBe(350);
    expect(store.stats()).toMatchObject({ flushes: 4, lastFlushRows: 50 });
  });
});
