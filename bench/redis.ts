// Redis storage: logTrade into a local redis-server beside node-redis doing the same writes by hand (≥ 50,000 trades/s, count exact), and the trading dashboard over a stored month (≤ 50 ms).

import { runIfMain, type Suite } from './harness.js';

export function redisSuite(quick: boolean): Suite {
  const n = quick ? 200_000 : 1_000_000;
  const common = [`--n=${n}`, '--days=30', `--calls=${quick ? 10 : 20}`];
  return {
    id: 'redis',
    title: `Redis storage: logTrade, ${n.toLocaleString('en-US')} trades + flush(); the trading dashboard over them spread on 30 days`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'redis-history.ts', args: [...common, '--side=ours'] },
      { label: 'raw', script: 'redis-history.ts', args: [...common, '--side=raw'] },
    ],
    notes: [
      'Each trial starts its own redis-server (7.x from the system, loopback, `--appendonly yes --appendfsync everysec`, no RDB snapshots: as docs/history-backends.md advises), so both write into an empty Redis and pay the same automatic AOF rewrites.',
      'ours: `monitor.logTrade()` with `storage: redis` (history only: no /metrics server, no log file), on the real clock, a turn of the event loop every 1,000 calls, timed from the first call to the end of flush(); every trade counted back (`ZCARD`), then a month of the same number of trades logged on a manual clock, read back by a new monitor, counted by the dashboard, and `getTradingDashboard({hours: 24})` timed.',
      "raw: node-redis alone doing by hand what a batch of ours writes, one `MULTI` per 10,000 trades: the numbered JSON records (`ZADD`), each hour and symbol's sums (`HINCRBYFLOAT` of each figure into a hash of its own per hour and symbol; ours keeps one hash of comma-joined figures, updated in Lua) and hour index entry, each hour's execution-time counts (`HINCRBY`), the carried positions, the sequence number and a batch token; the records counted back.",
      "Redis CPU: the redis-server process's own CPU time (its threads, from /proc) per trade; AOF rewrite CPU: its forked rewrites' CPU, counted once they end.",
    ],
    metrics: [
      { key: 'tradesPerSec', unit: 'trades/s' },
      { key: 'usPerTrade', unit: 'µs/trade' },
      { key: 'redisCpuUsPerTrade', unit: 'Redis CPU µs/trade' },
      { key: 'aofRewriteCpuSec', unit: 's AOF rewrite CPU' },
      { key: 'tradingMs', unit: 'ms getTradingDashboard({hours: 24})' },
      { key: 'tradingMaxMs', unit: 'ms max trading' },
    ],
    bounds: [
      { kind: 'abs', name: 'logTrade into Redis, trades/s (count exact)', key: 'tradesPerSec', trial: 'ours', min: 50_000 },
      { kind: 'ratio', name: 'ours ÷ raw, wall time per trade', key: 'usPerTrade', ours: 'ours', baseline: 'raw' },
      { kind: 'abs', name: 'getTradingDashboard({hours: 24}) median over the month (ms)', key: 'tradingMs', trial: 'ours', max: 50 },
    ],
    facts: ['stored'],
  };
}

await runIfMain(import.meta.url, redisSuite);
