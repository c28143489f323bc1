// Redaction: secret-named fields (any case, any depth) in the bot's free-form data never reach any log output.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildError } from '../../src/events/build.js';
import { isSecretKey, REDACTED, redactDeep, redactedJson } from '../../src/logging/json.js';
import { LogSink } from '../../src/logging/LogSink.js';
import { fileMonitor, T0, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const SECRETS = ['S3CRET-api-key', 'S3CRET-pw', 'S3CRET-bearer', 'S3CRET-deep', 'S3CRET-tag', 'S3CRET-loop', 'S3CRET-pino'];

/** Everything in every file under `dir`. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}

describe('secret-named fields', () => {
  it('are recognised in any case and spelling', () => {
    for (const key of [
      'apiKey',
      'api_key',
      'API-KEY',
      'x-api-key',
      'secret',
      'apiSecret',
      'Password',
      'passwd',
      'passphrase',
      'token',
      'accessToken',
      'Authorization',
      'privateKey',
      'cookie',
      'credentials',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['symbol', 'orderId', 'price', 'strategy', 'pass', 'auth']) expect(isSecretKey(key), key).toBe(false);
  });

  it('are censored at every depth, in arrays too, by both serialisers', () => {
    const data = { a: 1, nested: { deeper: [{ TOKEN: 'x', keep: 'y' }] }, Secret: { whole: 'object' } };
    expect(JSON.parse(redactedJson(data))).toEqual({ a: 1, nested: { deeper: [{ TOKEN: REDACTED, keep: 'y' }] }, Secret: REDACTED });
    expect(redactDeep(data)).toEqual({ a: 1, nested: { deeper: [{ TOKEN: REDACTED, keep: 'y' }] }, Secret: REDACTED });
    // The caller's object is left alone.
    expect(data.nested.deeper[0]!.TOKEN).toBe('x');
    const clean = { a: { b: 1 } };
    expect(redactDeep(clean)).toBe(clean);
  });

  it.each(['json', 'text', 'both'] as const)('never appear in the %s log file', async (logFormat) => {
    const file = join(tmp.dir, 'logs', 'bot.log');
    const { monitor } = fileMonitor(file, { logFormat });
    await monitor.start();
    monitor.logTrade({
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: 1,
      price: 100,
      additionalData: { exchange: { apiKey: SECRETS[0], credentials: { password: SECRETS[1] } }, note: 'visible' },
    });
    monitor.logError('auth failed', {
      severity: 'critical',
      context: { request: { headers: { Authorization: SECRETS[2] } }, list: [{ level: { Api_Secret: SECRETS[3] } }] },
    });
    monitor.logPerformanceMetric('latency', 5, 'ms', { token: SECRETS[4]! });
    monitor.startLoopExecution('main', { additionalData: { session: { cookie: SECRETS[5] } } });
    monitor.endLoopExecution('main');
    monitor.logger.pino!.info({ user: { passphrase: SECRETS[6] } }, 'bot line');
    await monitor.stop();
    const text = allText(tmp.dir);
    expect(text).toContain('visible');
    expect(text).toContain(REDACTED);
    expect(text).toContain('bot line');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('never appear on the console either', async () => {
    let consoleText = '';
    const config = new MonitoringConfig({ logFile: join(tmp.dir, 'bot.log'), logFormat: 'both', clock: new ManualClock(T0) });
    const sink = new LogSink({ config, console: { write: (chunk: string) => (consoleText += chunk) } });
    sink.start();
    sink.record(buildError('boom', { context: { deep: { secret: SECRETS[3] } } }, T0));
    sink.pino.warn({ apiKey: SECRETS[0] }, 'from pino');
    await sink.stop();
    expect(consoleText).toContain('boom');
    expect(consoleText).toContain('from pino');
    for (const secret of SECRETS) expect(consoleText + allText(tmp.dir)).not.toContain(secret);
  });
});
