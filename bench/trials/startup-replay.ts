// Trial (replay): positions rebuilt from every stored trade with better-sqlite3 and the P&L ledger, as a start once did.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { PnlLedger } from '../../src/analytics/PnlLedger.js';
import { generateHistory } from './history.js';
import { numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const starts = numArg('starts', 5);
const symbolCount = numArg('symbols', 20);

type Row = { symbol: string; side: 'buy' | 'sell'; quantity: number; price: number; fee: number; pnl: number | null };

const tmp = tempDir('startup-replay');
try {
  const path = join(tmp.dir, 'raw.db');
  const generateMs = generateHistory(path, Date.now(), n, days, symbolCount);
  const times: number[] = [];
  let positions = 0;
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const db = new Database(path, { readonly: true });
    const ledger = new PnlLedger();
    const rows = db
      .prepare(
        `SELECT symbol, side, quantity, price, fee, CASE WHEN pnl_source = 'caller' THEN realized_pnl END AS pnl
         FROM trades WHERE bot IN (?, '') ORDER BY timestamp, id`,
      )
      .iterate('bench') as IterableIterator<Row>;
    for (const row of rows) ledger.apply(row);
    positions = ledger.positionsList().length;
    db.close();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  report({ startMs: times[times.length >> 1]!, startMaxMs: times[times.length - 1]!, positions, generateMs });
} finally {
  tmp.remove();
}
