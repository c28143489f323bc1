// Fills a database with our schema (the same migrations the store runs) with a month of a busy bot's history.

import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { foldTradesIntoCarry, migrate, rebuildTradeHours } from '../../src/store/schema.js';
import { SYMBOLS } from './shared.js';

const DAY_MS = 86_400_000;

/**
 * Fills our schema directly (the same migrations the store runs) with `n` trades spread evenly over
 * the last `days` days: buys and sells alternating, sells with a ledger P&L, plus one loop run per
 * 100 trades and one error per 1,000, as a month of a busy bot would leave.
 */
export function generateHistory(path: string, now: number, n: number, days: number, symbolCount: number): number {
  const t0 = performance.now();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  migrate(db);
  const trade = db.prepare(
    `INSERT INTO trades (timestamp, symbol, side, quantity, price, notional_value, fee, execution_time_ms, slippage_bps,
      execution_id, order_id, realized_pnl, pnl_source, additional_data, bot) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const loop = db.prepare(
    `INSERT INTO loop_executions (timestamp, loop_name, execution_id, start_time, end_time, duration_ms, success, trades_executed,
      error_message, additional_data, bot) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const error = db.prepare(
    `INSERT INTO errors (timestamp, error_id, message, error_type, severity, symbol, loop_name, stack_trace, context, bot)
      VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  const start = now - days * DAY_MS;
  const step = (days * DAY_MS) / n;
  const chunk = 50_000;
  const fill = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const ts = Math.floor(start + i * step);
      const symbol = SYMBOLS[i % symbolCount]!;
      const sell = Math.floor(i / symbolCount) % 2 === 1;
      const price = 100 + (i % 97) * 1.37;
      const quantity = 0.01 + (i % 13) * 0.005;
      const pnl = sell ? ((i % 11) - 5) * 0.8 : null;
      const id = `bench-${i.toString(36).padStart(8, '0')}`;
      trade.run(
        ts,
        symbol,
        sell ? 'sell' : 'buy',
        quantity,
        price,
        quantity * price,
        price * quantity * 0.001,
        5 + (i % 41),
        (i % 7) - 2,
        id,
        null,
        pnl,
        sell ? 'ledger' : null,
        null,
        'bench',
      );
      if (i % 100 === 0) loop.run(ts, 'main', `loop-${i}`, ts - 40, ts, 40, i % 2000 === 0 ? 0 : 1, 3, null, null, 'bench');
      if (i % 1000 === 0) error.run(ts, `err-${i}`, 'timeout', 'network_timeout', 'medium', symbol, 'main', null, null, 'bench');
    }
  });
  for (let from = 0; from < n; from += chunk) fill(from, Math.min(n, from + chunk));
  // Written here row by row, not by the monitor's writer: its hourly sums and positions are computed
  // once, as the migrations to schemas 5 and 7 compute them for an existing file.
  rebuildTradeHours(db);
  foldTradesIntoCarry(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return performance.now() - t0;
}
