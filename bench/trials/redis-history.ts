// Trial: redis storage: logTrade throughput into a local redis-server beside node-redis doing the same writes by hand, then the trading dashboard over a stored month.
// Run: node --import tsx bench/trials/redis-history.ts [--n=1000000] [--days=30] [--calls=20] [--side=ours|raw|both] (needs redis-server on PATH)
// Each side writes into a redis-server of its own, started empty, so both pay the same automatic AOF rewrites.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { ManualClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { ownerFields, tradeLine } from '../../src/store/fileRecords.js';
import { fail, HISTORY_ONLY, numArg, report, spreadOver, tempDir, timeCalls, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const side = process.argv.find((a) => a.startsWith('--side='))?.slice(7) ?? 'both';
if (!['ours', 'raw', 'both'].includes(side)) fail(`--side=${side}: expected ours, raw or both`);
const DAY_MS = 86_400_000;
const pool = tradePool(20);

type Client = ReturnType<typeof createClient>;

/** A redis-server as the docs advise running it (AOF on, fsync every second, no RDB snapshots), with a connected client. */
async function withRedis<T>(
  use: (url: string, client: Client, cpu: () => Promise<{ ownUs: number; rewritesSec: number }>) => Promise<T>,
): Promise<T> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const tmp = tempDir('redis-history');
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', tmp.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
    // Its own process group, so the kill at the end also stops a forked AOF rewrite still writing into the directory.
    { stdio: 'ignore', detached: true },
  );
  const url = `redis://127.0.0.1:${port}/0`;
  const client = createClient({ url });
  try {
    for (let i = 0; ; i++) {
      try {
        await client.connect();
        break;
      } catch (error) {
        if (i > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    /** The server's CPU so far: its own threads (µs), and its forked AOF rewrites (s) once the one running has ended. */
    const cpu = async () => {
      while (/aof_rewrite_in_progress:1/.test(await client.info('persistence'))) await new Promise((resolve) => setTimeout(resolve, 100));
      const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = (i: number) => Number(f[i]) / 100;
      return { ownUs: (ticks(11) + ticks(12)) * 1e6, rewritesSec: ticks(13) + ticks(14) };
    };
    return await use(url, client, cpu);
  } finally {
    await client.close().catch(() => undefined);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(-server.pid!, 'SIGKILL');
    await exited;
    tmp.remove();
  }
}

function monitor(url: string, prefix: string, clock: ManualClock | undefined, flushIntervalMs: number): MonitoringSystem {
  return new MonitoringSystem({
    storage: 'redis',
    redisUrl: url,
    redisPrefix: prefix,
    ...HISTORY_ONLY,
    storeMaxBufferRows: 2_000_000,
    flushIntervalMs,
    ...(clock === undefined ? {} : { clock }),
  });
}

/** The write figures of one side: rate, redis-server's CPU per trade and its AOF rewrites' CPU. */
function writeFigures(ms: number, before: { ownUs: number }, after: { ownUs: number; rewritesSec: number }) {
  return {
    tradesPerSec: Math.round(n / (ms / 1000)),
    usPerTrade: Math.round((ms / n) * 1e5) / 100,
    redisCpuUsPerTrade: Math.round(((after.ownUs - before.ownUs) / n) * 100) / 100,
    aofRewriteCpuSec: Math.round(after.rewritesSec * 100) / 100,
  };
}

/** Ours: `n` trades on the real clock (the writer thread), every one counted back; then the month's dashboard. */
async function ours(): Promise<Record<string, unknown>> {
  return withRedis(async (url, _client, cpu) => {
    const live = monitor(url, 'live', undefined, 1000);
    live.diagnostics.onFailure((where, error) => process.stderr.write(`${where}: ${String(error)}\n`));
    await live.start();
    const before = await cpu();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      live.logTrade(pool[i % pool.length]!);
      if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await live.flush();
    const logMs = performance.now() - t0;
    const after = await cpu();
    const stored = live.getDatabaseStats().trades;
    await live.stop();
    if (stored !== n) fail(`stored ${stored} trades of ${n}`);

    // The month for the dashboard, logged on a manual clock so the trades spread over `days` days.
    const end = Date.now();
    const clock = new ManualClock(end - days * DAY_MS);
    const writer = monitor(url, 'month', clock, 3_600_000);
    await writer.start();
    spreadOver(clock, end, n, (i) => writer.logTrade(pool[i % pool.length]!));
    await writer.stop();
    const reader = monitor(url, 'month', new ManualClock(end), 3_600_000);
    await reader.start();
    const reread = reader.getDatabaseStats().trades;
    if (reread !== n) fail(`read back ${reread} trades of ${n}`);
    // Count exact in the hour sums too: the month's dashboard counts every trade.
    const counted = reader.getTradingDashboard({ hours: days * 24 + 1 }).tradingStats.tradeCount;
    if (counted !== n) fail(`the dashboard counts ${counted} trades of ${n}`);
    const trading = timeCalls(() => reader.getTradingDashboard({ hours: 24 }), calls);
    await reader.stop();
    return { ...writeFigures(logMs, before, after), stored, tradingMs: trading.median, tradingMaxMs: trading.max };
  });
}

/**
 * Raw: node-redis alone doing by hand what one batch of ours writes, in one MULTI per 10,000 trades: the JSON records
 * (ZADD), each hour and symbol's sums (HINCRBYFLOAT per figure, a hash per hour and symbol) and its hour index entry, each hour's execution-time counts
 * (HINCRBY), each symbol's carried position, the sequence number and the batch token.
 */
async function raw(): Promise<Record<string, unknown>> {
  return withRedis(async (_url, client, cpu) => {
    const owner = ownerFields({ bot: 'bench', strategy: '', exchange: '' });
    const before = await cpu();
    const r0 = performance.now();
    let seq = 0;
    const held = new Map<string, number>();
    for (let i = 0; i < n; i += 10_000) {
      const multi = client.multi();
      const args: { score: number; value: string }[] = [];
      const sums = new Map<string, number[]>();
      const times = new Map<number, Map<string, number>>();
      for (let j = i; j < Math.min(n, i + 10_000); j++) {
        const t = buildTrade(pool[j % pool.length]!, Date.now());
        args.push({ score: t.timestamp, value: `${(++seq).toString(16).padStart(16, '0')}${tradeLine(t, owner, null, null)}` });
        const hour = Math.floor(t.timestamp / 3_600_000) * 3_600_000;
        const field = `${hour}|${t.symbol}`;
        const f = sums.get(field) ?? [0, 0, 0, 0, 0, 0, 0];
        sums.set(field, f);
        f[0]! += 1;
        f[t.side === 'buy' ? 1 : 2]! += 1;
        f[3]! += t.notionalValue;
        f[4]! += t.fee;
        f[5]! += t.executionTimeMs;
        f[6]! += t.slippageBps;
        const c = times.get(hour) ?? new Map<string, number>();
        times.set(hour, c);
        const text = String(t.executionTimeMs);
        c.set(text, (c.get(text) ?? 0) + 1);
        held.set(t.symbol, (held.get(t.symbol) ?? 0) + (t.side === 'buy' ? t.quantity : -t.quantity));
      }
      multi.zAdd('raw:{bench}:trades', args);
      for (const [field, f] of sums) {
        for (const [k, v] of f.entries()) multi.hIncrByFloat(`raw:{bench}:trade_hours:${field}`, String(k), v);
        multi.zAdd('raw:{bench}:trade_hours_index', { score: Number(field.slice(0, field.indexOf('|'))), value: field });
      }
      for (const [hour, c] of times) for (const [text, k] of c) multi.hIncrBy(`raw:{bench}:trade_times:${hour}`, text, k);
      for (const [symbol, q] of held) multi.hSet('raw:{bench}:position_carry', symbol, JSON.stringify({ symbol, quantity: q }));
      multi.set('raw:{bench}:seq', String(seq));
      multi.set('raw:{bench}:last_batch', `raw:${i}`);
      await multi.exec();
    }
    const rawMs = performance.now() - r0;
    const after = await cpu();
    const stored = await client.zCard('raw:{bench}:trades');
    if (stored !== n) fail(`raw stored ${stored} of ${n}`);
    return { ...writeFigures(rawMs, before, after), stored };
  });
}

if (side === 'ours') report(await ours());
else if (side === 'raw') report(await raw());
else {
  const o = await ours();
  const r = await raw();
  report({ ...o, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [`raw${k[0]!.toUpperCase()}${k.slice(1)}`, v])) });
}
