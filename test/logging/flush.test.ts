// When lines reach the file: on stop, on the flush timer, past the high-water mark, on process exit; and what is never written.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileMonitor, linesOf, recordsOf, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const trade = (i: number) => ({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, executionId: `t-${i}` }) as const;

function tradeIds(file: string): unknown[] {
  return recordsOf(file)
    .filter((r) => r.event_type === 'trade_execution')
    .map((r) => r.execution_id);
}

describe('flushing', () => {
  it('stop() writes everything recorded before it returns; a second stop() is harmless', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    await monitor.start();
    for (let i = 0; i < 500; i++) monitor.logTrade(trade(i));
    await Promise.all([monitor.stop(), monitor.stop()]);
    await monitor.stop();
    expect(tradeIds(file)).toEqual(Array.from({ length: 500 }, (_, i) => `t-${i}`));
    // After stop, nothing more is written.
    monitor.logTrade(trade(999));
    expect(tradeIds(file)).toHaveLength(500);
  });

  it('the flush timer of the monitor clock writes buffered lines', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor, clock } = fileMonitor(file, { flushIntervalMs: 200 });
    await monitor.start();
    const started = linesOf(file).length;
    monitor.logTrade(trade(1));
    expect(linesOf(file)).toHaveLength(started);
    clock.advance(199);
    expect(linesOf(file)).toHaveLength(started);
    clock.advance(1);
    expect(tradeIds(file)).toEqual(['t-1']);
    monitor.logTrade(trade(2));
    clock.advance(200);
    expect(tradeIds(file)).toEqual(['t-1', 't-2']);
    await monitor.stop();
  });

  it('a burst past 64 KiB is written at the next turn of the event loop, not on the hot path', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    await monitor.start();
    const before = readFileSync(file, 'utf8').length;
    for (let i = 0; i < 400; i++) monitor.logTrade(trade(i));
    expect(readFileSync(file, 'utf8').length).toBe(before);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tradeIds(file)).toHaveLength(400);
    await monitor.stop();
  });

  it('a monitor never started creates no log file or folder', async () => {
    const file = join(tmp.dir, 'logs', 'bot.log');
    const { monitor } = fileMonitor(file);
    monitor.logTrade(trade(1));
    await monitor.stop();
    expect(existsSync(join(tmp.dir, 'logs'))).toBe(false);
  });

  it('lines recorded before start() are written once it opens the file', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    monitor.logTrade(trade(1));
    await monitor.start();
    expect(tradeIds(file)).toEqual(['t-1']);
    await monitor.stop();
  });

  it('start() fails when the log file cannot be created', async () => {
    const blocker = join(tmp.dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const { monitor } = fileMonitor(join(blocker, 'bot.log'));
    await expect(monitor.start()).rejects.toThrow(/ENOTDIR|EEXIST/);
    await monitor.stop();
  });

  it.each(['exit', 'throw'])('on process %s without stop(), every line is in the file', async (how) => {
    const file = join(tmp.dir, 'bot.log');
    const n = 3000;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, how, String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    expect(code).toBe(how === 'exit' ? 0 : 1);
    expect(tradeIds(file)).toEqual(Array.from({ length: n }, (_, i) => `t-${i}`));
  });
});

describe('the monitor diagnostics', () => {
  it('write a monitor_diagnostic record for a failing callback (WARNING) and a failing sink (ERROR)', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    monitor.addTradeCallback(() => {
      throw new Error('callback broke');
    });
    monitor.addSink({
      name: 'flaky',
      record() {
        throw new Error('sink broke');
      },
    });
    await monitor.start();
    monitor.logTrade(trade(1));
    await monitor.stop();
    const diagnostics = recordsOf(file).filter((r) => r.event_type === 'monitor_diagnostic');
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        level: 'WARNING',
        where: 'callback:trade',
        error: 'callback broke',
        msg: 'monitor failure in callback:trade',
      }),
    );
    expect(diagnostics).toContainEqual(expect.objectContaining({ level: 'ERROR', where: 'sink:flaky', error: 'sink broke' }));
  });
});

describe('the event queries', () => {
  it('still answer from the ring, whatever the log level', async () => {
    const { monitor, clock } = fileMonitor(join(tmp.dir, 'bot.log'), { logLevel: 'CRITICAL' });
    await monitor.start();
    const since = clock.now();
    monitor.logTrade(trade(1));
    monitor.logError('e1');
    expect(monitor.recentEvents.tradesSince(since).map((t) => t.executionId)).toEqual(['t-1']);
    expect(monitor.recentEvents.errorsSince(new Date(since)).map((e) => e.message)).toEqual(['e1']);
    expect(monitor.recentEvents.query({ limit: 1 })[0]?.eventType).toBe('error_event');
    monitor.recentEvents.clear();
    expect(monitor.recentEvents.query()).toEqual([]);
    await monitor.stop();
  });
});
