// trade_hours, the per-hour sums the trading dashboard reads: always equal to what summing the trades themselves gives.

import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProfitLoss, buildTrade } from '../../src/events/build.js';
import type { MonitorEvent, TradeEvent } from '../../src/events/types.js';
import { RowBatch } from '../../src/store/batchCodec.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { MIGRATIONS, migrate, rebuildTradeHours } from '../../src/store/schema.js';
import { openRaw, T0, tempDirs } from './helpers.js';

const HOUR = 3_600_000;
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

// What the dashboard read before trade_hours: one GROUP BY over the range's rows.
const DIRECT = `SELECT symbol, count(*) AS tradeCount, coalesce(sum(side = 'buy'), 0) AS buyCount, coalesce(sum(side = 'sell'), 0) AS sellCount,
  coalesce(sum(notional_value), 0) AS volume, coalesce(sum(fee), 0) AS fees, coalesce(sum(realized_pnl), 0) AS realizedPnl,
  count(realized_pnl) AS closedTrades, coalesce(sum(realized_pnl > 0), 0) AS wins, coalesce(sum(realized_pnl < 0), 0) AS losses,
  coalesce(sum(CASE WHEN realized_pnl > 0 THEN realized_pnl ELSE 0 END), 0) AS grossProfit,
  coalesce(-sum(CASE WHEN realized_pnl < 0 THEN realized_pnl ELSE 0 END), 0) AS grossLoss,
  coalesce(sum(execution_time_ms), 0) AS executionTimeMsSum, coalesce(sum(slippage_bps), 0) AS slippageBpsSum
  FROM trades WHERE bot IN (?, '') AND timestamp >= ? AND timestamp < ? GROUP BY symbol ORDER BY symbol`;

function rows(events: readonly MonitorEvent[]): RowBatch {
  const batch = new RowBatch();
  for (const e of events) batch.push(e);
  return batch;
}

function write(backend: SqliteBackend, events: readonly MonitorEvent[]): void {
  const batch = rows(events);
  backend.writeBatch(batch, 0, batch.length);
}

/** A trade every 7 minutes over five hours, three symbols; every third closes with a P&L event. */
function day(bot: string, seed: number): { trades: TradeEvent[]; pnl: MonitorEvent[] } {
  const trades: TradeEvent[] = [];
  const pnl: MonitorEvent[] = [];
  for (let i = 0; i < 45; i++) {
    const t = buildTrade(
      {
        symbol: ['BTCUSDT', 'ETHUSDT', 'ÉTH/€'][(i + seed) % 3]!,
        side: i % 2 === 0 ? 'buy' : 'sell',
        quantity: 0.1 + i / 10,
        price: 1000 + 13.7 * i + seed,
        fee: i / 9,
        executionTimeMs: 5 + ((i * 7) % 30),
        slippageBps: (i % 5) - 2,
        // Some trades bring their own P&L (never replaced by the ledger's).
        pnl: i % 11 === 0 ? -3.25 : undefined,
        executionId: `${bot}-${i}`,
      },
      T0 + 3 * 60_000 + i * 7 * 60_000,
    );
    trades.push(t);
    if (i % 3 === 0) {
      pnl.push(
        buildProfitLoss({
          timestamp: t.timestamp,
          symbol: t.symbol,
          executionId: t.executionId,
          realizedPnl: i % 2 === 0 ? 2.5 * i : -1.75 * i,
          positionQuantity: 0,
          averageCost: t.price,
          cumulativeRealizedPnl: 0,
        }),
      );
    }
  }
  return { trades, pnl };
}

/** Each figure equal to the direct GROUP BY's (sums of the same values added in another order: to 1e-9). */
function expectSameAsDirect(db: Database.Database, backend: SqliteBackend, bot: string, since: number, until: number): void {
  const want = db.prepare(DIRECT).all(bot, since, until) as Record<string, number | string>[];
  const got = backend.analytics().tradeAggregateBySymbol({ since, until }) as unknown as Record<string, number | string>[];
  expect(got.map((r) => r.symbol)).toEqual(want.map((r) => r.symbol));
  for (const [i, w] of want.entries()) {
    for (const [k, v] of Object.entries(w)) {
      if (typeof v === 'number') expect(got[i]![k] as number, `${String(w.symbol)} ${k}`).toBeCloseTo(v, 9);
    }
  }
  const total = backend.analytics().tradeAggregate({ since, until });
  expect(total.tradeCount).toBe(want.reduce((n, r) => n + (r.tradeCount as number), 0));
  expect(total.realizedPnl).toBeCloseTo(
    want.reduce((n, r) => n + (r.realizedPnl as number), 0),
    9,
  );
}

/** trade_hours as it is, and as recomputing it from the trades gives: they must match. */
function expectTableRebuildable(db: Database.Database): void {
  const read = () => db.prepare('SELECT * FROM trade_hours ORDER BY bot, hour_start, symbol').all() as Record<string, number | string>[];
  const kept = read();
  db.transaction(() => rebuildTradeHours(db))();
  const rebuilt = read();
  expect(kept.length).toBe(rebuilt.length);
  for (const [i, r] of rebuilt.entries()) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'number') expect(kept[i]![k] as number, `${String(r.symbol)} ${k}`).toBeCloseTo(v, 9);
      else expect(kept[i]![k]).toBe(v);
    }
  }
}

/** Bot a's backend on a fresh file and a second connection to it, closed after `body`. */
function withBackend(name: string, body: (backend: SqliteBackend, raw: Database.Database) => void): void {
  const path = join(dirs.make(), name);
  const backend = new SqliteBackend({ kind: 'file', path }, { botName: 'a' });
  backend.open();
  const raw = openRaw(path);
  try {
    body(backend, raw);
  } finally {
    raw.close();
    backend.close();
  }
}

const RANGES: readonly (readonly [number, number])[] = [
  [T0, T0 + 6 * HOUR], // whole hours only
  [T0 + 17 * 60_000, T0 + 4 * HOUR + 41 * 60_000], // partial hours at both edges
  [T0 + 61 * 60_000, T0 + 2 * HOUR], // a partial hour and one whole hour
  [T0 + 10 * 60_000, T0 + 50 * 60_000], // inside one hour: no whole hour
  [T0 - 5 * HOUR, T0 + 30 * HOUR], // wider than the history
];

describe('trade_hours', () => {
  it('answers every range as the trades themselves do: P&L written with its trade or in a later batch, two bots on one file', () => {
    const path = join(dirs.make(), 'h.db');
    const a = new SqliteBackend({ kind: 'file', path }, { botName: 'a' });
    const b = new SqliteBackend({ kind: 'file', path }, { botName: 'b' });
    a.open();
    b.open();
    const da = day('a', 0);
    const db_ = day('b', 1);
    // Bot a: each trade's P&L in the same batch for the first half, in a later batch for the rest.
    write(a, [
      ...da.trades.slice(0, 20),
      ...da.pnl.filter((p) => da.trades.slice(0, 20).some((t) => t.executionId === (p as TradeEvent).executionId)),
    ]);
    write(a, da.trades.slice(20));
    write(
      a,
      da.pnl.filter((p) => da.trades.slice(20).some((t) => t.executionId === (p as TradeEvent).executionId)),
    );
    write(b, [...db_.trades, ...db_.pnl]);
    const raw = openRaw(path);
    try {
      for (const [since, until] of RANGES) {
        expectSameAsDirect(raw, a, 'a', since, until);
        expectSameAsDirect(raw, b, 'b', since, until);
      }
      expectTableRebuildable(raw);
    } finally {
      raw.close();
      a.close();
      b.close();
    }
  });

  it('a P&L event right after its trade (as logTrade records it), further on in the batch, or in a later batch: the same row and sums', () => {
    const path = join(dirs.make(), 'o.db');
    const orders: Record<string, (d: ReturnType<typeof day>) => MonitorEvent[][]> = {
      next: (d) => [d.trades.flatMap((t) => [t, ...d.pnl.filter((p) => (p as TradeEvent).executionId === t.executionId)])],
      further: (d) => [[...d.trades, ...d.pnl]],
      later: (d) => [d.trades, d.pnl],
    };
    const raw = openRaw(path);
    try {
      for (const [bot, order] of Object.entries(orders)) {
        const backend = new SqliteBackend({ kind: 'file', path }, { botName: bot });
        backend.open();
        for (const batch of order(day(bot, 0))) write(backend, batch);
        backend.close();
      }
      const rowsOf = (bot: string) =>
        raw
          .prepare('SELECT substr(execution_id, length(bot) + 2) AS n, realized_pnl, pnl_source FROM trades WHERE bot = ? ORDER BY id')
          .all(bot);
      const next = rowsOf('next');
      expect(next).toHaveLength(45);
      // Every third trade closed with the ledger's P&L, except those that brought their own.
      expect(next.filter((r) => (r as { pnl_source: string | null }).pnl_source === 'ledger')).toHaveLength(13);
      expect(rowsOf('further')).toEqual(next);
      expect(rowsOf('later')).toEqual(next);
      const hours = (bot: string) =>
        raw
          .prepare(
            'SELECT hour_start, symbol, trade_count, realized_pnl, closed_trades, wins, losses FROM trade_hours WHERE bot = ? ORDER BY hour_start, symbol',
          )
          .all(bot);
      expect(hours('next').length).toBeGreaterThan(3);
      expect(hours('further')).toEqual(hours('next'));
      expect(hours('later')).toEqual(hours('next'));
      expectTableRebuildable(raw);
    } finally {
      raw.close();
    }
  });

  it('retention takes deleted trades out, a partial hour included, and drops hours left empty', () => {
    withBackend('r.db', (backend, raw) => {
      const d = day('a', 0);
      write(backend, [...d.trades, ...d.pnl]);
      const cutoff = T0 + 2 * HOUR + 20 * 60_000;
      // Small chunks, as retention runs them.
      while (backend.deleteOlderThan('trades', cutoff, 4) > 0);
      expect(raw.prepare('SELECT count(*) FROM trades WHERE timestamp < ?').pluck().get(cutoff)).toBe(0);
      expect(raw.prepare('SELECT min(hour_start) FROM trade_hours').pluck().get()).toBe(T0 + 2 * HOUR);
      for (const [since, until] of RANGES) expectSameAsDirect(raw, backend, 'a', since, until);
      expectTableRebuildable(raw);
    });
  });

  it('a batch the database refuses leaves no sums behind', () => {
    withBackend('f.db', (backend, raw) => {
      const d = day('a', 0);
      // A hand-made trade SQLite refuses (no symbol), after good ones: the whole batch rolls back.
      const bad = { ...d.trades[5]!, symbol: null } as unknown as MonitorEvent;
      expect(() => write(backend, [...d.trades.slice(0, 5), bad])).toThrow();
      write(backend, d.trades.slice(0, 5));
      expect(raw.prepare('SELECT sum(trade_count) FROM trade_hours').pluck().get()).toBe(5);
      expectTableRebuildable(raw);
    });
  });

  it('is built from the trades already in a file when it migrates from schema 4', () => {
    const path = join(dirs.make(), 'm.db');
    const old = openRaw(path);
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) m.up(old);
    old.pragma('user_version = 4');
    const insert = old.prepare(
      `INSERT INTO trades (timestamp, symbol, side, quantity, price, notional_value, fee, execution_time_ms, slippage_bps, execution_id, realized_pnl, bot)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    for (const t of day('a', 2).trades) {
      insert.run(
        t.timestamp,
        t.symbol,
        t.side,
        t.quantity,
        t.price,
        t.notionalValue,
        t.fee,
        t.executionTimeMs,
        t.slippageBps,
        t.executionId,
        t.pnl,
        '',
      );
    }
    expect(migrate(old)).toEqual({ from: 4, to: MIGRATIONS.at(-1)!.version });
    old.close();
    const backend = new SqliteBackend({ kind: 'file', path }, { botName: 'a' });
    backend.open();
    const raw = openRaw(path);
    try {
      // Rows from before rows carried a bot (bot '') count as this bot's, in trade_hours too.
      for (const [since, until] of RANGES) expectSameAsDirect(raw, backend, 'a', since, until);
      expect(raw.prepare('SELECT sum(trade_count) FROM trade_hours').pluck().get()).toBe(45);
    } finally {
      raw.close();
      backend.close();
    }
  });
});
