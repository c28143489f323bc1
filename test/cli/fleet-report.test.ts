// `report --bot` and `report --all-bots` over a store two bots share (SQLite file, JSON Lines files, a real Redis), as a user runs them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { findRedisServer, type RedisServer, startRedis } from '../helpers/redis.js';
import { cleanEnv, runCli } from './cliProcess.js';

const REDIS_SERVER = findRedisServer();
let dir: string;
let redis: RedisServer | null = null;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'poseidon-fleet-'));
  if (REDIS_SERVER !== null) redis = await startRedis(REDIS_SERVER);
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const STORES = [
  {
    name: 'sqlite',
    options: () => ({ storage: 'sqlite' as const, dbUrl: `sqlite:///${join(dir, 'fleet.db')}` }),
    env: () => ({ POSEIDON_DB_URL: `sqlite:///${join(dir, 'fleet.db')}` }),
  },
  {
    name: 'file',
    options: () => ({ storage: 'file' as const, storagePath: join(dir, 'fleet') }),
    env: () => ({ POSEIDON_STORAGE: 'file', POSEIDON_STORAGE_PATH: join(dir, 'fleet') }),
  },
  // Without the binary (locally) the Redis case is left out; under CI findRedisServer() throws.
  ...(REDIS_SERVER === null
    ? []
    : [
        {
          name: 'redis',
          options: () => ({ storage: 'redis' as const, redisUrl: redis!.url }),
          env: () => ({ POSEIDON_STORAGE: 'redis', POSEIDON_REDIS_URL: redis!.url }),
        },
      ]),
];

type Report = {
  summary: { accountBalance: number | null; uptimeSeconds: number | null };
  trading: { tradingStats: { tradeCount: number; volume: number } };
};

const HOUR = 3_600_000;

describe.each(STORES)('fleet reports over one $name store', (store) => {
  beforeAll(async () => {
    const clock = new ManualClock(Date.now() - 60_000);
    for (const [bot, trades, balance] of [
      ['alpha', 1, 1000],
      ['beta/2', 3, 2000],
    ] as const) {
      const m = new MonitoringSystem({
        ...store.options(),
        botName: bot,
        enableMetricsServer: false,
        logFile: null,
        logConsole: false,
        clock,
      });
      await m.start();
      m.updateAccountBalance(balance);
      for (let i = 0; i < trades; i++) m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100 });
      // Past the end of the hour: its growth row, with the closing balance, is written.
      clock.advance(HOUR);
      await m.stop();
    }
  });

  const env = () => cleanEnv({ POSEIDON_LOG_FILE: '', ...store.env() });

  it('--bot NAME reads only that bot, its balance as its history closed it, and no uptime', async () => {
    const r = await runCli(['report', '--format', 'json', '--bot', 'beta/2'], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.trading.tradingStats).toMatchObject({ tradeCount: 3, volume: 300 });
    expect(report.summary).toMatchObject({ accountBalance: 2000, uptimeSeconds: null });
  });

  it('--bot with no history in the store is refused, naming the bots that have some', async () => {
    const r = await runCli(['report', '--bot', 'gamma'], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no history of bot "gamma" in .*; bots with history there: alpha, beta\/2/);
  });

  it('--all-bots gives each bot its own report', async () => {
    const r = await runCli(['report', '--format', 'json', '--all-bots'], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    const reports = JSON.parse(r.stdout) as Record<string, Report>;
    expect(Object.keys(reports)).toEqual(['alpha', 'beta/2']);
    expect(reports.alpha!.trading.tradingStats.tradeCount).toBe(1);
    expect(reports.alpha!.summary.accountBalance).toBe(1000);
    expect(reports['beta/2']!.trading.tradingStats.tradeCount).toBe(3);
    const table = await runCli(['report', '--all-bots'], { cwd: dir, env: env() });
    expect(table.stdout).toMatch(/== bot alpha ==[\s\S]*== bot beta\/2 ==/);
  }, 120_000);
});
