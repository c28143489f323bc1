// Without a token, a Host that could name a web page's origin (DNS rebinding) is answered 421; POSEIDON_MAX_SYMBOLS is capped at a scrape-safe maximum.

import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { ConfigurationError } from '../../src/errors.js';
import { HttpServer, type HttpServerOptions, hostNeedsNoToken } from '../../src/http/HttpServer.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.stop();
});

async function serve(options: HttpServerOptions = {}): Promise<string> {
  const server = new HttpServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  server.route('/metrics', () => ({ status: 200, contentType: 'text/plain', body: 'ok\n' }));
  server.route('/healthz', () => ({ status: 200, contentType: 'text/plain', body: 'ok\n' }), { public: true });
  await server.start();
  return server.url!;
}

/** GET `path` with the given Host header (the connection still goes to loopback). */
function get(url: string, path: string, host: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = httpRequest(`${url}${path}`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Host check without a token', () => {
  it.each(['attacker.example', 'attacker.example:9464', 'rebind.attacker.example.', '127.0.0.1.nip.io', 'LOCALHOST.attacker.example'])(
    'refuses Host %s with 421, on every route',
    async (host) => {
      const url = await serve();
      expect(await get(url, '/metrics', host)).toBe(421);
      expect(await get(url, '/healthz', host)).toBe(421);
    },
  );

  it.each([
    'localhost',
    'localhost:9464',
    'LocalHost.',
    'app.localhost:1',
    '127.0.0.1:9464',
    '127.1.2.3',
    '[::1]:9464',
    '10.0.0.5',
    'bot:9464',
  ])('serves Host %s', async (host) => {
    const url = await serve();
    expect(await get(url, '/metrics', host)).toBe(200);
  });

  it('serves the name it was configured to bind', () => {
    expect(hostNeedsNoToken('Monitor.Internal.Example:9464', 'monitor.internal.example')).toBe(true);
    expect(hostNeedsNoToken('other.internal.example:9464', 'monitor.internal.example')).toBe(false);
  });

  it('with a token, the token decides, whatever the Host', async () => {
    const url = await serve({ apiToken: 't0ken' });
    expect(await get(url, '/metrics', 'attacker.example', 't0ken')).toBe(200);
    expect(await get(url, '/metrics', 'attacker.example')).toBe(401);
  });
});

describe('POSEIDON_MAX_SYMBOLS', () => {
  it('accepts 10,000 and refuses more, saying why', () => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_MAX_SYMBOLS: '10000' }).maxSymbols).toBe(10_000);
    expect(() => MonitoringConfig.fromEnv({ POSEIDON_MAX_SYMBOLS: '100000' })).toThrow(ConfigurationError);
    expect(() => MonitoringConfig.fromEnv({ POSEIDON_MAX_SYMBOLS: '100000' })).toThrow(/POSEIDON_MAX_SYMBOLS.*<= 10000.*\/metrics scrape/);
    expect(() => new MonitoringConfig({ maxSymbols: 10_001 })).toThrow(/maxSymbols.*<= 10000/);
  });
});
