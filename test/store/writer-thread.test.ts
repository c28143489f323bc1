// The SQLite writer thread: rows committed off the caller's thread, in order, exactly once; faults keep rows; back-pressure drops nothing.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import type { TradeMetric } from '../../src/events/types.js';
import { HistoryStore, type HistoryStoreOptions } from '../../src/store/HistoryStore.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { executionIds, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const stores: HistoryStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  dirs.cleanup();
});

function threadStore(options: Partial<HistoryStoreOptions> = {}) {
  const path = join(dirs.make(), 't.db');
  const failures: unknown[] = [];
  const store = new HistoryStore(new SqliteBackend({ kind: 'file', path }), {
    clock: systemClock,
    flushIntervalMs: 60_000,
    maxBufferRows: 100_000,
    retentionDays: null,
    exitHooks: false,
    writerThread: true,
    onFailure: (e) => failures.push(e),
    ...options,
  });
  stores.push(store);
  store.start();
  return { store, path, failures };
}

const trade = (id: string) => buildTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1, executionId: id }, T0);

describe('writer thread', () => {
  it('starts, and flushSync() commits every row in order before it returns (read-your-writes)', () => {
    const { store, path } = threadStore();
    expect((store as unknown as { thread: unknown }).thread).not.toBeNull();
    const ids = Array.from({ length: 25_000 }, (_, i) => `r${i}`);
    for (const id of ids) store.record(trade(id));
    expect(store.flushSync()).toBe(true);
    expect(executionIds(path)).toEqual(ids);
    expect(store.databaseStats().trades).toBe(25_000);
    expect(store.stats()).toMatchObject({ rowsWritten: 25_000, bufferedRows: 0, droppedRows: 0, writeFailures: 0 });
  });

  it('a locked database: the batch is kept, counted, reported, and written once when the lock goes', () => {
    const { store, path, failures } = threadStore();
    const locker = openRaw(path);
    locker.exec('BEGIN EXCLUSIVE');
    try {
      for (let i = 0; i < 10; i++) store.record(trade(`l${i}`));
      expect(store.flushSync()).toBe(false);
      expect(store.stats()).toMatchObject({ bufferedRows: 10, rowsWritten: 0 });
      expect(store.stats().writeFailures).toBeGreaterThan(0);
      expect(String(failures[0])).toMatch(/locked/);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    store.record(trade('l10'));
    expect(store.flushSync()).toBe(true);
    expect(executionIds(path)).toEqual(Array.from({ length: 11 }, (_, i) => `l${i}`));
    expect(store.stats()).toMatchObject({ bufferedRows: 0, rowsWritten: 11, droppedRows: 0 });
  });

  it('a row the database refuses is dropped alone, counted and reported; the rest of its batch is written', () => {
    const { store, path, failures } = threadStore();
    store.record(trade('a'));
    store.record({ ...trade('bad'), symbol: null } as unknown as TradeMetric);
    store.record(trade('b'));
    expect(store.flushSync()).toBe(true);
    expect(executionIds(path)).toEqual(['a', 'b']);
    expect(store.stats()).toMatchObject({ droppedRows: 1, rowsWritten: 2, bufferedRows: 0 });
    expect(String(failures[0])).toMatch(/refused.*NOT NULL/);
  });

  it('a bot logging faster than the thread commits waits for it instead of dropping rows', () => {
    const { store, path } = threadStore({ maxBufferRows: 1000, flushAtRows: 100, rowsPerTransaction: 100 });
    for (let i = 0; i < 20_000; i++) store.record(trade(`p${i}`));
    expect(store.stats().droppedRows).toBe(0);
    expect(store.flushSync()).toBe(true);
    expect(executionIds(path)).toHaveLength(20_000);
  });

  it('stop() writes what is left, ends the thread, and a restart writes through a new one', async () => {
    const { store, path } = threadStore();
    store.record(trade('s1'));
    await store.stop();
    expect(executionIds(path)).toEqual(['s1']);
    store.start();
    store.record(trade('s2'));
    await store.stop();
    expect(executionIds(path)).toEqual(['s1', 's2']);
  });
});
