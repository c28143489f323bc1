// The file backend's retention run by one opening of a folder (the main thread's) while another (the writer thread's) keeps writing.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTrade } from '../../src/events/build.js';
import { RowBatch } from '../../src/store/batchCodec.js';
import { FileBackend } from '../../src/store/FileBackend.js';
import { DAY_MS } from '../../src/store/retention.js';
import { T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function write(backend: FileBackend, timestamps: readonly number[]): void {
  const batch = new RowBatch();
  for (const [i, t] of timestamps.entries())
    batch.push(buildTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: `t${t}-${i}` }, t));
  backend.writeBatch(batch, 0, batch.length);
}

describe('file backend: retention by another opening of the folder', () => {
  it('the writer stops using the deleted day files: later rows of that day are stored, no stale summary is written back', () => {
    const dir = dirs.make();
    const writer = new FileBackend(dir, { botName: 'alpha', syncIntervalMs: 60_000 });
    const cleaner = new FileBackend(dir, { botName: 'alpha', writerLease: false });
    writer.open();
    cleaner.open();
    try {
      const old = T0 - 10 * DAY_MS;
      write(writer, [old, old + 1, T0]);
      writer.afterFlush();
      expect(cleaner.deleteOlderThan('trades', T0 - DAY_MS, 1000)).toBe(2);
      // A late row of the deleted day, then the interval's small files.
      write(writer, [old + 2]);
      writer.close();
      const files = readdirSync(writer.directory);
      const oldDay = new Date(old).toISOString().slice(0, 10);
      expect(existsSync(join(writer.directory, `trades-${oldDay}.jsonl`))).toBe(true);
      const reader = new FileBackend(dir, { botName: 'alpha', readOnly: true });
      reader.open();
      expect(reader.counts().trades, files.join(' ')).toBe(2);
      reader.close();
    } finally {
      cleaner.close();
    }
  });
});
