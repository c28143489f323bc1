// A failed log write: each line reaches the file whole or not at all, the next line starts fresh, the lost-line count is exact, flush() rejects with FlushError.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFileWriter } from '../../src/logging/RotatingFileWriter.js';
import { fileMonitor, recordsOf, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/file-size-limit-child.ts', import.meta.url));

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** Every line of the file; throws unless the file ends with a newline. */
function wholeLines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** A write call like a disk with `room` bytes left: a write past it is cut short, the next one fails with ENOSPC. */
function diskWithRoom(room: { bytes: number }) {
  return (fd: number, buffer: Buffer, offset: number, length: number): number => {
    if (room.bytes <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = writeSync(fd, buffer, offset, Math.min(length, room.bytes));
    room.bytes -= n;
    return n;
  };
}

const trade = (i: number) => ({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, executionId: `t-${i}` }) as const;
const tradeIds = (file: string) =>
  recordsOf(file)
    .filter((r) => r.event_type === 'trade_execution')
    .map((r) => r.execution_id);

const line = (i: number) => `{"n":${i},"pad":"${'é'.repeat(i % 11)}${'x'.repeat((i * 13) % 70)}"}\n`;

describe('a log write that fails part-way', () => {
  it('under a real file size limit: whole lines only, the exact count lost, and flush() rejects with FlushError', async () => {
    const file = join(tmp.dir, 'bot.log');
    const n = 3000;
    // 256 KiB: the limit cuts a write in the middle of a line, as a full disk does.
    const out = await underFileSizeLimit(file, n);
    const ids = wholeLines(file).map((l) => (JSON.parse(l) as { execution_id?: string }).execution_id);
    expect(ids.length).toBeGreaterThan(100);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => `t-${i}`));
    const lost = n - ids.length;
    expect(JSON.parse(out)).toEqual({
      flush: { name: 'FlushError', historyRows: 0, logLines: lost },
      linesLost: lost,
      // Reported once, by the flush: nothing more was lost since.
      stop: 'resolved',
    });
  });

  it("through the facade: the monitor's flush() rejects with one FlushError counting the log's lost lines", async () => {
    const file = join(tmp.dir, 'bot.log');
    const n = 3000;
    const out = JSON.parse(await underFileSizeLimit(file, n, 'monitor')) as {
      flush: { name: string; historyRows: number; logLines: number };
    };
    const trades = wholeLines(file).filter((l) => l.includes('"trade_execution"')).length;
    expect(trades).toBeGreaterThan(100);
    expect(out.flush.name).toBe('FlushError');
    expect(out.flush.historyRows).toBe(0);
    // Every trade line not in the file is counted (the monitor's own lines about the failure may add more).
    expect(out.flush.logLines).toBeGreaterThanOrEqual(n - trades);
  });
});

function underFileSizeLimit(file: string, n: number, through = 'sink'): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', 'ulimit -f 256 && exec "$0" --import tsx "$@"', process.execPath, CHILD, file, String(n), through], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited with ${code}`))));
  });
}

describe('a log write that fails part-way, on the writer', () => {
  it('once space returns, the next line starts on a fresh line and every line is whole; the count is exact', () => {
    const file = join(tmp.dir, 'bot.log');
    const room = { bytes: 10_000 };
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1 << 30, backupCount: 0, writeSync: diskWithRoom(room) });
    writer.open();
    for (let i = 0; i < 400; i++) writer.append(line(i));
    expect(() => writer.flush()).toThrow(/ENOSPC/);
    const kept = wholeLines(file).length;
    expect(writer.linesLost).toBe(400 - kept);
    room.bytes = Number.POSITIVE_INFINITY;
    for (let i = 400; i < 500; i++) writer.append(line(i));
    writer.close();
    const lines = wholeLines(file).map((l) => (JSON.parse(l) as { n: number }).n);
    expect(lines).toEqual([...Array.from({ length: kept }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => 400 + i)]);
    expect(writer.linesLost).toBe(400 - kept);
  });

  it('many small failures in a row: every line in the file is whole and written + lost = appended', () => {
    const file = join(tmp.dir, 'bot.log');
    const room = { bytes: 0 };
    const writer = new RotatingFileWriter({ path: file, maxSizeBytes: 1 << 30, backupCount: 0, writeSync: diskWithRoom(room) });
    writer.open();
    let appended = 0;
    for (let round = 0; round < 50; round++) {
      // Room for a few lines and part of the next, as space comes and goes.
      room.bytes = 37 + ((round * 211) % 400);
      for (let i = 0; i < 7; i++) writer.append(line(appended++));
      try {
        writer.flush();
      } catch {
        // Counted below.
      }
    }
    const lines = wholeLines(file);
    for (const l of lines) JSON.parse(l);
    expect(lines.length + writer.linesLost).toBe(appended);
  });
});

describe('a log file deleted or renamed while running', () => {
  it.each(['deleted', 'renamed'])(
    'when %s, it is noticed within one flush interval, counted as a failure, and its path reopened',
    async (how) => {
      const file = join(tmp.dir, 'bot.log');
      const { monitor, clock } = fileMonitor(file, { flushIntervalMs: 200 });
      const reported: string[] = [];
      monitor.diagnostics.onFailure((where, error) => reported.push(`${where}: ${(error as Error).message}`));
      await monitor.start();
      monitor.logTrade(trade(1));
      clock.advance(200);
      if (how === 'deleted') rmSync(file);
      else renameSync(file, `${file}.moved`);
      // Nothing is logged in between: the check does not wait for a line to write.
      clock.advance(200);
      expect(monitor.diagnostics.sinkFailures.get('logs')).toBe(1);
      expect(reported).toEqual([expect.stringMatching(/^sink:logs: log file .* was (deleted|replaced or renamed) while open; reopened/)]);
      expect(existsSync(file)).toBe(true);
      monitor.logTrade(trade(2));
      clock.advance(200);
      expect(tradeIds(file)).toEqual(['t-2']);
      await monitor.stop();
    },
  );
});
