// The JSON API's history views off the bot's thread: a real SQLite file, a real reader thread, real HTTP.

import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS, TEST_START } from '../helpers/monitor.js';
import { tempDir } from '../reliability/helpers.js';

const HOUR = 3_600_000;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(base: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** The figures of this process's CPU, memory and event loop differ between two readings; everything else must not. */
function withoutResources(text: string): string {
  return text
    .replace(/"resourceUtilization":\s*\{[^}]*\}/, '"resourceUtilization":{}')
    .replace(/# resource_utilization\n[^\n]*\n[^\n]*\n/, '# resource_utilization\n');
}

let tmp: ReturnType<typeof tempDir>;
let monitor: MonitoringSystem;
let clock: ManualClock;

function sqliteMonitor(overrides: MonitoringConfigOptions = {}): MonitoringSystem {
  clock ??= new ManualClock(TEST_START);
  return new MonitoringSystem({
    ...QUIET_OPTIONS,
    storage: 'sqlite',
    dbUrl: `sqlite:///${join(tmp.dir, 'history.db')}`,
    enableMetricsServer: true,
    metricsPort: 0,
    enableHourlyGrowth: true,
    clock,
    ...overrides,
  });
}

/** A few hours of a bot: balance moves, trades on `symbols` (volume growing with the symbol's index), loops and errors. */
function trade(m: MonitoringSystem, hours: number, symbols: number): void {
  for (let h = 0; h < hours; h++) {
    m.updateAccountBalance(10_000 + h * 37);
    for (let i = 0; i < symbols; i++) {
      const symbol = `S${String(i).padStart(4, '0')}/USDT`;
      m.logTrade({ symbol, side: 'buy', quantity: 1 + i, price: 100 + h, fee: 0.1, executionTimeMs: 5 + i, slippageBps: 1 });
      m.logTrade({ symbol, side: 'sell', quantity: 1 + i, price: 101 + h - (i % 3), fee: 0.1, executionTimeMs: 9 + h, slippageBps: -1 });
    }
    m.startLoopExecution('main');
    clock.advance(40);
    m.endLoopExecution('main', { success: h % 4 !== 3, tradesExecuted: symbols });
    if (h % 2 === 0) m.logError('exchange timeout', { errorType: 'network_timeout', severity: 'medium' });
    clock.advance(HOUR / 2 + 7_777);
  }
}

/** Counts every statement run through better-sqlite3 on this thread (the reader thread has its own copy of the module). */
function countMainThreadQueries(): { readonly count: () => number; restore: () => void } {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  let n = 0;
  const originals = new Map<string, unknown>();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
  }
  return {
    count: () => n,
    restore: () => {
      for (const [name, original] of originals) proto[name] = original;
    },
  };
}

/** Starts `monitor` on a SQLite file with `hours` of trading on `symbols` committed; returns its base URL. */
async function startedWith(hours: number, symbols: number, overrides: MonitoringConfigOptions = {}): Promise<string> {
  monitor = sqliteMonitor(overrides);
  await monitor.start();
  trade(monitor, hours, symbols);
  await monitor.flush();
  return monitor.baseUrl!;
}

beforeEach(() => {
  tmp = tempDir('poseidon-api-reader-');
});

afterEach(async () => {
  await monitor?.stop();
  tmp.remove();
  clock = undefined as unknown as ManualClock;
});

describe('JSON API on a SQLite file', () => {
  it('answers every view exactly as the in-process dashboards do, the day window filled from an earlier run', async () => {
    const first = sqliteMonitor();
    await first.start();
    trade(first, 30, 6);
    await first.stop();
    const base = await startedWith(3, 4);
    const lastHour = new Date(clock.now() - HOUR).toISOString().slice(0, 13);
    const paths = [
      '/api/summary',
      '/api/trading',
      '/api/trading?hours=48',
      '/api/performance?hours=12',
      '/api/hourly-report',
      `/api/hourly-report?hour=${lastHour}`,
      '/api/export',
      '/api/export?format=csv',
    ];
    // Over HTTP first: the day window has not been filled yet, so the reader adds the stored minutes itself.
    const served = [];
    for (const path of paths) served.push(await get(base, path));
    const d = monitor.dashboardData;
    const expected = [
      JSON.stringify(d.getDashboardSummary()),
      JSON.stringify(d.getTradingDashboard()),
      JSON.stringify(d.getTradingDashboard({ hours: 48 })),
      JSON.stringify(d.getPerformanceDashboard({ hours: 12 })),
      JSON.stringify(d.getHourlyReport()),
      JSON.stringify(d.getHourlyReport(lastHour)),
      d.exportDashboardData('json'),
      d.exportDashboardData('csv'),
    ];
    expect(JSON.parse(expected[0]!).totalTrades24h).toBeGreaterThan(8);
    for (let i = 0; i < paths.length; i++) {
      expect(served[i]!.status, paths[i]).toBe(200);
      expect(withoutResources(served[i]!.body), paths[i]).toBe(withoutResources(expected[i]!));
    }
  });

  it('runs no SQLite statement on the bot thread while 60 concurrent reads are answered', async () => {
    const base = await startedWith(4, 10, { apiMaxConcurrentRequests: 100 });
    const queries = countMainThreadQueries();
    let replies: Reply[];
    try {
      replies = await Promise.all([
        ...Array.from({ length: 30 }, () => get(base, '/api/trading')),
        ...Array.from({ length: 30 }, () => get(base, '/api/export')),
      ]);
      expect(queries.count()).toBe(0);
    } finally {
      queries.restore();
    }
    expect(replies.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(JSON.parse(replies[0]!.body).tradingStats.tradeCount).toBe(80);
    expect(JSON.parse(replies[59]!.body).trading.tradingStats.tradeCount).toBe(80);
  });

  it('refuses a request past the concurrency limit with 503 and Retry-After, and takes it again once a slot is free', async () => {
    const base = await startedWith(1, 1000, { apiMaxConcurrentRequests: 1 });
    // An export of several pages holds its slot until its last byte is taken: this one is not read yet.
    const held = await monitor.api.handle('/api/export', new URLSearchParams('limit=1000'));
    expect(held!.body).not.toBeInstanceOf(Uint8Array);
    expect(monitor.api.requestsInFlight).toBe(1);
    const refused = await get(base, '/api/trading');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body).error).toMatch(/at most 1/);
    await (held!.body as AsyncIterableIterator<Uint8Array>).return!();
    expect(monitor.api.requestsInFlight).toBe(0);
    expect((await get(base, '/api/trading')).status).toBe(200);
    expect(monitor.api.requestsInFlight).toBe(0);
  });

  it('caps per-symbol tables at `limit`, the largest by volume kept and the rest summed as __other__', async () => {
    const base = await startedWith(2, 5);
    const full = JSON.parse((await get(base, '/api/trading')).body).tradingStats;
    const capped = JSON.parse((await get(base, '/api/trading?limit=2')).body).tradingStats;
    expect(full.bySymbol.map((s: { symbol: string }) => s.symbol)).toHaveLength(5);
    // Volume grows with the symbol's index: S0003 and S0004 are the largest.
    expect(capped.bySymbol.map((s: { symbol: string }) => s.symbol)).toEqual(['S0003/USDT', 'S0004/USDT', '__other__']);
    const other = capped.bySymbol[2];
    const rest = full.bySymbol.slice(0, 3);
    const sum = (key: string) => rest.reduce((a: number, s: Record<string, number>) => a + s[key]!, 0);
    expect(other.tradeCount).toBe(sum('tradeCount'));
    expect(other.volume).toBeCloseTo(sum('volume'), 6);
    expect(other.wins + other.losses).toBe(sum('wins') + sum('losses'));
    expect({ ...capped, bySymbol: null }).toEqual({ ...full, bySymbol: null });
    const report = JSON.parse((await get(base, '/api/export?limit=1')).body);
    expect(report.trading.tradingStats.bySymbol.map((s: { symbol: string }) => s.symbol)).toEqual(['S0004/USDT', '__other__']);
    for (const bad of ['0', '1001', 'x', '-1']) {
      const r = await get(base, `/api/trading?limit=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(JSON.parse(r.body).parameter).toBe('limit');
    }
  });

  it('sends an export of one page whole, with its length, the same text as the in-process export', async () => {
    const base = await startedWith(2, 5);
    for (const format of ['json', 'csv'] as const) {
      const small = await get(base, `/api/export?format=${format}`);
      expect(small.headers['transfer-encoding'], format).toBeUndefined();
      expect(Number(small.headers['content-length']), format).toBe(Buffer.byteLength(small.body));
      expect(withoutResources(small.body), format).toBe(withoutResources(monitor.dashboardData.exportDashboardData(format)));
    }
  });

  it('streams a large export in chunks, complete, and stops producing it when the client goes away', async () => {
    const base = await startedWith(2, 1000);
    const whole = await get(base, '/api/export?limit=1000');
    expect(whole.headers['transfer-encoding']).toBe('chunked');
    expect(whole.headers['content-length']).toBeUndefined();
    expect(whole.body.length).toBeGreaterThan(4 * 64 * 1024);
    expect(withoutResources(whole.body)).toBe(withoutResources(monitor.dashboardData.exportDashboardData('json')));

    // A client that reads one chunk and leaves: the request's slot is freed without the rest being sent.
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}/api/export?limit=1000&format=csv`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.on('close', resolve);
      req.on('timeout', reject);
      req.end();
    });
    await vi.waitFor(() => expect(monitor.api.requestsInFlight).toBe(0));
    expect((await get(base, '/api/summary')).status).toBe(200);
    // HEAD: headers only, and the export it would have sent is given up at once.
    const head = await new Promise<number>((resolve, reject) => {
      request(`${base}/api/export`, { method: 'HEAD' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(head).toBe(200);
    await vi.waitFor(() => expect(monitor.api.requestsInFlight).toBe(0));
  });

  it('refuses a request still waiting for its turn when the reader is stopped, without starting a thread', async () => {
    await startedWith(1, 2);
    const reader = (monitor.api as unknown as { sources: { reader: { worker: unknown; stop(): Promise<void> } } }).sources.reader;
    const pending = monitor.api.handle('/api/trading', new URLSearchParams());
    await reader.stop();
    await expect(pending).rejects.toThrow(/reader was stopped/);
    expect(reader.worker).toBeNull();
  });

  it('starts a new reader thread after one dies, counting the failure, and stop() ends it', async () => {
    const base = await startedWith(1, 2);
    expect((await get(base, '/api/summary')).status).toBe(200);
    const reader = (monitor.api as unknown as { sources: { reader: { worker: { terminate(): Promise<number> } | null } } }).sources.reader;
    await reader.worker!.terminate();
    await vi.waitFor(() => expect(monitor.diagnostics.sinkFailures.get('reader')).toBe(1));
    expect((await get(base, '/api/trading')).status).toBe(200);
    expect(reader.worker).not.toBeNull();
    await monitor.stop();
    expect(reader.worker).toBeNull();
    expect(monitor.diagnostics.sinkFailures.get('reader')).toBe(1);
  });
});

describe('JSON API on memory history', () => {
  it('answers as the in-process dashboards do, with the same caps and limit', async () => {
    clock = new ManualClock(TEST_START);
    monitor = new MonitoringSystem({ ...QUIET_OPTIONS, enableMetricsServer: true, metricsPort: 0, enableHourlyGrowth: true, clock });
    await monitor.start();
    trade(monitor, 3, 5);
    const base = monitor.baseUrl!;
    expect((await get(base, '/api/trading')).body).toBe(JSON.stringify(monitor.dashboardData.getTradingDashboard()));
    const capped = JSON.parse((await get(base, '/api/trading?limit=2')).body).tradingStats;
    expect(capped.bySymbol.map((s: { symbol: string }) => s.symbol)).toEqual(['S0003/USDT', 'S0004/USDT', '__other__']);
    // A burst shares one computation (while nothing is recorded, or for a second while the bot records).
    const reads = vi.spyOn(monitor.store, 'analytics');
    const burst = await Promise.all(Array.from({ length: 10 }, () => get(base, '/api/trading?hours=5')));
    expect(new Set(burst.map((r) => r.body)).size).toBe(1);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    const exported = await get(base, '/api/export?format=csv');
    expect(exported.headers['transfer-encoding']).toBe('chunked');
    expect(withoutResources(exported.body)).toBe(withoutResources(monitor.dashboardData.exportDashboardData('csv')));
  });
});
