// No silent loss and no harm to files: FlushError counts, refused files untouched, a lost file reopened, rows counted as rows.

import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { FlushError } from '../../src/errors.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { executionIds, monitorAt, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
  dirs.cleanup();
});

async function started(path: string, clock = new ManualClock(T0)): Promise<MonitoringSystem> {
  const m = monitorAt(path, clock, { flushIntervalMs: 1000, installSignalHandlers: false });
  open.push(m);
  await m.start();
  return m;
}

const buy = (id: string) => ({ symbol: 'BTC', side: 'buy' as const, quantity: 1, price: 100, executionId: id });

describe('flush() and stop() say what is not durable', () => {
  it('flush() rejects with FlushError counting the rows not written; stop() closes everything, then rejects the same way', async () => {
    const path = join(dirs.make(), 'full.db');
    const m = await started(path);
    m.logTrade(buy('kept'));
    await m.store.flush();
    // The database refuses writes (as a full disk does): every flush fails.
    const locker = openRaw(path);
    locker.exec('BEGIN EXCLUSIVE');
    try {
      for (let i = 0; i < 3; i++) m.logTrade(buy(`lost${i}`));
      const error = await m.store.flush().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FlushError);
      expect(error).toMatchObject({ name: 'FlushError', historyRows: 3, logLines: 0 });
      expect((error as Error).message).toBe('flush incomplete: 3 history rows and 0 log lines are not durable');
      await expect(m.store.stop()).rejects.toMatchObject({ name: 'FlushError', historyRows: 3, logLines: 0 });
      expect(m.store.backend.isOpen).toBe(false);
      expect(m.store.isRunning).toBe(false);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    expect(executionIds(path)).toEqual(['kept']);
  });

  it('counts rows, not P&L updates: two trades, one closing, are 2 rows written', async () => {
    const m = await started(join(dirs.make(), 'rows.db'));
    m.logTrade(buy('open'));
    m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 110, executionId: 'close' });
    await m.store.flush();
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 2, bufferedRows: 0 });
    expect(m.getDatabaseStats().trades).toBe(2);
  });
});

describe('a database that is not ours to write is refused untouched', () => {
  const cases: [string, (db: Database.Database) => void, RegExp][] = [
    [
      'a newer schema',
      (db) => {
        db.exec('CREATE TABLE trades (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL)');
        db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      },
      new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this package's ${SCHEMA_VERSION}`),
    ],
    [
      'a foreign SQLite file',
      (db) => db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO orders (note) VALUES ('x')"),
      /not a poseidon-monitor database: no table trades \(found tables: orders\)/,
    ],
    [
      'a trades table of another program',
      (db) => db.exec('CREATE TABLE trades (id INTEGER PRIMARY KEY, at TEXT)'),
      /not a poseidon-monitor database: table trades has no column timestamp/,
    ],
  ];
  it.each(cases)('%s: start() says what it found, and the file is byte for byte as it was', async (_name, make, message) => {
    const path = join(dirs.make(), 'theirs.db');
    const db = new Database(path);
    make(db);
    db.close();
    const before = readFileSync(path);
    const m = monitorAt(path, new ManualClock(T0), { installSignalHandlers: false });
    open.push(m);
    await expect(m.start()).rejects.toThrow(message);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('a database deleted or renamed while running', () => {
  it.each([
    ['deleted', (path: string) => rmSync(path)],
    ['renamed', (path: string) => renameSync(path, `${path}.moved`)],
  ])('%s: detected within one flush interval, counted as a write failure, and the path opened anew', async (_name, takeAway) => {
    const path = join(dirs.make(), 'lost.db');
    const clock = new ManualClock(T0);
    const m = await started(path, clock);
    m.logTrade(buy('before'));
    clock.advance(1000);
    expect(executionIds(path)).toEqual(['before']);

    takeAway(path);
    for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
    m.logTrade(buy('after'));
    clock.advance(1000);
    // writeFailures is what poseidon_store_write_failures_total (the store-failure alert) exports.
    expect(m.metricsCollector.stats()).toMatchObject({ writeFailures: 1, bufferedRows: 1 });
    expect(m.diagnostics.sinkFailures.get('store')).toBe(1);
    clock.advance(1000);
    // A real file again, at the current schema, with the rows not yet written.
    expect(executionIds(path)).toEqual(['after']);
    const raw = openRaw(path);
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      raw.close();
    }
    expect(m.metricsCollector.stats()).toMatchObject({ writeFailures: 1, bufferedRows: 0 });
  });
});
