// The SQLite writer thread: rows committed off the caller's thread, in order, exactly once; faults keep rows; back-pressure drops nothing.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import type { TradeEvent } from '../../src/events/types.js';
import { type BatchBuffers, RowBatch } from '../../src/store/batchCodec.js';
import { HistoryStore, type HistoryStoreOptions } from '../../src/store/HistoryStore.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { threadOptions } from '../../src/store/SqliteWriterThread.js';
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
    store.record({ ...trade('bad'), symbol: null } as unknown as TradeEvent);
    store.record(trade('b'));
    expect(store.flushSync()).toBe(true);
    expect(executionIds(path)).toEqual(['a', 'b']);
    expect(store.stats()).toMatchObject({ droppedRows: 1, rowsWritten: 2, bufferedRows: 0 });
    expect(String(failures[0])).toMatch(/refused.*NOT NULL/);
  });

  it("hands each batch's arrays back with its answer, and the next batch is copied into them", () => {
    const { store, path } = threadStore();
    const thread = (store as unknown as { writer: { thread: { spare: BatchBuffers | null } } }).writer.thread;
    expect(thread.spare).toBeNull();
    for (let i = 0; i < 500; i++) store.record(trade(`h${i}`));
    expect(store.flushSync()).toBe(true);
    const back = thread.spare;
    expect(back).not.toBeNull();
    expect(back!.nums.length).toBeGreaterThan(0);
    const given: (BatchBuffers | null)[] = [];
    const encode = RowBatch.prototype.encode;
    RowBatch.prototype.encode = function (this: RowBatch, into: BatchBuffers | null = null) {
      given.push(into);
      return encode.call(this, into);
    };
    try {
      for (let i = 500; i < 900; i++) store.record(trade(`h${i}`));
      expect(store.flushSync()).toBe(true);
    } finally {
      RowBatch.prototype.encode = encode;
    }
    expect(given[0]).toBe(back);
    // Transferred again, not copied: this thread's view of them is detached.
    expect(back!.nums.length).toBe(0);
    expect(thread.spare).not.toBeNull();
    expect(executionIds(path)).toEqual(Array.from({ length: 900 }, (_, i) => `h${i}`));
  });

  it("the thread's connection keeps SQLite's 2 MiB page cache unless one is named; the main connection keeps its own", () => {
    const opts = threadOptions({ botName: 'b' });
    expect(opts).toMatchObject({ botName: 'b', cacheSizeKb: 2000 });
    expect(threadOptions({ cacheSizeKb: 8000, checkpointEveryRows: 7 })).toMatchObject({ cacheSizeKb: 8000, checkpointEveryRows: 7 });
    const dir = dirs.make();
    const sized = new SqliteBackend({ kind: 'file', path: join(dir, 'a.db') }, opts);
    const plain = new SqliteBackend({ kind: 'file', path: join(dir, 'b.db') });
    sized.open();
    plain.open();
    try {
      const cache = (b: SqliteBackend) =>
        (b as unknown as { current: { db: { pragma(s: string, o: object): unknown } } }).current.db.pragma('cache_size', { simple: true });
      expect(cache(sized)).toBe(-2000);
      expect(cache(plain)).toBe(-16000);
    } finally {
      sized.close();
      plain.close();
    }
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
