// monitor.pino: the bot's own lines in the monitor's outputs, level, format and redaction.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileMonitor, linesOf, recordsOf, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

describe('monitor.pino', () => {
  it('writes JSON lines with the same time, level names and bot, at the configured level', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logLevel: 'WARNING' });
    await monitor.start();
    const log = monitor.pino;
    log.info('hidden');
    log.warn({ orderId: 'o-1' }, 'slow fill');
    log.child({ component: 'feed', token: 'T0KEN' }).error('stale');
    log.fatal('giving up');
    await monitor.stop();
    const own = recordsOf(file).filter((r) => r.event_type === 'log');
    expect(own).toEqual([
      { level: 'WARNING', time: '2026-11-24T10:00:00.000Z', event_type: 'log', bot: 'test-bot', orderId: 'o-1', msg: 'slow fill' },
      {
        level: 'ERROR',
        time: '2026-11-24T10:00:00.000Z',
        event_type: 'log',
        bot: 'test-bot',
        component: 'feed',
        token: '[REDACTED]',
        msg: 'stale',
      },
      { level: 'CRITICAL', time: '2026-11-24T10:00:00.000Z', event_type: 'log', bot: 'test-bot', msg: 'giving up' },
    ]);
  });

  it('is rendered as text lines in the text format', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { logFormat: 'text' });
    await monitor.start();
    monitor.pino.info({ orderId: 'o-1', secret: 'x' }, 'order\nplaced');
    await monitor.stop();
    expect(linesOf(file)).toContain('2026-11-24T10:00:00.000Z INFO  order\\nplaced {"orderId":"o-1","secret":"[REDACTED]"}');
  });
});
