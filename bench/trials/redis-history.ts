// Trial: redis storage: logTrade throughput into a local redis-server beside node-redis doing the same pipelined writes by hand, then the trading dashboard over the stored month.
// Run: node --import tsx bench/trials/redis-history.ts [--n=1000000] [--days=30] [--calls=20] (needs redis-server on PATH)

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { ManualClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { ownerFields, tradeLine } from '../../src/store/fileRecords.js';
import { fail, HISTORY_ONLY, numArg, report, spreadOver, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const DAY_MS = 86_400_000;

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const tmp = tempDir('redis-history');
// As the docs advise running it: AOF on, fsync every second, no RDB snapshots.
const server: ChildProcess = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', tmp.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
  // Its own process group, so the kill at the end also stops a forked AOF rewrite still writing into the directory.
  { stdio: 'ignore', detached: true },
);
const url = `redis://127.0.0.1:${port}/0`;

function monitor(prefix: string, clock: ManualClock | undefined, flushIntervalMs: number): MonitoringSystem {
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

try {
  const raw = createClient({ url });
  for (let i = 0; ; i++) {
    try {
      await raw.connect();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const pool = tradePool(20);

  /** Redis' own time in commands (`INFO commandstats`) since the last call, µs. */
  const redisUsec = async (): Promise<number> => {
    const info = await raw.info('commandstats');
    await raw.configResetStat();
    let usec = 0;
    for (const m of info.matchAll(/usec=(\d+)/g)) usec += Number(m[1]);
    return usec;
  };
  await redisUsec();
  /** CPU time of the redis-server process since the last call, µs: its own threads, and its reaped children (forked AOF rewrites). */
  let cpuBefore = { own: 0, rewrites: 0 };
  const redisCpuUsec = (): { own: number; rewrites: number } => {
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const tick = (i: number) => (Number(f[i]) / 100) * 1e6;
    const now = { own: tick(11) + tick(12), rewrites: tick(13) + tick(14) };
    const spent = { own: now.own - cpuBefore.own, rewrites: now.rewrites - cpuBefore.rewrites };
    cpuBefore = now;
    return spent;
  };
  redisCpuUsec();

  // Ours: `n` trades on the real clock (the writer thread), every one read back.
  const live = monitor('live', undefined, 1000);
  live.diagnostics.onFailure((where, error) => process.stderr.write(`${where}: ${String(error)}\n`));
  await live.start();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    live.logTrade(pool[i % pool.length]!);
    if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await live.flush();
  const logMs = performance.now() - t0;
  const stored = live.getDatabaseStats().trades;
  await live.stop();
  if (stored !== n) fail(`stored ${stored} trades of ${n}`);
  const oursRedisUsec = await redisUsec();
  const oursCpu = redisCpuUsec();

  // Raw: node-redis alone doing by hand what one batch of ours writes, in one MULTI per 10,000 trades: the JSON records
  // (ZADD), each hour and symbol's sums (HINCRBYFLOAT) and its hour index entry, each hour's execution-time counts
  // (HINCRBY), each symbol's carried position, the sequence number and the batch token.
  const owner = ownerFields({ bot: 'bench', strategy: '', exchange: '' });
  const r0 = performance.now();
  let seq = 0;
  const held = new Map<string, number>();
  for (let i = 0; i < n; i += 10_000) {
    const multi = raw.multi();
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
  const rawStored = await raw.zCard('raw:{bench}:trades');
  if (rawStored !== n) fail(`raw stored ${rawStored} of ${n}`);
  const rawRedisUsec = await redisUsec();
  const rawCpu = redisCpuUsec();

  // The month for the dashboard, logged on a manual clock so the trades spread over `days` days.
  const end = Date.now();
  const clock = new ManualClock(end - days * DAY_MS);
  const writer = monitor('month', clock, 3_600_000);
  await writer.start();
  spreadOver(clock, end, n, (i) => writer.logTrade(pool[i % pool.length]!));
  await writer.stop();

  const reader = monitor('month', new ManualClock(end), 3_600_000);
  await reader.start();
  const reread = reader.getDatabaseStats().trades;
  if (reread !== n) fail(`read back ${reread} trades of ${n}`);
  // Count exact in the hour sums too: the month's dashboard counts every trade.
  const counted = reader.getTradingDashboard({ hours: days * 24 + 1 }).tradingStats.tradeCount;
  if (counted !== n) fail(`the dashboard counts ${counted} trades of ${n}`);
  const times: number[] = [];
  for (let i = 0; i < calls + 3; i++) {
    const s = performance.now();
    reader.getTradingDashboard({ hours: 24 });
    if (i >= 3) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  await reader.stop();
  await raw.close();
  report({
    tradesPerSec: Math.round(n / (logMs / 1000)),
    rawTradesPerSec: Math.round(n / (rawMs / 1000)),
    redisUsecPerTrade: Math.round((oursRedisUsec / n) * 100) / 100,
    rawRedisUsecPerTrade: Math.round((rawRedisUsec / n) * 100) / 100,
    redisCpuUsecPerTrade: Math.round((oursCpu.own / n) * 100) / 100,
    rawRedisCpuUsecPerTrade: Math.round((rawCpu.own / n) * 100) / 100,
    aofRewriteCpuSec: Math.round(oursCpu.rewrites / 1e4) / 100,
    rawAofRewriteCpuSec: Math.round(rawCpu.rewrites / 1e4) / 100,
    stored,
    tradingMs: times[times.length >> 1],
    tradingMaxMs: times[times.length - 1],
  });
} finally {
  // Its exit awaited: until then it may still be writing into the directory being removed.
  const exited = new Promise((resolve) => server.once('exit', resolve));
  process.kill(-server.pid!, 'SIGKILL');
  await exited;
  tmp.remove();
}
