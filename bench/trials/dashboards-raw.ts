// Trial (baseline): the 24 h trading figures computed by hand — rows read with better-sqlite3, summed in a JS loop.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { generateHistory } from './history.js';
import { numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const symbolCount = numArg('symbols', 20);

interface Row {
  symbol: string;
  side: string;
  notional_value: number;
  fee: number;
  realized_pnl: number | null;
  execution_time_ms: number;
  slippage_bps: number;
}

interface Sums {
  trades: number;
  buys: number;
  volume: number;
  fees: number;
  pnl: number;
  wins: number;
  losses: number;
  grossProfit: number;
  grossLoss: number;
  slippage: number;
}

const empty = (): Sums => ({
  trades: 0,
  buys: 0,
  volume: 0,
  fees: 0,
  pnl: 0,
  wins: 0,
  losses: 0,
  grossProfit: 0,
  grossLoss: 0,
  slippage: 0,
});

function add(s: Sums, r: Row): void {
  s.trades++;
  if (r.side === 'buy') s.buys++;
  s.volume += r.notional_value;
  s.fees += r.fee;
  s.slippage += r.slippage_bps;
  const p = r.realized_pnl;
  if (p !== null) {
    s.pnl += p;
    if (p > 0) {
      s.wins++;
      s.grossProfit += p;
    } else if (p < 0) {
      s.losses++;
      s.grossLoss -= p;
    }
  }
}

const tmp = tempDir('dashboards-raw');
try {
  const now = Date.now();
  const path = join(tmp.dir, 'raw.db');
  const generateMs = generateHistory(path, now, n, days, symbolCount);
  const db = new Database(path, { readonly: true });
  // Uses the same timestamp index our queries use; the work per row is done in JavaScript.
  const rows24h = db.prepare(
    `SELECT symbol, side, notional_value, fee, realized_pnl, execution_time_ms, slippage_bps FROM trades
      WHERE timestamp >= ? AND timestamp < ?`,
  );
  const errors24h = db.prepare('SELECT error_type, severity, timestamp FROM errors WHERE timestamp >= ? AND timestamp < ?');
  const tradingDashboard = () => {
    const until = Date.now();
    const since = until - 86_400_000;
    const total = empty();
    const bySymbol = new Map<string, Sums>();
    const executionTimes: number[] = [];
    for (const r of rows24h.iterate(since, until) as Iterable<Row>) {
      add(total, r);
      let s = bySymbol.get(r.symbol);
      if (s === undefined) {
        s = empty();
        bySymbol.set(r.symbol, s);
      }
      add(s, r);
      executionTimes.push(r.execution_time_ms);
    }
    executionTimes.sort((a, b) => a - b);
    const at = (p: number) => executionTimes[Math.min(executionTimes.length - 1, Math.ceil((p / 100) * executionTimes.length) - 1)];
    const errors = new Map<string, number>();
    for (const e of errors24h.iterate(since, until) as Iterable<{ error_type: string; severity: string; timestamp: number }>) {
      const key = `${e.error_type}|${e.severity}|${Math.floor(e.timestamp / 3_600_000)}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
    return { total, bySymbol, p50: at(50), p95: at(95), p99: at(99), errors };
  };
  for (let i = 0; i < 3; i++) tradingDashboard();
  const times: number[] = [];
  let last: ReturnType<typeof tradingDashboard> | null = null;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    last = tradingDashboard();
    times.push(performance.now() - t0);
  }
  db.close();
  times.sort((a, b) => a - b);
  report({
    tradingMs: times[times.length >> 1]!,
    tradingMaxMs: times[times.length - 1]!,
    trades: n,
    trades24h: last?.total.trades ?? null,
    generateMs,
  });
} finally {
  tmp.remove();
}
