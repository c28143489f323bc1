// The redis backend against a real redis-server: outages (SIGKILL and restart), faults at start and while running, secrets kept out of errors.

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { RedisBackend } from '../../src/store/RedisBackend.js';
import { ThreadWriter } from '../../src/store/ThreadWriter.js';
import { freePort } from '../helpers/prometheus.js';
import { findRedisServer, type RedisServer, startRedis, startRedisProxy } from '../helpers/redis.js';
import { T0 } from './helpers.js';

const REDIS_SERVER = findRedisServer();
const servers: RedisServer[] = [];
const running: MonitoringSystem[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const m of running.splice(0)) await m.stop().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
  for (const c of closers.splice(0)) c();
});

async function redis(extra: readonly string[] = []): Promise<RedisServer> {
  const s = await startRedis(REDIS_SERVER!, extra);
  servers.push(s);
  return s;
}

function monitor(redisUrl: string, options: MonitoringConfigOptions = {}): MonitoringSystem {
  const m = new MonitoringSystem({
    enableMetricsServer: false,
    logFile: null,
    logLevel: 'ERROR',
    logConsole: false,
    botName: 'alpha',
    storage: 'redis',
    redisUrl,
    ...options,
  });
  running.push(m);
  return m;
}

const trade = (m: MonitoringSystem, n: number) =>
  m.logTrade({
    symbol: n % 2 === 0 ? 'BTC' : 'ETH',
    side: n % 3 === 0 ? 'sell' : 'buy',
    quantity: 1,
    price: 100 + n,
    executionId: `t${n}`,
  });

/** Every stored trade's number, oldest first. */
function storedIds(m: MonitoringSystem): number[] {
  return m.metricsCollector
    .getTradeMetrics({ limit: 1_000_000 })
    .map((t) => Number(t.executionId.slice(1)))
    .reverse();
}

/** Flushes until it succeeds: the client reconnects with backoff, and flushes fail (counted) until it has. */
async function flushOnceBack(m: MonitoringSystem): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await m.flush();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Reads until the read connection is back (a read fails at once while it reconnects). */
async function readOnceBack<T>(read: () => T): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return read();
    } catch (error) {
      if (Date.now() > deadline || !/offline|closed|ECONNREFUSED/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const HOUR = 3_600_000;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe.skipIf(REDIS_SERVER === null)('redis backend', () => {
  it('Redis killed (SIGKILL) mid-run: rows are buffered and counted, then written once when it is back (AOF kept them)', async () => {
    const server = await redis();
    const clock = new ManualClock(T0);
    const m = monitor(server.url, { clock, flushIntervalMs: 1000 });
    const failures: string[] = [];
    m.diagnostics.onFailure((where, error) => failures.push(`${where}: ${String(error)}`));
    await m.start();
    for (let n = 0; n < 500; n++) trade(m, n);
    clock.advance(1000);
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 500, bufferedRows: 0, writeFailures: 0 });

    await server.kill();
    for (let n = 500; n < 800; n++) trade(m, n);
    clock.advance(1000);
    // 300 trades and the ledger's P&L rows of the 100 sells.
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 500, bufferedRows: 400, writeFailures: 1, droppedRows: 0 });
    expect(failures.some((f) => /sink:store: .*redis/i.test(f))).toBe(true);
    await expect(m.flush()).rejects.toThrow(/400 history rows/);

    await server.restart();
    for (let n = 800; n < 1000; n++) trade(m, n);
    await flushOnceBack(m);
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 1000, bufferedRows: 0, droppedRows: 0 });
    expect(storedIds(m)).toEqual(range(0, 1000));
    expect(m.getDatabaseStats()).toMatchObject({ trades: 1000 });

    // What Redis acknowledged before the kill was in its AOF: another kill and restart keeps all of it.
    await server.kill();
    await server.restart();
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':1000\r\n');
  }, 60_000);

  it('on the real clock (the writer thread): a kill and restart mid-run loses nothing and writes nothing twice', async () => {
    const server = await redis();
    const m = monitor(server.url, { clock: systemClock, flushIntervalMs: 50, storeMaxBufferRows: 10_000_000 });
    await m.start();
    let n = 0;
    const stats = () => m.metricsCollector.stats();
    /** Logs trades in bursts until `done()` (each burst yields to the event loop, as a bot does). */
    const logUntil = async (done: () => boolean) => {
      const deadline = Date.now() + 30_000;
      do {
        for (let i = 0; i < 50; i++) trade(m, n++);
        await new Promise((resolve) => setTimeout(resolve, 5));
      } while (!done() && Date.now() < deadline);
    };
    await logUntil(() => stats().rowsWritten > 0);
    await server.kill();
    const before = stats().writeFailures;
    await logUntil(() => stats().writeFailures > before);
    await server.restart();
    const back = stats().rowsWritten;
    await logUntil(() => stats().rowsWritten > back);
    await flushOnceBack(m);
    expect(stats()).toMatchObject({ rowsWritten: n, bufferedRows: 0, droppedRows: 0 });
    expect(stats().writeFailures).toBeGreaterThan(before);
    // Reads have a connection of their own, which may still be waiting to reconnect: they fail at once until it has.
    expect(await readOnceBack(() => storedIds(m))).toEqual(range(0, n));
  }, 120_000);

  it('a wrong password is refused by start(), the password never in the error', async () => {
    const server = await redis(['--requirepass', 'right-one-1234']);
    const m = monitor(`redis://:wrong-secret-5678@127.0.0.1:${server.port}/0`);
    const error = await m.start().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/redis redis:\/\/:REDACTED@127\.0\.0\.1:\d+\/0 refused: WRONGPASS/);
    expect(error?.message).not.toContain('wrong-secret-5678');
    expect(`${String(error)}${error?.stack}`).not.toContain('wrong-secret-5678');
    // The right one works.
    const ok = monitor(`redis://:right-one-1234@127.0.0.1:${server.port}/0`);
    await ok.start();
    trade(ok, 1);
    await ok.flush();
    expect(storedIds(ok)).toEqual([1]);
  }, 30_000);

  it('an unreachable host, or a port where something else than Redis answers, is refused by start() in bounded time', async () => {
    const nothing = await freePort();
    const started = Date.now();
    await expect(monitor(`redis://127.0.0.1:${nothing}/0`).start()).rejects.toThrow(
      /redis redis:\/\/127\.0\.0\.1:\d+\/0 refused: .*ECONNREFUSED/,
    );
    // An HTTP-like peer: answers every connection with text that is not RESP.
    const peer: Server = createServer((socket) => {
      socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    closers.push(() => peer.close());
    const port = (peer.address() as { port: number }).port;
    await expect(monitor(`redis://127.0.0.1:${port}/0`).start()).rejects.toThrow(/redis redis:\/\/127\.0\.0\.1:\d+\/0 refused/);
    // A peer that accepts and never answers costs at most the command deadline.
    const silent: Server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => silent.close());
    const silentPort = (silent.address() as { port: number }).port;
    await expect(monitor(`redis://127.0.0.1:${silentPort}/0`).start()).rejects.toThrow(/no answer within/);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('a read-only replica is refused by start(), saying so', async () => {
    const primary = await redis();
    const replica = await redis(['--replicaof', '127.0.0.1', String(primary.port)]);
    await expect(monitor(replica.url).start()).rejects.toThrow(/read-only replica.*POSEIDON_REDIS_URL/);
  }, 30_000);

  it('a full Redis (maxmemory, noeviction) while running: counted write failures, rows kept, written once there is room', async () => {
    const server = await redis(['--maxmemory-policy', 'noeviction']);
    const clock = new ManualClock(T0);
    const m = monitor(server.url, { clock, flushIntervalMs: 1000 });
    const failures: string[] = [];
    m.diagnostics.onFailure((where, error) => failures.push(`${where}: ${String(error)}`));
    await m.start();
    trade(m, 0);
    clock.advance(1000);
    // Someone else's data, then a maxmemory below what it holds: every write is refused with OOM.
    for (let i = 0; i < 16; i++) await server.command('SET', `ballast:${i}`, 'x'.repeat(64 * 1024));
    expect(await server.command('CONFIG', 'SET', 'maxmemory', '1mb')).toBe('+OK\r\n');
    expect(await server.command('SET', 'probe', 'x')).toMatch(/^-OOM/);
    trade(m, 1);
    trade(m, 2);
    clock.advance(1000);
    // Two trades and the P&L the second one realized (it closes the first one's short).
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 1, bufferedRows: 3, writeFailures: 1 });
    expect(failures.some((f) => /OOM command not allowed/.test(f))).toBe(true);
    // Given room again.
    await server.command('CONFIG', 'SET', 'maxmemory', '64mb');
    clock.advance(1000);
    expect(m.metricsCollector.stats()).toMatchObject({ rowsWritten: 3, bufferedRows: 0 });
    expect(storedIds(m)).toEqual([0, 1, 2]);
  }, 30_000);

  it("the HTTP API's views read Redis on the reader thread: the bot's thread makes no history call for them", async () => {
    const server = await redis();
    const clock = new ManualClock(T0);
    const m = monitor(server.url, { clock, enableMetricsServer: true, metricsPort: 0 });
    await m.start();
    for (let n = 0; n < 30; n++) trade(m, n);
    await m.flush();
    const calls = vi.spyOn(RedisBackend.prototype as unknown as { call: () => unknown }, 'call');
    try {
      const response = await fetch(`${m.baseUrl}/api/trading?hours=24`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { tradingStats: { tradeCount: number }; recentTrades: unknown[] };
      expect(body.tradingStats.tradeCount).toBe(30);
      expect(calls).not.toHaveBeenCalled();
    } finally {
      calls.mockRestore();
    }
  }, 60_000);

  it('execution-time percentiles come from per-hour counts kept through writes and retention: the same as ranking the rows left', async () => {
    const server = await redis();
    const now = Date.UTC(2026, 0, 15, 12, 25, 0);
    const clock = new ManualClock(now - 36 * HOUR);
    const m = monitor(server.url, { clock, flushIntervalMs: 3_600_000, enableHourlyGrowth: false, metricsRetentionDays: 30 });
    await m.start();
    // Values repeated within each hour.
    const times = [3, 3, 7, 7, 7, 12, 40, 0, 0.25, 12, 12, 3, 1e-7];
    const logged: { at: number; ms: number }[] = [];
    for (let n = 0; clock.now() < now; n++) {
      const ms = times[n % times.length]!;
      m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionTimeMs: ms, executionId: `t${n}` });
      logged.push({ at: clock.now(), ms });
      if (n % 50 === 0) await m.flush();
      clock.advance(7 * 60_000 + 13);
    }
    clock.advanceTo(Math.max(now, clock.now()));
    await m.flush();
    // A cutoff inside an hour the 48-hour window holds whole: its counts must lose the deleted trades.
    const result = await m.metricsCollector.cleanupOldData(1);
    const cutoff = clock.now() - 24 * HOUR;
    expect(result.deleted.trades).toBe(logged.filter((t) => t.at < cutoff).length);
    const left = Float64Array.from(
      logged.filter((t) => t.at >= cutoff),
      (t) => t.ms,
    ).sort();
    const rank = (p: number) => left[Math.min(left.length, Math.max(1, Math.ceil((p / 100) * left.length))) - 1];
    const got = m.getTradingDashboard({ hours: 48 }).tradingStats.executionTimeMs;
    expect(got).toEqual({ p50: rank(50), p95: rank(95), p99: rank(99) });
    // Hours emptied by retention leave no counts behind.
    const keys = await server.command('KEYS', '*trade_times*');
    const hoursLeft = new Set(logged.filter((t) => t.at >= cutoff).map((t) => Math.floor(t.at / HOUR) * HOUR));
    expect(keys.match(/trade_times:\d+/g)?.length).toBe(hoursLeft.size);
  }, 60_000);

  it('a sequence number moved by another writer between batches: the batch is numbered again from it, nothing lost', async () => {
    const server = await redis();
    const clock = new ManualClock(T0);
    const m = monitor(server.url, { clock, flushIntervalMs: 3_600_000 });
    await m.start();
    trade(m, 0);
    await m.flush();
    await server.command('SET', 'poseidon:{alpha}:seq', '1000');
    clock.advance(1000);
    trade(m, 1);
    await m.flush();
    expect(storedIds(m)).toEqual([0, 1]);
    const newest = await server.command('ZRANGE', 'poseidon:{alpha}:trades', '0', '-1');
    expect(newest).toContain('00000000000003e9{');
    expect(await server.command('GET', 'poseidon:{alpha}:seq')).toContain('1001');
  }, 60_000);

  it("Redis unreachable for the writer thread at start: its writes fail and are counted until it connects; never written from the bot's thread", async () => {
    const server = await redis();
    const proxy = await startRedisProxy(server.port);
    closers.push(() => void proxy.close());
    // The bridge (start's own connection) gets through; the writer thread's first connection is refused.
    await proxy.set('refuse-connections', 1);
    const m = monitor(proxy.url);
    const failures: string[] = [];
    m.diagnostics.onFailure((where, error) => failures.push(`${where}: ${String(error)}`));
    await m.start();
    for (let i = 0; i < 10; i++) trade(m, i);
    await expect(m.flush()).rejects.toThrow();
    expect(failures.some((f) => /redis/i.test(f))).toBe(true);
    await proxy.set('pass');
    await flushOnceBack(m);
    expect(storedIds(m)).toEqual(range(0, 10));
    expect(failures.filter((f) => /main thread/.test(f))).toEqual([]);
  }, 60_000);

  it("a writer thread that cannot be created: start() refuses, rather than write from the bot's thread", async () => {
    const server = await redis();
    const spy = vi.spyOn(ThreadWriter, 'startEntry').mockReturnValue(null);
    try {
      const m = monitor(server.url);
      await expect(m.start()).rejects.toThrow(/Redis writer thread could not start/);
    } finally {
      spy.mockRestore();
    }
    // Nothing left open: a monitor started afterwards writes as usual.
    const m = monitor(server.url);
    await m.start();
    trade(m, 0);
    await m.flush();
    expect(storedIds(m)).toEqual([0]);
  }, 60_000);
});
