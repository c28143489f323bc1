// The history database's schema: table names, DDL and the versioned migrations (PRAGMA user_version).

import type Database from 'better-sqlite3';
import { HOUR_MS } from '../analytics/GrowthTracker.js';
import { type CarriedTrade, carryPositions } from '../analytics/positionCarry.js';

/** The six history tables, in the order `getDatabaseStats()` reports them. */
export const TABLES = ['trades', 'performance_metrics', 'growth_metrics', 'liquidity_metrics', 'loop_executions', 'errors'] as const;
export type TableName = (typeof TABLES)[number];

/** A migration brings the schema from `version - 1` to `version`; it runs inside one transaction. */
interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: Database.Database): void;
}

// Version 1 is the seed's layout: four tables, epoch-millisecond INTEGER timestamps. Files written
// by the seed carry user_version 0 with these tables already present, hence IF NOT EXISTS.
const V1_DDL = `
CREATE TABLE IF NOT EXISTS trades (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity REAL NOT NULL,
  price REAL NOT NULL,
  notional_value REAL NOT NULL,
  fee REAL NOT NULL DEFAULT 0,
  execution_time_ms REAL NOT NULL DEFAULT 0,
  slippage_bps REAL NOT NULL DEFAULT 0,
  execution_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS performance_metrics (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  metric_name TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  tags TEXT
);
CREATE TABLE IF NOT EXISTS growth_metrics (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  hour_start INTEGER NOT NULL,
  opening_balance REAL NOT NULL,
  closing_balance REAL NOT NULL,
  growth_ratio REAL NOT NULL,
  trade_count INTEGER NOT NULL DEFAULT 0,
  realized_pnl REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS liquidity_metrics (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  spread REAL NOT NULL,
  bid_size REAL NOT NULL,
  ask_size REAL NOT NULL,
  market_depth REAL NOT NULL,
  volatility_24h REAL NOT NULL DEFAULT 0,
  volume_24h REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_trades_timestamp ON trades (timestamp);
CREATE INDEX IF NOT EXISTS idx_performance_metrics_timestamp ON performance_metrics (timestamp);
CREATE INDEX IF NOT EXISTS idx_growth_metrics_timestamp ON growth_metrics (timestamp);
CREATE INDEX IF NOT EXISTS idx_liquidity_metrics_timestamp ON liquidity_metrics (timestamp);
`;

// Version 2: the columns the event model carries that the seed did not, a `bot` column on every
// table (several bots may share one file), the loop and error tables the dashboards need, and
// indexes on symbol / name for the queries.
const V2_COLUMNS: readonly (readonly [TableName, string, string])[] = [
  ['trades', 'order_id', 'TEXT'],
  ['trades', 'realized_pnl', 'REAL'],
  // 'caller' when the bot gave the P&L with the trade, 'ledger' when the P&L ledger computed it.
  ['trades', 'pnl_source', 'TEXT'],
  ['trades', 'additional_data', 'TEXT'],
  ['trades', 'bot', "TEXT NOT NULL DEFAULT ''"],
  ['performance_metrics', 'bot', "TEXT NOT NULL DEFAULT ''"],
  ['growth_metrics', 'fees', 'REAL NOT NULL DEFAULT 0'],
  ['growth_metrics', 'volume', 'REAL NOT NULL DEFAULT 0'],
  ['growth_metrics', 'bot', "TEXT NOT NULL DEFAULT ''"],
  ['liquidity_metrics', 'bid_price', 'REAL'],
  ['liquidity_metrics', 'ask_price', 'REAL'],
  ['liquidity_metrics', 'bot', "TEXT NOT NULL DEFAULT ''"],
];

// The time indexes repeat version 1's: files the seed wrote may lack them.
const V2_DDL = `
CREATE INDEX IF NOT EXISTS idx_trades_timestamp ON trades (timestamp);
CREATE INDEX IF NOT EXISTS idx_performance_metrics_timestamp ON performance_metrics (timestamp);
CREATE INDEX IF NOT EXISTS idx_growth_metrics_timestamp ON growth_metrics (timestamp);
CREATE INDEX IF NOT EXISTS idx_liquidity_metrics_timestamp ON liquidity_metrics (timestamp);
CREATE TABLE IF NOT EXISTS loop_executions (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  loop_name TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  success INTEGER NOT NULL,
  trades_executed INTEGER NOT NULL DEFAULT 0,
  error_message TEXT,
  additional_data TEXT,
  bot TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS errors (
  id INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  error_id TEXT NOT NULL,
  message TEXT NOT NULL,
  error_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  symbol TEXT,
  loop_name TEXT,
  stack_trace TEXT,
  context TEXT,
  bot TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_trades_symbol_timestamp ON trades (symbol, timestamp);
CREATE INDEX IF NOT EXISTS idx_trades_execution_id ON trades (execution_id);
CREATE INDEX IF NOT EXISTS idx_performance_metrics_name_timestamp ON performance_metrics (metric_name, timestamp);
CREATE INDEX IF NOT EXISTS idx_growth_metrics_hour_start ON growth_metrics (hour_start);
CREATE INDEX IF NOT EXISTS idx_liquidity_metrics_symbol_timestamp ON liquidity_metrics (symbol, timestamp);
CREATE INDEX IF NOT EXISTS idx_loop_executions_timestamp ON loop_executions (timestamp);
CREATE INDEX IF NOT EXISTS idx_loop_executions_name_timestamp ON loop_executions (loop_name, timestamp);
CREATE INDEX IF NOT EXISTS idx_errors_timestamp ON errors (timestamp);
CREATE INDEX IF NOT EXISTS idx_errors_type_timestamp ON errors (error_type, timestamp);
`;

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** Every migration, oldest first. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'seed tables: trades, performance, growth, liquidity', up: (db) => db.exec(V1_DDL) },
  {
    version: 2,
    description: 'event-model columns, bot column, loop_executions and errors tables, symbol/name indexes',
    up(db) {
      // Checked column by column so a file half-way between versions (hand-edited) still migrates.
      for (const [table, column, type] of V2_COLUMNS) {
        if (!columnsOf(db, table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
      db.exec(V2_DDL);
    },
  },
  {
    version: 3,
    description: 'opening and closing equity of each growth hour; strategy and exchange on every row',
    up(db) {
      for (const [table, column, type] of V3_COLUMNS) {
        if (!columnsOf(db, table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    },
  },
  {
    version: 4,
    description: 'drop the execution_id index of trades (a P&L row finds its trade by symbol and time)',
    // Random ids made it the most expensive part of a trade insert (about 8 µs of 14 at 300,000 rows).
    up: (db) => db.exec('DROP INDEX IF EXISTS idx_trades_execution_id'),
  },
  {
    version: 5,
    description: 'trade_hours: per bot, UTC hour and symbol, the sums the trading dashboard reads for whole hours',
    up(db) {
      db.exec(TRADE_HOURS_DDL);
      rebuildTradeHours(db);
    },
  },
  {
    version: 6,
    description: 'position_carry: per bot and symbol, the position and realized P&L of the trades retention deleted',
    up: (db) => db.exec(POSITION_CARRY_DDL),
  },
  {
    version: 7,
    description: 'position_carry holds every written trade folded (kept by the writer), and writer_lease: one writer per bot',
    up(db) {
      db.exec(WRITER_LEASE_DDL);
      foldTradesIntoCarry(db);
    },
  },
  {
    version: 8,
    description: 'balance_state: per bot, the last account balance and the balance its hour opened with (kept by the writer)',
    up: (db) => db.exec(BALANCE_STATE_DDL),
  },
  {
    version: 9,
    description: "errors: the error types older versions spelled rate_limit and insufficient_balance take the seed's spellings",
    up(db) {
      // Spelled out rather than read from the alias table: a shipped migration never changes.
      const rename = db.prepare('UPDATE errors SET error_type = ? WHERE error_type = ?');
      rename.run('api_rate_limit', 'rate_limit');
      rename.run('insufficient_funds', 'insufficient_balance');
    },
  },
];

// Version 8. One row per bot, written in the transaction of the batch holding the balance update,
// so a restart continues the open hour's growth from the balances given before it.
const BALANCE_STATE_DDL = `
CREATE TABLE IF NOT EXISTS balance_state (
  bot TEXT PRIMARY KEY,
  balance REAL NOT NULL,
  updated_at INTEGER NOT NULL,
  opening_balance REAL NOT NULL
) WITHOUT ROWID;
`;

/** Sets a bot's balance state: (bot, balance, updated_at, opening_balance). */
export const UPSERT_BALANCE_STATE = `INSERT INTO balance_state (bot, balance, updated_at, opening_balance) VALUES (?, ?, ?, ?)
  ON CONFLICT (bot) DO UPDATE SET balance = excluded.balance, updated_at = excluded.updated_at,
    opening_balance = excluded.opening_balance`;

/** Reads a bot's balance state as a `BalanceState`: (bot). */
export const SELECT_BALANCE_STATE = 'SELECT balance, updated_at AS at, opening_balance AS openingBalance FROM balance_state WHERE bot = ?';

// Version 7. One row per bot: the process that writes that bot's rows, so a second one is refused.
const WRITER_LEASE_DDL = `
CREATE TABLE IF NOT EXISTS writer_lease (
  bot TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  token TEXT NOT NULL,
  renewed_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Sets a bot's carried position of one symbol: (bot, symbol, quantity, average_cost, realized_pnl). */
export const UPSERT_CARRY = `INSERT INTO position_carry (bot, symbol, quantity, average_cost, realized_pnl) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (bot, symbol) DO UPDATE SET quantity = excluded.quantity, average_cost = excluded.average_cost,
    realized_pnl = excluded.realized_pnl`;

/**
 * Folds every stored trade into position_carry, per bot. At the migration to version 7 (the carry
 * held only the trades retention deleted; from then on the writer folds each batch in), and for a
 * file whose trades were written by another program (the benchmarks' generated history).
 */
export function foldTradesIntoCarry(db: Database.Database): void {
  const carried = db.prepare(
    'SELECT symbol, quantity, average_cost AS averageCost, realized_pnl AS realizedPnl FROM position_carry WHERE bot = ?',
  );
  const trades = db.prepare(
    `SELECT symbol, side, quantity, price, fee, CASE WHEN pnl_source = 'caller' THEN realized_pnl END AS pnl
     FROM trades WHERE bot = ? ORDER BY timestamp, id`,
  );
  const upsert = db.prepare(UPSERT_CARRY);
  const bots = (db.prepare('SELECT DISTINCT bot FROM trades').all() as { bot: string }[]).map((r) => r.bot);
  for (const bot of bots) {
    const positions = carryPositions(
      carried.all(bot) as { symbol: string; quantity: number; averageCost: number; realizedPnl: number }[],
      trades.iterate(bot) as IterableIterator<CarriedTrade>,
    );
    for (const p of positions) upsert.run(bot, p.symbol, p.quantity, p.averageCost, p.realizedPnl);
  }
}

// Version 6: per bot and symbol, a position folded from trades (from version 7 on, every trade
// written, kept by the writer in each batch's transaction), so a restart reads one row per symbol.
const POSITION_CARRY_DDL = `
CREATE TABLE IF NOT EXISTS position_carry (
  bot TEXT NOT NULL,
  symbol TEXT NOT NULL,
  quantity REAL NOT NULL,
  average_cost REAL NOT NULL,
  realized_pnl REAL NOT NULL,
  PRIMARY KEY (bot, symbol)
) WITHOUT ROWID;
`;

// Version 5. Summing a day of trades row by row costs SQLite about half a microsecond a row and
// column (33,000 rows and 13 sums: 30–40 ms); whole hours are read from here instead and only the
// partial hours at the edges of a range from `trades`. Kept by the writer (one upsert per hour and
// symbol per batch, in the batch's transaction) and by retention (the deleted rows subtracted).
const TRADE_HOURS_DDL = `
CREATE TABLE IF NOT EXISTS trade_hours (
  bot TEXT NOT NULL,
  hour_start INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  trade_count INTEGER NOT NULL,
  buy_count INTEGER NOT NULL,
  sell_count INTEGER NOT NULL,
  volume REAL NOT NULL,
  fees REAL NOT NULL,
  realized_pnl REAL NOT NULL,
  closed_trades INTEGER NOT NULL,
  wins INTEGER NOT NULL,
  losses INTEGER NOT NULL,
  gross_profit REAL NOT NULL,
  gross_loss REAL NOT NULL,
  execution_time_ms_sum REAL NOT NULL,
  slippage_bps_sum REAL NOT NULL,
  PRIMARY KEY (bot, hour_start, symbol)
) WITHOUT ROWID;
`;

/**
 * Each figure of a `trade_hours` row (column order after the key bot, hour_start, symbol; the
 * order of `AGGREGATE_KEYS`) with the SQL aggregate over `trades` rows that gives it: the same
 * expressions sum a range of trades for the dashboards, so the table and a direct sum cannot
 * disagree.
 */
export const TRADE_FIGURES = [
  ['trade_count', 'count(*)'],
  ['buy_count', "coalesce(sum(side = 'buy'), 0)"],
  ['sell_count', "coalesce(sum(side = 'sell'), 0)"],
  ['volume', 'coalesce(sum(notional_value), 0)'],
  ['fees', 'coalesce(sum(fee), 0)'],
  ['realized_pnl', 'coalesce(sum(realized_pnl), 0)'],
  ['closed_trades', 'count(realized_pnl)'],
  ['wins', 'coalesce(sum(realized_pnl > 0), 0)'],
  ['losses', 'coalesce(sum(realized_pnl < 0), 0)'],
  ['gross_profit', 'coalesce(sum(CASE WHEN realized_pnl > 0 THEN realized_pnl ELSE 0 END), 0)'],
  ['gross_loss', 'coalesce(-sum(CASE WHEN realized_pnl < 0 THEN realized_pnl ELSE 0 END), 0)'],
  ['execution_time_ms_sum', 'coalesce(sum(execution_time_ms), 0)'],
  ['slippage_bps_sum', 'coalesce(sum(slippage_bps), 0)'],
] as const;

/** The figure columns of `trade_hours`, in order. */
export const TRADE_HOUR_FIGURES = TRADE_FIGURES.map(([column]) => column);

/**
 * Recomputes `trade_hours` from `trades`: at the migration, and for a file whose trades were written
 * by another program (the benchmarks' generated history). Hours start at
 * `CAST(timestamp / 3600000 AS INTEGER) * 3600000`, which is `hourStartOf` for every timestamp
 * after 1970.
 */
export function rebuildTradeHours(db: Database.Database): void {
  db.exec(`DELETE FROM trade_hours;
INSERT INTO trade_hours
SELECT bot, CAST(timestamp / ${HOUR_MS} AS INTEGER) * ${HOUR_MS}, symbol, ${TRADE_FIGURES.map(([, sum]) => sum).join(', ')}
FROM trades GROUP BY 1, 2, 3;`);
}

// Version 3: equity (balance plus unrealized P&L) at the start and end of each growth hour, and the
// bot's strategy and exchange on every row next to its name.
const V3_COLUMNS: readonly (readonly [TableName, string, string])[] = [
  ['growth_metrics', 'opening_equity', 'REAL'],
  ['growth_metrics', 'closing_equity', 'REAL'],
  ...TABLES.flatMap((table) => [
    [table, 'strategy', "TEXT NOT NULL DEFAULT ''"] as const,
    [table, 'exchange', "TEXT NOT NULL DEFAULT ''"] as const,
  ]),
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the database to {@link SCHEMA_VERSION}, one transaction per migration so a crash mid-way
 * leaves a consistent older version that the next start resumes from. Call {@link inspectDatabase}
 * first: it refuses a newer or foreign file before anything is written to it.
 */
export function migrate(db: Database.Database): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > SCHEMA_VERSION) throw new Error(newerSchema(from));
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      // PRAGMA takes no bound parameters; the version is one of our own integer constants.
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: SCHEMA_VERSION };
}

function newerSchema(version: number): string {
  return `schema version ${version} is newer than this package's ${SCHEMA_VERSION} (upgrade poseidon-monitor to open it)`;
}

/**
 * Looks at a database through a read-only connection before anything writes to it: a file of a
 * newer schema, a file that is not SQLite, or an SQLite file that is not history (it has tables,
 * but no `trades` with a `timestamp`) is refused with what was found, byte for byte untouched.
 * `open` opens the read-only connection (better-sqlite3's constructor, passed in so this module
 * needs no driver of its own). An empty SQLite file passes: it becomes history.
 */
export function inspectDatabase(open: () => Database.Database): void {
  const db = open();
  try {
    const found = inspect(db);
    if (found.refusal !== null) throw new Error(found.refusal);
  } finally {
    db.close();
  }
}

/**
 * Why `db` cannot be read as history as it is, without migrating it (what a read-only reader
 * needs): a newer or older schema, a foreign or empty file; null when it can be read.
 */
export function unreadableAsIs(db: Database.Database): string | null {
  const found = inspect(db);
  if (found.refusal !== null) return found.refusal;
  if (found.tables === 0) return 'it holds no tables (an empty database)';
  return found.version === SCHEMA_VERSION ? null : schemaMismatch(found.version);
}

/**
 * Why a file whose header says schema `version` cannot be read as it is, without migrating it, or
 * null when the version is this package's.
 */
export function schemaMismatch(version: number): string | null {
  if (version > SCHEMA_VERSION) return newerSchema(version);
  if (version === SCHEMA_VERSION) return null;
  return `schema version ${version} is older than this package's ${SCHEMA_VERSION} (or the file is not a poseidon-monitor database): start a monitor on it once to upgrade it`;
}

/** The schema version and table count of `db`, and why it must not be opened as history (null when it may). */
function inspect(db: Database.Database): { version: number; tables: number; refusal: string | null } {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) return { version, tables: 0, refusal: newerSchema(version) };
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  let refusal: string | null = null;
  const found = `found tables: ${tables.slice(0, 10).join(', ')}${tables.length > 10 ? ', …' : ''}`;
  if (tables.length > 0 && !tables.includes('trades')) refusal = `not a poseidon-monitor database: no table trades (${found})`;
  else if (tables.length > 0 && !columnsOf(db, 'trades').has('timestamp')) {
    refusal = `not a poseidon-monitor database: table trades has no column timestamp (${found})`;
  }
  return { version, tables: tables.length, refusal };
}
