// Storage faults: a locked database keeps rows buffered and retries; bounded buffer drops are counted; bad rows are isolated.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import type { TradeEvent } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { HistoryStore } from '../../src/store/HistoryStore.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { executionIds, monitorAt, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

describe('storage faults', () => {
  it('a database locked by another connection: rows stay buffered, are counted, reported, retried, and arrive once', async () => {
    const path = join(dirs.make(), 'locked.db');
    const clock = new ManualClock(T0);
    const m = monitorAt(path, clock, { flushIntervalMs: 1000 });
    open.push(m);
    const reported: string[] = [];
    m.diagnostics.onFailure((where, error) => reported.push(`${where}: ${(error as Error).message}`));
    await m.start();
    const expected: string[] = [];
    const log = (n: number) => {
      for (let i = 0; i < n; i++)
        expected.push(m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: `x${expected.length}` }).executionId);
    };
    log(10);
    clock.advance(1000);
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 10, writeFailures: 0 });

    const locker = openRaw(path);
    locker.exec('BEGIN EXCLUSIVE');
    try {
      log(50);
      clock.advance(1000);
      expect(m.metricsCollector.stats()).toMatchObject({ writeFailures: 1, bufferedRows: 50, rowsWritten: 10 });
      expect(m.diagnostics.sinkFailures.get('store')).toBe(1);
      expect(reported).toEqual([expect.stringMatching(/^sink:store: .*locked/)]);
      // The bot carries on, and what it logged is still visible.
      log(50);
      const visible = m.metricsCollector.getTradeMetrics({ limit: 1000 });
      expect(visible.map((t) => t.executionId)).toEqual([...expected].reverse());
      // Rows still waiting in the buffer come back frozen, like those read from the database.
      expect(visible.every((t) => Object.isFrozen(t))).toBe(true);
      clock.advance(5000);
      const during = m.metricsCollector.stats();
      expect(during.writeFailures).toBeGreaterThan(2);
      expect(during.bufferedRows).toBe(100);
      // Reports are rate-limited while the fault lasts; every failure is counted.
      expect(reported).toHaveLength(1);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    clock.advance(1000);
    const after = m.metricsCollector.stats();
    expect(after).toMatchObject({ bufferedRows: 0, rowsWritten: 110, droppedRows: 0 });
    expect(after.writeFailures).toBeGreaterThan(0);
    expect(executionIds(path)).toEqual(expected);
  });

  it('past the buffer bound, new rows are dropped and counted, reported once, and the rest is written', async () => {
    const path = join(dirs.make(), 'full.db');
    const clock = new ManualClock(T0);
    const m = monitorAt(path, clock, { storeMaxBufferRows: 100 });
    open.push(m);
    const reported: string[] = [];
    m.diagnostics.onFailure((_where, error) => reported.push((error as Error).message));
    await m.start();
    const locker = openRaw(path);
    locker.exec('BEGIN EXCLUSIVE');
    const logged: TradeEvent[] = [];
    try {
      for (let i = 0; i < 130; i++) logged.push(m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1, executionId: `f${i}` }));
      clock.advance(1000);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    expect(m.metricsCollector.stats()).toMatchObject({ droppedRows: 30, bufferedRows: 100 });
    expect(reported.filter((r) => r.includes('buffer full'))).toHaveLength(1);
    await m.flush();
    expect(executionIds(path)).toEqual(logged.slice(0, 100).map((t) => t.executionId));
    expect(m.metricsCollector.stats()).toMatchObject({ droppedRows: 30, bufferedRows: 0, rowsWritten: 100 });
  });

  it('a row the database refuses is dropped alone, counted and reported; its batch is written', async () => {
    const path = join(dirs.make(), 'poison.db');
    const failures: unknown[] = [];
    const store = new HistoryStore(new SqliteBackend({ kind: 'file', path }), {
      clock: new ManualClock(T0),
      flushIntervalMs: 1000,
      maxBufferRows: 1000,
      retentionDays: null,
      onFailure: (e) => failures.push(e),
    });
    store.start();
    try {
      const good = (id: string) => buildTrade({ symbol: 'OK', side: 'buy', quantity: 1, price: 1, executionId: id }, T0);
      // Only a hand-made event can carry this (the facade validates): NOT NULL symbol refuses it.
      const bad = { ...good('bad'), symbol: null } as unknown as TradeEvent;
      store.record(good('a'));
      store.record(bad);
      store.record(good('b'));
      expect(store.flushSync()).toBe(true);
      expect(executionIds(path)).toEqual(['a', 'b']);
      expect(store.stats()).toMatchObject({ droppedRows: 1, rowsWritten: 2, bufferedRows: 0, writeFailures: 0 });
      expect(String(failures[0])).toMatch(/refused.*NOT NULL/);
    } finally {
      await store.stop();
    }
  });

  it('stop() twice is safe, and a failed final flush rejects with FlushError after closing', async () => {
    const path = join(dirs.make(), 'stop.db');
    const m = monitorAt(path);
    await m.start();
    const locker = openRaw(path);
    locker.exec('BEGIN EXCLUSIVE');
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1 });
    const stops = [m.stop(), m.stop()];
    for (const stop of stops) await expect(stop).rejects.toMatchObject({ name: 'FlushError', historyRows: 1, logLines: 0 });
    expect(m.store.backend.isOpen).toBe(false);
    locker.exec('COMMIT');
    locker.close();
    // Kept in memory: a restart writes it.
    await m.start();
    await m.flush();
    expect(executionIds(path)).toHaveLength(1);
    await m.stop();
  });
});
