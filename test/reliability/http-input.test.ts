// Malformed HTTP input against the monitor's server (raw sockets and fetch): right status codes, no crash, no file touched.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_SERVER_DEFAULTS, HttpServer } from '../../src/http/HttpServer.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { tempDir } from './helpers.js';

const TOKEN = 'reliability-token-0123456789abcdef';

/** A parsed raw HTTP response (status line and headers; the body as text). */
interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
}

function parseRaw(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: end < 0 ? '' : raw.slice(end + 4), raw };
}

/** Sends `request` as is over a new TCP connection and resolves with everything read until the server closes it. */
async function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => {});
  socket.write(request);
  await once(socket, 'close');
  return parseRaw(Buffer.concat(chunks).toString('latin1'));
}

/** A GET with `Connection: close`, the request target written exactly as given (no client-side normalisation). */
function get(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return rawRequest(port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);
}

/** Every file and folder under `dir`, relative. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

async function startMonitor(dir: string, extra: Record<string, unknown> = {}): Promise<MonitoringSystem> {
  const monitor = new MonitoringSystem({
    storage: 'sqlite',
    dbUrl: `sqlite:///${join(dir, 'history.db')}`,
    logFile: join(dir, 'logs', 'monitor.log'),
    logConsole: false,
    enableMetricsServer: true,
    metricsPort: 0,
    installSignalHandlers: false,
    ...extra,
  });
  await monitor.start();
  monitor.updateAccountBalance(1000);
  monitor.startLoopExecution('main');
  monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 50_000, fee: 1 });
  monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.1, price: 50_100, fee: 1 });
  monitor.endLoopExecution('main', { tradesExecuted: 2 });
  monitor.logError('timeout', { errorType: 'network_timeout' });
  monitor.logLiquidityAnalysis({ symbol: 'BTCUSDT', spread: 0.0002, bidSize: 3, askSize: 2, marketDepth: 1e6 });
  await monitor.flush();
  return monitor;
}

const portOf = (monitor: MonitoringSystem) => Number(new URL(monitor.baseUrl!).port);

describe('HTTP input', () => {
  let tmp: ReturnType<typeof tempDir>;
  let monitor: MonitoringSystem;
  let base: string;
  let port: number;
  let filesBefore: string[];

  beforeAll(async () => {
    tmp = tempDir();
    monitor = await startMonitor(tmp.dir);
    base = monitor.baseUrl!;
    port = portOf(monitor);
    filesBefore = tree(tmp.dir);
  });
  afterAll(async () => {
    await monitor.stop();
    tmp.remove();
  });

  it('serves every API path and /metrics to a well-formed request', async () => {
    for (const path of [...monitor.api.paths, '/metrics', '/healthz']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
  });

  it.each([
    ['/api/summary?bogus=1', 'bogus'],
    ['/api/summary?=1', ''],
    ['/api/trading?hours=1&hours=2', 'hours'],
    ['/api/trading?hours=abc', 'hours'],
    ['/api/trading?hours=-1', 'hours'],
    ['/api/trading?hours=1e3', 'hours'],
    ['/api/trading?hours=0', 'hours'],
    ['/api/trading?hours=99999', 'hours'],
    ['/api/trading?hours=', 'hours'],
    ['/api/trading?hours=1%00', 'hours'],
    ['/api/trading?hours=24&bogus', 'bogus'],
    ['/api/performance?hours=NaN', 'hours'],
    ['/api/performance?window=24', 'window'],
    ['/api/events?limit=-1', 'limit'],
    ['/api/events?limit=10001', 'limit'],
    ['/api/events?limit=1.5', 'limit'],
    ['/api/events?type=bogus', 'type'],
    ['/api/events?type=trade_execution&type=error_event', 'type'],
    ['/api/export?format=xml', 'format'],
    ['/api/export?format=../../etc/passwd', 'format'],
    ['/api/export?format=json&path=/tmp/x', 'path'],
    ['/api/export?file=../../x.json', 'file'],
    ['/api/hourly-report?hour=garbage', 'hour'],
    ['/api/hourly-report?hour=2026-13-01T25', 'hour'],
    ['/api/health?verbose=1', 'verbose'],
    ['/api/realtime?%ZZ=1', '%ZZ'],
  ])('%s is a 400 JSON naming %j', async (target, parameter) => {
    const response = await get(port, target);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(response.body) as { error: string; parameter: string };
    expect(body.parameter).toBe(parameter);
    expect(body.error).toContain(parameter);
  });

  it('answers any generated query string on any API path with 200 or a 400 naming one of its parameters, never 500', async () => {
    const key = fc.oneof(fc.constantFrom('hours', 'limit', 'type', 'format', 'hour', 'x', ''), fc.string({ maxLength: 6 }));
    const value = fc.oneof(
      fc.constantFrom('1', '24', '-1', '0', '1e9', 'NaN', 'json', 'csv', 'trade_execution', '2026-01-01T12', '../..', '%00'),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...monitor.api.paths), fc.array(fc.tuple(key, value), { maxLength: 4 }), async (path, pairs) => {
        const query = new URLSearchParams(pairs);
        const response = await fetch(`${base}${path}?${query}`);
        const text = await response.text();
        expect([200, 400], `${path}?${query} → ${response.status} ${text.slice(0, 200)}`).toContain(response.status);
        if (response.status === 400) {
          const keys = new Set(query.keys());
          expect(keys.has((JSON.parse(text) as { parameter: string }).parameter)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ignores query parameters on /metrics and /healthz (Prometheus may add its own)', async () => {
    expect((await get(port, '/metrics?name[]=x&name[]=y')).status).toBe(200);
    expect((await get(port, '/healthz?x=%ZZ')).status).toBe(200);
  });

  it('answers headers over 16 KiB with 431, and keeps serving', async () => {
    const huge = 'x'.repeat(HTTP_SERVER_DEFAULTS.maxHeaderSizeBytes + 1024);
    expect((await get(port, '/metrics', { 'X-Huge': huge })).status).toBe(431);
    expect((await get(port, '/api/summary', { Cookie: huge })).status).toBe(431);
    const many: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) many[`X-H${i}`] = 'y'.repeat(20);
    expect((await get(port, '/metrics', many)).status).toBe(431);
    // Over fetch too.
    expect((await fetch(`${base}/api/summary`, { headers: { 'X-Huge': huge } })).status).toBe(431);
    expect((await get(port, '/metrics', { 'X-Fine': 'x'.repeat(4096) })).status).toBe(200);
  });

  it.each([
    '/api/../../etc/passwd',
    '/api/%2e%2e/%2e%2e/etc/passwd',
    '/api/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    '/api/..%2f..%2f..%2fetc%2fpasswd',
    '/api/..%252f..%252fetc%252fpasswd',
    '/api/export/../../../../etc/passwd',
    '/api/export/..%2f..%2f..%2fetc%2fpasswd',
    '/api/export%2f..%2f..%2fetc%2fpasswd',
    '/metrics/../../etc/passwd',
    '/..%5c..%5cetc%5cpasswd',
    '//etc/passwd',
    '/api//..//..//etc//passwd',
    '/etc/passwd',
    '/proc/self/environ',
    '/%00',
    'http://127.0.0.1/etc/passwd',
  ])('%s is refused (404 or 400) and reads no file', async (target) => {
    const response = await get(port, target);
    expect([400, 404], response.raw.slice(0, 200)).toContain(response.status);
    expect(response.body).not.toMatch(/root:|POSEIDON_|PATH=/);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND'])(
    '%s is 405 with Allow: GET, HEAD on every path',
    async (method) => {
      for (const path of ['/metrics', '/healthz', '/api/summary', '/api/export', '/api/nope', '/nope']) {
        const response = await rawRequest(
          port,
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello`,
        );
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD');
      }
    },
  );

  it('answers unknown paths with a 404 JSON body, and HEAD with headers only', async () => {
    for (const path of ['/api', '/api/', '/api/nope', '/api/summary/', '/API/summary', '/metrics/', '/METRICS', '/favicon.ico']) {
      const response = await get(port, path);
      expect(response.status, path).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'not found' });
    }
    const head = await get(port, '/api/summary', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['an unknown HTTP version', 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a non-numeric Content-Length', 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    [
      'Content-Length and chunked together',
      'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a header without a colon', 'GET /metrics HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'],
    ['a space in the request target', 'GET /api/sum mary HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['binary noise', Buffer.from([0, 255, 1, 254, 13, 10, 13, 10])],
  ])('answers %s with 400 and closes', async (_name, request) => {
    const response = await rawRequest(port, request);
    expect(response.status).toBe(400);
  });

  it('answers CONNECT by closing the connection, and keeps serving', async () => {
    const response = await rawRequest(port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    expect(response.status === 0 || response.status === 400 || response.status === 405).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('keeps answering others while slow clients trickle their headers', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const s = connect({ host: '127.0.0.1', port });
      s.on('error', () => {});
      await once(s, 'connect');
      s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      slow.push(s);
    }
    // One more header line from each every 20 ms: the slowloris pattern.
    const drip = setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write(`X-Drip-${Math.random().toString(36).slice(2)}: 1\r\n`);
    }, 20);
    try {
      let worst = 0;
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        const response = await fetch(`${base}${i % 2 === 0 ? '/metrics' : '/api/summary'}`);
        await response.arrayBuffer();
        worst = Math.max(worst, performance.now() - started);
        expect(response.status).toBe(200);
      }
      expect(worst).toBeLessThan(2000);
      // The slow clients are still waiting: none was answered while its headers were incomplete.
      expect(slow.every((s) => !s.destroyed && s.bytesRead === 0)).toBe(true);
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
  });

  it('keeps serving afterwards, reported no failure, and wrote no file but its own', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    monitor.logTrade({ symbol: 'ETHUSDT', side: 'buy', quantity: 1, price: 3000 });
    const summary = (await (await fetch(`${base}/api/summary`)).json()) as Record<string, unknown>;
    expect(summary).toBeTypeOf('object');
    expect(monitor.getSystemHealth().sinkFailures).toBe(0);
    expect(tree(tmp.dir)).toEqual(filesBefore);
    expect(filesBefore.filter((f) => !f.startsWith('history.db') && f !== 'logs' && f !== join('logs', 'monitor.log'))).toEqual([]);
  });
});

/** `promise`, or a rejection naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('slow clients against the timeouts', () => {
  it('disconnects a client that has not finished its headers within headersTimeoutMillis, with 408', async () => {
    const server = new HttpServer({ port: 0, headersTimeoutMillis: 300 }).route('/x', () => ({
      status: 200,
      contentType: 'text/plain',
      body: 'x',
    }));
    await server.start();
    try {
      const port = Number(new URL(server.url!).port);
      const s = connect({ host: '127.0.0.1', port });
      s.on('error', () => {});
      await once(s, 'connect');
      const started = performance.now();
      s.write('GET /x HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 50);
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      // The 408 (and the close after it) or a clear failure, never a silent hang.
      await within(once(s, 'close'), 20_000, 'the slow client to be disconnected');
      clearInterval(trickle);
      const elapsed = performance.now() - started;
      expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
      // Cut off after the limit (checked about every 300 ms), not after Node's default minute.
      expect(elapsed).toBeGreaterThanOrEqual(250);
      // Far below Node's default of a minute, with room for a loaded CI machine.
      expect(elapsed).toBeLessThan(15_000);
      // An idle connection that sends nothing is cut off the same way.
      const idle = connect({ host: '127.0.0.1', port });
      idle.on('error', () => {});
      await within(once(idle, 'close'), 20_000, 'the idle client to be disconnected');
      expect((await fetch(`${server.url}/x`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('uses limits well under Node defaults unless told otherwise', () => {
    expect(HTTP_SERVER_DEFAULTS.headersTimeoutMillis).toBeLessThanOrEqual(10_000);
    expect(HTTP_SERVER_DEFAULTS.requestTimeoutMillis).toBeLessThanOrEqual(30_000);
  });
});

describe('with POSEIDON_API_TOKEN', () => {
  let tmp: ReturnType<typeof tempDir>;
  let monitor: MonitoringSystem;
  let port: number;

  beforeAll(async () => {
    tmp = tempDir();
    monitor = await startMonitor(tmp.dir, { apiToken: TOKEN });
    port = portOf(monitor);
  });
  afterAll(async () => {
    await monitor.stop();
    tmp.remove();
  });

  const others = [
    '/metrics',
    '/api/summary',
    '/api/trading',
    '/api/performance',
    '/api/realtime',
    '/api/hourly-report',
    '/api/events',
    '/api/export',
    '/api/health',
    '/api/nope',
    '/nope',
  ];

  it('answers 401 on every endpoint but /healthz without the token, whatever else is sent', async () => {
    expect(monitor.api.paths.every((p) => others.includes(p))).toBe(true);
    const wrong: Record<string, string>[] = [
      {},
      { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { Authorization: TOKEN },
      { Authorization: 'Bearer ' },
      { 'X-Api-Token': TOKEN },
      { Cookie: `token=${TOKEN}` },
    ];
    for (const path of others) {
      for (const headers of wrong) {
        for (const method of ['GET', 'HEAD']) {
          const response = await get(port, path, headers, method);
          expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
          expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
          expect(response.body).not.toContain('poseidon_');
        }
      }
      // In the query string it is not a credential either.
      expect((await get(port, `${path}?token=${TOKEN}`)).status).toBe(401);
    }
    expect((await get(port, '/healthz')).status).toBe(200);
    // The console's page holds no data (it asks for the token and reads /api with it): served either way,
    // or 503 saying how to build it when dist/ has no console yet.
    expect([200, 503]).toContain((await get(port, '/')).status);
  });

  it('serves every endpoint with the token', async () => {
    for (const path of [...monitor.api.paths, '/metrics', '/healthz']) {
      const response = await get(port, path, { Authorization: `Bearer ${TOKEN}` });
      expect(response.status, path).toBe(200);
    }
    expect((await get(port, '/api/nope', { Authorization: `bearer  ${TOKEN}` })).status).toBe(404);
  });
});
