// The console's files over real HTTP: served without the API token (they hold no data) under a strict policy, while /api still needs it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { buildConsole, startConsoleMonitor } from '../helpers/consoleFixture.js';

const TOKEN = 'console-routes-token-1234';
let monitor: MonitoringSystem;

beforeAll(async () => {
  buildConsole();
  monitor = await startConsoleMonitor({ apiToken: TOKEN });
});

afterAll(async () => {
  await monitor?.stop();
});

describe('console routes', () => {
  it.each([
    ['/', 'text/html; charset=utf-8'],
    ['/console/app.js', 'text/javascript; charset=utf-8'],
    ['/console/app.css', 'text/css; charset=utf-8'],
    ['/console/uplot.js', 'text/javascript; charset=utf-8'],
    ['/console/uplot.css', 'text/css; charset=utf-8'],
  ])('%s is served without the token, with its type and the page policy', async (path, type) => {
    const response = await fetch(`${monitor.baseUrl}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'self'; .*frame-ancestors 'none'$/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('keeps /api and /metrics behind the token', async () => {
    expect((await fetch(`${monitor.baseUrl}/api/summary`)).status).toBe(401);
    expect((await fetch(`${monitor.baseUrl}/metrics`)).status).toBe(401);
    const ok = await fetch(`${monitor.baseUrl}/api/summary`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('serves nothing else under /console/', async () => {
    expect((await fetch(`${monitor.baseUrl}/console/../package.json`)).status).toBe(401);
    expect((await fetch(`${monitor.baseUrl}/console/other.js`)).status).toBe(401);
  });
});
