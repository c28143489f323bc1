// Redaction: secret-named fields (any case, any depth) in the bot's free-form data never reach any log output.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildError } from '../../src/events/build.js';
import { isSecretKey, REDACTED, redactDeep, redactText } from '../../src/internal/redact.js';
import { redactedJson } from '../../src/logging/json.js';
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
    monitor.pino.info({ user: { passphrase: SECRETS[6] } }, 'bot line');
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

describe('secrets in free text', () => {
  it.each([
    [
      'GET https://api.x.com/v3/order?symbol=BTC&apiKey=abc123&signature=ff failed: 401',
      'GET https://api.x.com/v3/order?symbol=BTC&apiKey=[REDACTED]&signature=ff failed: 401',
    ],
    ['{"api_key":"abc","x":1}', '{"api_key":"[REDACTED]","x":1}'],
    ['body {\\"password\\":\\"hunter2\\"}', 'body {\\"password\\":\\"[REDACTED]\\"}'],
    ['password: hunter2 rejected', 'password: [REDACTED] rejected'],
    ['X-MBX-APIKEY: k3y-value', 'X-MBX-APIKEY: [REDACTED]'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: [REDACTED]'],
    ['sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'sent Bearer [REDACTED]'],
    ['connect postgres://bot:pa55w0rd@db:5432/x failed', 'connect postgres://bot:[REDACTED]@db:5432/x failed'],
    ['Set-Cookie: session=abc; Path=/', 'Set-Cookie: [REDACTED]; Path=/'],
    ['secretKey=abc&passphrase=p', 'secretKey=[REDACTED]&passphrase=[REDACTED]'],
  ])('are redacted in %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
    // Redacting again changes nothing.
    expect(redactText(expected)).toBe(expected);
  });

  it.each([
    'order rejected: insufficient balance',
    'token bucket exhausted',
    'bearer of bad news',
    'https://api.x.com:443/path ok',
    'timeout after 5000 ms (basic plan)',
  ])('leave %j as it is', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it("never reach the log file or the database from error messages, stack traces or a loop's error", async () => {
    const file = join(tmp.dir, 'logs', 'bot.log');
    const { monitor } = fileMonitor(file, { storage: 'sqlite', dbUrl: `sqlite:///${join(tmp.dir, 'history.db')}` });
    await monitor.start();
    const exchangeError = new Error('GET /api/v3/order?symbol=BTCUSDT&apiKey=S3CRET-url-key&signature=x failed: 401');
    monitor.logError(exchangeError, { errorType: 'api_error' });
    monitor.logError('connect postgres://bot:S3CRET-db-pass@db:5432/x refused', {
      stackTrace: 'Error: Authorization: Bearer S3CRET-stack-token',
    });
    await monitor
      .trackLoop('main', async () => {
        throw new Error('request with X-Api-Key: S3CRET-loop-key failed');
      })
      .catch(() => {});
    monitor.startLoopExecution('side');
    monitor.endLoopExecution('side', { success: false, errorMessage: 'password=S3CRET-end-pass' });
    const stored = monitor.recentEvents.query();
    await monitor.stop();
    const text = allText(tmp.dir);
    for (const secret of ['S3CRET-url-key', 'S3CRET-db-pass', 'S3CRET-stack-token', 'S3CRET-loop-key', 'S3CRET-end-pass']) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(stored)).not.toContain(secret);
    }
    expect(text).toContain('apiKey=[REDACTED]&signature=x failed: 401');
    expect(text).toContain('postgres://bot:[REDACTED]@db:5432/x refused');
    expect(text).toContain('X-Api-Key: [REDACTED] failed');
    expect(text).toContain('password=[REDACTED]');
    const db = new Database(join(tmp.dir, 'history.db'), { readonly: true });
    try {
      const errors = db.prepare('SELECT message, stack_trace FROM errors').all() as { message: string; stack_trace: string | null }[];
      const loops = db.prepare('SELECT error_message FROM loop_executions').all() as { error_message: string | null }[];
      const rows = [...errors.flatMap((r) => [r.message, r.stack_trace ?? '']), ...loops.map((r) => r.error_message ?? '')].join('\n');
      expect(rows).toContain('apiKey=[REDACTED]');
      expect(rows).toContain('Authorization: [REDACTED]');
      expect(rows).toContain('X-Api-Key: [REDACTED]');
      expect(rows).toContain('password=[REDACTED]');
      expect(rows).not.toContain('S3CRET');
    } finally {
      db.close();
    }
  });
  it("are redacted from the pino logger's messages and errors, and its lines stay JSON", async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file);
    await monitor.start();
    monitor.pino.warn('retrying GET /api/v3/account?apiKey=S3CRET-pino-msg&recvWindow=5000');
    monitor.pino.error({ err: new Error('401 with Authorization: Bearer S3CRET-pino-error'), token_count: 3 }, 'request failed');
    await monitor.stop();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('S3CRET');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.event_type === 'log');
    expect(lines.map((r) => r.msg)).toEqual(['retrying GET /api/v3/account?apiKey=[REDACTED]&recvWindow=5000', 'request failed']);
    expect(JSON.stringify(lines[1])).toContain('Authorization: [REDACTED]');
  });
});
