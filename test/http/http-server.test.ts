// HttpServer over real loopback HTTP: routing, methods, bearer token, failures, start/stop.

import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer, type HttpServerOptions } from '../../src/http/HttpServer.js';
import { addMonitorRoutes, PROMETHEUS_CONTENT_TYPE } from '../../src/http/monitorRoutes.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.stop();
});

async function serve(options: HttpServerOptions = {}, setup: (s: HttpServer) => void = () => {}): Promise<HttpServer> {
  const server = new HttpServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  setup(server);
  await server.start();
  return server;
}

/** A raw request (fetch refuses some methods and hides HEAD bodies). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const text = (body: string) => ({ status: 200, contentType: 'text/plain; charset=utf-8', body });

describe('HttpServer', () => {
  it('reports its real URL after start on port 0, and null before and after', async () => {
    const server = new HttpServer({ port: 0 });
    servers.push(server);
    expect(server.url).toBeNull();
    await server.start();
    await server.start(); // harmless
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    await server.stop();
    await server.stop(); // safe twice
    expect(server.url).toBeNull();
  });

  it('routes exact paths and prefixes (longest prefix first), 404 for the rest', async () => {
    const server = await serve({}, (s) =>
      s
        .route('/metrics', () => text('metrics'))
        .routePrefix('/api/', (req) => (req.pathname === '/api/missing' ? null : text(`api ${req.pathname} ${req.query.get('hours')}`)))
        .routePrefix('/api/admin/', () => text('admin')),
    );
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect(await get('/metrics')).toEqual({ status: 200, body: 'metrics' });
    expect(await get('/api/trading?hours=24')).toEqual({ status: 200, body: 'api /api/trading 24' });
    expect(await get('/api/admin/x')).toEqual({ status: 200, body: 'admin' });
    expect((await get('/api/missing')).status).toBe(404);
    expect((await get('/metrics/')).status).toBe(404);
    expect((await get('/nope')).status).toBe(404);
  });

  it('serves GET and HEAD only: HEAD has the headers and no body, others get 405 with Allow', async () => {
    const server = await serve({}, (s) => s.route('/metrics', () => text('hello')));
    const head = await raw(`${server.url}/metrics`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5');
    expect(head.body).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await raw(`${server.url}/metrics`, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('answers 401 everywhere but public routes without the right bearer token', async () => {
    const token = 'correct-horse-battery-staple';
    const server = await serve({ apiToken: token }, (s) =>
      addMonitorRoutes(s, async () => 'poseidon_up 1\n').routePrefix('/api/', () => text('api')),
    );
    const status = async (path: string, authorization?: string) =>
      (await fetch(`${server.url}${path}`, { headers: authorization ? { Authorization: authorization } : {} })).status;
    for (const path of ['/metrics', '/api/summary', '/unknown']) {
      expect(await status(path), path).toBe(401);
      expect(await status(path, `Bearer ${token}x`), path).toBe(401);
      expect(await status(path, `Bearer ${token.slice(0, -1)}`), path).toBe(401);
      expect(await status(path, token), path).toBe(401);
      expect(await status(path, `Basic ${token}`), path).toBe(401);
    }
    expect(await status('/metrics', `Bearer ${token}`)).toBe(200);
    expect(await status('/api/summary', `bearer ${token}`)).toBe(200);
    expect(await status('/unknown', `Bearer ${token}`)).toBe(404);
    expect(await status('/healthz')).toBe(200);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="poseidon-monitor"');
  });

  it('serves /metrics with the Prometheus content type and /healthz as JSON', async () => {
    const server = await serve({}, (s) => addMonitorRoutes(s, async () => 'poseidon_up 1\n'));
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(await metrics.text()).toBe('poseidon_up 1\n');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('answers 500 when a handler throws or rejects, reports it, and keeps serving', async () => {
    const failures: unknown[] = [];
    const server = await serve({ onError: (e) => failures.push(e) }, (s) =>
      s
        .route('/sync', () => {
          throw new Error('sync boom');
        })
        .route('/async', async () => {
          throw new Error('async boom');
        })
        .route('/ok', () => text('fine')),
    );
    expect((await fetch(`${server.url}/sync`)).status).toBe(500);
    expect((await fetch(`${server.url}/async`)).status).toBe(500);
    expect(failures.map((e) => (e as Error).message)).toEqual(['sync boom', 'async boom']);
    expect(await (await fetch(`${server.url}/ok`)).text()).toBe('fine');
  });

  it('rejects start() when the port is taken, and can then be started elsewhere', async () => {
    const first = await serve();
    const port = Number(new URL(first.url!).port);
    const second = new HttpServer({ port });
    servers.push(second);
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    expect(second.url).toBeNull();
  });

  // Without closeAllConnections() close() would wait out the 5 s keep-alive timeout: the test timeout catches it.
  it('closes idle keep-alive connections on stop instead of hanging', { timeout: 2000 }, async () => {
    const server = await serve({}, (s) => s.route('/metrics', () => text('x')));
    const agentRes = await fetch(`${server.url}/metrics`, { keepalive: true });
    await agentRes.text();
    await server.stop();
    expect(server.url).toBeNull();
  });
});
