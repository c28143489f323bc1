// Size rotation: file count, size limit, and every numbered line read back exactly once, in order, across files.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFileWriter } from '../../src/logging/RotatingFileWriter.js';
import { fileMonitor, linesOf, recordsOf, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** The log file and its backups, oldest first: `bot.log.N` … `bot.log.1`, `bot.log`. */
function filesOldestFirst(file: string, backups: number): string[] {
  const out: string[] = [];
  for (let i = backups; i >= 1; i--) if (existsSync(`${file}.${i}`)) out.push(`${file}.${i}`);
  out.push(file);
  return out;
}

/** Line `i`: numbered, of varying length, with a multi-byte character so bytes and characters differ. */
function line(i: number): string {
  return `line ${i} ${'é'.repeat(i % 37)}${'x'.repeat((i * 7) % 90)}\n`;
}

describe('RotatingFileWriter', () => {
  it('rotates at the size limit without losing or splitting a line', () => {
    const file = join(tmp.dir, 'bot.log');
    const max = 2048;
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: max, backupCount: 100 });
    writer.open();
    const n = 2000;
    for (let i = 0; i < n; i++) {
      writer.append(line(i));
      // Flushes of varying size, some spanning several files.
      if (i % 13 === 0 || i % 97 === 0) writer.flush();
    }
    writer.close();
    const files = filesOldestFirst(file, 100);
    expect(files.length).toBeGreaterThan(20);
    expect(writer.rotations).toBe(files.length - 1);
    const lines: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(statSync(f).size).toBeLessThanOrEqual(max);
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.slice(0, -1).split('\n'));
    }
    expect(lines).toEqual(Array.from({ length: n }, (_, i) => line(i).slice(0, -1)));
    expect(writer.bytesWritten).toBe(lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0));
  });

  it('a burst of several MiB queued before one flush, then more lines, all arrive byte for byte', () => {
    const file = join(tmp.dir, 'burst.log');
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 64 * 1024 * 1024, backupCount: 1 });
    writer.open();
    // Three UTF-8 widths and a surrogate pair; about 1.5 MB queued grows the buffer past 1 MiB, which a flush gives back.
    const burst = Array.from({ length: 30_000 }, (_, i) => `${i} é€😀 ${'y'.repeat(i % 64)}\n`);
    for (const l of burst) writer.append(l);
    expect(writer.pendingLength).toBe(Buffer.byteLength(burst.join('')));
    writer.flush();
    expect(writer.pendingLength).toBe(0);
    const after = Array.from({ length: 100 }, (_, i) => line(i));
    for (const l of after) writer.append(l);
    writer.close();
    expect(readFileSync(file, 'utf8')).toBe(burst.join('') + after.join(''));
  });

  it('keeps only the given number of backups, the newest lines', () => {
    const file = join(tmp.dir, 'bot.log');
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1024, backupCount: 3 });
    writer.open();
    const n = 1000;
    for (let i = 0; i < n; i++) writer.append(`${String(i).padStart(4, '0')} ${'.'.repeat(60)}\n`);
    writer.close();
    expect(readdirSync(tmp.dir).sort()).toEqual(['bot.log', 'bot.log.1', 'bot.log.2', 'bot.log.3']);
    const lines = filesOldestFirst(file, 3).flatMap((f) => linesOf(f));
    const numbers = lines.map((l) => Number(l.slice(0, 4)));
    // The last lines written, consecutive up to the end.
    expect(numbers.at(-1)).toBe(n - 1);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => n - numbers.length + i));
    // 65-byte lines, 15 to a 1024-byte file: four files hold 60 whole lines at most.
    expect(numbers.length).toBeGreaterThan(45);
  });

  it('writes a line longer than the limit whole, alone in its file', () => {
    const file = join(tmp.dir, 'bot.log');
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1024, backupCount: 5 });
    writer.open();
    const long = `${'L'.repeat(3000)}\n`;
    writer.append('before\n');
    writer.append(long);
    writer.append('after\n');
    writer.close();
    expect(readFileSync(`${file}.2`, 'utf8')).toBe('before\n');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(long);
    expect(readFileSync(file, 'utf8')).toBe('after\n');
  });

  it('counts an existing file towards the limit and never rotates with 0 backups', () => {
    const file = join(tmp.dir, 'bot.log');
    writeFileSync(file, `${'o'.repeat(999)}\n`);
    const rotating = new RotatingFileWriter({ path: file, maxSizeBytes: 1024, backupCount: 1 });
    rotating.open();
    rotating.append(`${'n'.repeat(99)}\n`);
    rotating.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(`${'o'.repeat(999)}\n`);
    expect(readFileSync(file, 'utf8')).toBe(`${'n'.repeat(99)}\n`);

    const other = join(tmp.dir, 'grow.log');
    const growing = new RotatingFileWriter({ path: other, maxSizeBytes: 1024, backupCount: 0 });
    growing.open();
    for (let i = 0; i < 100; i++) growing.append(`${'g'.repeat(99)}\n`);
    growing.close();
    expect(statSync(other).size).toBe(10_000);
    expect(existsSync(`${other}.1`)).toBe(false);
  });

  it('creates the folder and files readable by owner and group only', () => {
    const file = join(tmp.dir, 'a', 'b', 'bot.log');
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1024, backupCount: 2 });
    writer.open();
    for (let i = 0; i < 100; i++) writer.append(`${'z'.repeat(50)}\n`);
    writer.close();
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).mode & 0o777 & ~0o640).toBe(0);
    for (const d of [join(tmp.dir, 'a'), join(tmp.dir, 'a', 'b')]) expect(statSync(d).mode & 0o777 & ~0o750, d).toBe(0);
  });

  it('tightens the mode of an existing world-readable file', () => {
    const file = join(tmp.dir, 'bot.log');
    writeFileSync(file, '', { mode: 0o666 });
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1024, backupCount: 2 });
    writer.open();
    writer.close();
    expect(statSync(file).mode & 0o007).toBe(0);
  });
});

describe('the monitor with POSEIDON_LOG_MAX_SIZE and POSEIDON_LOG_BACKUP_COUNT', () => {
  it('rotates its JSON log and every numbered trade is in exactly one file, each line whole JSON', async () => {
    const file = join(tmp.dir, 'logs', 'bot.log');
    const { monitor } = fileMonitor(file, { logMaxSizeBytes: 16_384, logBackupCount: 200, logLevel: 'INFO' });
    await monitor.start();
    const n = 3000;
    for (let i = 0; i < n; i++) {
      monitor.logTrade({ symbol: 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', quantity: 1, price: 100, executionId: `t-${i}` });
      if (i % 500 === 0) await monitor.flush();
    }
    await monitor.stop();
    const files = filesOldestFirst(file, 200);
    expect(files.length).toBeGreaterThan(50);
    expect(files.length).toBeLessThan(200);
    for (const f of files) expect(statSync(f).size).toBeLessThanOrEqual(16_384);
    const ids = files
      .flatMap((f) => recordsOf(f))
      .filter((r) => r.event_type === 'trade_execution')
      .map((r) => r.execution_id);
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => `t-${i}`));
  });
});
